#include "cli/pager.h"

#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <iostream>
#include <string_view>

#include "cli/commands.h"

namespace mplp::cli {

namespace {

int print(const std::string& text) {
  std::cout << text << std::flush;
  return std::cout ? kExitPass : kExitError;
}

}  // namespace

int page(const std::string& text) {
  if (::isatty(STDOUT_FILENO) != 1) return print(text);
  const char* env = std::getenv("PAGER");
  std::string pager = env != nullptr ? env : "less";
  if (pager.empty() || pager == "cat") return print(text);
  if (std::getenv("LESS") == nullptr) ::setenv("LESS", "FRX", 0);
  std::cout.flush();
  // A pager that quits early must not kill us with SIGPIPE.
  struct sigaction ignore {}, old {};
  ignore.sa_handler = SIG_IGN;
  ::sigaction(SIGPIPE, &ignore, &old);
  FILE* p = ::popen(pager.c_str(), "w");
  int status = -1;
  if (p != nullptr) {
    std::fwrite(text.data(), 1, text.size(), p);
    status = ::pclose(p);
  }
  ::sigaction(SIGPIPE, &old, nullptr);
  // The shell says 127 when the pager does not exist: show the text anyway.
  if (p == nullptr || status == -1 || (WIFEXITED(status) && WEXITSTATUS(status) == 127)) return print(text);
  return kExitPass;
}

}  // namespace mplp::cli
