// Issue 16 point 8 through the built binary with a real engine: what `run`
// asks the engine, counted by a wrapper of the engine's binary first on PATH
// (it logs its arguments, one line a call, and execs the real one). A run with a warm cache
// makes one image inspection and the container's `run`, and lists no
// containers; a run killed with its container running leaves a marker, and
// the next run lists and removes that container; the remembered base id is
// only a guess: a base whose id changed is never taken for the old one.
// Each test has its own cache directory (XDG_CACHE_HOME). Without an engine
// these tests say SKIPPED (and fail under CI=true).
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <thread>

#include "runner/engine.h"
#include "runner/process.h"
#include "runner_test_util.h"
#include "test_util.h"

namespace mplp::test {
namespace {

namespace fs = std::filesystem;

const char* kRunner = "python-3.11-local";
const char* kBase = "localhost/mplp-debian-12:bookworm-2";

// The engine's binary behind a logging wrapper, and a private cache.
class CountedEngine {
 public:
  CountedEngine() {
    runner::Engine e;
    std::string why;
    ok_ = runner::detect_engine(test_engine(), e, why);
    name_ = e.name;
    real_ = e.binary;
    ::chmod(bin_.path().c_str(), 0755);
    log_ = tmp_ / "calls.log";
    write_file(bin_ / e.name, "#!/bin/sh\n{ printf '%s' \"$*\" | tr '\\n' ' '; echo; } >> '" + log_ + "'\nexec '" + real_ + "' \"$@\"\n");
    ::chmod((bin_ / e.name).c_str(), 0755);
    const char* path = std::getenv("PATH");
    path_ = std::make_unique<ScopedEnv>("PATH", (bin_.path() + ":" + (path ? path : "/usr/bin:/bin")).c_str());
    cache_ = std::make_unique<ScopedEnv>("XDG_CACHE_HOME", (tmp_ / "cache").c_str());
  }
  bool ok() const { return ok_; }
  const std::string& name() const { return name_; }
  std::string cache(const std::string& area) const { return tmp_ / ("cache/mplp-gate/" + area); }
  // The engine calls since the last call of calls(), one line each.
  std::vector<std::string> calls() {
    std::vector<std::string> lines;
    if (fs::exists(log_)) {
      std::string all = read_file(log_);
      for (std::size_t at = 0; at < all.size();) {
        std::size_t nl = all.find('\n', at);
        lines.push_back(all.substr(at, nl - at));
        at = nl == std::string::npos ? all.size() : nl + 1;
      }
      fs::remove(log_);
    }
    return lines;
  }
  // `real args...`, not counted.
  runner::ProcessResult real(const std::vector<std::string>& args) const {
    runner::ProcessSpec s;
    s.argv = {real_};
    s.argv.insert(s.argv.end(), args.begin(), args.end());
    s.timeout_seconds = 600;
    return runner::run_process(s);
  }

 private:
  TempDir tmp_, bin_;
  bool ok_ = false;
  std::string name_, real_, log_;
  std::unique_ptr<ScopedEnv> path_, cache_;
};

std::size_t starting(const std::vector<std::string>& calls, const std::string& prefix) {
  std::size_t n = 0;
  for (const std::string& c : calls) n += c.rfind(prefix, 0) == 0 ? 1 : 0;
  return n;
}

std::string joined(const std::vector<std::string>& calls) {
  std::string s;
  for (const std::string& c : calls) s += "  " + c.substr(0, 160) + "\n";
  return s;
}

std::vector<std::string> run_args(const std::string& runners, const std::string& cmd, const std::string& out) {
  return {"run", "--engine", test_engine(), "--runners", runners, "--runner", kRunner, "--cmd", cmd, "--out-dir", out};
}

std::vector<std::string> markers(const std::string& dir) {
  std::vector<std::string> names;
  if (fs::is_directory(dir))
    for (const auto& e : fs::directory_iterator(dir)) names.push_back(e.path().filename().string());
  return names;
}

TEST(RunCost, AWarmRunAsksTheEngineForOneInspectionAndTheContainerAlone) {
  REQUIRE_ENGINE();
  CountedEngine engine;
  ASSERT_TRUE(engine.ok());
  TempDir tmp;
  std::string runners = source_root() + "/runners";
  RunResult first = run_tool(run_args(runners, "true", tmp / "p1"));
  ASSERT_EQ(first.exit_code, 0) << first.err;
  std::vector<std::string> cold = engine.calls();
  // A fresh cache: the containers are listed once (no marker directory yet).
  EXPECT_EQ(starting(cold, "ps "), 1u) << joined(cold);
  EXPECT_TRUE(markers(engine.cache("runs")).empty()) << "a run that ended leaves no marker";

  RunResult warm = run_tool(run_args(runners, "echo warm > /workspace/out/w.txt", tmp / "p2"));
  ASSERT_EQ(warm.exit_code, 0) << warm.err;
  std::vector<std::string> calls = engine.calls();
  EXPECT_EQ(starting(calls, "image inspect "), 1u) << joined(calls);
  EXPECT_EQ(starting(calls, "run "), 1u) << joined(calls);
  EXPECT_EQ(starting(calls, "ps "), 0u) << joined(calls);
  // The engine's version is kept: podman's under its binary, docker's under
  // its client and its daemon's socket (a restarted daemon makes a new one).
  EXPECT_EQ(calls.size(), 2u) << joined(calls);
  EXPECT_EQ(read_file(tmp / "p2/w.txt"), "warm\n");
  EXPECT_TRUE(markers(engine.cache("runs")).empty());
  // The same image as the cold run, and its id is what the pack records.
  std::string meta = read_file(tmp / "p2/reports/runner.meta.json");
  EXPECT_EQ(meta.substr(meta.find("\"container_digest\"")).substr(0, 100),
            read_file(tmp / "p1/reports/runner.meta.json")
                .substr(read_file(tmp / "p1/reports/runner.meta.json").find("\"container_digest\""))
                .substr(0, 100));
}

TEST(RunCost, ARunKilledWithItsContainerLeavesAMarkerAndTheNextRunRemovesTheContainer) {
  REQUIRE_ENGINE();
  CountedEngine engine;
  ASSERT_TRUE(engine.ok());
  TempDir tmp;
  std::string runners = source_root() + "/runners";
  ASSERT_EQ(run_tool(run_args(runners, "true", tmp / "warm")).exit_code, 0);
  engine.calls();

  std::vector<std::string> args = run_args(runners, "sleep 600", tmp / "killed");
  args.insert(args.begin(), gate_binary());
  pid_t pid = ::fork();
  if (pid == 0) {
    std::vector<char*> argv;
    for (std::string& a : args) argv.push_back(a.data());
    argv.push_back(nullptr);
    ::execv(argv[0], argv.data());
    ::_exit(127);
  }
  ASSERT_GT(pid, 0);
  std::string name_part = "mplp-run-" + std::to_string(pid) + "-";
  auto container = [&] {
    runner::ProcessResult r = engine.real({"ps", "-q", "--filter", "name=" + name_part});
    return r.exit_code == 0 ? r.out.substr(0, r.out.find('\n')) : std::string();
  };
  std::string id;
  for (int i = 0; i < 240 && (id = container()).empty(); ++i) std::this_thread::sleep_for(std::chrono::milliseconds(500));
  ASSERT_FALSE(id.empty()) << "the producer's container did not start";
  EXPECT_EQ(markers(engine.cache("runs")).size(), 1u) << "a running run has its marker";
  ::kill(pid, SIGKILL);
  ::waitpid(pid, nullptr, 0);
  EXPECT_EQ(markers(engine.cache("runs")).size(), 1u) << "a killed run keeps its marker";
  EXPECT_FALSE(container().empty()) << "SIGKILL leaves the container running";
  engine.calls();

  RunResult next = run_tool(run_args(runners, "true", tmp / "next"));
  EXPECT_EQ(next.exit_code, 0) << next.err;
  std::vector<std::string> calls = engine.calls();
  EXPECT_EQ(starting(calls, "ps "), 1u) << joined(calls);
  EXPECT_NE(next.err.find("removed container"), std::string::npos) << next.err;
  EXPECT_TRUE(container().empty()) << "the orphan is still there";
  EXPECT_TRUE(markers(engine.cache("runs")).empty()) << "the dead run's marker was not removed";

  // Swept: the run after it lists nothing.
  EXPECT_EQ(run_tool(run_args(runners, "true", tmp / "after")).exit_code, 0);
  calls = engine.calls();
  EXPECT_EQ(starting(calls, "ps "), 0u) << joined(calls);

  // A marker of a dead owner (here: a name no live process has) makes a run
  // list the containers, as does a markers directory others may write.
  write_file(engine.cache("runs") + "/00000000.1.1.deadbeef", "");
  EXPECT_EQ(run_tool(run_args(runners, "true", tmp / "again")).exit_code, 0);
  calls = engine.calls();
  EXPECT_EQ(starting(calls, "ps "), 1u) << joined(calls);
  EXPECT_TRUE(markers(engine.cache("runs")).empty());
  ::chmod(engine.cache("runs").c_str(), 0777);
  EXPECT_EQ(run_tool(run_args(runners, "true", tmp / "open1")).exit_code, 0);
  EXPECT_EQ(run_tool(run_args(runners, "true", tmp / "open2")).exit_code, 0);
  calls = engine.calls();
  EXPECT_EQ(starting(calls, "ps "), 2u) << "an unsafe markers directory is not believed\n" << joined(calls);
}

// A copy of the runners directory whose python runner stands on base `ref`.
std::string runners_on(const TempDir& tmp, const std::string& ref) {
  std::string dir = tmp / "runners";
  copy_tree(source_root() + "/runners/" + kRunner, dir + "/" + kRunner);
  copy_tree(source_root() + "/runners/_base", dir + "/_base");
  for (const char* f : {"/runner.yaml", "/Containerfile"}) {
    std::string p = dir + "/" + kRunner + f, s = read_file(p);
    for (std::size_t at; (at = s.find(kBase)) != std::string::npos;) s.replace(at, std::string(kBase).size(), ref);
    write_file(p, s);
  }
  return dir;
}

std::string digest_of(const std::string& pack) {
  std::string meta = read_file(pack + "/reports/runner.meta.json");
  std::size_t at = meta.find("sha256:", meta.find("\"container_digest\""));
  return at == std::string::npos ? "" : meta.substr(at, 71);
}

TEST(RunCost, ABaseWhoseIdChangedIsNeverTakenForTheOneRemembered) {
  REQUIRE_ENGINE();
  CountedEngine engine;
  ASSERT_TRUE(engine.ok());
  TempDir tmp;
  // A base reference of this test alone, first on the shared Debian base.
  const std::string ref = "localhost/mplp-test-rebased-" + std::to_string(::getpid()) + ":base";
  ASSERT_EQ(engine.real({"tag", kBase, ref}).exit_code, 0);
  std::string runners = runners_on(tmp, ref);
  std::vector<std::string> made = {ref};
  struct Cleanup {
    const CountedEngine& e;
    std::vector<std::string>& refs;
    ~Cleanup() {
      for (const std::string& r : refs) e.real({"rmi", "-f", r});
    }
  } cleanup{engine, made};

  RunResult first = run_tool(run_args(runners, "true", tmp / "p1"));
  ASSERT_EQ(first.exit_code, 0) << first.err;
  std::string first_image = digest_of(tmp / "p1");
  ASSERT_FALSE(first_image.empty());
  engine.calls();
  ASSERT_EQ(run_tool(run_args(runners, "true", tmp / "p2")).exit_code, 0);
  EXPECT_EQ(starting(engine.calls(), "image inspect "), 1u) << "the warm path";
  EXPECT_EQ(digest_of(tmp / "p2"), first_image);

  // The base reference now names another image (a label more): the runner's
  // image built on the old base must not be used, although its reference
  // still exists and the old base id is remembered.
  std::string ctx = tmp / "ctx";
  write_file(ctx + "/Containerfile", "FROM " + std::string(kBase) + "\nLABEL org.mplp.test-rebased=yes\n");
  runner::ProcessResult b = engine.real({"build", "-t", ref, "-f", ctx + "/Containerfile", ctx});
  ASSERT_EQ(b.exit_code, 0) << b.err;
  RunResult rebased = run_tool(run_args(runners, "true", tmp / "p3"));
  ASSERT_EQ(rebased.exit_code, 0) << rebased.err;
  std::string new_image = digest_of(tmp / "p3");
  EXPECT_NE(new_image, first_image) << "the image of the old base ran";
  std::vector<std::string> calls = engine.calls();
  EXPECT_GE(starting(calls, "image inspect "), 2u) << joined(calls);
  EXPECT_EQ(starting(calls, "build "), 1u) << joined(calls);
  for (const std::string& c : calls)
    if (c.rfind("build ", 0) == 0) made.push_back(c.substr(c.find(" -t ") + 4, c.find(' ', c.find(" -t ") + 4) - c.find(" -t ") - 4));
  // The new base is remembered: warm again, on the new image.
  ASSERT_EQ(run_tool(run_args(runners, "true", tmp / "p4")).exit_code, 0);
  EXPECT_EQ(starting(engine.calls(), "image inspect "), 1u);
  EXPECT_EQ(digest_of(tmp / "p4"), new_image);

  // A remembered id that is wrong (or garbage) costs a call, never the image.
  for (const auto& e : fs::directory_iterator(engine.cache("bases")))
    write_file(e.path().string(), "sha256:" + std::string(64, 'a') + "\n");
  ASSERT_EQ(run_tool(run_args(runners, "true", tmp / "p5")).exit_code, 0);
  EXPECT_EQ(digest_of(tmp / "p5"), new_image);
  for (const auto& e : fs::directory_iterator(engine.cache("bases"))) write_file(e.path().string(), "not an id\n");
  ASSERT_EQ(run_tool(run_args(runners, "true", tmp / "p6")).exit_code, 0);
  EXPECT_EQ(digest_of(tmp / "p6"), new_image);
}

}  // namespace
}  // namespace mplp::test
