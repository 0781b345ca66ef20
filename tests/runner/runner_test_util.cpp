#include "runner_test_util.h"

#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <iostream>

#include "runner/engine.h"
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

}  // namespace mplp::test
