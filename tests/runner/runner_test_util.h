// Helpers of the executor tests: engine availability (skip, or fail in CI),
// spawning the built binary with a test pause point and killing it, and
// snapshots of a directory tree.
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

}  // namespace mplp::test

#define REQUIRE_ENGINE()                                                                   \
  do {                                                                                     \
    std::string why_;                                                                      \
    if (!::mplp::test::engine_available(why_)) {                                           \
      if (::mplp::test::in_ci()) FAIL() << "CI=true but no container engine: " << why_;    \
      GTEST_SKIP() << "SKIPPED: needs a container engine (" << why_ << ")";               \
    }                                                                                      \
  } while (0)
