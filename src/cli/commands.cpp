#include "cli/commands.h"

#include "cli/version.h"

namespace mplp::cli {

const std::vector<Command>& commands() {
  static const std::vector<Command> table = {
      {"base", "build a runner's local base image (runs its trusted build script)", cmd_base},
      {"check", "run the gates over evidence packs (or runner definitions); --receipt writes a signed receipt", cmd_check},
      {"diff", "compare two packs: files, manifest and runner metadata fields, environment, timeline events", cmd_diff},
      {"explain", "explain a gate (what it checks, every finding and its fix) or one finding code", cmd_explain},
      {"gates", "list the gates", cmd_gates},
      {"key", "make a signing key pair (key generate --out DIR) or print a key id (key id FILE)", cmd_key},
      {"merge", "join the JSON reports of `check --shard K/N` into the report of one unsharded run", cmd_merge},
      {"run", "run a command in a runner container and seal the pack it writes", cmd_run},
      {"seal", "seal a pack: runner metadata in env_ref, pack hashes, sums file (signed provenance with --sign-key)",
       cmd_seal},
      {"verify-receipt", "check a receipt's signature and that the packs it names are unchanged", cmd_verify_receipt},
  };
  return table;
}

std::string_view tool_version() {
  // No commit when built from a tree without git (a tarball, a copy).
  static const std::string v =
      std::string(kVersion) + (std::string_view(kCommit) != "none" ? std::string(" (commit ") + kCommit + ")" : "");
  return v;
}

}  // namespace mplp::cli
