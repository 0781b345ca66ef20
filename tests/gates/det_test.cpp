// GATE-V2-DET-01: canonical_pack_root_hash agreement across reruns (a
// collection gate: one verdict per pack, computed from all packs of the run).
#include <gtest/gtest.h>

#include <filesystem>

#include "core/json.h"
#include "gates/gate_list.h"
#include "test_util.h"

namespace mplp {
namespace {

namespace fs = std::filesystem;
using test::check;
using test::codes_of;
using test::status_of;
using Codes = std::vector<std::string>;

constexpr const char* kGate = "GATE-V2-DET-01";
const std::string kH1 = "17036587cb26c89f79378fe6dfa7e94c0765ceab2a8fbc8e151fc98c4725dd8f";
const std::string kH2 = "65239b08b60f90d01a5be09d42c21b9ebd7100b2969d12d063af41d886be7f94";

Finding only_finding(const RunReport& r, const std::string& pack) {
  const GateResult& g = test::result_of(r, kGate, pack);
  if (g.findings.size() != 1) throw std::runtime_error(pack + ": expected one finding");
  return g.findings[0];
}

// A pack holding only a manifest: DET-01 reads nothing else. Values are raw
// JSON ("" leaves the key out).
void write_pack(const std::string& dir, const std::string& substrate, const std::string& scenario,
                const std::string& hash, const std::string& status = "\"INDEXABLE_REAL\"") {
  std::string m = "{\"pack_id\":\"p\",\"pack_layout_version\":\"2\"";
  if (!status.empty()) m += ",\"indexability_status\":" + status;
  if (!scenario.empty()) m += ",\"scenario_id\":" + scenario;
  if (!substrate.empty()) m += ",\"substrate_ref\":{\"substrate_id\":" + substrate + "}";
  if (!hash.empty()) m += ",\"hashes\":{\"canonical_pack_root_hash\":" + hash + "}";
  test::write_file(dir + "/manifest.json", m + "}\n");
}

std::string q(const std::string& s) { return "\"" + s + "\""; }

// ---- upstream packs and the good pack ----

TEST(Det, UpstreamPacksAreEachAloneInTheirGroup) {
  RunReport r = check({test::corpus("upstream")}, {kGate});
  ASSERT_EQ(r.packs.size(), 4u);
  // mcp, langchain and crewai have different substrate ids: three groups of one.
  for (const char* p : {"mcp-d1-real-runner-001", "langchain-d1-real-runner-det-001", "crewai-d1-real-runner-det-001"}) {
    EXPECT_EQ(status_of(r, kGate, p), GateStatus::Pass) << p;
    EXPECT_EQ(codes_of(r, kGate, Severity::Info, p), Codes{"det.single"}) << p;
  }
  const GateResult& s = test::result_of(r, kGate, "mcp-d1-synthetic-001");
  EXPECT_EQ(s.status, GateStatus::Skip);
  EXPECT_NE(s.skip_reason.find("INDEXABLE_SYNTHETIC"), std::string::npos) << s.skip_reason;
}

TEST(Det, TheGoodPackIsACopyOfUpstreamMcpNotARerun) {
  // Same substrate, scenario and canonical hash, and one pack_id: good-real
  // is upstream's mcp run sealed again, so the two agree by construction
  // and prove nothing about determinism (QA-37).
  RunReport r = check({test::corpus("upstream/real/mcp"), test::fixture("packs/good-real")}, {kGate});
  ASSERT_EQ(r.packs.size(), 2u);
  for (const PackResult& p : r.packs) {
    EXPECT_EQ(status_of(r, kGate, p.path), GateStatus::Pass);
    const Finding& f = only_finding(r, p.path);
    EXPECT_EQ(f.code, "det.single");
    EXPECT_EQ(f.severity, Severity::Info);
    EXPECT_EQ(f.actual, kH1);
    EXPECT_NE(f.message.find("are copies of one run (pack_id \"mcp-d1-real-runner-001\"), not reruns"),
              std::string::npos)
        << f.message;
    EXPECT_NE(f.detail.find("mcp-d1-real-runner-001: " + kH1), std::string::npos) << f.detail;
    EXPECT_NE(f.detail.find("good-real: " + kH1), std::string::npos) << f.detail;
  }
}

// Copies that disagree were edited: still a mismatch. A pack without a
// pack_id is a run of its own.
TEST(Det, EditedCopiesStillMismatchAndPacksWithoutAnIdAreRuns) {
  test::TempDir t;
  const std::string a = test::copy_good_pack(t, "a"), b = test::copy_good_pack(t, "b");
  test::set_json(b + "/manifest.json", "/hashes/canonical_pack_root_hash", "\"" + std::string(64, 'e') + "\"");
  RunReport r = check({t.path()}, {kGate});
  ASSERT_EQ(r.packs.size(), 2u);
  for (const PackResult& p : r.packs) EXPECT_EQ(only_finding(r, p.path).code, "det.mismatch") << p.path;
  test::set_json(b + "/manifest.json", "/hashes/canonical_pack_root_hash", "\"" + kH1 + "\"");
  r = check({t.path()}, {kGate});
  for (const PackResult& p : r.packs) EXPECT_EQ(only_finding(r, p.path).code, "det.single") << p.path;
  for (const std::string& pack : {a, b}) test::set_json(pack + "/manifest.json", "/pack_id", "null");
  r = check({t.path()}, {kGate});
  for (const PackResult& p : r.packs) EXPECT_EQ(only_finding(r, p.path).code, "det.agree") << p.path;
}

// ---- fixtures (trees of packs; their findings are in fixtures/det/*.expected-findings.txt) ----

TEST(Det, MismatchFixtureListsEveryMemberOddOneFirst) {
  RunReport r = check({test::fixture("det/fail-mismatch")}, {kGate});
  ASSERT_EQ(r.packs.size(), 3u);
  for (const PackResult& p : r.packs) {
    SCOPED_TRACE(p.path);
    EXPECT_EQ(status_of(r, kGate, p.path), GateStatus::Fail);
    const Finding& f = only_finding(r, p.path);
    EXPECT_EQ(f.code, "det.mismatch");
    EXPECT_EQ(f.file, "manifest.json");
    EXPECT_EQ(f.location.pointer, "/hashes/canonical_pack_root_hash");
    // Every member and its value is listed, the odd one out first.
    EXPECT_LT(f.detail.find("run-2: "), f.detail.find("run-1: ")) << f.detail;
    for (const char* run : {"run-1", "run-2", "run-3"}) EXPECT_NE(f.detail.find(run), std::string::npos) << run;
    EXPECT_NE(f.message.find("3 packs"), std::string::npos) << f.message;
    EXPECT_NE(f.message.find("2 distinct values"), std::string::npos) << f.message;
  }
  EXPECT_EQ(only_finding(r, "run-2").actual.substr(0, 8), "aaaaaaaa");
  EXPECT_EQ(only_finding(r, "run-1").actual, kH1);
}

// ---- grouping ----

class DetTree : public ::testing::Test {
 protected:
  test::TempDir tmp;
  RunReport run() { return check({tmp.path()}, {kGate}); }
};

TEST_F(DetTree, CopiesOfTheGoodPackWithEditedValues) {
  // Full packs (copies of good-real) given other scenario/substrate/hash values.
  auto edit = [&](const std::string& name, const std::string& substrate, const std::string& scenario,
                  const std::string& hash) {
    std::string p = test::copy_good_pack(tmp, name);
    JsonDoc doc;
    ASSERT_TRUE(parse_json(test::read_file(p + "/manifest.json"), {}, doc));
    auto& a = doc.value.GetAllocator();
    doc.value["substrate_ref"]["substrate_id"].SetString(substrate.c_str(), a);
    doc.value["scenario_id"].SetString(scenario.c_str(), a);
    doc.value["hashes"]["canonical_pack_root_hash"].SetString(hash.c_str(), a);
    test::write_file(p + "/manifest.json", to_compact_json(doc.value, SIZE_MAX));
    test::reseal(p);
  };
  edit("a", "mcp", "d1_basic_pass", kH1);
  edit("b", "mcp", "d1_basic_pass", kH1);
  edit("c", "mcp", "d2_failure", kH2);         // other scenario: its own group
  edit("d", "langchain", "d1_basic_pass", kH2);  // other substrate: its own group
  edit("e", "mcp", "d1_basic_pass", kH2);       // breaks the a/b group
  RunReport r = run();
  for (const char* p : {"/a", "/b", "/e"}) EXPECT_EQ(status_of(r, kGate, p), GateStatus::Fail) << p;
  for (const char* p : {"/c", "/d"}) {
    EXPECT_EQ(status_of(r, kGate, p), GateStatus::Pass) << p;
    EXPECT_EQ(codes_of(r, kGate, Severity::Info, p), Codes{"det.single"}) << p;
  }
  const Finding& e = only_finding(r, "/e");
  EXPECT_EQ(e.actual, kH2);
  // Packs are listed by name (relative to the checked directory), the odd one out first.
  EXPECT_EQ(e.detail.find("e: " + kH2), 0u) << e.detail;
  EXPECT_NE(e.detail.find("; a: " + kH1), std::string::npos) << e.detail;
  EXPECT_NE(e.detail.find("; b: " + kH1), std::string::npos) << e.detail;
  EXPECT_EQ(e.detail.find("c: "), std::string::npos) << e.detail;  // not a member
  EXPECT_EQ(e.detail.find(tmp.path()), std::string::npos) << "no path that depends on where the tool ran";
  // The pack to compare with: one of the majority value, for the odd one out; the odd one, for the others.
  EXPECT_EQ(e.diff_with, "a");
  EXPECT_EQ(only_finding(r, "/b").diff_with, "e");
  EXPECT_NE(e.hint.find("`mplp-gate diff` this pack and a "), std::string::npos) << e.hint;
}

TEST_F(DetTree, PacksOutsideTheRuleSkipSayingWhy) {
  write_pack(tmp / "synthetic", q("mcp"), q("s"), q(kH1), q("INDEXABLE_SYNTHETIC"));
  write_pack(tmp / "non-indexable", q("mcp"), q("s"), q(kH2), q("NON_INDEXABLE"));
  write_pack(tmp / "pending", q("mcp"), q("s"), q("pending"));
  write_pack(tmp / "upper", q("mcp"), q("s"), q(std::string(64, 'A')));
  write_pack(tmp / "short", q("mcp"), q("s"), q(std::string(63, 'a')));
  write_pack(tmp / "typed", q("mcp"), q("s"), q("sha256:" + kH2));
  write_pack(tmp / "number", q("mcp"), q("s"), "12");
  write_pack(tmp / "no-hash", q("mcp"), q("s"), "");
  write_pack(tmp / "no-scenario", q("mcp"), "", q(kH2));
  write_pack(tmp / "unknown-scenario", q("mcp"), q("unknown"), q(kH2));
  write_pack(tmp / "no-substrate", "", q("s"), q(kH2));
  write_pack(tmp / "null-substrate", "null", q("s"), q(kH2));
  write_pack(tmp / "real", q("mcp"), q("s"), q(kH1));
  test::write_file(tmp / "broken/manifest.json", "{");
  test::write_file(tmp / "array/manifest.json", "[]");
  fs::create_directories(tmp / "no-manifest/artifacts");
  RunReport r = run();
  struct Want {
    const char* pack;
    const char* reason;
  };
  for (Want w : {Want{"/synthetic", "INDEXABLE_SYNTHETIC"}, Want{"/non-indexable", "NON_INDEXABLE"},
                 Want{"/pending", "\"pending\""}, Want{"/upper", "not 64-hex"}, Want{"/short", "not 64-hex"},
                 Want{"/typed", "sha256:"}, Want{"/number", "12"}, Want{"/no-hash", "missing"},
                 Want{"/no-scenario", "scenario_id is missing"}, Want{"/unknown-scenario", "\"unknown\""},
                 Want{"/no-substrate", "substrate_ref.substrate_id is missing"},
                 Want{"/null-substrate", "substrate_ref.substrate_id is null"},
                 Want{"/broken", "manifest unusable: provenance cannot be established"},
                 Want{"/array", "not a JSON object"}, Want{"/no-manifest", "manifest.json is missing"}}) {
    SCOPED_TRACE(w.pack);
    const GateResult& g = test::result_of(r, kGate, w.pack);
    EXPECT_EQ(g.status, GateStatus::Skip);
    EXPECT_TRUE(g.findings.empty());
    EXPECT_NE(g.skip_reason.find(w.reason), std::string::npos) << g.skip_reason;
  }
  // The skipped packs do not join the group of the one that qualifies.
  EXPECT_EQ(codes_of(r, kGate, Severity::Info, "/real"), Codes{"det.single"});
}

TEST_F(DetTree, GroupKeysDoNotCollide) {
  // ("a/b", "c") and ("a", "b/c") are different groups, whatever the separator.
  write_pack(tmp / "p1", q("a/b"), q("c"), q(kH1));
  write_pack(tmp / "p2", q("a"), q("b/c"), q(kH2));
  write_pack(tmp / "p3", q("a b"), q("c"), q(kH2));
  write_pack(tmp / "p4", q("a"), q("b c"), q(kH1));
  RunReport r = run();
  for (const PackResult& p : r.packs) EXPECT_EQ(codes_of(r, kGate, Severity::Info, p.path), Codes{"det.single"});
}

TEST_F(DetTree, ValuesAreComparedExactly) {
  // Same ids up to case are different groups; ids are compared as given.
  write_pack(tmp / "p1", q("mcp"), q("s"), q(kH1));
  write_pack(tmp / "p2", q("MCP"), q("s"), q(kH2));
  RunReport r = run();
  EXPECT_EQ(codes_of(r, kGate, Severity::Info, "/p1"), Codes{"det.single"});
  EXPECT_EQ(codes_of(r, kGate, Severity::Info, "/p2"), Codes{"det.single"});
}

TEST_F(DetTree, HostileIdsStayOnOneLine) {
  write_pack(tmp / "p1", q("m\\ncp"), q("s\\u0000x"), q(kH1));
  write_pack(tmp / "p2", q("m\\ncp"), q("s\\u0000x"), q(kH2));
  RunReport r = run();
  for (const char* p : {"/p1", "/p2"}) {
    const Finding& f = only_finding(r, p);
    EXPECT_EQ(f.code, "det.mismatch");
    EXPECT_EQ(f.message.find('\n'), std::string::npos) << f.message;
    EXPECT_NE(f.message.find("\"m\\ncp\""), std::string::npos) << f.message;
  }
}

TEST_F(DetTree, BigGroupListingIsBoundedAndShowsTheOddOneOut) {
  for (int i = 0; i < 40; ++i) write_pack(tmp / ("run-" + std::to_string(100 + i)), q("mcp"), q("s"), q(kH1));
  write_pack(tmp / "run-999", q("mcp"), q("s"), q(kH2));
  RunReport r = run();
  ASSERT_EQ(r.packs.size(), 41u);
  for (const PackResult& p : r.packs) {
    const Finding& f = only_finding(r, p.path);
    EXPECT_EQ(f.code, "det.mismatch");
    EXPECT_EQ(f.detail.find("run-999: " + kH2), 0u) << f.detail;
    EXPECT_EQ(f.diff_with, p.name == "run-999" ? "run-100" : "run-999");
    EXPECT_NE(f.detail.find("... and 21 more"), std::string::npos) << f.detail;
    EXPECT_NE(f.message.find("41 packs"), std::string::npos);
  }
}

TEST_F(DetTree, AgreementIsPerGroup) {
  write_pack(tmp / "a1", q("mcp"), q("s1"), q(kH1));
  write_pack(tmp / "a2", q("mcp"), q("s1"), q(kH1));
  write_pack(tmp / "b1", q("mcp"), q("s2"), q(kH1));
  write_pack(tmp / "b2", q("mcp"), q("s2"), q(kH2));
  RunReport r = run();
  EXPECT_EQ(status_of(r, kGate, "/a1"), GateStatus::Pass);
  EXPECT_EQ(status_of(r, kGate, "/a2"), GateStatus::Pass);
  EXPECT_EQ(status_of(r, kGate, "/b1"), GateStatus::Fail);
  EXPECT_EQ(status_of(r, kGate, "/b2"), GateStatus::Fail);
  EXPECT_NE(only_finding(r, "/a1").message.find("2 packs"), std::string::npos);
  EXPECT_EQ(exit_code(r), 1);
}

// A sink that only records, for calling the gate directly.
class RecordingSink : public FindingSink {
 public:
  void report(Finding f) override { findings.push_back(std::move(f)); }
  void skip(std::string reason) override { skip_reason = std::move(reason); }
  std::vector<Finding> findings;
  std::string skip_reason;
};

TEST(Det, EmptyAndNullInputsAreFine) {
  const Gate* g = find_gate(kGate);
  ASSERT_NE(g, nullptr);
  EXPECT_TRUE(g->info().scopes.has(GateScope::Collection));
  CheckOptions options;
  GateContext ctx{default_policy(), options, nullptr, ""};
  SinkList none({});
  g->check_collection(SummaryList({}), ctx, none);
  RecordingSink sink;
  SinkList one({&sink});
  g->check_collection(SummaryList({nullptr}), ctx, one);
  EXPECT_TRUE(sink.findings.empty());
  EXPECT_FALSE(sink.skip_reason.empty());
  // Through the engine: one pack that is skipped leaves no group at all.
  test::TempDir tmp;
  write_pack(tmp / "p", q("mcp"), q("s"), q("tbd"));
  RunReport r = check({tmp.path()}, {kGate});
  EXPECT_EQ(status_of(r, kGate), GateStatus::Skip);
  EXPECT_EQ(exit_code(r), 0);
}

// ---- issue 14, point 8: what differs ----

// Three reruns of the good pack: a and b agree, c has another plan.json and
// hash. c names the files that differ from the majority and says artifacts/
// differ; a and b name none.
TEST(Det, MismatchNamesTheFilesThatDifferFromTheMajority) {
  test::TempDir t;
  for (const char* name : {"a", "b", "c"}) test::copy_tree(test::fixture("packs/good-real"), t / ("runs/" + std::string(name)));
  test::write_file(t / "runs/c/artifacts/plan.json", "{\"steps\": [\"other\"]}\n");
  test::write_file(t / "runs/c/artifacts/extra.json", "{}\n");
  test::set_json(t / "runs/c/manifest.json", "/hashes/canonical_pack_root_hash", q(kH2));
  RunReport r = check({t / "runs"}, {kGate});
  const Finding& c = only_finding(r, "c");
  EXPECT_EQ(c.code, "det.mismatch");
  EXPECT_NE(c.message.find("3 files differ from the group's majority: artifacts/extra.json, artifacts/plan.json, "
                           "manifest.json; artifacts/ differ"),
            std::string::npos)
      << c.message;
  for (const char* agreeing : {"a", "b"}) {
    const Finding& f = only_finding(r, agreeing);
    EXPECT_EQ(f.code, "det.mismatch");
    EXPECT_NE(f.message.find("no file differs from the group's majority"), std::string::npos) << f.message;
    EXPECT_EQ(f.message.find("artifacts/plan.json"), std::string::npos) << f.message;
  }
}

// The file lists wait in the run's spill file; where none can be made they
// stay in memory, and every pack's result is the same either way.
TEST(Det, TheSameFindingsWithOrWithoutASpillFile) {
  test::TempDir t;
  for (const char* name : {"a", "b", "c"}) test::copy_tree(test::fixture("packs/good-real"), t / ("runs/" + std::string(name)));
  test::write_file(t / "runs/c/artifacts/plan.json", "{\"steps\": [\"other\"]}\n");
  test::set_json(t / "runs/c/manifest.json", "/hashes/canonical_pack_root_hash", q(kH2));
  const RunReport spilled = check({t / "runs"});
  RunReport in_memory;
  {
    test::ScopedEnv env("TMPDIR", (t / "no-such-directory").c_str());
    in_memory = check({t / "runs"});
  }
  ASSERT_EQ(spilled.packs.size(), 3u);
  ASSERT_EQ(in_memory.packs.size(), 3u);
  for (const char* pack : {"a", "b", "c"}) {
    const Finding s = only_finding(spilled, pack), m = only_finding(in_memory, pack);
    EXPECT_EQ(s.code, "det.mismatch");
    EXPECT_EQ(s.message, m.message);
    EXPECT_EQ(s.detail, m.detail);
  }
  EXPECT_NE(only_finding(spilled, "c").message.find("artifacts/plan.json"), std::string::npos);
}

// Two packs: no majority, so each names what differs from the other; files
// outside artifacts/ only: artifacts/ agree. integrity/ is never listed.
TEST(Det, ATieHasNoMajorityAndArtifactsCanAgree) {
  test::TempDir t;
  for (const char* name : {"a", "b"}) test::copy_tree(test::fixture("packs/good-real"), t / ("runs/" + std::string(name)));
  test::write_file(t / "runs/b/timeline/events.ndjson", "{}\n");
  test::write_file(t / "runs/b/integrity/sha256sums.txt", "changed\n");
  test::set_json(t / "runs/b/manifest.json", "/hashes/canonical_pack_root_hash", q(kH2));
  RunReport r = check({t / "runs"}, {kGate});
  for (const char* name : {"a", "b"}) {
    const Finding& f = only_finding(r, name);
    EXPECT_NE(f.message.find("2 files differ from the group's majority: manifest.json, timeline/events.ndjson; "
                             "artifacts/ agree with the majority"),
              std::string::npos)
        << f.message;
    EXPECT_EQ(f.message.find("integrity/"), std::string::npos) << f.message;
  }
}

// Many differing files: ten named, the rest counted.
TEST(Det, LongListsOfDifferingFilesAreCut) {
  test::TempDir t;
  for (const char* name : {"a", "b", "c"}) test::copy_tree(test::fixture("packs/good-real"), t / ("runs/" + std::string(name)));
  for (int i = 0; i < 25; ++i) test::write_file(t / "runs/c/artifacts/x" + std::to_string(100 + i) + ".json", "1\n");
  test::set_json(t / "runs/c/manifest.json", "/hashes/canonical_pack_root_hash", q(kH2));
  RunReport r = check({t / "runs"}, {kGate});
  const Finding& c = only_finding(r, "c");
  EXPECT_NE(c.message.find("26 files differ"), std::string::npos) << c.message;
  EXPECT_NE(c.message.find("and 16 more; artifacts/ differ"), std::string::npos) << c.message;
}

}  // namespace
}  // namespace mplp
