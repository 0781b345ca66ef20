// Child processes for the executor: the container engine, npm and the base
// image scripts. No shell is involved (argv is passed as is), stdin is
// /dev/null, and output is either passed on (the CLI streams a producer's
// output) or captured (gates never print; captures keep the last bytes).
// Passed on means read from pipes and written to std::cout and std::cerr as
// it comes, never the child writing to our descriptors: whatever filter the
// CLI put in front of those streams applies to a producer's or a build
// step's output too (stderr_guard.h: a stranger's bytes must not drive a
// terminal or forge a CI log's workflow commands; QA-53).
//
// How a child is run: posix_spawn (glibc's clone(CLONE_VFORK)), so a failed
// exec comes back from the spawn itself with its errno (ENOENT, EACCES,
// ENOEXEC...); the child gets descriptors 0, 1 and 2 and nothing else of ours
// (every descriptor we open is O_CLOEXEC, and the spawn closes 3 and above);
// it leads a process group of its own (child_groups.h: an interrupt of ours
// is passed on to it). Its end is awaited through its pidfd, together with
// its output, with no polling. On the time limit the whole group is killed
// (SIGKILL), the child too if it left the group; its output is then read
// for at most 2 s more (a process that left the group may hold the pipes),
// as it is after a normal exit of the child, and every descriptor is closed
// on every path.
//
//   ProcessSpec s;
//   s.argv = {"podman", "image", "inspect", "--format", "{{.Id}}", ref};
//   s.output = OutputMode::Capture;
//   ProcessResult r = run_process(s);
//   if (!r.started) ... r.error, r.error_number;  else if (r.exit_code != 0) ... r.err;
#pragma once

#include <string>
#include <vector>

namespace mplp::runner {

enum class OutputMode { Inherit, Capture };  // Inherit: passed on to std::cout and std::cerr

struct ProcessSpec {
  std::vector<std::string> argv;      // argv[0] is looked up in PATH
  std::vector<std::string> env;       // "NAME=value" added to (or replacing in) our environment
  std::string cwd;                    // "" = ours
  OutputMode output = OutputMode::Capture;
  unsigned timeout_seconds = 0;       // 0 = none; on expiry the child's process group is killed (SIGKILL)
  std::size_t capture_limit = 1 << 20;  // bytes kept per stream (the last ones)
  // Runs even when an interrupt is pending (child_groups.h): removing what
  // an interrupted child left. Any other process is then not started, and
  // one running is stopped as on its time limit (`interrupted`).
  bool cleanup = false;
};

struct ProcessResult {
  bool started = false;  // false: `error` says why (e.g. not found)
  std::string error;
  int error_number = 0;  // with !started: the errno (ENOENT when not in PATH or no such cwd)
  int exit_code = -1;    // 128+N when killed by signal N
  bool timed_out = false;
  bool interrupted = false;  // stopped by a pending interrupt (SIGINT, SIGTERM, SIGHUP)
  std::string out;       // captured stdout (Capture mode)
  std::string err;       // captured stderr (Capture mode)
};

ProcessResult run_process(const ProcessSpec& spec);

// The executable `name` found in PATH ("" when absent).
std::string find_in_path(const std::string& name);

// The last line(s) of captured output, trimmed, for error messages.
std::string tail_text(const std::string& text, std::size_t max_bytes = 2000);

}  // namespace mplp::runner
