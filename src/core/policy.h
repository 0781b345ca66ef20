// The policy: which hosts are allowed, which gates run at which severity, and
// the limits that keep hostile packs from exhausting the machine.
//
// A default policy (policy/default.yaml) is compiled in; `--policy FILE`
// (or a discovered .mplp-gate.yaml) replaces it. Keys missing from a file
// take the default's values; a key a file sets replaces the default's, unless
// the file says `extends: default`: then lists extend the default's (each
// entry once) and scalars replace. Any unknown key, wrong type or bad value
// is an error naming line and key.
// `trust.keys[].path` is relative to the policy file's directory; the keys
// themselves are loaded (and their errors reported) by core/trust.h.
//
//   Policy p;
//   std::string err;
//   if (!load_policy_file("policy.yaml", p, err)) { /* err: "policy.yaml:7:3: ..." */ }
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/finding.h"

namespace mplp {

struct GatePolicy {
  bool enabled = true;
  std::optional<Severity> max_severity;  // findings above it are lowered to it
  int line = 0, column = 0;              // where the policy named this gate (1-based)
};

struct Limits {
  std::uint64_t max_file_size = 2ull * 1024 * 1024 * 1024;
  std::uint64_t max_files_per_pack = 100000;
  unsigned max_json_depth = 256;
  // Findings kept in the report for one pack (the most severe first); the
  // rest are counted in one findings.omitted finding per gate.
  std::uint64_t max_findings_per_pack = 10000;
  // What one container of `run` may use, so that a producer cannot exhaust
  // the host: memory in bytes, swap included (--memory, --memory-swap), and
  // processes (--pids-limit), enforced by the kernel's cgroups.
  std::uint64_t container_memory = 8ull << 30;
  std::uint64_t container_pids = 4096;
};

// A key the policy trusts (`trust.keys`), before it is loaded (core/trust.h).
struct PolicyTrustedKey {
  std::string path;   // as written, resolved against the policy file's directory
  std::optional<std::vector<std::string>> runners;     // runner ids it may vouch for (absent: any)
  std::optional<std::vector<std::string>> substrates;  // substrate ids it may vouch for (absent: any)
  std::string where;  // "policy.yaml:12:11: trust.keys[0].path", for messages
};

// Runner definitions are untrusted input too (a pull request may change them).
struct RunnerPolicy {
  // Base definitions (runners/_base/<id>/) that `mplp-gate base build` builds
  // when no id is named; their script runs on this host.
  std::vector<std::string> trusted_bases;
  // Runners whose image build may use the network (runner.yaml must declare
  // build_network: true as well). Every other build runs with no network.
  std::vector<std::string> build_network;
  bool allows_build_network(std::string_view runner_id) const;
};

// A finding the policy accepts (`suppress`): it is still reported, marked
// with the reason, and never counts. `path` and `pack` are globs (fnmatch:
// `*` matches any characters, `/` included); empty matches anything.
struct Suppression {
  std::string code;    // a finding code, or a glob of codes
  std::string path;    // the finding's file, relative to its pack
  std::string pack;    // the pack's name (relative to the checked PATH)
  std::string reason;  // required: why it is accepted
  std::string where;   // "policy.yaml:12:5", for messages
  bool matches(const std::string& code, const std::string& file, const std::string& pack_name) const;
};

struct Policy {
  std::string source = "<default policy>";  // file name, for messages
  std::string sha256;  // of the YAML text it was read from (the built-in policy's too)
  // That text: a sharded check carries it in its report, so that `merge`
  // applies the same policy to what it compares across shards.
  std::string yaml;
  std::vector<std::string> allowed_hosts;
  std::vector<std::string> forbidden_hosts;
  std::vector<std::string> allowed_registries;
  std::map<std::string, GatePolicy> gates;  // keyed by full gate id
  Limits limits;
  std::vector<PolicyTrustedKey> trusted_keys;  // `trust.keys`
  bool require_signature = false;              // `trust.require_signature` (as --require-signature)
  RunnerPolicy runners;
  std::vector<Suppression> suppressions;  // `suppress`

  bool gate_enabled(std::string_view id) const;
  // Applies the gate's max severity.
  Severity adjust(std::string_view gate_id, Severity s) const;
};

// Parses YAML text; `source` names it in errors. Starts from the default.
bool parse_policy(std::string_view yaml, const std::string& source, Policy& out, std::string& error);
bool load_policy_file(const std::string& path, Policy& out, std::string& error);
const Policy& default_policy();

}  // namespace mplp
