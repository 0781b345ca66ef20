// Real containers: the local runners build (reproducibly under podman) and
// pass the smoke gate; a producer runs through `mplp-gate run` into a pack
// that passes every gate; tampering is caught; failures and SIGKILL leave the
// pack untouched. The engine is MPLP_TEST_ENGINE (CI runs this suite under
// podman and again under a private docker daemon). Without an engine these
// tests say SKIPPED (and fail under CI=true).
#include <gtest/gtest.h>
#include <stdlib.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <tuple>

#include "engine/check.h"
#include "runner/executor.h"
#include "runner/image.h"
#include "runner/process.h"
#include "fixture_expectations.h"
#include "runner_test_util.h"
#include "test_util.h"

namespace mplp::test {
namespace {

namespace fs = std::filesystem;

std::string runners() { return source_root() + "/runners"; }
const char* kProducer = "node producers/example/produce.js";

std::vector<std::string> run_args(const std::string& runner, const std::string& cmd, const std::string& out) {
  return {"run", "--engine", test_engine(), "--runners", runners(), "--runner", runner, "--cmd", cmd, "--out-dir", out};
}

// The engine the tests run (REQUIRE_ENGINE first).
runner::Engine engine() {
  runner::Engine e;
  std::string err;
  EXPECT_TRUE(runner::detect_engine(test_engine(), e, err)) << err;
  return e;
}

// A check of the smoke gate alone over `dir` (--runner `runner` unless empty).
CheckRequest smoke_request(const std::string& runner, const std::string& dir = runners()) {
  CheckRequest req;
  req.options.engine = test_engine();
  req.options.runners_dir = dir;
  if (!runner.empty()) req.options.only_runner = runner;
  req.only_gates = {"GATE-V2-RUNNER-SMOKE-01"};
  return req;
}

RunReport smoke(const std::string& runner) {
  CheckRequest req = smoke_request(runner);
  RunReport rep;
  std::string err;
  EXPECT_TRUE(run_check(req, rep, err)) << err;
  return rep;
}

// CI builds the local runners and runs the smoke gate on them.
TEST(RunnerSmoke, LocalRunnersPass) {
  REQUIRE_ENGINE();
  for (const char* id : {"python-3.11-local", "node-20-local"}) {
    RunReport rep = smoke(id);
    const GateResult& g = result_of(rep, "GATE-V2-RUNNER-SMOKE-01", rep.packs.at(0).path);
    EXPECT_EQ(g.status, GateStatus::Pass) << id;
    bool timing = false;
    for (const Finding& f : g.findings) {
      EXPECT_NE(f.severity, Severity::Error) << id << ": " << f.code << " " << f.message << "\n" << f.detail;
      // The finding says which engine ran the runner.
      if (f.code == "smoke.timing")
        timing = f.message.find("build ") != std::string::npos &&
                 f.message.find("engine " + engine().name + " ") != std::string::npos;
      std::cout << id << ": " << f.code << ": " << f.message << "\n";
    }
    EXPECT_TRUE(timing) << id;
  }
}

// Issue 16, point 6: the python runner has the package tools the contract's
// python example uses (pip, venv, poetry), answering inside its container,
// through the built binary; and the contract's own python smoke command (a
// runner without runner.yaml) fails on an image that lost poetry.
TEST(RunnerSmoke, PythonLocalHasPipVenvAndPoetryThroughTheBinary) {
  REQUIRE_ENGINE();
  RunResult check = run_tool({"check", "--format", "json", "--engine", test_engine(), "--runners", runners(),
                              "--require-engine", "--runner", "python-3.11-local", "--gate",
                              "GATE-V2-RUNNER-SMOKE-01"});
  EXPECT_EQ(check.exit_code, 0) << check.out << check.err;
  EXPECT_NE(check.out.find("runner 'python-3.11-local': engine "), std::string::npos) << check.out;

  TempDir tmp;
  RunResult run = run_tool(run_args("python-3.11-local",
                                    "pip --version > /workspace/out/pip.txt && "
                                    "poetry --version > /workspace/out/poetry.txt && "
                                    "python3 -m venv /tmp/v && /tmp/v/bin/python -m pip --version > /workspace/out/venv.txt",
                                    tmp / "pack"));
  ASSERT_EQ(run.exit_code, 0) << run.out << run.err;
  std::string pip = read_file(tmp / "pack/pip.txt"), poetry = read_file(tmp / "pack/poetry.txt");
  std::string venv = read_file(tmp / "pack/venv.txt");
  EXPECT_EQ(pip.rfind("pip ", 0), 0u) << pip;
  EXPECT_NE(pip.find("(python 3.11)"), std::string::npos) << pip;
  EXPECT_NE(poetry.find("Poetry (version 1."), std::string::npos) << poetry;
  // pip inside the venv comes from the venv, not the system's site-packages.
  EXPECT_NE(venv.find("/tmp/v/lib/python3.11/site-packages/pip"), std::string::npos) << venv;

  // The contract's layout: no runner.yaml, runtime and smoke command from the id.
  const std::string repo = tmp / "repo";
  fs::create_directories(repo + "/runners/python-3.11-ok");
  fs::create_directories(repo + "/runners/python-3.11-nopoetry");
  const std::string from = "FROM localhost/mplp-debian-12:bookworm-2\nWORKDIR /workspace\n";
  write_file(repo + "/runners/python-3.11-ok/Dockerfile", from);
  write_file(repo + "/runners/python-3.11-nopoetry/Dockerfile", from + "RUN rm /usr/bin/poetry\n");
  for (const char* id : {"python-3.11-ok", "python-3.11-nopoetry"}) {
    RunResult r = run_tool({"check", "--format", "json", "--engine", test_engine(), "--runners", repo + "/runners",
                            "--require-engine", "--runner", id, "--gate", "GATE-V2-RUNNER-SMOKE-01"});
    bool broken = std::string(id) == "python-3.11-nopoetry";
    EXPECT_EQ(r.exit_code, broken ? 1 : 0) << id << "\n" << r.out << r.err;
    EXPECT_EQ(r.out.find("\"code\": \"smoke.run_failed\"") != std::string::npos, broken) << id << "\n" << r.out;
  }
}

// --runner ID names a directory of --runners: an unknown or unsafe id is a
// usage error (the run cannot happen, exit 2), decided before any engine is
// asked. (smoke.unknown_runner is for ids the registry names.)
TEST(RunnerSmoke, UnknownRunnerAndBadIdAreUsageErrors) {
  for (const std::string& id : {std::string("no-such-runner"), std::string("../x")}) {
    CheckRequest req = smoke_request(id);
    RunReport rep;
    std::string err;
    EXPECT_FALSE(run_check(req, rep, err)) << id;
    EXPECT_EQ(err.rfind("--runner: ", 0), 0u) << err;
    EXPECT_NE(err.find(id == "../x" ? "is not a runner id" : "no-such-runner"), std::string::npos) << err;
  }
}

TEST(RunnerSmoke, WrongDeclaredVersionIsCaught) {
  REQUIRE_ENGINE();
  TempDir tmp;
  copy_tree(runners(), tmp / "runners");
  std::string y = read_file(tmp / "runners/python-3.11-local/runner.yaml");
  y.replace(y.find("\"3.11.\""), 7, "\"3.12.\"");
  y.replace(y.find("runtime_type: python"), 20, "runtime_type: pypy");
  // Under an id that names no runtime: python-3.11-local fixes runtime_type
  // python, so there the definition itself is refused.
  write_file(tmp / "runners/python-3.11-local/runner.yaml", y);
  fs::create_directories(tmp / "runners/py-local");
  for (const std::string f : {"runner.yaml", "Containerfile"})
    fs::copy_file(tmp / ("runners/python-3.11-local/" + f), tmp / ("runners/py-local/" + f));
  for (const auto& [id, want] : {std::pair{std::string("py-local"), std::vector<std::string>{"smoke.runtime_type_mismatch",
                                                                                            "smoke.runtime_version_mismatch"}},
                                 std::pair{std::string("python-3.11-local"),
                                           std::vector<std::string>{"smoke.definition_invalid"}}}) {
    CheckRequest req = smoke_request(id, tmp / "runners");
    RunReport rep;
    std::string err;
    ASSERT_TRUE(run_check(req, rep, err)) << err;
    EXPECT_EQ(codes_of(rep, "GATE-V2-RUNNER-SMOKE-01", Severity::Error, rep.packs.at(0).path), want) << id;
  }
}

TEST(RunnerSmoke, NoEngineIsSkipOrErrorUnderRequireEngine) {
  // Runs without any engine on PATH, so it needs none.
  TempDir empty;
  std::string old = std::getenv("PATH") ? std::getenv("PATH") : "";
  ::setenv("PATH", empty.path().c_str(), 1);
  RunReport rep = smoke("python-3.11-local");
  CheckRequest req = smoke_request("");
  req.options.require_engine = true;
  RunReport strict;
  std::string err;
  bool ran = run_check(req, strict, err);
  ::setenv("PATH", old.c_str(), 1);
  const GateResult& g = result_of(rep, "GATE-V2-RUNNER-SMOKE-01", rep.packs.at(0).path);
  EXPECT_EQ(g.status, GateStatus::Skip);
  EXPECT_NE(g.skip_reason.find("no container engine"), std::string::npos) << g.skip_reason;
  ASSERT_TRUE(ran) << err;
  EXPECT_TRUE(has_code(strict, "GATE-V2-RUNNER-SMOKE-01", "smoke.no_engine", runners()));
  EXPECT_EQ(exit_code(strict), 1);
}

// The same definition built twice gives the same image reference, and under
// podman the same image id.
TEST(RunnerImage, RebuildIsReproducible) {
  REQUIRE_ENGINE();
  runner::Engine e = engine();
  std::string err;
  runner::RunnerDef def;
  ASSERT_TRUE(runner::load_runner_def(runners(), "node-20-local", def, err)) << err;
  runner::ImageResult a, b;
  ASSERT_TRUE(runner::ensure_image(e, def, {.rebuild = false, .output = runner::OutputMode::Capture}, a, err)) << err;
  ASSERT_TRUE(runner::ensure_image(e, def, {.rebuild = true, .output = runner::OutputMode::Capture}, b, err)) << err;
  EXPECT_TRUE(b.built);
  EXPECT_EQ(a.ref, b.ref);
  EXPECT_EQ(runner::image_id(e, b.ref), b.id);  // the tag names the image just built
  if (e.name != "podman")
    GTEST_SKIP() << "SKIPPED the image-id comparison: " << e.name
                 << "'s builder records the build time (it has no --timestamp), so ids differ by design";
  EXPECT_EQ(a.id, b.id);
}

// The Debian base: mmdebstrap twice (slow, about a minute each).
TEST(RunnerImage, DebianBaseIsReproducible) {
  REQUIRE_ENGINE();
  runner::Engine e = engine();
  std::string err;
  if (e.name != "podman") GTEST_SKIP() << "SKIPPED: only podman import honours the tarball's mtime";
  // The executor builds the base (or reuses it) for python-3.11-local.
  runner::RunnerDef def;
  ASSERT_TRUE(runner::load_runner_def(runners(), "python-3.11-local", def, err)) << err;
  runner::ImageResult img;
  ASSERT_TRUE(runner::ensure_image(e, def, {.output = runner::OutputMode::Capture}, img, err)) << err;
  runner::ProcessSpec s;
  s.argv = {"podman", "image", "inspect", "--format", "{{.Id}}", "localhost/mplp-debian-12:bookworm-2"};
  runner::ProcessResult before = runner::run_process(s);
  ASSERT_EQ(before.exit_code, 0) << before.err;
  std::string label = runner::base_definition_hash(read_file(runners() + "/_base/debian-12/build.sh"));
  runner::ProcessSpec b;
  // A tag of this process: test runs side by side never share it.
  const std::string repro = "localhost/mplp-debian-12-repro:test-" + std::to_string(::getpid());
  b.argv = {"sh", runners() + "/_base/debian-12/build.sh", repro};
  b.env = {"SOURCE_DATE_EPOCH=1704067200", "MPLP_BASE_LABEL=" + label};
  runner::ProcessResult r = runner::run_process(b);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  s.argv.back() = repro;
  runner::ProcessResult after = runner::run_process(s);
  runner::ProcessSpec rm;
  rm.argv = {"podman", "rmi", repro};
  runner::run_process(rm);
  EXPECT_EQ(before.out, after.out);
}

// A base whose org.mplp.definition label is not the hash of today's build.sh
// is used with a note to rebuild it; one with the right label gets no note
// (id and label come from one inspect since issue 16, point 8).
TEST(RunnerImage, BaseFromAnotherDefinitionIsUsedWithANote) {
  REQUIRE_ENGINE();
  runner::Engine e = engine();
  TempDir tmp;
  const std::string label = runner::base_definition_hash(read_file(runners() + "/_base/debian-12/build.sh"));
  const std::string tag = "localhost/mplp-test-base-label-" + std::to_string(::getpid());
  for (const auto& [suffix, value, noted] : {std::tuple{"stale", std::string("other-definition"), true},
                                             std::tuple{"fresh", label, false}}) {
    const std::string ref = tag + ":" + suffix;
    write_file(tmp / "ctx/Containerfile",
               "FROM localhost/mplp-debian-12:bookworm-2\nLABEL org.mplp.definition=" + value + "\n");
    EngineOutput b = engine_cmd({"build", "-q", "-t", ref, "-f", tmp / "ctx/Containerfile", tmp / "ctx"});
    ASSERT_EQ(b.exit_code, 0) << b.err;
    const std::string dir = tmp / suffix;
    copy_tree(runners(), dir);
    for (const char* f : {"/python-3.11-local/runner.yaml", "/python-3.11-local/Containerfile"}) {
      std::string y = read_file(dir + f);
      y.replace(y.find("localhost/mplp-debian-12:bookworm-2"), 35, ref);
      write_file(dir + f, y);
    }
    runner::RunnerDef def;
    std::string err;
    ASSERT_TRUE(runner::load_runner_def(dir, "python-3.11-local", def, err)) << err;
    runner::ImageResult img;
    bool ok = runner::ensure_image(e, def, {.output = runner::OutputMode::Capture}, img, err);
    engine_cmd({"rmi", img.ref});
    engine_cmd({"rmi", ref});
    ASSERT_TRUE(ok) << err;
    bool has_note = false;
    for (const std::string& n : img.notes)
      has_note = has_note || (n.find("base image " + ref + " was built from another version") != std::string::npos &&
                              n.find("mplp-gate base build debian-12") != std::string::npos);
    EXPECT_EQ(has_note, noted) << suffix;
  }
}

// QA-40: a RUN step that never ends held `check --runners` and `run`
// forever. The build has a time limit (run --build-timeout, default one
// hour); past it the build is stopped and says so.
TEST(RunnerImage, ABuildOverItsTimeLimitIsStopped) {
  REQUIRE_ENGINE();
  runner::Engine e = engine();
  TempDir tmp;
  copy_tree(runners(), tmp / "runners");
  const std::string cf = tmp / "runners/python-3.11-local/Containerfile";
  write_file(cf, read_file(cf) + "RUN sleep 4567\n");
  runner::RunnerDef def;
  std::string err;
  ASSERT_TRUE(runner::load_runner_def(tmp / "runners", "python-3.11-local", def, err)) << err;
  runner::ImageResult img;
  const auto start = std::chrono::steady_clock::now();
  bool ok = runner::ensure_image(e, def, {.rebuild = true, .output = runner::OutputMode::Capture, .timeout_seconds = 3},
                                 img, err);
  const auto seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  EXPECT_FALSE(ok);
  EXPECT_NE(err.find("build of runner 'python-3.11-local' failed: timed out after 3 s"), std::string::npos) << err;
  EXPECT_LT(seconds, 60) << "the build ran its RUN step to the end";
  // The step's process, in a session of its own under podman, is killed with the build.
  auto step_running = [] {
    for (const auto& e : fs::directory_iterator("/proc")) {
      std::string cmdline;
      try {
        cmdline = read_file(e.path() / "cmdline");
      } catch (...) {
        continue;
      }
      if (cmdline == std::string("sleep\0" "4567\0", 11)) return true;
    }
    return false;
  };
  if (e.name == "podman") {  // docker's steps run under its daemon, which ends them itself
    for (int i = 0; i < 50 && step_running(); ++i) ::usleep(100000);
    EXPECT_FALSE(step_running()) << "the RUN step outlived its build";
  }
  // The same through the command line.
  RunResult r = run_tool({"run", "--engine", test_engine(), "--runners", tmp / "runners", "--runner",
                          "python-3.11-local", "--rebuild", "--build-timeout", "3", "--cmd", "true", "--out-dir", tmp / "out"});
  EXPECT_EQ(r.exit_code, 2) << r.err;
  EXPECT_NE(r.err.find("timed out after 3 s"), std::string::npos) << r.err;
  EXPECT_FALSE(fs::exists(tmp / "out"));
  RunResult bad = run_tool({"run", "--runner", "x", "--build-timeout", "0", "--cmd", "true", "--out-dir", tmp / "o"});
  EXPECT_EQ(bad.exit_code, 2);
  EXPECT_NE(bad.err.find("--build-timeout"), std::string::npos) << bad.err;
}

// End to end: a producer through `mplp-gate run`, then `mplp-gate check`.
TEST(RunE2E, ProducerPackPassesEveryGateAndTamperingFailsIntegrity) {
  REQUIRE_ENGINE();
  TempDir tmp;
  std::string pack = tmp / "runs/example-001";
  RunResult r = run_tool(run_args("node-20-local", kProducer, pack));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("example producer: wrote"), std::string::npos) << r.out;  // streamed
  runner::Engine e = engine();
  EXPECT_NE(r.err.find("mplp-gate run: engine " + runner::describe(e) + "\n"), std::string::npos) << r.err;
  RunResult c = run_tool({"check", "--repo-root", source_root(), pack});
  EXPECT_EQ(c.exit_code, 0) << c.out;
  EXPECT_EQ(c.out.find("FAIL"), std::string::npos) << c.out;
  // container_digest is the id of the image that ran.
  std::string meta = read_file(pack + "/reports/runner.meta.json");
  std::string err;
  runner::RunnerDef def;
  ASSERT_TRUE(runner::load_runner_def(runners(), "node-20-local", def, err));
  runner::ImageResult img;
  ASSERT_TRUE(runner::ensure_image(e, def, {.output = runner::OutputMode::Capture}, img, err));
  EXPECT_NE(meta.find("\"container_digest\": \"" + img.id + "\""), std::string::npos) << meta;
  EXPECT_NE(meta.find("\"runtime_version\": \"20."), std::string::npos) << meta;

  for (const auto& [rel, bytes] : snapshot(pack)) {
    if (rel.rfind("integrity/", 0) == 0) continue;
    TempDir t2;
    copy_tree(pack, t2 / "p");
    write_file(t2 / "p" + "/" + rel, bytes + " ");
    EXPECT_EQ(status_of(check({t2 / "p"}), "GATE-V2-INTEGRITY-01"), GateStatus::Fail) << rel;
  }
}

TEST(RunE2E, AFailingCommandFailsTheRunWithItsStatusAndLeavesPackUntouched) {
  REQUIRE_ENGINE();
  TempDir tmp;
  std::string pack = tmp / "pack";
  write_file(pack + "/keep.txt", "old\n");
  auto before = snapshot(pack);
  RunResult r = run_tool(run_args("python-3.11-local", "echo partial > /workspace/out/keep.txt; exit 7", pack));
  // CMD's status is in the message; run's own is 1 (QA-53: a CMD's 2 read
  // as "could not run", its 137 as neither).
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("run: CMD exited with status 7"), std::string::npos) << r.err;
  EXPECT_EQ(snapshot(pack), before);
  EXPECT_FALSE(fs::exists(pack + "/reports/runner.meta.json"));
  r = run_tool(run_args("python-3.11-local", "exit 2", pack));
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("run: CMD exited with status 2"), std::string::npos) << r.err;
  // 125 is the engine's status when it could not start the container.
  r = run_tool(run_args("python-3.11-local", "exit 125", pack));
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("run: CMD exited with status 125 (the engine could not start the container)"),
            std::string::npos)
      << r.err;
  EXPECT_EQ(snapshot(pack), before);
}

TEST(RunE2E, NetworkIsOffAndRepoIsNotWritten) {
  REQUIRE_ENGINE();
  TempDir tmp;
  TempDir repo;
  write_file(repo / "data.txt", "repo\n");
  std::string pack = tmp / "pack";
  // The producer may write in /workspace (it sees its own writes), but the
  // repository does not change; the executor's ulimits apply inside.
  auto args = run_args("python-3.11-local",
                       "ls /sys/class/net > /workspace/out/net.txt; cat data.txt > /workspace/out/copy.txt;"
                       " echo changed > data.txt && touch new.txt && cat data.txt > /workspace/out/after.txt;"
                       " ulimit -n > /workspace/out/nofile.txt",
                       pack);
  args.insert(args.end(), {"--repo-root", repo.path()});
  RunResult r = run_tool(args);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(read_file(pack + "/net.txt"), "lo\n");
  EXPECT_EQ(read_file(pack + "/copy.txt"), "repo\n");
  EXPECT_EQ(read_file(pack + "/after.txt"), "changed\n");
  EXPECT_EQ(read_file(repo / "data.txt"), "repo\n");
  EXPECT_FALSE(fs::exists(repo / "new.txt"));
  std::vector<std::string> limits = runner::ulimit_args();  // --ulimit nofile=N:N ...
  std::string nofile = limits.at(1).substr(limits.at(1).find('=') + 1);
  EXPECT_EQ(read_file(pack + "/nofile.txt"), nofile.substr(0, nofile.find(':')) + "\n");
}

TEST(RunE2E, KilledAtAnyStepLeavesPackUntouchedOrSealed) {
  REQUIRE_ENGINE();
  for (const char* step : {"staged", "ran", "sealed-meta", "sealed-manifest", "sealed-sums", "committed"}) {
    TempDir tmp;
    std::string pack = tmp / "pack";
    write_file(pack + "/old.txt", "previous run\n");
    auto before = snapshot(pack);
    Paused p = run_and_kill_at(run_args("node-20-local", kProducer, pack), step);
    ASSERT_TRUE(p.reached) << step << ": " << p.err;
    if (std::string(step) != "committed") {
      EXPECT_EQ(snapshot(pack), before) << step;
    } else {
      EXPECT_TRUE(fs::exists(pack + "/reports/runner.meta.json"));
      RunReport rep = check({pack});
      for (const PackResult& pr : rep.packs)
        for (const GateResult& g : pr.gates) EXPECT_NE(g.status, GateStatus::Fail) << g.gate_id;
    }
  }
}

// Killed while the container runs: the container writes into the staging
// directory, never into the pack.
TEST(RunE2E, KilledDuringCommandLeavesPackUntouched) {
  REQUIRE_ENGINE();
  TempDir tmp;
  std::string pack = tmp / "pack";
  write_file(pack + "/old.txt", "previous run\n");
  auto before = snapshot(pack);
  pid_t pid = ::fork();
  if (pid == 0) {
    std::string bin = gate_binary();
    auto args = run_args("python-3.11-local", "echo new > /workspace/out/old.txt; sleep 3", pack);
    std::vector<char*> argv{bin.data()};
    for (std::string& a : args) argv.push_back(a.data());
    argv.push_back(nullptr);
    ::execv(bin.c_str(), argv.data());
    ::_exit(127);
  }
  bool written = false;
  for (int i = 0; i < 600 && !written; ++i) {
    for (auto& e : fs::directory_iterator(tmp.path()))
      if (e.path().filename().string().find(".mplp-stage") != std::string::npos &&
          fs::exists(e.path() / "old.txt") && read_file((e.path() / "old.txt").string()) == "new\n")
        written = true;
    if (!written) ::usleep(100000);
  }
  ::kill(pid, SIGKILL);
  ::waitpid(pid, nullptr, 0);
  EXPECT_TRUE(written);
  EXPECT_EQ(snapshot(pack), before);
  ::sleep(4);  // the container finishes on its own
  EXPECT_EQ(snapshot(pack), before);
}

}  // namespace
}  // namespace mplp::test

namespace mplp::test {
namespace {

// fixtures/runner-smoke/{pass,fail}-*/runners: runner directories run with
// the repository's runners/_base beside them (no registry: every directory),
// checked against their expected-findings files (fixtures/README.md) as the
// e2e suite checks every other gate's fixtures, under the suite's engine.
class RunnerSmokeFixtures : public ::testing::TestWithParam<Expectation> {};

TEST_P(RunnerSmokeFixtures, ReportMatches) {
  REQUIRE_ENGINE();
  const Expectation& e = GetParam();
  TempDir tmp;
  copy_tree((e.dir() / "runners").string(), tmp / "runners");
  copy_tree(runners() + "/_base", tmp / "runners/_base");
  check_expectation(e, tmp.path(), {"--engine", test_engine()});
}

INSTANTIATE_TEST_SUITE_P(Fixtures, RunnerSmokeFixtures, ::testing::ValuesIn(discover_expectations(true)),
                         [](const ::testing::TestParamInfo<Expectation>& info) {
                           return expectation_test_name(info.param);
                         });

TEST(RunnerSmoke, EveryEngineFixtureHasExpectations) {
  EXPECT_GE(discover_expectations(true).size(), 2u) << "fixtures/runner-smoke/*.expected-findings.txt";
}

}  // namespace
}  // namespace mplp::test
