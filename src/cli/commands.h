// Subcommands of mplp-gate, from one table (name, summary, function). The
// table also produces the top-level help and "did you mean" hints.
//
// Exit codes are a contract: 0 pass, 1 gate failure, 2 could not run.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "core/policy.h"

namespace mplp::cli {

constexpr int kExitPass = 0;
constexpr int kExitFail = 1;
constexpr int kExitError = 2;

using Args = std::vector<std::string>;

struct Command {
  std::string_view name;
  std::string_view summary;
  int (*run)(const Args& args);  // args after the command name
};

const std::vector<Command>& commands();

int cmd_check(const Args& args);
int cmd_gates(const Args& args);
int cmd_explain(const Args& args);
int cmd_run(const Args& args);   // run_command.cpp
int cmd_seal(const Args& args);  // run_command.cpp
int cmd_key(const Args& args);   // key_command.cpp
int cmd_base(const Args& args);  // base_command.cpp

struct OptionSpec;
// --engine podman|docker|auto, into `engine`.
OptionSpec engine_option(std::string& engine);
// The nearest ancestor of the working directory holding runners/ ("" if none).
std::string find_runners_dir();
// Loads --policy FILE into `out` (nothing when `path` is empty); false after
// printing "mplp-gate COMMAND: invalid policy: ...".
bool load_policy_option(const std::string& command, const std::string& path, Policy& out);

std::string_view tool_version();  // "0.1.0 (commit abc123)"

}  // namespace mplp::cli
