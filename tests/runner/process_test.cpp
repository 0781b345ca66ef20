// Issue 17, point 6: the executor's child processes (runner/process.h), for
// real: a failed exec comes back with its errno; a time limit ends the
// child's whole process group (a shell's background `sleep` too), and an
// interrupt of ours is passed on to that group; output held open by a
// process outside the group never hangs the call; no descriptor of ours
// reaches a child or is left open, on any path. Containers removed after a
// run over its limit: run_hardening_test.cpp and RunContainer below.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <filesystem>
#include <fstream>

#include "runner/child_groups.h"
#include "runner/engine.h"
#include "runner/process.h"
#include "runner_test_util.h"
#include "test_util.h"

namespace mplp::test {
namespace {

namespace fs = std::filesystem;

runner::ProcessResult run(std::vector<std::string> argv, unsigned timeout = 0,
                          runner::OutputMode mode = runner::OutputMode::Capture, std::string cwd = "") {
  runner::ProcessSpec s;
  s.argv = std::move(argv);
  s.timeout_seconds = timeout;
  s.output = mode;
  s.cwd = std::move(cwd);
  return runner::run_process(s);
}

std::size_t open_descriptors() {
  std::size_t n = 0;
  for (auto it = fs::directory_iterator("/proc/self/fd"); it != fs::directory_iterator(); ++it) ++n;
  return n;
}

// A process that is gone: no /proc entry, or a zombie waiting for a reaper
// that is not us (it can run nothing any more).
bool gone(pid_t pid) {
  std::ifstream stat("/proc/" + std::to_string(pid) + "/stat");
  std::string line;
  if (!std::getline(stat, line)) return true;
  std::size_t paren = line.rfind(')');
  return paren != std::string::npos && paren + 2 < line.size() && line[paren + 2] == 'Z';
}

bool eventually_gone(pid_t pid) {
  for (int i = 0; i < 300; ++i) {  // 30 s: a SIGKILL is delivered at once; this only waits for the kernel
    if (gone(pid)) return true;
    ::usleep(100000);
  }
  return gone(pid);
}

pid_t pid_in(const std::string& file) {
  for (int i = 0; i < 300 && (!fs::exists(file) || fs::file_size(file) == 0); ++i) ::usleep(100000);
  std::ifstream in(file);
  long pid = 0;
  in >> pid;
  return static_cast<pid_t>(pid);
}

TEST(Process, AMissingBinaryOrInterpreterIsReportedWithItsErrno) {
  TempDir tmp;
  runner::ProcessResult r = run({"mplp-no-such-binary-h17d"});
  EXPECT_FALSE(r.started);
  EXPECT_EQ(r.error_number, ENOENT);
  EXPECT_NE(r.error.find("mplp-no-such-binary-h17d"), std::string::npos) << r.error;

  // The exec itself fails: the spawn returns execve's errno, no child status.
  write_file(tmp / "no-interpreter", "#!/nonexistent/interpreter\n");
  ::chmod((tmp / "no-interpreter").c_str(), 0755);
  r = run({tmp / "no-interpreter"});
  EXPECT_FALSE(r.started);
  EXPECT_EQ(r.error_number, ENOENT) << r.error;
  EXPECT_NE(r.error.find(std::strerror(ENOENT)), std::string::npos) << r.error;

  write_file(tmp / "not-a-program", "neither a binary nor a #! script\n");
  ::chmod((tmp / "not-a-program").c_str(), 0755);
  r = run({tmp / "not-a-program"});
  EXPECT_FALSE(r.started);
  EXPECT_EQ(r.error_number, ENOEXEC) << r.error;

  r = run({"true"}, 0, runner::OutputMode::Capture, tmp / "no-such-dir");
  EXPECT_FALSE(r.started);
  EXPECT_EQ(r.error_number, ENOENT) << r.error;
  EXPECT_NE(r.error.find("no-such-dir"), std::string::npos) << r.error;

  r = run({"sh", "-c", "exit 3"});
  EXPECT_TRUE(r.started) << r.error;
  EXPECT_EQ(r.error_number, 0);
  EXPECT_EQ(r.exit_code, 3);
}

// The grandchild holds the capture pipes: before, a timed-out call waited
// for them (1000 s); now the group dies and the call returns.
TEST(Process, ATimeLimitEndsTheWholeProcessGroup) {
  for (runner::OutputMode mode : {runner::OutputMode::Capture, runner::OutputMode::Inherit}) {
    TempDir tmp;
    std::string pidfile = tmp / "grandchild";
    runner::ProcessResult r =
        run({"sh", "-c", "sleep 1000 & echo $! > " + shell_quote(pidfile) + "; echo started; wait"}, 3, mode);
    ASSERT_TRUE(r.started) << r.error;
    EXPECT_TRUE(r.timed_out);
    EXPECT_EQ(r.exit_code, 128 + SIGKILL);
    if (mode == runner::OutputMode::Capture) {
      EXPECT_EQ(r.out, "started\n");
    }
    pid_t grandchild = pid_in(pidfile);
    ASSERT_GT(grandchild, 0);
    EXPECT_TRUE(eventually_gone(grandchild)) << "the background sleep outlived the time limit";
    if (!gone(grandchild)) ::kill(grandchild, SIGKILL);  // not left behind by a failure
  }
}

// A process that left the group (setsid) cannot be killed with it; it may
// hold the pipes, which are then read for a short while, not until it ends.
// The same after a normal exit that leaves a background process behind.
TEST(Process, OutputHeldByAProcessOutsideTheGroupDoesNotHangTheCall) {
  TempDir tmp;
  std::string pidfile = tmp / "escaped";
  runner::ProcessResult r =
      run({"sh", "-c", "setsid sh -c 'echo $$ > " + pidfile + "; exec sleep 1000' & echo started; wait"}, 3);
  pid_t escaped = pid_in(pidfile);
  ASSERT_TRUE(r.started) << r.error;
  EXPECT_TRUE(r.timed_out);
  EXPECT_EQ(r.out, "started\n");
  ASSERT_GT(escaped, 0);
  // Below the child when the limit struck, it is killed with it (QA-40: a
  // build step's container process, in a session of its own, outlived
  // `podman build` killed on its limit).
  EXPECT_TRUE(eventually_gone(escaped)) << "a process below the child outlived its time limit";
  if (!gone(escaped)) ::kill(escaped, SIGKILL);

  std::string stray = tmp / "stray";
  r = run({"sh", "-c", "sleep 1000 & echo $! > " + shell_quote(stray) + "; echo done"});
  ASSERT_TRUE(r.started) << r.error;
  EXPECT_FALSE(r.timed_out);
  EXPECT_EQ(r.exit_code, 0);
  EXPECT_EQ(r.out, "done\n");
  pid_t left = pid_in(stray);
  ASSERT_GT(left, 0);
  ::kill(left, SIGKILL);
}

// The child sees 0, 1 and 2 only, even a descriptor we opened without
// O_CLOEXEC; and after many runs on every path (exit, failed exec, bad cwd,
// time limit, large output, inherited output) no descriptor of ours is left.
TEST(Process, NoDescriptorReachesAChildOrIsLeftOpen) {
  TempDir tmp;
  int inheritable = ::open("/dev/null", O_RDONLY);  // no O_CLOEXEC on purpose
  ASSERT_GE(inheritable, 0);
  // ls lists the shell's descriptors (a glob of the shell's own would open one more).
  runner::ProcessResult fds = run({"sh", "-c", "ls /proc/$$/fd"});
  EXPECT_EQ(fds.out, "0\n1\n2\n");
  ::close(inheritable);

  write_file(tmp / "no-interpreter", "#!/nonexistent/interpreter\n");
  ::chmod((tmp / "no-interpreter").c_str(), 0755);
  const std::size_t before = open_descriptors();
  for (int i = 0; i < 40; ++i) {
    EXPECT_EQ(run({"sh", "-c", "echo out; echo err >&2; exit 1"}).exit_code, 1);
    EXPECT_EQ(run({"true"}, 0, runner::OutputMode::Inherit).exit_code, 0);
    EXPECT_FALSE(run({tmp / "no-interpreter"}).started);
    EXPECT_FALSE(run({"true"}, 0, runner::OutputMode::Capture, tmp / "missing").started);
    EXPECT_FALSE(run({"mplp-no-such-binary-h17d"}).started);
    EXPECT_EQ(run({"head", "-c", "300000", "/dev/zero"}, 30).out.size(), 300000u);
  }
  for (runner::OutputMode mode : {runner::OutputMode::Capture, runner::OutputMode::Inherit})
    EXPECT_TRUE(run({"sh", "-c", "sleep 1000 & wait"}, 1, mode).timed_out);
  EXPECT_EQ(open_descriptors(), before);
}

// Started with stdin, stdout and stderr closed, our pipes and /dev/null get
// the numbers 0..2: they must not be mistaken for the child's own.
TEST(Process, ClosedStandardDescriptorsAreNotMistakenForTheChilds) {
  pid_t pid = ::fork();
  ASSERT_GE(pid, 0);
  if (pid == 0) {
    ::close(0);
    ::close(1);
    ::close(2);
    runner::ProcessResult r = run({"sh", "-c", "read x || echo eof; echo out; echo err >&2"});
    ::_exit(r.started && r.exit_code == 0 && r.out == "eof\nout\n" && r.err == "err\n" ? 0 : 1);
  }
  int status = 0;
  ASSERT_EQ(::waitpid(pid, &status, 0), pid);
  EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << "status " << status;
}

// SIGTERM (or a terminal's SIGINT) sent to us reaches the child's group,
// which the terminal or a supervisor no longer reaches; then we end by it.
TEST(Process, AnInterruptIsPassedOnToTheChildsGroup) {
  for (int sig : {SIGTERM, SIGINT, SIGHUP}) {
    TempDir tmp;
    std::string pidfile = tmp / "grandchild";
    pid_t pid = ::fork();
    ASSERT_GE(pid, 0);
    if (pid == 0) {
      // In the foreground: a shell's background jobs ignore SIGINT.
      run({"sh", "-c", "sh -c 'echo $$ > " + pidfile + "; exec sleep 1000'; echo after"}, 600);
      // As main() does once the command has cleaned up (child_groups.h).
      runner::end_by_pending_interrupt();
      ::_exit(0);
    }
    pid_t grandchild = pid_in(pidfile);
    ASSERT_GT(grandchild, 0);
    ::kill(pid, sig);
    int status = 0;
    ASSERT_EQ(::waitpid(pid, &status, 0), pid);
    EXPECT_TRUE(WIFSIGNALED(status) && WTERMSIG(status) == sig) << "status " << status;
    EXPECT_TRUE(eventually_gone(grandchild)) << "signal " << sig << " was not passed on";
    if (!gone(grandchild)) ::kill(grandchild, SIGKILL);
  }
}

// QA-40: a child that ignores the interrupt (a container's PID 1 and
// SIGTERM) is killed after a grace period, the call says it was
// interrupted, no other process starts but cleanup, and the process then
// ends by the signal.
TEST(Process, AChildIgnoringAnInterruptIsStoppedAndNothingElseStarts) {
  TempDir tmp;
  const std::string pidfile = tmp / "child", said = tmp / "said", cleaning = tmp / "cleaning";
  pid_t pid = ::fork();
  ASSERT_GE(pid, 0);
  if (pid == 0) {
    runner::ProcessResult r = run({"sh", "-c", "trap '' TERM; echo $$ > " + pidfile + "; sleep 1000; sleep 1000"}, 600);
    runner::ProcessResult next = run({"true"});
    runner::ProcessSpec cleanup;
    cleanup.argv = {"sh", "-c", "echo $$ > " + cleaning + "; sleep 1; echo cleaned"};
    cleanup.cleanup = true;
    runner::ProcessResult cleaned = runner::run_process(cleanup);
    const std::string text = std::string(r.interrupted ? "interrupted" : "not interrupted") + "; next " +
                             (next.started ? "started" : next.error) + "; cleanup " +
                             (cleaned.started ? cleaned.out : "not started");
    write_file(said, text);
    runner::end_by_pending_interrupt();
    ::_exit(0);
  }
  pid_t child = pid_in(pidfile);
  ASSERT_GT(child, 0);
  ::kill(pid, SIGTERM);
  // A second signal (a double Ctrl-C) while the cleanup runs: not passed on
  // to it (QA-43: it stopped the `rm -f` it was to wait for).
  EXPECT_GT(pid_in(cleaning), 0);
  ::kill(pid, SIGTERM);
  int status = 0;
  ASSERT_EQ(::waitpid(pid, &status, 0), pid);
  EXPECT_TRUE(WIFSIGNALED(status) && WTERMSIG(status) == SIGTERM) << "status " << status;
  EXPECT_EQ(read_file(said), "interrupted; next true: not started: interrupted by SIGTERM; cleanup cleaned\n");
  EXPECT_TRUE(eventually_gone(child)) << "the child ignoring SIGTERM was not stopped";
  if (!gone(child)) ::kill(child, SIGKILL);
}

// Our limit on `ENGINE run` (the backstop under podman, the only limit under
// docker) kills the engine's client: the container is removed after it.
TEST(RunContainer, AContainerOverOurLimitIsRemoved) {
  REQUIRE_ENGINE();
  runner::Engine e;
  std::string why;
  ASSERT_TRUE(runner::detect_engine(test_engine(), e, why)) << why;
  const std::string name = "mplp-test-timeout-" + std::to_string(::getpid());
  runner::ProcessSpec s;
  s.argv = {e.binary, "run", "--rm", "--name", name, "--network=none", "localhost/mplp-debian-12:bookworm-2",
            "sleep", "1000"};
  s.timeout_seconds = 10;
  bool left = false;
  runner::ProcessResult r = runner::run_container(e, s, name, left);
  ASSERT_TRUE(r.started) << r.error;
  EXPECT_TRUE(r.timed_out) << r.err;
  EXPECT_FALSE(left);
  EngineOutput ps = engine_cmd({"ps", "-a", "-q", "--filter", "name=^" + name + "$"});
  EXPECT_EQ(ps.out, "") << name << " is still there";
  if (!ps.out.empty()) engine_cmd({"rm", "-f", name});
}

}  // namespace
}  // namespace mplp::test
