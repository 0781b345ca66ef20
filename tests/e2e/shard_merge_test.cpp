// `check --shard K/N` and `merge` through the built binary (issue 13, point
// 7): on a tree of many packs (REAL determinism groups, one of them
// mismatching, evidence-reuse pairs that land in different shards,
// synthetic packs, broken packs), every shard of N in {1, 2, 3, 5} merged is
// byte for byte the unsharded run, in every format, with the same exit code;
// every pack is in exactly one shard, each DET group whole in one; shards
// that do not belong together are refused with exit 2 naming the file.
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <map>
#include <set>

#include "core/json.h"
#include "core/schema.h"
#include "test_util.h"

namespace mplp {
namespace {

using test::run_tool;
using test::TempDir;
namespace fs = std::filesystem;

const std::vector<std::string> kFormats = {"github", "html", "json", "junit", "sarif", "text"};

// A tree exercising every path of the merge.
void make_tree(const std::string& tree) {
  test::copy_tree(test::fixture("det/fail-mismatch"), tree + "/det/mismatch");
  test::copy_tree(test::fixture("det/pass-agree"), tree + "/det/agree");
  test::copy_tree(test::fixture("evidence-reuse/fail-artifacts-identical"), tree + "/reuse/artifacts");
  test::copy_tree(test::fixture("evidence-reuse/fail-sums-identical"), tree + "/reuse/sums");
  test::copy_tree(test::corpus("upstream/real"), tree + "/upstream/real");
  test::copy_tree(test::corpus("upstream/synthetic"), tree + "/upstream/synthetic");
  // Reruns of four scenarios (three packs each), and relabelled copies: the
  // same artifacts under other substrates, in other DET groups, so other shards.
  for (int s = 0; s < 4; ++s)
    for (int r = 0; r < 3; ++r) {
      std::string dir = tree + "/gen/s" + std::to_string(s) + "-run" + std::to_string(r);
      test::copy_tree(test::fixture("packs/good-real"), dir);
      test::set_json(dir + "/manifest.json", "/scenario_id", "\"scenario-" + std::to_string(s) + "\"");
      test::set_json(dir + "/manifest.json", "/pack_id", "\"gen-" + std::to_string(s) + "-" + std::to_string(r) + "\"");
      test::reseal(dir);
    }
  // QA-55: a rerun whose status is written twice (SYNTHETIC first) is REAL
  // to the gates (the strictest reading): it belongs in its group's shard.
  for (int s = 0; s < 4; ++s) {
    std::string dir = tree + "/gen/s" + std::to_string(s) + "-twice";
    test::copy_tree(tree + "/gen/s" + std::to_string(s) + "-run0", dir);
    test::set_json(dir + "/manifest.json", "/pack_id", "\"gen-" + std::to_string(s) + "-twice\"");
    test::reseal(dir);
    std::string text = test::read_file(dir + "/manifest.json");
    const std::size_t status = text.find("\"indexability_status\"");
    ASSERT_NE(status, std::string::npos);
    text.insert(status, "\"indexability_status\": \"INDEXABLE_SYNTHETIC\", ");
    test::write_file(dir + "/manifest.json", text);
  }
  for (int c = 0; c < 4; ++c) {
    std::string dir = tree + "/copies/c" + std::to_string(c);
    test::copy_tree(test::fixture("packs/good-real"), dir);
    test::set_json(dir + "/manifest.json", "/substrate_ref/substrate_id", "\"relabel-" + std::to_string(c) + "\"");
    test::set_json(dir + "/manifest.json", "/pack_id", "\"copy-" + std::to_string(c) + "\"");
    test::reseal(dir);
  }
  // Broken: no manifest, a manifest that is not JSON.
  test::write_file(tree + "/broken/no-manifest/artifacts/a.txt", "x\n");
  test::copy_tree(test::fixture("packs/good-real"), tree + "/broken/bad-json");
  test::write_file(tree + "/broken/bad-json/manifest.json", "{\"pack_id\": ");
  test::copy_tree(test::fixture("packs/good-real"), tree + "/packs/good-real");
  // Names that are not UTF-8 (the JSON report shows U+FFFD; SARIF URIs and
  // fingerprints use the bytes): a pack directory and a file in a pack.
  test::copy_tree(test::fixture("packs/good-real"), tree + "/odd/p\xffx");
  test::copy_tree(test::fixture("packs/good-real"), tree + "/odd/q");
  test::write_file(tree + "/odd/q/artifacts/f\xfe.txt", "unlisted\n");
}

std::vector<std::string> report_args(const std::string& prefix) {
  std::vector<std::string> out;
  for (const std::string& f : kFormats) {
    out.push_back("--report");
    out.push_back(f + "=" + prefix + "." + f);
  }
  return out;
}

std::vector<std::string> operator+(std::vector<std::string> a, const std::vector<std::string>& b) {
  a.insert(a.end(), b.begin(), b.end());
  return a;
}

JsonDoc json_of_file(const std::string& path) {
  JsonDoc doc;
  EXPECT_TRUE(parse_json(test::read_file(path), {}, doc)) << path;
  return doc;
}


// Checks the tree unsharded and in N shards, merges, and compares every format.
// `full`: the tree of make_tree (many packs, groups, relabelled copies).
void expect_merge_is_unsharded(const TempDir& t, const std::string& tree, const std::vector<std::string>& options,
                               const std::string& tag, bool full = true,
                               const std::vector<std::string>& output_options = {}) {
  auto whole = run_tool(std::vector<std::string>{"check", "--format", "github"} + options + output_options +
                        report_args(t / (tag + "-whole")) + std::vector<std::string>{tree});
  ASSERT_TRUE(whole.exit_code == 0 || whole.exit_code == 1) << whole.err;
  JsonDoc whole_json = json_of_file(t / (tag + "-whole.json"));
  ASSERT_FALSE(whole_json.value.HasMember("shard")) << "an unsharded report has no shard section";
  std::set<std::string> all_packs;
  for (const auto& p : whole_json.value["packs"].GetArray()) all_packs.insert(p["path"].GetString());
  if (full) {
    ASSERT_GT(all_packs.size(), 25u);
  }

  for (unsigned n : {1u, 2u, 3u, 5u}) {
    SCOPED_TRACE(tag + ": N=" + std::to_string(n));
    std::vector<std::string> shards;
    std::map<std::string, unsigned> shard_of;        // pack -> shard
    std::map<std::string, std::set<unsigned>> group;  // DET group -> shards
    for (unsigned k = 0; k < n; ++k) {
      std::string file = t / (tag + "-s" + std::to_string(k) + "of" + std::to_string(n) + ".json");
      auto r = run_tool(std::vector<std::string>{"check", "--shard", std::to_string(k) + "/" + std::to_string(n),
                                                 "--format", "json", "--report", "json=" + file} +
                        options + std::vector<std::string>{tree});
      ASSERT_TRUE(r.exit_code == 0 || r.exit_code == 1) << r.err;
      EXPECT_EQ(r.out, test::read_file(file));
      shards.push_back(file);
      JsonDoc doc = json_of_file(file);
      ASSERT_TRUE(doc.value.HasMember("shard"));
      for (const SchemaError& e : validate_with_schema("gate-report", doc.value))
        ADD_FAILURE() << file << ": " << e.pointer << ": " << e.message;
      EXPECT_EQ(doc.value["shard"]["index"].GetUint(), k);
      EXPECT_EQ(doc.value["shard"]["count"].GetUint(), n);
      const auto& packs = doc.value["packs"].GetArray();
      const auto& section = doc.value["shard"]["packs"].GetArray();
      ASSERT_EQ(packs.Size(), section.Size());
      for (rapidjson::SizeType i = 0; i < packs.Size(); ++i) {
        std::string name = packs[i]["path"].GetString();
        EXPECT_TRUE(shard_of.emplace(name, k).second) << name << " is in two shards";
        for (const auto& g : packs[i]["gates"].GetArray())
          if (std::string(g["id"].GetString()) == "GATE-V2-DET-01" && std::string(g["status"].GetString()) != "SKIP") {
            const auto& facts = section[i]["summaries"]["GATE-V2-EVIDENCE-REUSE-01"]["summary"];
            group[std::string(facts["substrate_id"].GetString()) + "/" + facts["scenario_id"].GetString()].insert(k);
          }
      }
    }
    std::set<std::string> seen;
    for (const auto& [name, k] : shard_of) seen.insert(name);
    EXPECT_EQ(seen, all_packs) << "every pack in exactly one shard";
    if (full) {
      EXPECT_GE(group.size(), 6u);
    }
    for (const auto& [key, in] : group) EXPECT_EQ(in.size(), 1u) << "DET group " << key << " split over shards";

    // Merged in any order of the files: the unsharded bytes, every format.
    std::vector<std::string> order = shards;
    std::reverse(order.begin(), order.end());
    auto merged = run_tool(std::vector<std::string>{"merge", "--format", "github"} + output_options +
                           report_args(t / (tag + "-merged" + std::to_string(n))) + order);
    EXPECT_EQ(merged.exit_code, whole.exit_code) << merged.err;
    EXPECT_EQ(merged.out, whole.out) << "stdout (github)";
    for (const std::string& f : kFormats) {
      std::string a = t / (tag + "-whole." + f), b = t / (tag + "-merged" + std::to_string(n) + "." + f);
      if (test::read_file(a) == test::read_file(b)) continue;
      std::string diff;
      test::run_shell("diff " + test::shell_quote(a) + " " + test::shell_quote(b) + " | head -60", diff);
      ADD_FAILURE() << f << ": the merged report differs from the unsharded one:\n" << diff;
    }
    // The packs with good-real's artifacts compare across shards: their
    // group of evidence reuse (nine DET groups: good-real, its
    // relabelled copies, reruns of other scenarios) lands in several shards.
    if (n > 1 && full) {
      std::set<unsigned> copies;
      for (const auto& [name, k] : shard_of)
        if (name.rfind("copies/", 0) == 0 || name.rfind("gen/", 0) == 0 || name == "packs/good-real") copies.insert(k);
      EXPECT_GT(copies.size(), 1u) << "the reuse group lies in one shard: the test proves nothing";
    }
  }
}

class ShardMerge : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = new TempDir();
    make_tree(*dir_ / "tree");
  }
  static void TearDownTestSuite() {
    delete dir_;
    dir_ = nullptr;
  }
  static TempDir* dir_;
};
TempDir* ShardMerge::dir_ = nullptr;

TEST_F(ShardMerge, MergedShardsAreTheUnshardedRunInEveryFormat) {
  std::string tree = *dir_ / "tree";
  auto whole = run_tool({"check", "--format", "json", tree});
  ASSERT_EQ(whole.exit_code, 1);
  EXPECT_NE(whole.out.find("det.mismatch"), std::string::npos);
  EXPECT_NE(whole.out.find("reuse.artifacts-identical"), std::string::npos);
  EXPECT_NE(whole.out.find("reuse.sums-identical"), std::string::npos);
  EXPECT_NE(whole.out.find("INDEXABLE_SYNTHETIC"), std::string::npos);
  expect_merge_is_unsharded(*dir_, tree, {}, "default");
}

// Suppressions (one unused: a run warning only the whole run can decide), a
// baseline, a tiny finding cap (findings.omitted), --strict and statistics:
// what the end of a run does, the merge does again.
TEST_F(ShardMerge, PolicyBaselineCapAndStrictMergeToo) {
  TempDir t;
  std::string tree = *dir_ / "tree";
  test::write_file(t / "policy.yaml",
                   "extends: default\n"
                   "limits:\n"
                   "  max_findings_per_pack: 3\n"
                   "suppress:\n"
                   "  - code: reuse.sums-identical\n"
                   "    pack: 'reuse/sums/a'\n"
                   "    reason: a known relabelled copy\n"
                   "  - code: no.such-code\n"
                   "    reason: matches nothing\n"
                   // Accepts findings the cap leaves out too (QA-54).
                   "  - code: 'sums.*'\n"
                   "    reason: sums known\n");
  // A baseline without the collection gates' findings: some findings are
  // old, the cross-pack ones are new.
  auto base = run_tool({"check", "--skip", "GATE-V2-EVIDENCE-REUSE-01", "--skip", "GATE-V2-DET-01", "--report",
                        "json=" + t / "baseline.json", tree});
  ASSERT_EQ(base.exit_code, 1) << base.err;
  expect_merge_is_unsharded(t, tree,
                            {"--policy", t / "policy.yaml", "--baseline", t / "baseline.json", "--strict", "--skip",
                             "GATE-V2-HOST-ALLOW-01"},
                            "policy", true, {"--statistics", "--max-annotations", "3", "--annotate-info"});
  std::string merged = test::read_file(t / "policy-merged3.json");
  EXPECT_NE(merged.find("findings.omitted"), std::string::npos);
  EXPECT_NE(merged.find("a known relabelled copy"), std::string::npos);
  EXPECT_NE(merged.find("matched no finding of this run"), std::string::npos);
  EXPECT_NE(merged.find("\"baseline\": true"), std::string::npos);
  EXPECT_NE(merged.find("a suppression of the policy accepts"), std::string::npos);
}

// Shards made by absolute paths and from another working directory merge
// the same way.
TEST_F(ShardMerge, AbsolutePathsMerge) {
  TempDir t;
  expect_merge_is_unsharded(t, *dir_ / "tree/reuse", {"--absolute-paths"}, "abs", false);
}

// QA-48: packs of two PATHs with one name (2024/run, 2025/run: both "run"),
// checked by absolute PATHs: the shards merge to the unsharded run.
TEST(ShardMergeNames, PacksSharingANameAndAbsolutePathsMerge) {
  TempDir t;
  test::copy_tree(test::fixture("packs/good-real"), t / "2024/run");
  test::copy_tree(test::corpus("upstream/real/mcp/mcp-d1-real-runner-001"), t / "2025/run");
  for (const bool absolute : {false, true}) {
    SCOPED_TRACE(absolute);
    const std::vector<std::string> paths = {t / "2024", t / "2025/"};
    std::vector<std::string> opts = {"--format", "json"};
    if (absolute) opts.push_back("--absolute-paths");
    auto whole = run_tool(std::vector<std::string>{"check"} + opts + paths);
    ASSERT_EQ(whole.exit_code, 0) << whole.err;
    for (unsigned k = 0; k < 2; ++k) {
      auto s = run_tool(std::vector<std::string>{"check", "--shard", std::to_string(k) + "/2", "--report",
                                                 "json=" + t / ("s" + std::to_string(k) + ".json")} +
                        opts + paths);
      ASSERT_EQ(s.exit_code, 0) << s.err;
    }
    auto merged = run_tool({"merge", "--format", "json", t / "s0.json", t / "s1.json"});
    EXPECT_EQ(merged.exit_code, 0) << merged.err;
    EXPECT_EQ(merged.out, whole.out);
  }
}

TEST(ShardOption, BadValuesAndCombinationsExit2) {
  TempDir t;
  std::string pack = test::fixture("packs/good-real");
  for (const char* bad : {"3/3", "0/0", "abc", "-1/2", "1/", "/2", "1/2/3", "01/x", " 1/2", "100001/100002"}) {
    auto r = run_tool({"check", "--shard", bad, "--report", "json=" + t / "e.json", pack});
    EXPECT_EQ(r.exit_code, 2) << bad;
    EXPECT_NE(r.err.find("--shard"), std::string::npos) << bad << ": " << r.err;
    EXPECT_NE(test::read_file(t / "e.json").find("\"result\": \"error\""), std::string::npos) << bad;
  }
  auto runners = run_tool({"check", "--shard", "0/2", "--runners", test::corpus("upstream/runners")});
  EXPECT_EQ(runners.exit_code, 2);
  EXPECT_NE(runners.err.find("--runners"), std::string::npos) << runners.err;
  auto receipt = run_tool({"check", "--shard", "0/2", "--receipt", t / "r.jsonl", pack});
  EXPECT_EQ(receipt.exit_code, 2);
  EXPECT_NE(receipt.err.find("--receipt"), std::string::npos) << receipt.err;
  // A shard leaves EVIDENCE-REUSE-01 to the merge, and says so.
  auto one = run_tool({"check", "--shard", "0/1", "--gate", "EVIDENCE-REUSE-01", pack});
  EXPECT_EQ(one.exit_code, 0) << one.err;
  EXPECT_NE(one.out.find("compared across all shards by `mplp-gate merge`"), std::string::npos) << one.out;
}

class MergeRefusal : public ::testing::Test {
 protected:
  void SetUp() override {
    tree_ = t_ / "tree";
    make_tree(tree_);
    for (unsigned k = 0; k < 2; ++k) shard(k, 2, {}, s2(k));
  }
  std::string s2(unsigned k) { return t_ / ("s" + std::to_string(k) + "of2.json"); }
  void shard(unsigned k, unsigned n, const std::vector<std::string>& options, const std::string& file) {
    auto r = run_tool(std::vector<std::string>{"check", "--shard", std::to_string(k) + "/" + std::to_string(n),
                                               "--report", "json=" + file} +
                      options + std::vector<std::string>{tree_});
    ASSERT_TRUE(r.exit_code == 0 || r.exit_code == 1) << r.err;
  }
  // merge exits 2, names `file` on stderr and in its JSON error report.
  void expect_refused(const std::vector<std::string>& files, const std::string& file, const std::string& words) {
    auto r = run_tool(std::vector<std::string>{"merge", "--format", "json", "--report", "text=" + t_ / "m.txt"} + files);
    EXPECT_EQ(r.exit_code, 2) << r.err;
    EXPECT_NE(r.err.find("mplp-gate merge: " + file), std::string::npos) << r.err;
    EXPECT_NE(r.err.find(words), std::string::npos) << r.err;
    if (!file.empty()) {
      EXPECT_EQ(r.err.find(file + ": " + file), std::string::npos) << "the file named twice: " << r.err;
    }
    EXPECT_NE(r.out.find("\"result\": \"error\""), std::string::npos) << r.out;
    EXPECT_NE(r.out.find(file), std::string::npos) << r.out;
  }
  TempDir t_;
  std::string tree_;
};

TEST_F(MergeRefusal, TheTwoShardsMerge) {
  auto r = run_tool({"merge", s2(0), s2(1)});
  EXPECT_EQ(r.exit_code, 1) << r.err;
}

TEST_F(MergeRefusal, DifferentPolicy) {
  test::write_file(t_ / "p.yaml", "extends: default\nlimits:\n  max_findings_per_pack: 50\n");
  shard(1, 2, {"--policy", t_ / "p.yaml"}, t_ / "other-policy.json");
  expect_refused({s2(0), t_ / "other-policy.json"}, t_ / "other-policy.json", "policy");
}

TEST_F(MergeRefusal, DifferentOptions) {
  shard(1, 2, {"--strict"}, t_ / "strict.json");
  expect_refused({s2(0), t_ / "strict.json"}, t_ / "strict.json", "other options");
}

// One key, trusted for one runner by the policy in both shards, and for any
// runner by --trusted-key in one: the same key id, another trust. Refused.
TEST_F(MergeRefusal, SameKeyOtherScope) {
  const std::string pub = test::fixture("keys/test-a.pub");
  test::write_file(t_ / "scoped.yaml", "trust:\n  keys:\n    - path: " + pub + "\n      runners: [node-20]\n");
  shard(0, 2, {"--policy", t_ / "scoped.yaml"}, t_ / "scoped0.json");
  shard(1, 2, {"--policy", t_ / "scoped.yaml"}, t_ / "scoped1.json");
  // One key trusted with two scopes is refused by check itself; another key beside it changes the trust.
  shard(1, 2, {"--policy", t_ / "scoped.yaml", "--trusted-key", test::fixture("keys/test-b.pub")}, t_ / "any1.json");
  auto same = run_tool({"merge", t_ / "scoped0.json", t_ / "scoped1.json"});
  EXPECT_TRUE(same.exit_code == 0 || same.exit_code == 1) << same.err;
  const std::string section = test::read_file(t_ / "any1.json");
  EXPECT_NE(section.find(": any runner and substrate\""), std::string::npos) << "the scope is recorded";
  EXPECT_NE(section.find(": runners [node-20]\""), std::string::npos);
  expect_refused({t_ / "scoped0.json", t_ / "any1.json"}, t_ / "any1.json", "other options");
}

TEST_F(MergeRefusal, DifferentShardCount) {
  shard(1, 3, {}, t_ / "s1of3.json");
  expect_refused({s2(0), t_ / "s1of3.json"}, t_ / "s1of3.json", "of 2 shards");
}

TEST_F(MergeRefusal, MissingShard) {
  auto r = run_tool({"merge", "--report", "json=" + t_ / "m.json", s2(1)});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("mplp-gate merge: shard 0/2 is missing (given: " + s2(1) + " is 1/2)"), std::string::npos)
      << r.err;
  EXPECT_NE(test::read_file(t_ / "m.json").find("\"result\": \"error\""), std::string::npos);
}

TEST_F(MergeRefusal, RepeatedShard) {
  test::write_file(t_ / "again.json", test::read_file(s2(0)));
  expect_refused({s2(0), s2(1), t_ / "again.json"}, t_ / "again.json", "repeats shard 0/2");
}

TEST_F(MergeRefusal, NotAReport) {
  test::write_file(t_ / "other.json", "{\"a\": 1}\n");
  expect_refused({s2(0), s2(1), t_ / "other.json"}, t_ / "other.json", "not a JSON report");
  test::write_file(t_ / "list.json", "[1, 2]\n");
  expect_refused({t_ / "list.json", s2(0), s2(1)}, t_ / "list.json", "not a JSON report");
  expect_refused({s2(0), t_ / "absent.json"}, t_ / "absent.json", "absent.json: No such file or directory");
}

// A key written twice (a "findings": [] put before the real list): this
// reader took the first and merged a PASS that jq and Python, which take the
// last, read as a FAIL. Refused, naming the line and the key.
TEST_F(MergeRefusal, DuplicateKey) {
  std::string bytes = test::read_file(s2(1));
  const std::size_t at = bytes.find("\"findings\": [");
  ASSERT_NE(at, std::string::npos) << "a shard with findings";
  bytes.insert(at, "\"findings\": [], ");
  test::write_file(t_ / "dup.json", bytes);
  expect_refused({s2(0), t_ / "dup.json"}, t_ / "dup.json", "duplicate key at /packs/");
}

TEST_F(MergeRefusal, TruncatedReport) {
  std::string bytes = test::read_file(s2(1));
  test::write_file(t_ / "cut.json", bytes.substr(0, bytes.size() / 2));
  expect_refused({s2(0), t_ / "cut.json"}, t_ / "cut.json", "not a JSON report");
}

// A shard section edited by hand (or damaged): refused, never half-read.
TEST_F(MergeRefusal, DamagedShardSection) {
  const std::vector<std::pair<std::string, std::string>> edits = {
      {"/shard/index", "7"},
      {"/shard/count", "0"},
      {"/shard/packs", "[]"},
      {"/shard/packs/0/summaries", "[1]"},
      {"/shard/packs/0/summaries/GATE-V2-EVIDENCE-REUSE-01/summary", "{\"name\": 1}"},
      {"/shard/packs/0/summaries/GATE-V2-EVIDENCE-REUSE-01/summary", "{}"},
      {"/shard/packs/0/summaries/GATE-V2-EVIDENCE-REUSE-01", "7"},
      {"/shard/packs/0/summaries/GATE-V2-EVIDENCE-REUSE-01", "{}"},  // neither summary nor error
      {"/shard/packs/0/summaries/GATE-V2-DET-01", "{}"},
      {"/shard/packs/0/omitted", "{\"GATE-V2-DET-01\": [1, -1, 0, 0, 0, 0]}"},
      {"/shard/packs/0/omitted", "{\"GATE-V2-DET-01\": [1, 0, 0]}"},
      // QA-55: counts of a gate there is none of, and a summary of another pack.
      {"/shard/packs/0/omitted", "{\"GATE-V2-NOPE-01\": [1, 0, 0, 0, 0, 0]}"},
      {"/shard/packs/0/summaries/GATE-V2-EVIDENCE-REUSE-01/summary/name", "\"NOT/A/PACK\""},
      // A suppression the policy has not, one named twice, not a number.
      {"/shard/packs/0/omitted_suppressions", "[0]"},
      {"/shard/packs/0/omitted_suppressions", "[0, 0]"},
      {"/shard/packs/0/omitted_suppressions", "[\"0\"]"},
      // More accepted than left out.
      {"/shard/packs/0/omitted", "{\"GATE-V2-DET-01\": [1, 0, 0, 2, 0, 0]}"},
      // Counts that would add up past 2^64 to 0, and drop the note.
      {"/shard/packs/0/omitted", "{\"GATE-V2-DET-01\": [18446744073709551615, 1, 0, 0, 0, 0]}"},
      {"/shard/policy_yaml", "\"extends: default\\n\""},
      {"/shard/policy_yaml", "\"a: [\\n\""},
      {"/packs/0/gates/0/status", "\"MAYBE\""},
      {"/gates/0/id", "\"GATE-V2-NONE-01\""},
      {"/shard/found_sha256", "\"xyz\""},
      // Well formed, but not what the shards hold together.
      {"/shard/found_sha256", "\"" + std::string(64, '0') + "\""},
  };
  // The section's own fields are named (QA-41: "index, count, run, policy or packs").
  const std::vector<std::pair<std::string, std::string>> named = {
      {"/shard/index", "0.0"}, {"/shard/index", "-3"}, {"/shard/index", "18446744073709551616"},
      {"/shard/count", "0"},   {"/shard/run", "[]"},   {"/shard/packs", "{}"}, {"/shard/policy_yaml", "1"}};
  for (const bool section : {false, true})
    for (const auto& [pointer, value] : section ? named : edits) {
      SCOPED_TRACE(pointer + " = " + value);
      std::string file = t_ / "edited.json";
      test::write_file(file, test::read_file(s2(0)));
      test::set_json(file, pointer, value);
      auto r = run_tool({"merge", file, s2(1)});
      EXPECT_EQ(r.exit_code, 2) << r.err;
      EXPECT_NE(r.err.find("mplp-gate merge: " + file + ": "), std::string::npos) << r.err;
      if (section) {  // by the schema of the report, or by the reader of the section
        const bool named = r.err.find(file + ": its shard section is damaged: " + pointer + " ") != std::string::npos ||
                           r.err.find("(at " + pointer + ": ") != std::string::npos;
        EXPECT_TRUE(named) << r.err;
      }
    }
}

// A shard's findings and gates edited by hand: each edit had merged (some
// to a PASS); each is refused, naming the file.
TEST_F(MergeRefusal, EditedFindingsAndGates) {
  JsonDoc doc;
  ASSERT_TRUE(parse_json(test::read_file(s2(1)), {}, doc));
  std::string at, other_gate, compared_pack;
  const rapidjson::Value& packs = doc.value["packs"];
  for (rapidjson::SizeType i = 0; i < packs.Size() && at.empty(); ++i)
    for (rapidjson::SizeType j = 0; j < packs[i]["gates"].Size() && at.empty(); ++j)
      if (packs[i]["gates"][j]["findings"].Size() > 0) {
        at = "/packs/" + std::to_string(i) + "/gates/" + std::to_string(j);
        other_gate = packs[i]["gates"][j == 0 ? 1 : 0]["id"].GetString();
      }
  ASSERT_FALSE(at.empty()) << "a shard with findings";
  for (rapidjson::SizeType i = 0; i < packs.Size() && compared_pack.empty(); ++i)
    if (doc.value["shard"]["packs"][i]["compared"].GetBool()) compared_pack = std::to_string(i);
  ASSERT_FALSE(compared_pack.empty());
  const std::vector<std::pair<std::string, std::string>> edits = {
      {at + "/findings/0/severity", "\"fatal\""},
      {at + "/findings/0/code", "\"\""},
      {at + "/findings/0/code", "\"findings.omitted\""},
      {at + "/findings/0/line", "-5"},
      {at + "/findings/0/line", "1e308"},
      {at + "/findings/0/column", "18446744073709551615"},
      {at + "/findings/0/offset", "1.5"},
      {at + "/id", "\"" + other_gate + "\""},     // one gate twice, another missing
      {at + "/id", "\"GATE-V2-RUNNER-SMOKE-01\""},  // a gate this run did not run
      {"/shard/packs/" + compared_pack + "/compared", "false"},
  };
  for (const auto& [pointer, value] : edits) {
    SCOPED_TRACE(pointer + " = " + value);
    std::string file = t_ / "edited.json";
    test::write_file(file, test::read_file(s2(1)));
    test::set_json(file, pointer, value);
    auto r = run_tool({"merge", s2(0), file});
    EXPECT_EQ(r.exit_code, 2) << r.err;
    EXPECT_NE(r.err.find("mplp-gate merge: " + file + ": "), std::string::npos) << r.err;
  }
}

// Shard 0's packs again, as a "shard 1" that spells each place otherwise
// ("a/" for "a"): one place, checked twice, is refused however it is written.
TEST_F(MergeRefusal, OnePackSpelledTwoWays) {
  JsonDoc doc;
  ASSERT_TRUE(parse_json(test::read_file(s2(0)), {}, doc));
  const rapidjson::SizeType packs = doc.value["packs"].Size();
  ASSERT_GT(packs, 0u);
  std::string file = t_ / "respelled.json";
  test::write_file(file, test::read_file(s2(0)));
  test::set_json(file, "/shard/index", "1");
  std::size_t respelled = 0;
  for (rapidjson::SizeType i = 0; i < packs; ++i) {
    const std::string k = std::to_string(i);
    const rapidjson::Value& sp = doc.value["shard"]["packs"][i];
    if (!sp.HasMember("name") || !sp["name"].IsString() || !sp.HasMember("path") || !sp["path"].IsString())
      continue;  // a name kept as raw bytes
    ++respelled;
    const std::string name = sp["name"].GetString();
    const std::string path = sp["path"].GetString();
    test::set_json(file, "/packs/" + k + "/path", "\"" + name + "/\"");
    test::set_json(file, "/shard/packs/" + k + "/name", "\"" + name + "/\"");
    test::set_json(file, "/shard/packs/" + k + "/path", "\"" + path + "//\"");
    if (sp.HasMember("summaries") && sp["summaries"].HasMember("GATE-V2-EVIDENCE-REUSE-01") &&
        sp["summaries"]["GATE-V2-EVIDENCE-REUSE-01"].HasMember("summary"))  // the summary names its pack
      test::set_json(file, "/shard/packs/" + k + "/summaries/GATE-V2-EVIDENCE-REUSE-01/summary/name",
                     "\"" + name + "/\"");
  }
  ASSERT_GT(respelled, 0u);
  expect_refused({s2(0), file}, file, "one check of one tree");
}

// QA-47: members of another type than check writes were read as defaults
// ("" for a number, false for a string) and changed the merged verdict.
TEST_F(MergeRefusal, MembersOfAnotherTypeAreRefusedWithTheirPointer) {
  // Members of another type than check writes: refused with their pointer.
  const std::vector<std::pair<std::string, std::string>> typed = {
      {"/packs/0/indexability_status", "[\"x\"]"},
      {"/packs/0/not_verified", "{}"},
      {"/shard/run/require_signature", "\"x\""},
      {"/shard/run/trusted_keys", "true"},
      {"/shard/packs/0/compared", "\"x\""},
      {"/packs/0/gates/0/reason", "7"},
  };
  for (const auto& [pointer, value] : typed) {
    SCOPED_TRACE(pointer);
    test::write_file(t_ / "typed.json", test::read_file(s2(1)));
    test::set_json(t_ / "typed.json", pointer, value);
    expect_refused({s2(0), t_ / "typed.json"}, t_ / "typed.json", "(at " + pointer + ": ");
  }
}

TEST_F(MergeRefusal, UnshardedReportAndErrorReport) {
  auto r = run_tool({"check", "--report", "json=" + t_ / "whole.json", tree_});
  ASSERT_EQ(r.exit_code, 1);
  expect_refused({s2(0), t_ / "whole.json"}, t_ / "whole.json", "no shard section");
  r = run_tool({"check", "--shard", "1/2", "--report", "json=" + t_ / "failed.json", t_ / "no-such-dir"});
  ASSERT_EQ(r.exit_code, 2);
  expect_refused({s2(0), t_ / "failed.json"}, t_ / "failed.json", "could not run");
}

TEST_F(MergeRefusal, ShardsOfDifferentTrees) {
  TempDir other;
  test::copy_tree(tree_, other / "tree");
  // Shard 1 of a copy of the tree elsewhere: every shard is there, but
  // they are not of one check.
  auto r = run_tool({"check", "--shard", "1/2", "--report", "json=" + t_ / "copy1.json", other / "tree"});
  ASSERT_TRUE(r.exit_code == 0 || r.exit_code == 1);
  expect_refused({s2(0), t_ / "copy1.json"}, t_ / "copy1.json", "one check of one tree");
}

// The tree changed between the shard jobs: a pack added after shard 0 ran
// (whichever shard it falls to), or one removed. Each shard records what it
// found, so merge refuses instead of passing a pack no shard judged.
TEST_F(MergeRefusal, TreeChangedBetweenShardJobs) {
  for (int added = 0; added < 4; ++added)
    test::copy_tree(test::fixture("integrity/fail-garbage-line"), tree_ + "/added-" + std::to_string(added));
  shard(1, 2, {}, t_ / "after1.json");
  expect_refused({s2(0), t_ / "after1.json"}, "", "the tree changed between the shard jobs");
  shard(0, 2, {}, t_ / "after0.json");
  EXPECT_EQ(run_tool({"merge", t_ / "after0.json", t_ / "after1.json"}).exit_code, 1) << "one tree again";
  std::filesystem::remove_all(tree_ + "/added-0");
  shard(1, 2, {}, t_ / "removed1.json");
  expect_refused({t_ / "after0.json", t_ / "removed1.json"}, "", "the tree changed between the shard jobs");
}

// A lock file under --repo-root changed between the shard jobs: packs pinned
// to it would be judged against two versions. Each shard records the lock
// files it read (`inputs`); shards that read one must agree.
TEST(MergeInputs, ALockFileThatChangedBetweenShardJobsIsRefused) {
  TempDir t;
  const std::string repo = t / "repo";
  test::copy_tree(test::fixture("producers"), repo + "/producers");
  test::write_file(repo + "/producers/mcp/package-lock.json", "{\"lockfileVersion\": 3}\n");
  // Packs of several scenarios, so that both shards hold some (all pin the same lock file).
  for (int i = 0; i < 8; ++i) {
    const std::string p = repo + "/runs/p" + std::to_string(i);
    test::copy_tree(test::fixture("packs/good-real"), p);
    test::set_json(p + "/manifest.json", "/scenario_id", "\"s" + std::to_string(i) + "\"");
    test::reseal(p);
  }
  auto shard = [&](unsigned k, const std::string& file) {
    auto r = run_tool({"check", "--repo-root", repo, "--shard", std::to_string(k) + "/2", "--report", "json=" + file,
                       repo + "/runs"});
    ASSERT_TRUE(r.exit_code == 0 || r.exit_code == 1) << r.err;
  };
  shard(0, t / "a0.json");
  shard(1, t / "a1.json");
  const std::string section = test::read_file(t / "a0.json");
  EXPECT_NE(section.find("lock file producers/mcp/package-lock.json"), std::string::npos) << "recorded";
  auto same = run_tool({"merge", "--format", "json", t / "a0.json", t / "a1.json"});
  EXPECT_TRUE(same.exit_code == 0 || same.exit_code == 1) << same.err;
  auto whole = run_tool({"check", "--repo-root", repo, "--format", "json", repo + "/runs"});
  EXPECT_EQ(same.out, whole.out) << "byte for byte";
  test::write_file(repo + "/producers/mcp/package-lock.json", "{\"lockfileVersion\": 2}\n");
  shard(1, t / "b1.json");
  auto r = run_tool({"merge", t / "a0.json", t / "b1.json"});
  EXPECT_EQ(r.exit_code, 2) << r.err;
  EXPECT_NE(r.err.find("found GATE-V2-REAL-QUALIFY-01: lock file producers/mcp/package-lock.json as sha256 "),
            std::string::npos)
      << r.err;
  EXPECT_NE(r.err.find("changed between the shard jobs"), std::string::npos) << r.err;
}

// Many shards missing: a few are named, the rest counted.
TEST_F(MergeRefusal, ManyMissingShardsAreCounted) {
  shard(3, 1000, {}, t_ / "s3of1000.json");
  auto r = run_tool({"merge", t_ / "s3of1000.json"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("shard 0/1000, 1/1000, 2/1000, 4/1000, "), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("10/1000 and 989 more are missing"), std::string::npos) << r.err;
  EXPECT_LT(r.err.size(), 1000u);
}

// QA-41: merge wrote its report over a sealed artifact of a pack the shards
// checked (exit 0), where check refuses it. Refused, through a link too, and
// the pack is left as it was.
TEST_F(MergeRefusal, AReportInsideACheckedPack) {
  const std::string pack = tree_ + "/packs/good-real";
  const std::string manifest = test::read_file(pack + "/manifest.json");
  fs::create_directory_symlink(pack, t_ / "link");
  for (const std::string& out : {pack + "/manifest.json", pack + "/artifacts/new.json", t_ / "link/new.txt"}) {
    SCOPED_TRACE(out);
    auto r = run_tool({"merge", "--report", "json=" + out, s2(0), s2(1)});
    EXPECT_EQ(r.exit_code, 2) << r.err;
    EXPECT_NE(r.err.find("lies inside the checked pack " + pack), std::string::npos) << r.err;
  }
  EXPECT_EQ(test::read_file(pack + "/manifest.json"), manifest);
  EXPECT_FALSE(fs::exists(pack + "/artifacts/new.json"));
  EXPECT_FALSE(fs::exists(pack + "/new.txt"));
  // Beside the packs it is written.
  auto beside = run_tool({"merge", "--report", "json=" + tree_ + "/packs/merged.json", s2(0), s2(1)});
  EXPECT_EQ(beside.exit_code, 1) << beside.err;
  EXPECT_TRUE(fs::exists(tree_ + "/packs/merged.json"));
}

TEST_F(MergeRefusal, NoFileAndReportOverShard) {
  auto r = run_tool({"merge"});
  EXPECT_EQ(r.exit_code, 2);
  r = run_tool({"merge", "--report", "json=" + s2(0), s2(0), s2(1)});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("overwrite"), std::string::npos) << r.err;
  JsonDoc doc;
  EXPECT_TRUE(parse_json(test::read_file(s2(0)), {}, doc));
  EXPECT_TRUE(doc.value.HasMember("shard")) << "the shard report is left as it was";
}

}  // namespace
}  // namespace mplp
