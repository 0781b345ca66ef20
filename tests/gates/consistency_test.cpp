// GATE-V2-CONSISTENCY-01: the pack's own records against its manifest.
#include <gtest/gtest.h>

#include <filesystem>

#include "test_util.h"

namespace mplp {
namespace {

namespace fs = std::filesystem;
using Codes = std::vector<std::string>;
using test::codes_of;
using test::status_of;

constexpr const char* kGate = "GATE-V2-CONSISTENCY-01";

RunReport run(const std::string& pack) { return test::check({pack}, {kGate}); }

TEST(Consistency, UpstreamMcpPassesAndLangchainFailsExactlyThreeTimes) {
  EXPECT_EQ(status_of(run(test::corpus("upstream/real/mcp/mcp-d1-real-runner-001")), kGate), GateStatus::Pass);
  RunReport r = run(test::corpus("upstream/real/langchain/langchain-d1-real-runner-det-001"));
  ASSERT_EQ(status_of(r, kGate), GateStatus::Fail);
  auto f = test::findings_of(r, kGate);
  ASSERT_EQ(f.size(), 3u) << test::dump(r, kGate);
  EXPECT_EQ(f[0].code, "consistency.context-substrate");
  EXPECT_EQ(f[0].file + "#" + f[0].location.pointer, "artifacts/context.json#/substrate");
  EXPECT_EQ(f[0].expected, "\"langchain\" or \"LangChain\" (any case)");
  EXPECT_EQ(f[0].actual, "\"MCP\"");
  EXPECT_EQ(f[1].code, "consistency.timeline-substrate");
  EXPECT_EQ(f[1].file, "timeline/events.ndjson");
  EXPECT_EQ(f[1].location.line, 2u);
  EXPECT_EQ(f[1].location.pointer, "/data/substrate");
  EXPECT_EQ(f[2].code, "consistency.run-id");
  EXPECT_EQ(f[2].location.line, 3u);
  EXPECT_EQ(f[2].location.pointer, "/data/run_id");
  EXPECT_EQ(f[2].expected, "\"langchain-d1-real-runner-det-001\"");
  EXPECT_EQ(f[2].actual, "\"mcp-d1-real-runner-det-001\"");
  for (const Finding& x : f) EXPECT_EQ(x.severity, Severity::Error);
}

TEST(Consistency, UpstreamCrewaiAndSyntheticPass) {
  EXPECT_EQ(status_of(run(test::corpus("upstream/real/crewai/crewai-d1-real-runner-det-001")), kGate), GateStatus::Pass);
  EXPECT_EQ(status_of(run(test::corpus("upstream/synthetic/mcp/mcp-d1-synthetic-001")), kGate), GateStatus::Pass);
}

class ConsistencyEdit : public ::testing::Test {
 protected:
  test::TempDir tmp;
  std::string pack = test::copy_good_pack(tmp);
  std::string context = pack + "/artifacts/context.json";
  std::string timeline = pack + "/timeline/events.ndjson";
  Codes codes() { return codes_of(run(pack), kGate); }
};

TEST_F(ConsistencyEdit, SubstrateMatchesIdOrNameIgnoringCaseOnly) {
  for (const char* ok : {"\"mcp\"", "\"MCP\"", "\"Mcp\"", "\"model CONTEXT protocol\""}) {
    test::set_json(context, "/substrate", ok);
    EXPECT_EQ(codes(), Codes{}) << ok;
  }
  for (const char* bad : {"\"mcp \"", "\"m c p\"", "\"\"", "\"Model Context\""}) {
    test::set_json(context, "/substrate", bad);
    EXPECT_EQ(codes(), Codes{"consistency.context-substrate"}) << bad;
  }
  // Not a string: not compared (PACK-STRUCTURE-01's business).
  for (const char* other : {"null", "7", "[\"mcp\"]", "{\"id\":\"x\"}"}) {
    test::set_json(context, "/substrate", other);
    EXPECT_EQ(codes(), Codes{}) << other;
  }
}

TEST_F(ConsistencyEdit, AbsentManifestFieldsAreNotCompared) {
  test::set_json(context, "/substrate", "\"LangChain\"");
  test::set_json(pack + "/manifest.json", "/substrate_ref/substrate_id", "");
  // The name still differs, in context.json and in the timeline ("MCP").
  EXPECT_EQ(codes(), (Codes{"consistency.context-substrate", "consistency.timeline-substrate"}));
  test::set_json(pack + "/manifest.json", "/substrate_ref/substrate_name", "");
  EXPECT_EQ(codes(), Codes{});
  test::set_json(pack + "/manifest.json", "/pack_id", "");
  test::set_json(pack + "/manifest.json", "/scenario_id", "42");
  test::set_json(context, "/scenario_id", "\"other\"");
  EXPECT_EQ(codes(), Codes{});
}

TEST_F(ConsistencyEdit, TimelineLinesAreJudgedOneByOne) {
  test::write_file(timeline,
                   "{\"event\":\"RUN_STARTED\",\"data\":{\"run_id\":\"mcp-d1-real-runner-001\",\"scenario_id\":\"d1_basic_pass\"}}\n"
                   "not json RUN_STARTED\n"
                   "{\"event\":\"RUN_STARTED\",\"data\":\"RUN_STARTED\"}\n"
                   "{\"event\":\"RUN_STARTED_LATE\",\"data\":{\"run_id\":\"x\"}}\n"
                   "{\"event\":\"RUN_STARTED\",\"data\":{\"run_id\":\"x\",\"scenario_id\":\"y\"}}\r\n"
                   "\n"
                   "{\"event\":\"SUBSTRATE_REF_RECORDED\",\"data\":{\"substrate\":\"crewai\"}}");
  RunReport r = run(pack);
  auto f = test::findings_of(r, kGate);
  ASSERT_EQ(f.size(), 3u) << test::dump(r, kGate);
  EXPECT_EQ(f[0].location.line, 5u);
  EXPECT_EQ(f[1].location.line, 5u);
  EXPECT_EQ(f[2].location.line, 7u);
  EXPECT_EQ(f[2].code, "consistency.timeline-substrate");
}

// An event name spelled with escapes is that event: a relabelled pack does
// not pass by writing RUN_\u0053TARTED.
TEST_F(ConsistencyEdit, EscapedEventNamesAreTheEvents) {
  test::write_file(timeline,
                   "{\"event\":\"RUN_\\u0053TARTED\",\"data\":{\"run_id\":\"x\",\"scenario_id\":\"d1_basic_pass\"}}\n"
                   "{\"event\":\"\\u0053UBSTRATE_REF_RECORDED\",\"data\":{\"substrate\":\"crewai\"}}\n"
                   "{\"ev\\u0065nt\":\"RUN_STARTED\",\"data\":{\"run_id\":\"mcp-d1-real-runner-001\",\"scenario_id\":\"z\"}}\n");
  RunReport r = run(pack);
  auto f = test::findings_of(r, kGate);
  ASSERT_EQ(f.size(), 3u) << test::dump(r, kGate);
  EXPECT_EQ(f[0].code, "consistency.run-id");
  EXPECT_EQ(f[0].location.line, 1u);
  EXPECT_EQ(f[1].code, "consistency.timeline-substrate");
  EXPECT_EQ(f[1].location.line, 2u);
  EXPECT_EQ(f[2].code, "consistency.run-scenario");
  EXPECT_EQ(f[2].location.line, 3u);
}

// A context.json too large to hold is not compared, and says so: a
// relabelled pack does not pass by padding it past 16 MiB.
TEST_F(ConsistencyEdit, AContextTooLargeToHoldIsAnErrorNotASilentPass) {
  test::write_file(context, "{\"substrate\": \"langchain\", \"scenario_id\": \"other\", \"pad\": \"" +
                                std::string((16 << 20) + 1, 'x') + "\"}");
  RunReport r = run(pack);
  auto f = test::findings_of(r, kGate);
  ASSERT_EQ(f.size(), 1u) << test::dump(r, kGate);
  EXPECT_EQ(f[0].code, "consistency.context-unread");
  EXPECT_EQ(f[0].severity, Severity::Error);
  EXPECT_NE(f[0].message.find("artifacts/context.json was not compared with the manifest: larger than 16 MiB"),
            std::string::npos)
      << f[0].message;
  // Just under the limit it is compared as usual.
  test::write_file(context, "{\"substrate\": \"langchain\", \"pad\": \"" + std::string(1 << 20, 'x') + "\"}");
  EXPECT_EQ(codes(), Codes{"consistency.context-substrate"});
}

TEST_F(ConsistencyEdit, ManyBadEventsAreCountedNotListed) {
  std::string lines;
  for (int i = 0; i < 150; ++i) lines += "{\"event\":\"RUN_STARTED\",\"data\":{\"run_id\":\"r" + std::to_string(i) + "\"}}\n";
  test::write_file(timeline, lines);
  auto f = test::findings_of(run(pack), kGate, "consistency.run-id");
  ASSERT_EQ(f.size(), 101u);
  std::size_t summaries = 0;
  for (const Finding& x : f) summaries += x.message == "50 more findings of this kind are not listed" ? 1 : 0;
  EXPECT_EQ(summaries, 1u);
}

TEST_F(ConsistencyEdit, UnusableManifestOrMissingRecordsSkipOrPass) {
  fs::remove(context);
  fs::remove(timeline);
  EXPECT_EQ(status_of(run(pack), kGate), GateStatus::Pass);
  fs::create_directory(context);  // a directory where a file should be: not read
  EXPECT_EQ(status_of(run(pack), kGate), GateStatus::Pass);
  test::write_file(pack + "/manifest.json", "[]");
  RunReport r = run(pack);
  EXPECT_EQ(status_of(r, kGate), GateStatus::Skip);
  EXPECT_NE(test::result_of(r, kGate).skip_reason.find("manifest.json is not a JSON object"), std::string::npos);
}

}  // namespace
}  // namespace mplp
