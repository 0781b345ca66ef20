// GATE-V2-EVIDENCE-REUSE-01: see gates/docs/GATE-V2-EVIDENCE-REUSE-01.md.
//
// The gate compares every pack of a run with every other, whatever their
// substrate and scenario, so a sharded check (engine/shard.h) cannot run it
// within one shard: each pack is summarised into ReuseFacts (a few strings),
// the shard's report carries them, and `mplp-gate merge` compares them all
// with check_reuse, as check_collection does in one run.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "core/gate.h"

namespace mplp {

const Gate& evidence_reuse_gate();

// What one pack claims, and the two fingerprints compared across packs.
struct ReuseFacts : PackSummary {
  std::string name;  // the pack's name (Pack::name), as findings list it
  std::optional<std::string> pack_id, substrate_id, scenario_id;
  std::optional<std::string> sums;       // hex SHA-256 of the sums file
  std::optional<std::string> artifacts;  // hex SHA-256 over "<hex>  <path>\n" of every file under artifacts/
};

ReuseFacts reuse_facts_of(const Pack& pack);

// The gate's comparison over every pack of the run; `sinks[i]` belongs to
// `facts[i]`.
void check_reuse(const std::vector<ReuseFacts>& facts, const std::vector<FindingSink*>& sinks);

}  // namespace mplp
