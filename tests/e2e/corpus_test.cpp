// The four real upstream packs in fixtures/upstream, checked as they are
// (read-only), with the verdicts issue 2 expects of every gate.
#include <gtest/gtest.h>

#include <map>

#include "test_util.h"

namespace mplp {
namespace {

const char* kMcp = "upstream/real/mcp/mcp-d1-real-runner-001";
const char* kLangchain = "upstream/real/langchain/langchain-d1-real-runner-det-001";
const char* kCrewai = "upstream/real/crewai/crewai-d1-real-runner-det-001";
const char* kSynthetic = "upstream/synthetic/mcp/mcp-d1-synthetic-001";

using Verdicts = std::map<std::string, GateStatus>;

class Corpus : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    report_ = new RunReport(test::check({test::corpus("upstream")}));
  }
  static void TearDownTestSuite() { delete report_; }
  static void expect(const char* pack, const Verdicts& want) {
    for (const auto& [gate, status] : want)
      EXPECT_EQ(to_string(test::status_of(*report_, gate, pack)), to_string(status)) << pack << " " << gate;
  }
  static RunReport* report_;
};
RunReport* Corpus::report_ = nullptr;

TEST_F(Corpus, AllFourPacksAreFound) { EXPECT_EQ(report_->packs.size(), 4u); }

TEST_F(Corpus, McpRealPassesEveryGateWithLegacyWarning) {
  expect(kMcp, {{"GATE-V2-PACK-STRUCTURE-01", GateStatus::Pass},
                {"GATE-V2-INTEGRITY-01", GateStatus::Pass},
                {"GATE-V2-SSOT-01", GateStatus::Pass},
                {"GATE-V2-REAL-QUALIFY-01", GateStatus::Pass},
                {"GATE-V2-HOST-ALLOW-01", GateStatus::Pass},
                {"GATE-V2-DET-01", GateStatus::Pass}});
  bool legacy_warning = false;
  for (const Finding& f : test::result_of(*report_, "GATE-V2-SSOT-01", kMcp).findings)
    legacy_warning = legacy_warning || (f.severity == Severity::Warning &&
                                        (f.message + f.detail).find("image_digest") != std::string::npos);
  EXPECT_TRUE(legacy_warning) << "SSOT-01 must warn that env_ref uses the legacy field image_digest";
}

TEST_F(Corpus, LangchainFailsIntegrityAndRealQualifyOnly) {
  expect(kLangchain, {{"GATE-V2-PACK-STRUCTURE-01", GateStatus::Pass},
                      {"GATE-V2-INTEGRITY-01", GateStatus::Fail},
                      {"GATE-V2-SSOT-01", GateStatus::Pass},
                      {"GATE-V2-REAL-QUALIFY-01", GateStatus::Fail},
                      {"GATE-V2-HOST-ALLOW-01", GateStatus::Pass},
                      {"GATE-V2-DET-01", GateStatus::Pass}});
}

TEST_F(Corpus, CrewaiFailsStructureIntegrityAndSsotOnly) {
  expect(kCrewai, {{"GATE-V2-PACK-STRUCTURE-01", GateStatus::Fail},
                   {"GATE-V2-INTEGRITY-01", GateStatus::Fail},
                   {"GATE-V2-SSOT-01", GateStatus::Fail},
                   {"GATE-V2-REAL-QUALIFY-01", GateStatus::Pass},
                   {"GATE-V2-HOST-ALLOW-01", GateStatus::Pass},
                   {"GATE-V2-DET-01", GateStatus::Pass}});
}

TEST_F(Corpus, SyntheticIsSkippedByRealOnlyGates) {
  expect(kSynthetic, {{"GATE-V2-SSOT-01", GateStatus::Skip},
                      {"GATE-V2-REAL-QUALIFY-01", GateStatus::Skip},
                      {"GATE-V2-DET-01", GateStatus::Skip},
                      {"GATE-V2-HOST-ALLOW-01", GateStatus::Pass}});
  EXPECT_FALSE(test::result_of(*report_, "GATE-V2-SSOT-01", kSynthetic).skip_reason.empty());
}

// Issue 12's gates: without a trusted key nothing is attested (SKIP); the
// relabelled langchain copy contradicts itself three times; no two of the
// four packs share evidence.
TEST_F(Corpus, ProvenanceGatesOfIssue12) {
  for (const char* pack : {kMcp, kLangchain, kCrewai, kSynthetic})
    expect(pack, {{"GATE-V2-ATTESTATION-01", GateStatus::Skip}, {"GATE-V2-EVIDENCE-REUSE-01", GateStatus::Pass}});
  for (const char* pack : {kMcp, kCrewai, kSynthetic}) expect(pack, {{"GATE-V2-CONSISTENCY-01", GateStatus::Pass}});
  expect(kLangchain, {{"GATE-V2-CONSISTENCY-01", GateStatus::Fail}});
  EXPECT_EQ(test::codes_of(*report_, "GATE-V2-CONSISTENCY-01", Severity::Info, kLangchain),
            (std::vector<std::string>{"consistency.context-substrate", "consistency.run-id",
                                      "consistency.timeline-substrate"}));
  EXPECT_EQ(test::result_of(*report_, "GATE-V2-ATTESTATION-01", kMcp).skip_reason,
            "no trusted key: provenance is self-asserted");
}

TEST_F(Corpus, TheCorpusRunFailsAsAWhole) { EXPECT_EQ(exit_code(*report_), 1); }

TEST(CorpusCli, BinaryAgreesWithEngine) {
  auto r = test::run_tool({"check", test::corpus(kMcp)});
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
  auto bad = test::run_tool({"check", test::corpus(kLangchain)});
  EXPECT_EQ(bad.exit_code, 1) << bad.out << bad.err;
  auto one_gate = test::run_tool({"check", "--gate", "GATE-V2-SSOT-01", test::corpus(kLangchain)});
  EXPECT_EQ(one_gate.exit_code, 0) << one_gate.out;  // only the chosen gate decides
}

}  // namespace
}  // namespace mplp
