// mplp-gate: entry point. Dispatches to a subcommand from the table.
#include <csignal>
#include <exception>
#include <iostream>

#include "cli/commands.h"
#include "cli/stderr_guard.h"
#include "core/suggest.h"
#include "gates/runner_gates.h"
#include "runner/child_groups.h"

namespace mplp::cli {

namespace {

std::string command_note(std::string_view typed) {
  std::vector<std::string_view> names = {"help", "--help", "--version"};
  for (const Command& c : commands()) names.push_back(c.name);
  return did_you_mean_note(typed, names);
}

void usage(std::ostream& out) {
  out << "usage: mplp-gate <command> [options]\n\ncommands:\n";
  for (const Command& c : commands()) {
    std::string name(c.name);
    name.resize(16, ' ');
    out << "  " << name << c.summary << "\n";
  }
  out << "\n`mplp-gate help <command>` (or `mplp-gate <command> --help`) describes a command.\n"
         "Exit codes: 0 pass, 1 gate failure, 2 could not run.\n";
}

int dispatch(int argc, char** argv) {
  if (argc < 2) {
    usage(std::cerr);
    return kExitError;
  }
  std::string first = argv[1];
  if (first == "--help" || first == "-h" || first == "help") {
    // `mplp-gate help CMD` is `mplp-gate CMD --help`.
    if (first == "help" && argc == 3 && (std::string_view(argv[2]) == "--help" || std::string_view(argv[2]) == "-h")) {
      usage(std::cout);
      return kExitPass;
    }
    if (first == "help" && argc > 2) {
      for (const Command& c : commands())
        if (argc == 3 && c.name == argv[2]) return c.run({"--help"});
      std::cerr << "mplp-gate help: unknown command '" << argv[2] << "'" << command_note(argv[2]) << "\n";
      usage(std::cerr);
      return kExitError;
    }
    usage(std::cout);
    return kExitPass;
  }
  if (first == "--version" || first == "-V") {
    std::cout << "mplp-gate " << tool_version() << "\n";
    return kExitPass;
  }
  Args rest(argv + 2, argv + argc);
  for (const Command& c : commands())
    if (c.name == first) return c.run(rest);
  std::cerr << "mplp-gate: unknown command '" << first << "'" << command_note(first) << "\n";
  usage(std::cerr);
  return kExitError;
}

}  // namespace

}  // namespace mplp::cli

int main(int argc, char** argv) {
  // A write past the file size limit (ulimit -f) fails with EFBIG, which
  // every writer reports (and the atomic writers clean up after), instead
  // of killing the process half-way with a temporary file left behind.
  std::signal(SIGXFSZ, SIG_IGN);
  // Likewise a write to a closed stdout (`| head`) fails with EPIPE and
  // ends in exit 2 below, every report file written, never in death by
  // SIGPIPE (141), which the exit code contract has no place for. Children
  // start with the default action again (runner/process.cpp).
  std::signal(SIGPIPE, SIG_IGN);
  mplp::cli::guard_stderr();
  try {
    mplp::register_runner_gates();  // before anything reads the gate list
    const int code = mplp::cli::dispatch(argc, argv);
    // An interrupt received while a child ran (runner/child_groups.h) ends
    // the process by that signal, now that the command has cleaned up.
    std::cout.flush();
    mplp::runner::end_by_pending_interrupt();
    // Whatever a command printed must have arrived: a result lost on a full
    // disk or a closed stdout is not a pass (or a failure) but could not run.
    std::cout.flush();
    if (!std::cout && code != mplp::cli::kExitError) {
      std::cerr << "mplp-gate: cannot write to stdout\n";
      return mplp::cli::kExitError;
    }
    return code;
  } catch (const std::exception& e) {  // a failed RapidJSON assertion too (core/rapidjson_assert.h)
    std::cerr << "mplp-gate: internal error: " << e.what() << "\n";
    return mplp::cli::kExitError;
  }
}
