// Sharding a check over N machines (`check --shard K/N`, `mplp-gate merge`).
//
// Contract: K is 0-based (0 <= K < N, as Kubernetes' JOB_COMPLETION_INDEX
// and a GitHub matrix over `range` give it). Every pack found belongs to
// exactly one shard, from a stable hash we define, never std::hash:
// the first 8 bytes (big-endian) of the SHA-256 of its shard key, modulo N.
// The key of a pack whose manifest.json a gate places in a group
// (Gate::shard_group: the first gate by id that names one) is that group,
// so every group lands whole in one shard and its gate judges it there.
// Every other pack's key is "path\n<name>", its name relative to the checked
// PATH (the same from any working directory).
//
// A gate compared across shards (GateInfo::compared_across_shards) compares
// packs across groups, so across shards: a shard skips it (kComparedByMerge)
// and records, in a `shard` section of its JSON report, each pack's summary
// for it and whatever else `merge` needs to finish the run as one unsharded
// run would (engine/merge.h).
//
// The section (schemas/gate-report.schema.json, written by report/json.cpp)
// is an exchange format between `check --shard` and `merge` of one version:
// index, count, paths, run options, policy, baseline, and per pack (in the
// report's order) name, path, `compared`, `omitted` counts, `raw` strings,
// and for a compared pack `summaries`: by gate id, {"summary": the object
// PackSummary::write_json wrote} or {"error": why summarising failed} (or {}
// when there is no summary). Strings that must come back byte for byte use
// write_exact (core/json_write.h).
//
//   ShardSpec s;
//   if (!parse_shard("2/5", s, err)) { /* exit 2 */ }
//   bool mine = shard_of(location, policy.limits, s.count) == s.index;
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "core/digest.h"
#include "core/policy.h"
#include "engine/discover.h"
#include "engine/finding_cap.h"
#include "core/gate.h"

namespace mplp {

struct ShardSpec {
  unsigned index = 0;  // K, 0-based
  unsigned count = 1;  // N
};

inline constexpr unsigned kMaxShards = 100000;

// "K/N" with 0 <= K < N <= kMaxShards, decimal digits only.
bool parse_shard(std::string_view text, ShardSpec& out, std::string& error);

// The first 8 bytes of SHA-256(key), big-endian.
std::uint64_t stable_hash(std::string_view key);

// The shard key of a pack (see above); reads its manifest.json (a regular
// file, at most limits.max_file_size bytes) and nothing else.
std::string shard_key(const PackLocation& pack, const Limits& limits);

// stable_hash(shard_key(pack)) % count.
unsigned shard_of(const PackLocation& pack, const Limits& limits, unsigned count);

// The digest of every place a check found, each with the shard it went to
// (the section's `found_sha256`). Every shard of one check of one unchanged
// tree records the same, and `merge` computes it again from the packs all
// shards hold: a pack added, removed or moved to another shard between the
// shard jobs (or a shard edited) is refused, never left unjudged. Places are
// added in display-path order (as a check sorts them); each is hashed as
// "<len>:<path><len>:<name><shard>\n".
class FoundPlacesDigest {
 public:
  void add(std::string_view display_path, std::string_view name, unsigned shard);
  std::string hex();  // once

 private:
  std::unique_ptr<Sha256> sha_ = std::make_unique<Sha256>();
};

// What a shard's report carries for one pack beyond the ordinary report.
struct ShardPack {
  std::string name;  // root-relative name
  std::string path;  // display path (as given), for text, SARIF, JUnit, GitHub, HTML
  // The pack was opened and took part in the collection gates (not a
  // staging directory, not unopenable): `merge` compares its summaries.
  bool compared = false;
  // A compared pack's summary for each gate compared across shards, by gate
  // id (null: the gate could not summarise it), and why summarising threw.
  std::map<std::string, std::shared_ptr<const PackSummary>> summaries;
  std::map<std::string, std::string> summary_errors;
  std::map<std::string, OmittedCounts> omitted;  // by gate id (engine/finding_cap.h)
  std::set<std::size_t> omitted_suppressions;     // those accepting a finding left out, of any gate
};

// The `shard` section of a shard's JSON report.
struct ShardSection {
  ShardSpec spec;
  // The PATHs given to check, as given: shards of one check name the same
  // (a shard of another tree is refused).
  std::vector<std::string> paths;
  std::string policy_source;  // as the check named it (suppression warnings quote it)
  std::string policy_yaml;    // the policy's text (merge applies it again)
  std::string found_sha256;   // FoundPlacesDigest of every place the check found
  // Preparations::shared_inputs: the files outside the packs that verdicts
  // depend on (--repo-root's lock files). Shards that read one must agree.
  std::map<std::string, std::string> inputs;
  bool has_baseline = false;
  std::vector<std::string> baseline;  // --baseline fingerprints, sorted
  std::vector<ShardPack> packs;       // one per report pack, same order
};

// The reason a shard gives the SKIP of a gate compared across shards.
inline constexpr std::string_view kComparedByMerge =
    "compared across all shards by `mplp-gate merge` (this is one shard of a sharded check)";

}  // namespace mplp
