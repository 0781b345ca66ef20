#include "runner/process.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstdlib>
#include <cstring>

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
  ProcessResult r;
  if (spec.argv.empty()) {
    r.error = "empty command";
    return r;
  }
  std::string exe = find_in_path(spec.argv[0]);
  if (exe.empty()) {
    r.error = spec.argv[0] + ": not found in PATH";
    return r;
  }
  // Everything the child needs is prepared before fork (no allocation after).
  std::vector<std::string> env = merged_environment(spec.env);
  std::vector<char*> argv, envp;
  for (const std::string& a : spec.argv) argv.push_back(const_cast<char*>(a.c_str()));
  argv.push_back(nullptr);
  for (const std::string& e : env) envp.push_back(const_cast<char*>(e.c_str()));
  envp.push_back(nullptr);

  bool capture = spec.output == OutputMode::Capture;
  int out_pipe[2] = {-1, -1}, err_pipe[2] = {-1, -1}, exec_pipe[2] = {-1, -1};
  if ((capture && (::pipe2(out_pipe, O_CLOEXEC) != 0 || ::pipe2(err_pipe, O_CLOEXEC) != 0)) ||
      ::pipe2(exec_pipe, O_CLOEXEC) != 0) {
    r.error = std::string("pipe: ") + std::strerror(errno);
    return r;
  }
  pid_t pid = ::fork();
  if (pid < 0) {
    r.error = std::string("fork: ") + std::strerror(errno);
    return r;
  }
  if (pid == 0) {
    int devnull = ::open("/dev/null", O_RDONLY);
    if (devnull >= 0) ::dup2(devnull, 0);
    if (capture) {
      ::dup2(out_pipe[1], 1);
      ::dup2(err_pipe[1], 2);
    }
    ::signal(SIGPIPE, SIG_DFL);
    // The child gets stdin, stdout and stderr, nothing else of ours: a
    // descriptor it inherited (a test harness's files, an open pack) once made
    // mmdebstrap's apt fail its downloads. CLOEXEC rather than close, so that
    // the exec pipe still reports a failed exec.
    if (::close_range(3, ~0U, CLOSE_RANGE_CLOEXEC) != 0)
      for (int fd = 3; fd < 1024; ++fd) ::fcntl(fd, F_SETFD, FD_CLOEXEC);
    if (!spec.cwd.empty() && ::chdir(spec.cwd.c_str()) != 0) {
      int e = errno;
      (void)!::write(exec_pipe[1], &e, sizeof e);
      ::_exit(127);
    }
    ::execve(exe.c_str(), argv.data(), envp.data());
    int e = errno;
    (void)!::write(exec_pipe[1], &e, sizeof e);
    ::_exit(127);
  }
  ::close(exec_pipe[1]);
  if (capture) {
    ::close(out_pipe[1]);
    ::close(err_pipe[1]);
  }
  int child_errno = 0;
  ssize_t got;
  do got = ::read(exec_pipe[0], &child_errno, sizeof child_errno);
  while (got < 0 && errno == EINTR);
  ::close(exec_pipe[0]);

  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(spec.timeout_seconds);
  bool killed = false;
  if (capture) {
    int fds[2] = {out_pipe[0], err_pipe[0]};
    std::string* bufs[2] = {&r.out, &r.err};
    int open_fds = 2;
    char chunk[65536];
    while (open_fds > 0) {
      pollfd p[2];
      int n = 0, map[2];
      for (int i = 0; i < 2; ++i)
        if (fds[i] >= 0) p[n] = {fds[i], POLLIN, 0}, map[n++] = i;
      int wait_ms = -1;
      if (spec.timeout_seconds != 0 && !killed) {
        auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
        wait_ms = static_cast<int>(std::max<long long>(0, left.count()));
      }
      int pr = ::poll(p, static_cast<nfds_t>(n), wait_ms);
      if (pr < 0 && errno == EINTR) continue;
      if (pr == 0) {  // timed out
        ::kill(pid, SIGKILL);
        killed = true;
        continue;
      }
      for (int k = 0; k < n; ++k) {
        if ((p[k].revents & (POLLIN | POLLHUP | POLLERR)) == 0) continue;
        int i = map[k];
        ssize_t m = ::read(fds[i], chunk, sizeof chunk);
        if (m < 0 && errno == EINTR) continue;
        if (m <= 0) {
          ::close(fds[i]);
          fds[i] = -1;
          --open_fds;
        } else {
          keep_tail(*bufs[i], chunk, static_cast<std::size_t>(m), spec.capture_limit);
        }
      }
    }
  }
  // The child's exit wakes us through its pidfd (a sleep between polls cost
  // up to 20 ms per engine call); without pidfds, polls every 20 ms.
  int pidfd = static_cast<int>(::syscall(SYS_pidfd_open, pid, 0));
  int status = 0;
  while (true) {
    pid_t w = ::waitpid(pid, &status, spec.timeout_seconds != 0 && !killed ? WNOHANG : 0);
    if (w == pid) break;
    if (w < 0 && errno == EINTR) continue;
    if (w < 0) {
      r.error = std::string("waitpid: ") + std::strerror(errno);
      if (pidfd >= 0) ::close(pidfd);
      return r;
    }
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) {
      ::kill(pid, SIGKILL);
      killed = true;
    } else if (pidfd >= 0) {
      pollfd p{pidfd, POLLIN, 0};
      ::poll(&p, 1, static_cast<int>(std::min<long long>(left.count() + 1, 60000)));
    } else {
      ::usleep(20000);
    }
  }
  if (pidfd >= 0) ::close(pidfd);
  if (got == static_cast<ssize_t>(sizeof child_errno) && child_errno != 0) {
    r.error = spec.argv[0] + ": cannot execute: " + std::strerror(child_errno);
    return r;
  }
  r.started = true;
  r.timed_out = killed;
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
