// Issue 16, point 3: the runner contract's helpers in runners/_lib/, thin
// wrappers over mplp-gate, run scripts written the contract's way unchanged.
// Upstream's node-20/smoke.sh (vendored in fixtures/upstream/runners) needs
// node:20-slim from an image registry; a copy changed only in its runner id
// (node-20-local) and in how it builds the image (through our
// env-fingerprint.sh, which builds or reuses it) passes with our helpers, and
// fails when the runner is broken (no npm). Real containers, under the engine
// MPLP_TEST_ENGINE names.
#include <gtest/gtest.h>

#include <filesystem>
#include <set>

#include "core/json.h"
#include "runner_test_util.h"
#include "test_util.h"

namespace mplp::test {
namespace {

namespace fs = std::filesystem;

// The repository's runners/ (with _lib and _base) copied into `repo`.
void copy_runners(const std::string& repo) {
  copy_tree(source_root() + "/runners", repo + "/runners");
  copy_tree(source_root() + "/producers", repo + "/producers");
}

// Upstream's node-20 smoke.sh with the two changes the local runner needs.
std::string smoke_copy() {
  std::string s = read_file(corpus("upstream/runners/node-20/smoke.sh"));
  auto replace = [&](const std::string& from, const std::string& to) {
    std::size_t at = s.find(from);
    EXPECT_NE(at, std::string::npos) << from;
    if (at != std::string::npos) s.replace(at, from.size(), to);
  };
  replace("RUNNER_ID=\"node-20\"", "RUNNER_ID=\"node-20-local\"");
  replace("docker build -t \"mplp-runner:$RUNNER_ID\" \"$SCRIPT_DIR\"",
          "\"$SCRIPT_DIR/../_lib/env-fingerprint.sh\" --runner \"$RUNNER_ID\" >/dev/null");
  return s;
}

// Runs a shell command with the helpers' environment: MPLP_GATE and MPLP_ENGINE.
int run_with_helpers(const std::string& command, std::string& output) {
  return run_shell("MPLP_GATE=" + shell_quote(gate_binary()) + " MPLP_ENGINE=" + shell_quote(test_engine()) + " " +
                       command + " 2>&1",
                   output);
}

std::set<std::string> smoke_leftovers() {
  std::set<std::string> out;
  for (const auto& e : fs::directory_iterator("/tmp"))
    if (e.path().filename().string().rfind("mplp-runner-smoke-node-20-local-", 0) == 0) out.insert(e.path());
  return out;
}

TEST(ContractHelpers, UpstreamNodeSmokeShPassesWithOurHelpersAndFailsOnABrokenRunner) {
  REQUIRE_ENGINE();
  TempDir t;
  const std::string repo = t / "repo";
  copy_runners(repo);
  write_file(repo + "/runners/node-20-local/smoke.sh", smoke_copy());
  std::set<std::string> before = smoke_leftovers();
  std::string out;
  int rc = run_with_helpers("bash " + shell_quote(repo + "/runners/node-20-local/smoke.sh"), out);
  EXPECT_EQ(rc, 0) << out;
  EXPECT_NE(out.find("PASS: Node-20 runner smoke test"), std::string::npos) << out;
  // The digest it read is the one our runner wrote under the contract's key.
  EXPECT_NE(out.find("Container digest: sha256:"), std::string::npos) << out;

  // Broken: the runner lost npm, which the contract's smoke command calls.
  std::string cf = repo + "/runners/node-20-local/Containerfile";
  std::string text = read_file(cf);
  std::size_t at = text.find("ADD npm.tgz /opt/npm/\n");  // and so the links dangle
  ASSERT_NE(at, std::string::npos);
  write_file(cf, text.erase(at, std::string("ADD npm.tgz /opt/npm/\n").size()));
  std::string broken;
  EXPECT_NE(run_with_helpers("bash " + shell_quote(repo + "/runners/node-20-local/smoke.sh"), broken), 0) << broken;
  EXPECT_EQ(broken.find("PASS"), std::string::npos) << broken;
  EXPECT_NE(broken.find("npm"), std::string::npos) << broken;
  for (const std::string& d : smoke_leftovers())
    if (!before.count(d)) fs::remove_all(d);  // upstream's script removes its directory only on success
}

TEST(ContractHelpers, RunInContainerWritesTheContractsMetadataAndEnvFingerprintMatchesIt) {
  REQUIRE_ENGINE();
  TempDir t;
  const std::string repo = t / "repo";
  copy_runners(repo);
  std::string out;
  const std::string pack = t / "pack";
  ASSERT_EQ(run_with_helpers(shell_quote(repo + "/runners/_lib/run-in-container.sh") +
                                 " --runner node-20-local --cmd 'echo hi > out/hello.txt' --out-dir " +
                                 shell_quote(pack),
                             out),
            0)
      << out;
  EXPECT_EQ(read_file(pack + "/hello.txt"), "hi\n");
  JsonDoc meta;
  ASSERT_TRUE(parse_json(read_file(pack + "/reports/runner.meta.json"), {}, meta));
  std::vector<std::string> keys;
  for (auto it = meta.value.MemberBegin(); it != meta.value.MemberEnd(); ++it) keys.push_back(it->name.GetString());
  EXPECT_EQ(keys, (std::vector<std::string>{"runner_id", "container_digest", "environment_fingerprint", "workdir",
                                            "executed_at", "image_ref"}));
  EXPECT_NE(read_file(pack + "/integrity/sha256sums.txt").find("  hello.txt\n"), std::string::npos);

  std::string fp;
  ASSERT_EQ(run_with_helpers(shell_quote(repo + "/runners/_lib/env-fingerprint.sh") + " --runner node-20-local", fp), 0)
      << fp;
  JsonDoc doc;
  std::string json = fp.substr(fp.find('{'), fp.find('}') - fp.find('{') + 1);
  ASSERT_TRUE(parse_json(json, {}, doc)) << fp;
  const auto& recorded = meta.value["environment_fingerprint"];
  for (const char* k : {"os", "arch", "runtime_type", "runtime_version"})
    EXPECT_EQ(std::string(doc.value[k].GetString()), std::string(recorded[k].GetString())) << k;
  EXPECT_EQ(std::string(doc.value["runtime_type"].GetString()), "node");

  // A failing command: exit 1 with its status named, and the directory left as it was.
  std::string failed;
  EXPECT_EQ(run_with_helpers(shell_quote(repo + "/runners/_lib/run-in-container.sh") +
                                 " --runner node-20-local --cmd 'exit 7' --out-dir " + shell_quote(pack),
                             failed),
            1)
      << failed;
  EXPECT_NE(failed.find("CMD exited with status 7"), std::string::npos) << failed;
  EXPECT_EQ(read_file(pack + "/hello.txt"), "hi\n");
  EXPECT_NE(run_with_helpers(shell_quote(repo + "/runners/_lib/run-in-container.sh") + " --runner node-20-local", failed),
            0);
  EXPECT_NE(failed.find("Usage:"), std::string::npos) << failed;
}

// pack-paths.sh and write-sha256sums.sh need no engine.
TEST(ContractHelpers, GetPackRootAndWriteSha256sums) {
  const std::string lib = source_root() + "/runners/_lib";
  std::string out;
  ASSERT_EQ(run_shell("bash -c " + shell_quote("source " + shell_quote(lib + "/pack-paths.sh") +
                                               " && get_pack_root INDEXABLE_REAL mcp run-001 && "
                                               "get_pack_root INDEXABLE_SYNTHETIC mcp s1 && "
                                               "get_pack_root NON_INDEXABLE acp n1 && "
                                               "bash -c 'get_pack_root INDEXABLE_REAL x y' && [[ $- != *e* ]]"),
                      out),
            0)
      << out;
  EXPECT_EQ(out, "data/runs/v2/real/mcp/run-001\ndata/runs/v2/synthetic/mcp/s1\ndata/runs/v2/non-indexable/acp/n1\n"
                 "data/runs/v2/real/x/y\n");
  for (const char* bad : {"REAL mcp r", "INDEXABLE_REAL ../x r", "INDEXABLE_REAL mcp ''", "INDEXABLE_REAL a/b r",
                          "INDEXABLE_REAL mcp"}) {
    std::string o;
    EXPECT_NE(run_shell("bash -c " + shell_quote("source " + shell_quote(lib + "/pack-paths.sh") +
                                                 " && get_pack_root " + bad) + " 2>&1",
                        o),
              0)
        << bad << ": " << o;
    EXPECT_EQ(o.find("data/runs/v2"), std::string::npos) << bad << ": " << o;
  }

  // write-sha256sums.sh seals through `mplp-gate seal`: the sums pass INTEGRITY-01.
  TempDir t;
  const std::string pack = t / "p";
  copy_tree(fixture("packs/good-real"), pack);
  write_file(pack + "/artifacts/extra.json", "{}\n");
  std::string sealed;
  ASSERT_EQ(run_shell("MPLP_GATE=" + shell_quote(gate_binary()) + " " + shell_quote(lib + "/write-sha256sums.sh") +
                          " " + shell_quote(pack) + " 2>&1",
                      sealed),
            0)
      << sealed;
  EXPECT_NE(read_file(pack + "/integrity/sha256sums.txt").find("  artifacts/extra.json\n"), std::string::npos);
  auto r = run_tool({"check", "--gate", "GATE-V2-INTEGRITY-01", pack});
  EXPECT_EQ(r.exit_code, 0) << r.out;
  std::string missing;
  EXPECT_NE(run_shell(shell_quote(lib + "/write-sha256sums.sh") + " " + shell_quote(t / "nope") + " 2>&1", missing), 0);
  EXPECT_NE(missing.find("Pack root not found"), std::string::npos) << missing;
}

// Point 2: a runner's smoke.sh is host code: not run without
// --run-smoke-scripts (an info finding says so), run with it (the helpers on
// PATH), and its failure is an error carrying its output's tail.
TEST(ContractHelpers, SmokeShRunsOnlyWhenAskedWithTheHelpersOnPath) {
  REQUIRE_ENGINE();
  TempDir t;
  const std::string repo = t / "repo";
  copy_runners(repo);
  const std::string script = repo + "/runners/node-20-local/smoke.sh";
  write_file(script, "set -eu\ncommand -v run-in-container.sh >/dev/null\n" + smoke_copy());
  auto check = [&](bool run_scripts) {
    std::vector<std::string> args = {"check", "--format", "json", "--engine", test_engine(), "--gate",
                                     "GATE-V2-RUNNER-SMOKE-01", "--runners", repo + "/runners", "--runner",
                                     "node-20-local"};
    if (run_scripts) args.push_back("--run-smoke-scripts");
    return run_tool(args);
  };
  auto quiet = check(false);
  EXPECT_EQ(quiet.exit_code, 0) << quiet.out << quiet.err;
  EXPECT_NE(quiet.out.find("\"code\": \"smoke.script_not_run\""), std::string::npos) << quiet.out;
  EXPECT_NE(quiet.out.find("--run-smoke-scripts"), std::string::npos) << quiet.out;
  EXPECT_EQ(quiet.out.find("smoke.script_passed"), std::string::npos) << quiet.out;

  auto ran = check(true);
  EXPECT_EQ(ran.exit_code, 0) << ran.out << ran.err;
  EXPECT_NE(ran.out.find("\"code\": \"smoke.script_passed\""), std::string::npos) << ran.out;

  write_file(script, "echo first line\necho the-marker-of-failure >&2\nexit 3\n");
  auto failed = check(true);
  EXPECT_EQ(failed.exit_code, 1) << failed.out;
  EXPECT_NE(failed.out.find("\"code\": \"smoke.script_failed\""), std::string::npos) << failed.out;
  EXPECT_NE(failed.out.find("exited with status 3"), std::string::npos) << failed.out;
  EXPECT_NE(failed.out.find("the-marker-of-failure"), std::string::npos) << failed.out;
  // Without the flag the broken script is not run, so it cannot fail the check.
  EXPECT_EQ(check(false).exit_code, 0);
}

// Point 8: the fingerprint is measured once per image id (and version
// command) and kept in the user's cache; an entry that is broken, for another
// image, or writable by others is ignored and measured again.
TEST(FingerprintCache, MeasuredOnceKeptPrivatelyAndCheckedOnUse) {
  REQUIRE_ENGINE();
  TempDir t;
  const std::string cache = t / "cache";
  auto fingerprint = [&](const std::string& env) {
    std::string out;
    int rc = run_shell(env + " " + shell_quote(gate_binary()) + " run --engine " + test_engine() + " --runners " +
                           shell_quote(source_root() + "/runners") +
                           " --runner node-20-local --print-fingerprint 2>/dev/null",
                       out);
    EXPECT_EQ(rc, 0) << out;
    return out;
  };
  const std::string env = "MPLP_GATE_FINGERPRINT_CACHE=" + shell_quote(cache);
  std::string first = fingerprint(env);
  EXPECT_NE(first.find("\"runtime_version\":\"20."), std::string::npos) << first;
  std::vector<std::string> entries;
  for (const auto& e : fs::directory_iterator(cache)) entries.push_back(e.path());
  ASSERT_EQ(entries.size(), 1u);
  const std::string entry = entries[0];
  std::string kept = read_file(entry);
  EXPECT_NE(kept.find("\"image\":\"sha256:"), std::string::npos) << kept;
  EXPECT_EQ(fs::status(cache).permissions() & fs::perms::others_all, fs::perms::none);

  // Used: an entry of ours saying another (well-formed) version is believed...
  std::string forged = kept;
  forged.replace(forged.find("\"runtime_version\":\"20.") + 19, 2, "77");
  write_file(entry, forged);
  fs::permissions(entry, fs::perms::owner_read | fs::perms::owner_write);
  EXPECT_NE(fingerprint(env).find("\"runtime_version\":\"77."), std::string::npos) << "the cache is read";
  // ...but not when others could have written it: measured again, rewritten.
  fs::permissions(entry, fs::perms::owner_read | fs::perms::owner_write | fs::perms::others_write);
  EXPECT_EQ(fingerprint(env), first);
  EXPECT_EQ(read_file(entry).find("\"77."), std::string::npos);
  // Broken JSON, or an entry naming another image: ignored, measured again.
  for (const std::string& bad : {std::string("{not json"), std::string(kept).replace(kept.find("sha256:") + 7, 4, "0000")}) {
    write_file(entry, bad);
    fs::permissions(entry, fs::perms::owner_read | fs::perms::owner_write);
    EXPECT_EQ(fingerprint(env), first) << bad;
    EXPECT_EQ(read_file(entry).substr(0, 1), "{");
    EXPECT_NE(read_file(entry).find("\"runtime_type\":\"node\""), std::string::npos);
  }
  // A link in its place is never followed.
  write_file(t / "elsewhere.json", forged);
  fs::remove(entry);
  fs::create_symlink(t / "elsewhere.json", entry);
  EXPECT_EQ(fingerprint(env), first);
  // Off: no fingerprint is written (nothing at all with MPLP_GATE_CACHE=off).
  fingerprint("MPLP_GATE_FINGERPRINT_CACHE=off XDG_CACHE_HOME=" + shell_quote(t / "xdg"));
  EXPECT_FALSE(fs::exists(t / "xdg/mplp-gate/fingerprints"));
  fingerprint("MPLP_GATE_CACHE=off XDG_CACHE_HOME=" + shell_quote(t / "xdg2"));
  EXPECT_FALSE(fs::exists(t / "xdg2"));
}

// Point 4: an unregistered runner fails the registry gate, yet `--runner ID`
// still smoke-tests it (a new runner can be tried before it is registered).
TEST(ContractHelpers, UnregisteredRunnerIsSmokeTestedWhenNamed) {
  REQUIRE_ENGINE();
  TempDir t;
  const std::string repo = t / "repo";
  copy_runners(repo);
  copy_tree(repo + "/runners/node-20-local", repo + "/runners/node-20-extra");
  auto smoke = run_tool({"check", "--format", "json", "--engine", test_engine(), "--runners", repo + "/runners",
                         "--runner", "node-20-extra", "--gate", "GATE-V2-RUNNER-SMOKE-01"});
  EXPECT_EQ(smoke.exit_code, 0) << smoke.out << smoke.err;
  EXPECT_NE(smoke.out.find("runner 'node-20-extra': engine "), std::string::npos) << smoke.out;
  auto registry = run_tool({"check", "--format", "json", "--runners", repo + "/runners", "--gate",
                            "GATE-V2-SUBSTRATE-REGISTRY-01"});
  EXPECT_EQ(registry.exit_code, 1) << registry.out;
  EXPECT_NE(registry.out.find("runner directory 'node-20-extra' is not registered"), std::string::npos)
      << registry.out;
}

}  // namespace
}  // namespace mplp::test
