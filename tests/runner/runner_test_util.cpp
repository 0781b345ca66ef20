#include "runner_test_util.h"

#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <iostream>

#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/stat.h>

#include "runner/engine.h"
#include "runner/process.h"
#include "test_util.h"

namespace mplp::test {

namespace fs = std::filesystem;

bool in_ci() {
  const char* ci = std::getenv("CI");
  return ci != nullptr && std::string(ci) == "true";
}

std::string test_engine() {
  const char* e = std::getenv("MPLP_TEST_ENGINE");
  return e != nullptr && *e != '\0' ? e : "auto";
}

bool engine_available(std::string& reason) {
  static int cached = -1;
  static std::string why;
  if (cached < 0) {
    runner::Engine e;
    cached = runner::detect_engine(test_engine(), e, why) ? 1 : 0;
    if (cached == 0) std::cerr << "runner tests: no container engine: " << why << "\n";
    else std::cerr << "runner tests: engine " << runner::describe(e) << "\n";
  }
  reason = why;
  return cached == 1;
}

std::map<std::string, std::string> snapshot(const std::string& dir) {
  std::map<std::string, std::string> out;
  if (!fs::exists(dir)) return out;
  for (auto& e : fs::recursive_directory_iterator(dir))
    if (e.is_regular_file() && !e.is_symlink()) out[fs::relative(e.path(), dir).string()] = read_file(e.path().string());
  return out;
}

Paused run_and_kill_at(const std::vector<std::string>& args, const std::string& step) {
  Paused p;
  int pipefd[2];
  if (::pipe(pipefd) != 0) return p;
  pid_t pid = ::fork();
  if (pid == 0) {
    ::dup2(pipefd[1], 2);
    ::close(pipefd[0]);
    ::setenv("MPLP_GATE_TEST_PAUSE_AT", step.c_str(), 1);
    std::string bin = gate_binary();
    std::vector<char*> argv{bin.data()};
    std::vector<std::string> copy = args;
    for (std::string& a : copy) argv.push_back(a.data());
    argv.push_back(nullptr);
    ::execv(bin.c_str(), argv.data());
    ::_exit(127);
  }
  ::close(pipefd[1]);
  std::string marker = "test pause at " + step;
  char buf[4096];
  while (true) {
    ssize_t n = ::read(pipefd[0], buf, sizeof buf);
    if (n <= 0) break;
    p.err.append(buf, static_cast<std::size_t>(n));
    if (p.err.find(marker) != std::string::npos) {
      p.reached = true;
      ::kill(pid, SIGKILL);
      break;
    }
  }
  ::close(pipefd[0]);
  int status = 0;
  ::waitpid(pid, &status, 0);
  if (WIFEXITED(status)) p.exit_code = WEXITSTATUS(status);
  return p;
}

std::map<std::string, std::string> tree_state(const std::string& dir) {
  std::map<std::string, std::string> out;
  auto describe = [&](const fs::path& p, const std::string& rel) {
    struct stat st {};
    if (::lstat(p.c_str(), &st) != 0) return;
    char head[64];
    std::snprintf(head, sizeof head, "%c %04o %u:%u", S_ISDIR(st.st_mode) ? 'd' : S_ISREG(st.st_mode) ? 'f' : 'o',
                  st.st_mode & 07777, st.st_uid, st.st_gid);
    std::string what = std::string(head);
    // Big files (a 15 TB sparse one) by size and mtime: their bytes would not fit.
    if (S_ISREG(st.st_mode))
      what += st.st_size > (16 << 20) ? "\nsize " + std::to_string(st.st_size) + " mtime " + std::to_string(st.st_mtime)
                                      : "\n" + read_file(p.string());
    out[rel] = what;
  };
  if (!fs::exists(fs::symlink_status(dir))) return out;
  describe(dir, "");
  for (auto& e : fs::recursive_directory_iterator(dir)) describe(e.path(), fs::relative(e.path(), dir).string());
  return out;
}

PausedRun::PausedRun(const std::vector<std::string>& args, const std::string& step) {
  char tmpl[] = "/tmp/mplp-resume.XXXXXX";
  int fd = ::mkstemp(tmpl);
  if (fd >= 0) ::close(fd);
  ::unlink(tmpl);  // its existence is the signal
  resume_file_ = tmpl;
  int pipefd[2];
  if (::pipe(pipefd) != 0) return;
  pid_t pid = ::fork();
  if (pid == 0) {
    ::dup2(pipefd[1], 2);
    ::close(pipefd[0]);
    ::setenv("MPLP_GATE_TEST_PAUSE_AT", step.c_str(), 1);
    ::setenv("MPLP_GATE_TEST_RESUME_ON", resume_file_.c_str(), 1);
    std::string bin = gate_binary();
    std::vector<std::string> copy = args;
    std::vector<char*> argv{bin.data()};
    for (std::string& a : copy) argv.push_back(a.data());
    argv.push_back(nullptr);
    ::execv(bin.c_str(), argv.data());
    ::_exit(127);
  }
  ::close(pipefd[1]);
  pid_ = pid;
  err_fd_ = pipefd[0];
  std::string marker = "test pause at " + step;
  char buf[4096];
  while (err_.find(marker) == std::string::npos) {
    ssize_t n = ::read(err_fd_, buf, sizeof buf);
    if (n <= 0) return;
    err_.append(buf, static_cast<std::size_t>(n));
  }
  reached_ = true;
}

int PausedRun::resume(std::string& err) {
  int fd = ::open(resume_file_.c_str(), O_WRONLY | O_CREAT, 0600);
  if (fd >= 0) ::close(fd);
  char buf[4096];
  for (ssize_t n; (n = ::read(err_fd_, buf, sizeof buf)) > 0;) err_.append(buf, static_cast<std::size_t>(n));
  int status = 0;
  ::waitpid(static_cast<pid_t>(pid_), &status, 0);
  pid_ = -1;
  err = err_;
  return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

PausedRun::~PausedRun() {
  if (pid_ > 0) {
    ::kill(static_cast<pid_t>(pid_), SIGKILL);
    ::waitpid(static_cast<pid_t>(pid_), nullptr, 0);
  }
  if (err_fd_ >= 0) ::close(err_fd_);
  ::unlink(resume_file_.c_str());
}

EngineOutput engine_cmd(const std::vector<std::string>& args) {
  runner::Engine e;
  std::string why;
  EngineOutput o;
  if (!runner::detect_engine(test_engine(), e, why)) return o;
  runner::ProcessSpec s;
  s.argv = {e.binary};
  s.argv.insert(s.argv.end(), args.begin(), args.end());
  s.timeout_seconds = 300;
  runner::ProcessResult r = runner::run_process(s);
  o.exit_code = r.started ? r.exit_code : -1;
  o.out = r.out;
  o.err = r.err;
  return o;
}

namespace {

// The local runners' base image, built the one way there is: `mplp-gate base
// build` (the repository's own, trusted, base definition).
class DebianBase : public ::testing::Environment {
 public:
  void SetUp() override {
    std::string why;
    if (!engine_available(why)) return;
    if (engine_cmd({"image", "inspect", "--format", "{{.Id}}", "localhost/mplp-debian-12:bookworm-2"}).exit_code == 0) return;
    RunResult r = run_tool({"base", "build", "debian-12", "--engine", test_engine(), "--runners", source_root() + "/runners"});
    if (r.exit_code != 0) std::cerr << "runner tests: building the Debian base failed:\n" << r.err << "\n";
  }
};

[[maybe_unused]] ::testing::Environment* const kDebianBase = ::testing::AddGlobalTestEnvironment(new DebianBase);

}  // namespace

}  // namespace mplp::test
