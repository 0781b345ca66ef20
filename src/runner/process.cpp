#include "runner/process.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <iostream>
#include <optional>
#include <set>
#include <string_view>
#include <utility>
#include <vector>

#include "runner/child_groups.h"
#include "runner/process_tree.h"

extern char** environ;

namespace mplp::runner {

namespace {

void keep_tail(std::string& buf, const char* data, std::size_t n, std::size_t limit) {
  buf.append(data, n);
  if (buf.size() > limit) buf.erase(0, buf.size() - limit);
}

std::vector<std::string> merged_environment(const std::vector<std::string>& extra) {
  std::vector<std::string> env;
  for (char** e = environ; e != nullptr && *e != nullptr; ++e) {
    std::string s(*e);
    std::string name = s.substr(0, s.find('='));
    bool replaced = false;
    for (const std::string& x : extra)
      if (x.substr(0, x.find('=')) == name) replaced = true;
    if (!replaced) env.push_back(std::move(s));
  }
  env.insert(env.end(), extra.begin(), extra.end());
  return env;
}

// glibc 2.36's <sys/pidfd.h> declares these without C linkage (fixed in 2.37).
int open_pidfd(pid_t pid) { return static_cast<int>(::syscall(SYS_pidfd_open, pid, 0)); }
void signal_by_pidfd(int pidfd, int sig) { ::syscall(SYS_pidfd_send_signal, pidfd, sig, nullptr, 0); }

// Kills the child (by its pidfd, when it left its group), its group, and
// every process below it (process_tree.h: a build step's container process
// left the group and outlived the build). The tree is stopped first, scan
// after scan, so that no process forks one the last scan would miss.
void kill_child(pid_t group, int pidfd) {
  ::kill(-group, SIGSTOP);
  signal_by_pidfd(pidfd, SIGSTOP);
  std::set<pid_t> below;
  for (int scan = 0; scan < 16; ++scan) {
    bool found = false;
    for (pid_t p : descendants_of(group))
      if (below.insert(p).second) found = true, ::kill(p, SIGSTOP);
    if (!found) break;
  }
  ::kill(-group, SIGKILL);
  signal_by_pidfd(pidfd, SIGKILL);
  for (pid_t p : below) ::kill(p, SIGKILL);
}

// A descriptor of ours, closed on every path.
class OwnedFd {
 public:
  OwnedFd() = default;
  explicit OwnedFd(int fd) : fd_(fd) {}
  OwnedFd(OwnedFd&& o) noexcept : fd_(std::exchange(o.fd_, -1)) {}
  OwnedFd& operator=(OwnedFd&& o) noexcept {
    if (this != &o) {
      reset();
      fd_ = std::exchange(o.fd_, -1);
    }
    return *this;
  }
  ~OwnedFd() { reset(); }
  int get() const { return fd_; }
  void reset() {
    if (fd_ >= 0) ::close(fd_);
    fd_ = -1;
  }

 private:
  int fd_ = -1;
};

// Moves a descriptor of ours above 2 (when this process was started with
// stdin, stdout or stderr closed, a pipe may get one of those numbers, which
// the child's own 0, 1 and 2 would overwrite). -1 stays -1.
int above_stdio(int fd) {
  if (fd < 0 || fd > 2) return fd;
  int moved = ::fcntl(fd, F_DUPFD_CLOEXEC, 3);
  int e = errno;
  ::close(fd);
  errno = e;
  return moved;
}

struct Pipe {
  OwnedFd read, write;
};

bool open_pipe(Pipe& p) {
  int fds[2];
  if (::pipe2(fds, O_CLOEXEC) != 0) return false;
  int r = above_stdio(fds[0]), w = above_stdio(fds[1]);
  p.read = OwnedFd(r);
  p.write = OwnedFd(w);
  return r >= 0 && w >= 0;
}

// posix_spawn's attribute objects, destroyed on every path.
struct SpawnSetup {
  posix_spawn_file_actions_t actions;
  posix_spawnattr_t attr;
  SpawnSetup() {
    ::posix_spawn_file_actions_init(&actions);
    ::posix_spawnattr_init(&attr);
  }
  ~SpawnSetup() {
    ::posix_spawn_file_actions_destroy(&actions);
    ::posix_spawnattr_destroy(&attr);
  }
  SpawnSetup(const SpawnSetup&) = delete;
  SpawnSetup& operator=(const SpawnSetup&) = delete;
};

ProcessResult not_started(int error_number, std::string what) {
  ProcessResult r;
  r.error = std::move(what);
  r.error_number = error_number;
  return r;
}

std::string errno_text(const std::string& what, int e) { return what + ": " + std::strerror(e); }

// After the child's exit or the kill on its time limit, its output is read
// for this long at most: a process that left the group may hold the pipes.
constexpr int kDrainMilliseconds = 2000;
// Inherit: a child's output goes on to our own stream, through whatever the
// CLI put in front of it (a producer's bytes are a stranger's: the filter
// keeps them from driving a terminal or a CI log).
void pass_on(std::ostream& to, std::string_view chunk) {
  to.write(chunk.data(), static_cast<std::streamsize>(chunk.size()));
  to.flush();
  to.clear();  // a closed stdout loses the child's output, not ours to come
}

// A child forwarded an interrupt has this long to end by itself before it
// is killed; the wait looks for a pending interrupt this often (the signal
// may have been delivered to another thread, leaving this poll asleep).
constexpr int kInterruptGraceMilliseconds = 2000;
constexpr int kInterruptCheckMilliseconds = 200;

// Reads the child's pipes (kept, or passed on: OutputMode) and watches the child's pidfd until
// the child has ended and its pipes are closed (or drained for
// kDrainMilliseconds after it ended). On the deadline, or a grace period
// after an interrupt (child_groups.h), the child's group, the child itself
// and every process below it (process_tree.h: a build step's container
// process leaves the group) are killed. Returns false with errno when poll
// fails.
bool await_child(int pidfd, pid_t group, const ProcessSpec& spec, OwnedFd* pipes, ProcessResult& r) {
  using Clock = std::chrono::steady_clock;
  const bool limited = spec.timeout_seconds != 0;
  const Clock::time_point deadline = Clock::now() + std::chrono::seconds(spec.timeout_seconds);
  std::optional<Clock::time_point> drain_until;  // set once the child has ended or was killed
  std::optional<Clock::time_point> interrupt_kill;  // set once an interrupt is pending
  std::string* bufs[2] = {&r.out, &r.err};
  std::ostream* streams[2] = {&std::cout, &std::cerr};
  char last[2] = {'\n', '\n'};  // the last byte passed on, per stream
  bool exited = false;
  char chunk[65536];
  auto left_ms = [](Clock::time_point t) {
    auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(t - Clock::now()).count();
    return static_cast<int>(std::clamp<long long>(ms, 0, 60000));
  };
  while (!exited || pipes[0].get() >= 0 || pipes[1].get() >= 0) {
    pollfd p[3];
    int n = 0, which[3];
    for (int i = 0; i < 2; ++i)
      if (pipes[i].get() >= 0) p[n] = {pipes[i].get(), POLLIN, 0}, which[n++] = i;
    if (!exited) p[n] = {pidfd, POLLIN, 0}, which[n++] = 2;
    int wait_ms = -1;
    if (drain_until) wait_ms = left_ms(*drain_until);
    else if (limited && !r.timed_out) wait_ms = left_ms(deadline);  // once killed: until the pidfd says so
    const bool watch_interrupt = !spec.cleanup && !exited && !r.timed_out && !r.interrupted;
    if (watch_interrupt)
      wait_ms = interrupt_kill ? left_ms(*interrupt_kill)
                               : (wait_ms < 0 ? kInterruptCheckMilliseconds : std::min(wait_ms, kInterruptCheckMilliseconds));
    int ready = ::poll(p, static_cast<nfds_t>(n), wait_ms);
    if (watch_interrupt && !interrupt_kill && pending_interrupt() != 0)
      interrupt_kill = Clock::now() + std::chrono::milliseconds(kInterruptGraceMilliseconds);
    if (watch_interrupt && interrupt_kill && Clock::now() >= *interrupt_kill) {
      kill_child(group, pidfd);
      r.interrupted = true;
      continue;
    }
    if (ready < 0 && errno == EINTR) continue;
    if (ready < 0) return false;
    if (ready == 0 && drain_until && Clock::now() >= *drain_until) {
      pipes[0].reset();  // what a process outside the group still writes is not ours to wait for
      pipes[1].reset();
      continue;
    }
    if (ready == 0 && limited && !r.timed_out && Clock::now() >= deadline) {
      kill_child(group, pidfd);
      r.timed_out = true;
      continue;
    }
    for (int k = 0; k < n; ++k) {
      if ((p[k].revents & (POLLIN | POLLHUP | POLLERR)) == 0) continue;
      if (which[k] == 2) {
        exited = true;
        if (interrupt_kill) r.interrupted = true;  // it ended within the grace period
        if (!drain_until) drain_until = Clock::now() + std::chrono::milliseconds(kDrainMilliseconds);
        continue;
      }
      OwnedFd& fd = pipes[which[k]];
      ssize_t m = ::read(fd.get(), chunk, sizeof chunk);
      if (m < 0 && (errno == EINTR || errno == EAGAIN)) continue;
      if (m <= 0) fd.reset();
      else if (spec.output == OutputMode::Capture)
        keep_tail(*bufs[which[k]], chunk, static_cast<std::size_t>(m), spec.capture_limit);
      else {
        pass_on(*streams[which[k]], std::string_view(chunk, static_cast<std::size_t>(m)));
        last[which[k]] = chunk[m - 1];
      }
    }
  }
  // A last line the child did not end is ended here: our next message
  // starts a line of its own (QA-56).
  for (int i = 0; i < 2; ++i)
    if (spec.output == OutputMode::Inherit && last[i] != '\n') pass_on(*streams[i], "\n");
  return true;
}

}  // namespace

std::string find_in_path(const std::string& name) {
  if (name.empty()) return "";
  if (name.find('/') != std::string::npos) return ::access(name.c_str(), X_OK) == 0 ? name : "";
  const char* path = std::getenv("PATH");
  std::string p = path != nullptr ? path : "/usr/bin:/bin";
  std::size_t start = 0;
  while (start <= p.size()) {
    std::size_t end = p.find(':', start);
    if (end == std::string::npos) end = p.size();
    std::string dir = p.substr(start, end - start);
    if (dir.empty()) dir = ".";
    std::string candidate = dir + "/" + name;
    struct stat st {};
    if (::stat(candidate.c_str(), &st) == 0 && S_ISREG(st.st_mode) && ::access(candidate.c_str(), X_OK) == 0)
      return candidate;
    start = end + 1;
  }
  return "";
}

ProcessResult run_process(const ProcessSpec& spec) {
  if (spec.argv.empty()) return not_started(EINVAL, "empty command");
  if (std::string why = interrupted_by(); !why.empty() && !spec.cleanup)
    return not_started(EINTR, spec.argv[0] + ": not started: " + why);
  std::string exe = find_in_path(spec.argv[0]);
  if (exe.empty()) return not_started(ENOENT, spec.argv[0] + ": not found in PATH");
  // Everything the spawn needs is prepared first.
  std::vector<std::string> env = merged_environment(spec.env);
  std::vector<char*> argv, envp;
  for (const std::string& a : spec.argv) argv.push_back(const_cast<char*>(a.c_str()));
  argv.push_back(nullptr);
  for (const std::string& e : env) envp.push_back(const_cast<char*>(e.c_str()));
  envp.push_back(nullptr);

  OwnedFd devnull(above_stdio(::open("/dev/null", O_RDONLY | O_CLOEXEC)));
  if (devnull.get() < 0) return not_started(errno, errno_text("/dev/null", errno));
  Pipe out, err;
  if (!open_pipe(out) || !open_pipe(err)) return not_started(errno, errno_text("pipe", errno));

  // dup2 clears O_CLOEXEC on the child's 0, 1 and 2; everything from 3 up is
  // closed; the child leads a new process group, starts with SIGPIPE's and
  // SIGXFSZ's default actions (we may ignore them) and with this thread's
  // signal mask from before the block below.
  SpawnSetup setup;
  std::optional<BlockedInterrupts> blocked(std::in_place);  // until the group is registered
  ::posix_spawn_file_actions_adddup2(&setup.actions, devnull.get(), 0);
  ::posix_spawn_file_actions_adddup2(&setup.actions, out.write.get(), 1);
  ::posix_spawn_file_actions_adddup2(&setup.actions, err.write.get(), 2);
  ::posix_spawn_file_actions_addclosefrom_np(&setup.actions, 3);
  if (!spec.cwd.empty()) ::posix_spawn_file_actions_addchdir_np(&setup.actions, spec.cwd.c_str());
  sigset_t default_signals;
  sigemptyset(&default_signals);
  sigaddset(&default_signals, SIGPIPE);
  sigaddset(&default_signals, SIGXFSZ);  // main.cpp ignores it
  ::posix_spawnattr_setflags(&setup.attr, POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETSIGMASK);
  ::posix_spawnattr_setpgroup(&setup.attr, 0);
  ::posix_spawnattr_setsigdefault(&setup.attr, &default_signals);
  ::posix_spawnattr_setsigmask(&setup.attr, &blocked->previous());
  pid_t pid = -1;
  if (int e = ::posix_spawn(&pid, exe.c_str(), &setup.actions, &setup.attr, argv.data(), envp.data()); e != 0)
    return not_started(e, spec.argv[0] + ": cannot execute " + exe + (spec.cwd.empty() ? "" : " in " + spec.cwd) +
                              ": " + std::strerror(e));
  ChildGroup group(pid, spec.cleanup);
  blocked.reset();  // an interrupt is forwarded from here on
  out.write.reset();
  err.write.reset();
  devnull.reset();

  ProcessResult r;
  OwnedFd pidfd(above_stdio(open_pidfd(pid)));
  const int pidfd_errno = errno;
  bool awaited = pidfd.get() >= 0;
  OwnedFd pipes[2] = {std::move(out.read), std::move(err.read)};
  int await_errno = 0;
  if (awaited && !await_child(pidfd.get(), pid, spec, pipes, r)) awaited = false, await_errno = errno;
  if (!awaited) {  // nothing this call started may outlive its failure
    ::kill(-pid, SIGKILL);
    ::kill(pid, SIGKILL);
  }
  pipes[0].reset();
  pipes[1].reset();
  group.release();  // before the reap: the leader's pid keeps the group id ours until then
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  if (!awaited) {
    int e = pidfd.get() < 0 ? pidfd_errno : await_errno;
    return not_started(e, errno_text(pidfd.get() < 0 ? "pidfd_open (Linux 5.3 or later)" : "poll", e));
  }
  r.started = true;
  if (WIFEXITED(status)) r.exit_code = WEXITSTATUS(status);
  else if (WIFSIGNALED(status)) r.exit_code = 128 + WTERMSIG(status);
  return r;
}

std::string tail_text(const std::string& text, std::size_t max_bytes) {
  std::size_t end = text.find_last_not_of(" \t\r\n");
  if (end == std::string::npos) return "";
  std::string t = text.substr(0, end + 1);
  if (t.size() > max_bytes) t = "..." + t.substr(t.size() - max_bytes);
  return t;
}

}  // namespace mplp::runner
