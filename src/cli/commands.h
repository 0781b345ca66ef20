// Subcommands of mplp-gate, from one table (name, summary, function). The
// table also produces the top-level help and "did you mean" hints.
//
// Exit codes are a contract: 0 pass, 1 gate failure, 2 could not run.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "core/policy.h"
#include "core/keys.h"
#include "engine/run_report.h"

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
int cmd_verify_receipt(const Args& args);  // receipt_command.cpp
int cmd_diff(const Args& args);            // diff_command.cpp
int cmd_merge(const Args& args);           // merge_command.cpp

std::string_view tool_version();  // "0.1.0 (commit abc123)"

// `check --receipt FILE` (receipt_command.cpp).
struct ReceiptOptions {
  std::string path;           // --receipt
  std::string sign_key_path;  // --sign-key ("" = unsigned)
  bool with_time = false;     // --receipt-time
  std::string resource_uri;   // --receipt-uri ("" = the default)
  PrivateKey key;             // loaded by prepare_receipt
};
// Checks the options and loads the signing key before the run (exit 2 on error).
bool prepare_receipt(ReceiptOptions& options, bool runners, std::string& error);
// The bytes of the receipt of `report` (signed when a key was loaded); false
// (with `error`) when it cannot be made. Writes nothing.
bool make_receipt(const RunReport& report, const ReceiptOptions& options, std::string& bytes, std::string& error);

}  // namespace mplp::cli
