// End-to-end tests of issue 14, point 7 on the built binary, without a
// container engine (the smoke gate is left out; tests/runner runs it): a
// runners check says "N runners checked", JUnit has one testcase per runner,
// and every path is relative to the checked root once.
#include <gtest/gtest.h>

#include <filesystem>

#include "core/json.h"
#include "test_util.h"

namespace mplp {
namespace {

using test::run_tool_with;
using test::RunOptions;
using test::TempDir;

using test::count_of;

// A copy of this repository's runners and registry; one runner's Containerfile
// names a host the policy does not allow.
std::string repo_with_a_bad_runner(const TempDir& t) {
  test::copy_tree(test::source_root() + "/runners", t / "repo/runners");
  test::copy_tree(test::source_root() + "/producers", t / "repo/producers");
  std::string cf = t / "repo/runners/node-20/Containerfile";
  test::write_file(cf, test::read_file(cf) + "RUN echo https://evil.example.net/x\n");
  return t / "repo";
}

std::size_t runner_dirs(const std::string& runners) {
  std::size_t n = 0;
  for (auto& e : std::filesystem::directory_iterator(runners))
    if (e.is_directory() && e.path().filename().string()[0] != '_') ++n;
  return n;
}

TEST(RunnerChecks, SummaryCountsRunnersAndJunitHasOneTestcaseEach) {
  TempDir t;
  std::string repo = repo_with_a_bad_runner(t);
  const std::size_t n = runner_dirs(repo + "/runners");
  ASSERT_GE(n, 3u);
  std::vector<std::string> args = {"check", "--runners", "runners", "--skip", "GATE-V2-RUNNER-SMOKE-01", "--report",
                                   "junit=" + t / "r.xml", "--report", "sarif=" + t / "r.sarif", "--report",
                                   "github=" + t / "r.github"};
  auto r = run_tool_with(args, RunOptions{"", repo, 0});
  EXPECT_EQ(r.exit_code, 1) << r.out << r.err;
  EXPECT_NE(r.out.find(std::to_string(n) + " runners checked; "), std::string::npos) << r.out;
  EXPECT_EQ(r.out.find("pack checked"), std::string::npos) << r.out;
  std::string xml = test::read_file(t / "r.xml");
  // Every runner gate's suite holds one testcase per runner directory.
  EXPECT_NE(xml.find("<testcase name=\"runners/node-20\" classname=\"GATE-V2-HOST-ALLOW-01\">"), std::string::npos)
      << xml;
  EXPECT_NE(xml.find("<testcase name=\"runners/python-3.11\" classname=\"GATE-V2-HOST-ALLOW-01\"/>"),
            std::string::npos)
      << xml;
  EXPECT_GE(count_of(xml, "classname=\"GATE-V2-HOST-ALLOW-01\""), n);
  EXPECT_EQ(count_of(xml, "<failure "), 1u) << "only node-20 fails";
  // Paths: relative to where check ran, the runners directory once.
  for (const char* f : {"r.sarif", "r.github"}) {
    std::string bytes = test::read_file(t / f);
    EXPECT_EQ(bytes.find("runners/runners/"), std::string::npos) << f;
    EXPECT_EQ(bytes.find("runners/../"), std::string::npos) << f;
    EXPECT_NE(bytes.find("runners/node-20/Containerfile"), std::string::npos) << f;
  }
  auto json = run_tool_with({"check", "--runners", "runners", "--skip", "GATE-V2-RUNNER-SMOKE-01", "--format", "json"},
                            RunOptions{"", repo, 0});
  EXPECT_NE(json.out.find("\"file\": \"node-20/Containerfile\""), std::string::npos) << json.out;
  auto gh = run_tool_with({"check", "--runners", "runners", "--runner", "node-20", "--skip", "GATE-V2-RUNNER-SMOKE-01",
                           "--format", "github"},
                          RunOptions{"", repo, 0});
  EXPECT_NE(gh.out.find("mplp-gate: 1 runner checked; "), std::string::npos) << gh.out;
}

// --runner names one directory of --runners: anything else is a usage error
// (exit 2 naming it), never a run that checked nothing and passed.
TEST(RunnerChecks, RunnerThatCannotBeCheckedExitsTwo) {
  TempDir t;
  std::string repo = repo_with_a_bad_runner(t);
  test::write_file(repo + "/runners/plain-file", "x");
  std::filesystem::create_directory_symlink(repo + "/runners/node-20", repo + "/runners/linked");
  for (const char* id : {"no-such-runner", "../runners/node-20", "plain-file", "linked", "Node-20"}) {
    auto r = run_tool_with({"check", "--runners", "runners", "--runner", id, "--gate", "GATE-V2-HOST-ALLOW-01"},
                           RunOptions{"", repo, 0});
    EXPECT_EQ(r.exit_code, 2) << id << "\n" << r.out << r.err;
    EXPECT_NE(r.err.find("--runner: "), std::string::npos) << id << "\n" << r.err;
  }
  auto ok = run_tool_with({"check", "--runners", "runners", "--runner", "python-3.11", "--gate",
                           "GATE-V2-HOST-ALLOW-01"},
                          RunOptions{"", repo, 0});
  EXPECT_NE(ok.exit_code, 2) << ok.out << ok.err;
  EXPECT_NE(ok.out.find("1 runner checked; "), std::string::npos) << ok.out;
}

// A runners directory holding no runner says so: "0 runners", not "1 pack".
TEST(RunnerChecks, EmptyRunnersDirectoryCountsNoRunners) {
  TempDir t;
  std::filesystem::create_directories(t / "repo/runners/_lib");
  for (const char* format : {"text", "github"}) {
    auto r = run_tool_with({"check", "--runners", "runners", "--gate", "GATE-V2-HOST-ALLOW-01", "--format", format},
                           RunOptions{"", t / "repo", 0});
    EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
    EXPECT_NE(r.out.find("0 runners checked"), std::string::npos) << format << "\n" << r.out;
    EXPECT_EQ(r.out.find("pack"), std::string::npos) << format << "\n" << r.out;
  }
}

// The registry beside the runners directory is named from the same root.
TEST(RunnerChecks, RegistryFindingsAreNamedOnceFromTheRoot) {
  TempDir t;
  std::string repo = repo_with_a_bad_runner(t);
  // The registry names runner python-3.11, whose directory is gone.
  std::filesystem::remove_all(repo + "/runners/python-3.11");
  auto r = run_tool_with({"check", "--runners", "runners", "--gate", "GATE-V2-SUBSTRATE-REGISTRY-01", "--format",
                          "github"},
                         RunOptions{"", repo, 0});
  EXPECT_NE(r.out.find("file=producers/_registry/substrates.v2.yaml"), std::string::npos) << r.out << r.err;
  EXPECT_EQ(r.out.find("runners/../"), std::string::npos) << r.out;
}

}  // namespace
}  // namespace mplp
