// Helpers of the executor tests: engine availability (skip, or fail in CI),
// spawning the built binary with a test pause point and killing or resuming
// it, snapshots of a directory tree, and the engine's command line. The
// local runners' Debian base image is built once, before the first test, by
// `mplp-gate base build debian-12` when it is missing (run and check never
// build it).
#pragma once

#include <map>
#include <string>
#include <vector>

namespace mplp::test {

// The engine these tests run: MPLP_TEST_ENGINE (podman or docker; CI runs
// the suite once per engine), else "auto". Every `run` and smoke check of
// the tests passes it as --engine.
std::string test_engine();

// True when the test engine is usable. Otherwise prints why; in CI
// (CI=true) the caller must fail instead of skipping.
bool engine_available(std::string& reason);
bool in_ci();

// Every regular file below `dir`: relative path -> bytes.
std::map<std::string, std::string> snapshot(const std::string& dir);

struct Paused {
  bool reached = false;  // the pause line appeared before the process ended
  int exit_code = -1;    // when it ended by itself
  std::string err;       // its stderr
};
// Runs the built mplp-gate with MPLP_GATE_TEST_PAUSE_AT=step; once it
// announces the pause, SIGKILLs it.
Paused run_and_kill_at(const std::vector<std::string>& args, const std::string& step);

// Every entry below `dir` (links not followed, `dir` itself as ""): relative
// path -> "type mode uid:gid" and, for regular files, their bytes (files
// over 16 MiB: their size and modification time).
std::map<std::string, std::string> tree_state(const std::string& dir);

// The built mplp-gate paused at `step` (MPLP_GATE_TEST_PAUSE_AT) until
// resume() lets it go on (MPLP_GATE_TEST_RESUME_ON).
class PausedRun {
 public:
  PausedRun(const std::vector<std::string>& args, const std::string& step);
  ~PausedRun();
  bool reached() const { return reached_; }
  int resume(std::string& err);  // its exit code and whole stderr
  long pid() const { return pid_; }

 private:
  long pid_ = -1;
  int err_fd_ = -1;
  bool reached_ = false;
  std::string err_, resume_file_;
};

// `<engine> args...` (podman or docker, as detected), output captured.
struct EngineOutput {
  int exit_code = -1;
  std::string out, err;
};
EngineOutput engine_cmd(const std::vector<std::string>& args);

}  // namespace mplp::test

#define REQUIRE_ENGINE()                                                                   \
  do {                                                                                     \
    std::string why_;                                                                      \
    if (!::mplp::test::engine_available(why_)) {                                           \
      if (::mplp::test::in_ci()) FAIL() << "CI=true but no container engine: " << why_;    \
      GTEST_SKIP() << "SKIPPED: needs a container engine (" << why_ << ")";               \
    }                                                                                      \
  } while (0)
