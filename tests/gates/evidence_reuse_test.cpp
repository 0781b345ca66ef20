// GATE-V2-EVIDENCE-REUSE-01: one run's evidence claimed by several packs.
#include <gtest/gtest.h>

#include <filesystem>
#include <sstream>

#include "core/json_write.h"
#include "gates/gate_list.h"
#include "test_util.h"

namespace mplp {
namespace {

namespace fs = std::filesystem;
using test::status_of;

constexpr const char* kGate = "GATE-V2-EVIDENCE-REUSE-01";

RunReport run(const std::string& tree) { return test::check({tree}, {kGate}); }

// The statuses of every pack of the run, by path.
std::map<std::string, GateStatus> statuses(const RunReport& r) {
  std::map<std::string, GateStatus> out;
  for (const PackResult& p : r.packs) out[fs::path(p.path).filename()] = status_of(r, kGate, p.path);
  return out;
}

// The fixtures' findings are in fixtures/evidence-reuse/*.expected-findings.txt;
// here: each member's finding names the other member, by name.
TEST(EvidenceReuse, FailFixturesNameTheOtherMember) {
  for (const char* dir : {"fail-sums-identical", "fail-artifacts-identical"}) {
    SCOPED_TRACE(dir);
    RunReport r = run(test::fixture(std::string("evidence-reuse/") + dir));
    ASSERT_EQ(r.packs.size(), 2u);
    for (std::size_t i = 0; i < 2; ++i) {
      const PackResult p = r.packs[i];
      auto f = test::findings_of(r, kGate, "", p.path);
      ASSERT_EQ(f.size(), 1u);
      const PackResult other = r.packs[1 - i];
      // By name: relative to the checked directory, the same from any working directory.
      EXPECT_NE(f[0].actual.find("identical to: " + other.name + " ("), std::string::npos) << f[0].actual;
      EXPECT_EQ(f[0].actual.find(" " + p.name + " ("), std::string::npos) << "lists itself: " << f[0].actual;
      EXPECT_EQ(f[0].actual.find(test::fixture("")), std::string::npos) << f[0].actual;
    }
  }
}

TEST(EvidenceReuse, SumsFindingNamesThePackIds) {
  RunReport r = run(test::fixture("evidence-reuse/fail-sums-identical"));
  auto f = test::findings_of(r, kGate, "reuse.sums-identical", r.packs[0].path);
  ASSERT_EQ(f.size(), 1u);
  EXPECT_EQ(f[0].file, "integrity/sha256sums.txt");
  EXPECT_NE(f[0].actual.find("pack_id \"mcp-d1-real-runner-copy\""), std::string::npos) << f[0].actual;
  EXPECT_NE(f[0].detail.find("pack_id \"mcp-d1-real-runner-001\""), std::string::npos) << f[0].detail;
}

// A directory named with newlines cannot make one file spell another pack's
// whole tree (QA-52: "<hex>  <path>\n" lines did, and an honest pack failed).
TEST(EvidenceReuse, AFileNameCannotSpellAnotherTree) {
  test::TempDir t;
  const std::string a = test::copy_good_pack(t, "a");
  const std::string b = test::copy_good_pack(t, "b");
  test::set_json(b + "/manifest.json", "/pack_id", "\"b\"");
  test::set_json(b + "/manifest.json", "/substrate_ref/substrate_id", "\"langchain\"");
  test::write_file(b + "/integrity/sha256sums.txt", "");  // not a's (INTEGRITY-01's business)
  auto hex = [&](const char* f) { return sha256_hex(test::read_file(a + "/artifacts/" + f)); };
  const std::string dir = b + "/artifacts/confirm.json\n" + hex("context.json") + "  artifacts/context.json\n" +
                          hex("plan.json") + "  artifacts/plan.json\n" + hex("trace.json") + "  artifacts";
  fs::create_directories(dir);
  fs::rename(b + "/artifacts/confirm.json", dir + "/trace.json");
  for (const char* f : {"context.json", "plan.json", "trace.json"}) fs::remove(b + "/artifacts/" + f);
  RunReport r = run(t.path());
  ASSERT_EQ(r.packs.size(), 2u);
  EXPECT_EQ(statuses(r), (std::map<std::string, GateStatus>{{"a", GateStatus::Pass}, {"b", GateStatus::Pass}}));
  // The same tree under another claim is still found.
  const std::string c = test::copy_good_pack(t, "c");
  test::set_json(c + "/manifest.json", "/substrate_ref/substrate_id", "\"langchain\"");
  EXPECT_EQ(status_of(run(t.path()), kGate, a), GateStatus::Fail);
}

TEST(EvidenceReuse, UpstreamCorpusHasNoReuseAmongItsFourPacks) {
  RunReport r = run(test::corpus("upstream"));
  for (const PackResult& p : r.packs) EXPECT_EQ(status_of(r, kGate, p.path), GateStatus::Pass) << p.path;
}

TEST(EvidenceReuse, BigGroupsListTwentyOthersThenCount) {
  test::TempDir tmp;
  std::string first = test::copy_good_pack(tmp, "runs/p00");
  for (int i = 1; i < 25; ++i) {
    std::string name = "runs/p" + std::string(i < 10 ? "0" : "") + std::to_string(i);
    std::string p = test::copy_good_pack(tmp, name);
    test::set_json(p + "/manifest.json", "/scenario_id", "\"scenario-" + std::to_string(i) + "\"");
    test::reseal(p);
  }
  RunReport r = run(tmp / "runs");
  ASSERT_EQ(r.packs.size(), 25u);
  for (const PackResult& p : r.packs) {
    auto f = test::findings_of(r, kGate, "reuse.artifacts-identical", p.path);
    ASSERT_EQ(f.size(), 1u) << p.path;
    EXPECT_NE(f[0].message.find("24 other pack(s)"), std::string::npos) << f[0].message;
    EXPECT_NE(f[0].actual.find("; ... and 4 more"), std::string::npos) << f[0].actual;
    std::size_t listed = 0;
    for (std::size_t at = 0; (at = f[0].actual.find(" (substrate ", at)) != std::string::npos; ++at) ++listed;
    EXPECT_EQ(listed, 20u);
  }
}

TEST(EvidenceReuse, ThreeWaySumsGroupWithTwoNamesIsOneFindingEach) {
  test::TempDir tmp;
  test::copy_good_pack(tmp, "runs/a");
  test::copy_good_pack(tmp, "runs/b");  // an exact copy: same pack_id
  std::string c = test::copy_good_pack(tmp, "runs/c");
  test::set_json(c + "/manifest.json", "/pack_id", "\"renamed\"");  // sums not resealed
  RunReport r = run(tmp / "runs");
  for (const PackResult& p : r.packs) {
    auto f = test::findings_of(r, kGate, "", p.path);
    ASSERT_EQ(f.size(), 1u) << p.path;
    EXPECT_NE(f[0].message.find("2 other pack(s)"), std::string::npos);
  }
}

TEST(EvidenceReuse, EmptyOrUnhashableArtifactTreesAreNotCompared) {
  test::TempDir tmp;
  for (const char* name : {"runs/a", "runs/b"}) {
    std::string p = test::copy_good_pack(tmp, name);
    fs::remove_all(p + "/artifacts");
    fs::create_directories(p + "/artifacts/empty");
    test::set_json(p + "/manifest.json", "/scenario_id", std::string("\"") + name + "\"");
    test::reseal(p);
  }
  RunReport r = run(tmp / "runs");
  for (const auto& [name, s] : statuses(r)) EXPECT_EQ(s, GateStatus::Pass) << name;
}

// A sharded check carries each pack's summary in its report; `merge` reads it
// back (Gate::read_summary) and compares: the same bytes, the same verdict.
class Recording : public FindingSink {
 public:
  void report(Finding f) override { codes.push_back(f.code); }
  void skip(std::string) override {}
  std::vector<std::string> codes;
};

std::string written(const PackSummary& s) {
  std::ostringstream out;
  InertJsonStream os(out);
  JsonWriter w(os);
  w.StartObject();
  s.write_json(w);
  w.EndObject();
  os.Flush();
  return out.str();
}

TEST(EvidenceReuse, SummaryRoundTripsThroughJson) {
  const Gate& gate = *find_gate(kGate);
  ASSERT_TRUE(gate.info().compared_across_shards);
  const std::string sums(64, 'a');
  std::vector<std::unique_ptr<PackSummary>> read;
  const std::pair<std::string, std::string> named[] = {
      {"p1", R"({"name": "p1", "pack_id": "one", "sums": ")" + sums + "\"}"},
      {"p\xe9", R"({"name_b64": "cOk=", "pack_id": "two", "sums": ")" + sums + "\"}"}};
  for (const auto& [pack, text] : named) {
    JsonDoc doc;
    ASSERT_TRUE(parse_json(text, {}, doc)) << text;
    std::string error;
    read.push_back(gate.read_summary(doc.value, pack, error));
    ASSERT_NE(read.back(), nullptr) << error;
    JsonDoc again;
    ASSERT_TRUE(parse_json(written(*read.back()), {}, again));
    EXPECT_EQ(written(*gate.read_summary(again.value, pack, error)), written(*read.back()));
    // QA-55: the summary of another pack (findings of other packs would name it).
    EXPECT_EQ(gate.read_summary(doc.value, pack + "x", error), nullptr);
    EXPECT_EQ(error, "it names another pack");
  }
  EXPECT_NE(written(*read[1]).find("\"name_b64\": \"cOk=\""), std::string::npos) << "bytes kept exactly";
  Recording a, b;
  const Policy policy = default_policy();
  const CheckOptions options;
  SinkList sinks({&a, &b});
  gate.check_collection(SummaryList({read[0].get(), read[1].get()}),
                        GateContext{policy, options, nullptr, "", nullptr, nullptr}, sinks);
  EXPECT_EQ(a.codes, std::vector<std::string>{"reuse.sums-identical"});
  EXPECT_EQ(b.codes, std::vector<std::string>{"reuse.sums-identical"});
  // The fingerprints are SHA-256 digests, kept as such: any other text is
  // not a summary this gate wrote.
  const std::string upper(64, 'A'), short_hex(63, 'a'), long_hex(65, 'a');
  for (const std::string& bad :
       {std::string("[]"), std::string(R"({"pack_id": "x"})"), std::string(R"({"name": 1})"),
        std::string(R"({"name_b64": "!!"})"), R"({"name": "p", "sums": ")" + upper + "\"}",
        R"({"name": "p", "sums": ")" + short_hex + "\"}", R"({"name": "p", "artifacts": ")" + long_hex + "\"}",
        std::string(R"({"name": "p", "artifacts": "not a digest"})"),
        std::string(R"({"name": "p", "sums_b64": "cOk="})")}) {
    JsonDoc doc;
    ASSERT_TRUE(parse_json(bad, {}, doc));
    std::string error;
    EXPECT_EQ(gate.read_summary(doc.value, "p", error), nullptr) << bad;
    EXPECT_FALSE(error.empty());
  }
}

}  // namespace
}  // namespace mplp
