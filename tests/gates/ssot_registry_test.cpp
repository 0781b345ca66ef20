// GATE-V2-SSOT-01's registry binding (issue 12) and how a pack's registry is
// found: --registry, --repo-root, or the nearest ancestor holding one.
#include <gtest/gtest.h>

#include <filesystem>

#include "test_util.h"

namespace mplp {
namespace {

namespace fs = std::filesystem;
using Codes = std::vector<std::string>;
using test::codes_of;
using test::status_of;

constexpr const char* kGate = "GATE-V2-SSOT-01";
constexpr const char* kBindingCodes[] = {"ssot.substrate-unregistered", "ssot.runner-binding", "ssot.lock-kind-binding"};

// The binding findings only (the legacy-digest warnings of upstream packs are not the subject here).
Codes binding(const RunReport& r, const std::string& pack = "") {
  Codes out;
  for (const std::string& c : codes_of(r, kGate, Severity::Info, pack))
    for (const char* b : kBindingCodes)
      if (c == b) out.push_back(c);
  return out;
}

std::string registry(const std::string& substrate, const std::string& runner, const std::string& lock) {
  return test::registry_yaml({{substrate, runner, lock}}, {"node-20", "node-18"});
}

TEST(SsotRegistry, UpstreamPacksAgainstUpstreamsOwnRegistry) {
  CheckRequest req;
  req.registry_path = test::corpus("upstream/registry/substrates.v2.yaml");
  RunReport r = test::check({test::corpus("upstream/real")}, {kGate}, req);
  // mcp ran on node-20; the registry says node-18.
  auto mcp = test::findings_of(r, kGate, "ssot.runner-binding", "mcp-d1-real-runner-001");
  ASSERT_EQ(mcp.size(), 1u);
  EXPECT_EQ(mcp[0].expected, "node-18");
  EXPECT_EQ(mcp[0].actual, "node-20");
  EXPECT_EQ(mcp[0].location.pointer, "/env_ref/runner_id");
  EXPECT_NE(mcp[0].message.find("substrates.v2.yaml line "), std::string::npos) << mcp[0].message;
  // langchain: python-3.11 and poetry registered; node-20 and npm found.
  EXPECT_EQ(binding(r, "langchain-d1-real-runner-det-001"), (Codes{"ssot.lock-kind-binding", "ssot.runner-binding"}));
  auto lock = test::findings_of(r, kGate, "ssot.lock-kind-binding", "langchain-d1-real-runner-det-001");
  ASSERT_EQ(lock.size(), 1u);
  EXPECT_EQ(lock[0].expected, "poetry");
  EXPECT_EQ(lock[0].actual, "npm");
  EXPECT_EQ(lock[0].location.pointer, "/lock_ref/lock_kind");
  // crewai is not a registered substrate at all.
  auto crewai = test::findings_of(r, kGate, "ssot.substrate-unregistered", "crewai-d1-real-runner-det-001");
  ASSERT_EQ(crewai.size(), 1u);
  EXPECT_EQ(crewai[0].actual, "\"crewai\"");
  EXPECT_NE(crewai[0].expected.find("langchain"), std::string::npos);
}

TEST(SsotRegistry, EveryFixtureUnderFixturesIsBoundByTheFixturesRegistry) {
  // The ancestor lookup finds fixtures/producers/_registry before the repository's own registry.
  RunReport r = test::check({test::fixture("packs/good-real")}, {kGate});
  EXPECT_EQ(status_of(r, kGate), GateStatus::Pass);
  test::TempDir tmp;
  std::string pack = test::copy_good_pack(tmp, "repo/data/runs/p1");
  test::write_file(tmp / "repo/producers/_registry/substrates.v2.yaml", registry("example", "node-20", "npm"));
  r = test::check({pack}, {kGate});
  EXPECT_EQ(binding(r), Codes{"ssot.substrate-unregistered"});
}

class SsotRegistryLookup : public ::testing::Test {
 protected:
  test::TempDir tmp;
  std::string pack = test::copy_good_pack(tmp, "repo/data/runs/v2/real/mcp/p1");
  void put(const std::string& rel, const std::string& yaml) { test::write_file(tmp / rel, yaml); }
  Codes run(CheckRequest req = {}) { return binding(test::check({pack}, {kGate}, std::move(req))); }
};

TEST_F(SsotRegistryLookup, NoRegistryAnywhereMeansNoBinding) { EXPECT_EQ(run(), Codes{}); }

TEST_F(SsotRegistryLookup, NearestAncestorWinsAndRealRegistryIsFoundToo) {
  put("repo/producers/real/_registry/substrates.v2.yaml", registry("mcp", "node-18", "npm"));
  EXPECT_EQ(run(), Codes{"ssot.runner-binding"});
  // producers/_registry beats producers/real/_registry in the same directory.
  put("repo/producers/_registry/substrates.v2.yaml", registry("mcp", "node-20", "pnpm"));
  EXPECT_EQ(run(), Codes{"ssot.lock-kind-binding"});
  // A registry nearer to the pack beats both.
  put("repo/data/runs/producers/_registry/substrates.v2.yaml", registry("mcp", "node-20", "npm"));
  EXPECT_EQ(run(), Codes{});
}

TEST_F(SsotRegistryLookup, ExplicitRegistryOrRepoRootBeatsAncestors) {
  put("repo/producers/_registry/substrates.v2.yaml", registry("mcp", "node-20", "npm"));
  put("elsewhere/reg.yaml", registry("other", "node-20", "npm"));
  CheckRequest req;
  req.registry_path = tmp / "elsewhere/reg.yaml";
  EXPECT_EQ(run(req), Codes{"ssot.substrate-unregistered"});
  put("root2/producers/_registry/substrates.v2.yaml", registry("mcp", "node-18", "npm"));
  CheckRequest req2;
  req2.options.repo_root = tmp / "root2";
  EXPECT_EQ(run(req2), Codes{"ssot.runner-binding"});
}

TEST_F(SsotRegistryLookup, FoundRegistriesAreNamedRelativeToTheCheckedDirectory) {
  // Like pack names: the same words whatever the working directory and the
  // spelling of the PATH (receipts record the JSON report's digest).
  put("repo/producers/_registry/substrates.v2.yaml", registry("mcp", "node-18", "npm"));
  fs::path cwd = fs::current_path();
  fs::current_path(tmp / "repo");
  RunReport tree = test::check({"data/runs"}, {kGate});
  RunReport pack = test::check({"./data/runs/v2/real/mcp/p1/"}, {kGate});
  fs::current_path(cwd);
  RunReport absolute = test::check({tmp / "repo/data/runs"}, {kGate});
  auto f = test::findings_of(tree, kGate, "ssot.runner-binding");
  ASSERT_EQ(f.size(), 1u);
  EXPECT_NE(f[0].message.find("(../../producers/_registry/substrates.v2.yaml line 3)"), std::string::npos)
      << f[0].message;
  EXPECT_EQ(test::findings_of(absolute, kGate, "ssot.runner-binding")[0].message, f[0].message);
  // A pack checked on its own is named relative to its parent, and so is the registry.
  auto p = test::findings_of(pack, kGate, "ssot.runner-binding");
  ASSERT_EQ(p.size(), 1u);
  EXPECT_NE(p[0].message.find("(../../../../../producers/_registry/substrates.v2.yaml line 3)"), std::string::npos)
      << p[0].message;
}

TEST_F(SsotRegistryLookup, ABrokenAncestorRegistryStopsTheRunNamingIt) {
  put("repo/producers/_registry/substrates.v2.yaml", "substrates: [\n");
  CheckRequest req;
  req.paths = {pack};
  RunReport r;
  std::string err;
  EXPECT_FALSE(run_check(req, r, err));
  EXPECT_NE(err.find(tmp / "repo/producers/_registry/substrates.v2.yaml"), std::string::npos) << err;
}

// Lookups take the first entry of an id: with one listed twice the verdict
// hung on the order of the entries (node-18 second passed, first failed).
// The run stops naming the file and both lines, through --registry or found.
TEST_F(SsotRegistryLookup, AnIdListedTwiceStopsTheRunNamingIt) {
  for (const auto& [yaml, says] : std::vector<std::pair<std::string, std::string>>{
           {test::registry_yaml({{"mcp", "node-20", "npm"}, {"mcp", "node-18", "npm"}}, {"node-20", "node-18"}),
            "substrate 'mcp' is listed twice (first at line"},
           {test::registry_yaml({{"mcp", "node-20", "npm"}}, {"node-20", "node-18", "node-20"}),
            "runner 'node-20' is listed twice"}}) {
    put("repo/producers/_registry/substrates.v2.yaml", yaml);
    for (bool explicit_path : {false, true}) {
      CheckRequest req;
      req.paths = {pack};
      if (explicit_path) req.registry_path = tmp / "repo/producers/_registry/substrates.v2.yaml";
      RunReport r;
      std::string err;
      EXPECT_FALSE(run_check(req, r, err));
      EXPECT_NE(err.find(says), std::string::npos) << err;
      EXPECT_EQ(err.rfind(tmp / "repo/producers/_registry/substrates.v2.yaml:", 0), 0u) << err;
    }
  }
}

// The substrate's name is the registry's: MCP evidence relabelled as
// langchain, its substrate_name set to what the evidence says, passed every
// gate (QA-39).
TEST_F(SsotRegistryLookup, TheSubstrateNameIsTheRegisteredOne) {
  put("repo/producers/_registry/substrates.v2.yaml",
      test::registry_yaml({{"mcp", "node-20", "npm"}, {"langchain", "node-20", "npm"}}, {"node-20"}));
  EXPECT_EQ(run(), Codes{});
  test::set_json(pack + "/manifest.json", "/substrate_ref/substrate_id", "\"langchain\"");
  test::set_json(pack + "/manifest.json", "/substrate_ref/substrate_name", "\"MCP\"");
  RunReport r = test::check({pack}, {kGate});
  auto f = test::findings_of(r, kGate, "ssot.name-binding");
  ASSERT_EQ(f.size(), 1u);
  EXPECT_EQ(f[0].location.pointer, "/substrate_ref/substrate_name");
  EXPECT_EQ(f[0].expected, "LangChain");
  EXPECT_EQ(f[0].actual, "MCP");
}

TEST_F(SsotRegistryLookup, MalformedRunnerIdIsNotAlsoABindingMismatch) {
  put("repo/producers/_registry/substrates.v2.yaml", registry("mcp", "node-20", "npm"));
  test::set_json(pack + "/manifest.json", "/env_ref/runner_id", "\"Node 20\"");
  test::set_json(pack + "/reports/runner.meta.json", "/runner_id", "\"Node 20\"");
  RunReport r = test::check({pack}, {kGate});
  EXPECT_TRUE(test::has_code(r, kGate, "ssot.runner-id"));
  EXPECT_EQ(binding(r), Codes{});
  // A registry entry without runner_id or lock_kind binds nothing: it does
  // not match the registry schema, so the run stops naming it (issue 11).
  put("repo/producers/_registry/substrates.v2.yaml",
      "version: \"2.0.0\"\nsubstrates:\n  - substrate_id: \"mcp\"\nrunners:\n  - runner_id: \"node-20\"\n");
  test::set_json(pack + "/manifest.json", "/env_ref/runner_id", "\"node-20\"");
  test::set_json(pack + "/reports/runner.meta.json", "/runner_id", "\"node-20\"");
  CheckRequest bad;
  bad.paths = {pack};
  RunReport unused;
  std::string err;
  EXPECT_FALSE(run_check(bad, unused, err));
  EXPECT_NE(err.find("substrates.v2.yaml:3: invalid substrate registry: at /substrates/0"), std::string::npos) << err;
  put("repo/producers/_registry/substrates.v2.yaml", registry("mcp", "node-20", "npm"));
  // A substrate_id that is not a string is REAL-QUALIFY-01's finding, not a binding one.
  test::set_json(pack + "/manifest.json", "/substrate_ref/substrate_id", "7");
  EXPECT_EQ(binding(test::check({pack}, {kGate})), Codes{});
}

}  // namespace
}  // namespace mplp
