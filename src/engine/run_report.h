// The result of one `check` run: what every renderer prints, and what the
// exit code is decided from. Packs and findings are sorted (determinism).
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "core/finding.h"
#include "core/gate.h"
#include "engine/pack_result.h"
#include "engine/pack_store.h"

namespace mplp {

struct ShardSection;  // engine/shard.h

// What the run was asked to do, as far as it changes verdicts: receipts and
// the HTML report record it. Paths are not kept (they depend on where the
// tool ran); files are named by digest.
struct RunInfo {
  std::string policy_name;    // "builtin" or the policy file's name (no directory)
  std::string policy_sha256;  // of the policy's YAML bytes
  bool require_signature = false;
  // Each trusted key as "<id>: <scope>" ("...: any runner and substrate",
  // "...: runners [node-20]"), sorted, unique: a key's scope decides verdicts
  // as much as the key does (merge compares them, receipts record them).
  std::vector<std::string> trusted_keys;
  std::string registry_sha256;  // the explicit registry (--registry / --repo-root), if any
  std::string baseline_sha256;  // --baseline's file, if any (receipts record it; reports mark its findings)
  bool repo_root = false;       // --repo-root was given (lock files verified)
  bool absolute_paths = false;  // --absolute-paths: the JSON report names packs by absolute path
  std::vector<std::string> only_gates, skip_gates;  // --gate / --skip as given (sorted)
};

struct RunReport {
  std::vector<const Gate*> gates;  // the gates that ran, sorted by id
  PackStore packs;                 // sorted by name, then path
  bool strict = false;
  RunInfo info;

  // A runners check (--runners): the runner ids it covered (sorted), one
  // directory each (--runner: that one). Empty for a check of packs.
  std::vector<std::string> runner_ids;
  bool runners_check = false;  // --runners: the one "pack" is the runners directory

  // Warnings about the run itself, not a pack: a policy `suppress` entry
  // that matched nothing. They fail the run under --strict.
  std::vector<std::string> warnings;

  // Set by `check --shard K/N` only: what `merge` needs besides the report
  // (the JSON report writes it as its `shard` section).
  std::shared_ptr<const ShardSection> shard;

  // Findings that count (not suppressed, not in the baseline) by severity,
  // and the accepted ones.
  struct Counts {
    std::size_t errors = 0, warnings = 0, infos = 0, suppressed = 0;
  };
  // Decodes every pack once per change of `packs` (renderers and exit_code
  // ask several times).
  Counts counts() const;
  mutable std::optional<std::pair<std::uint64_t, Counts>> counts_cache;  // (packs.version(), counts): counts() only
};

// The exit-code contract, in one place: 0 = no error finding (and, under
// --strict, no warning, not even about the run), 1 = otherwise. Suppressed
// and baseline findings never count. (2 is decided by the CLI when the run
// could not happen.)
int exit_code(const RunReport& report);

// A gate's status from its findings: FAIL on any error (or warning when
// strict) that counts, else SKIP when it skipped, else PASS.
GateStatus decide_status(const std::vector<Finding>& findings, bool skipped, bool strict);

}  // namespace mplp
