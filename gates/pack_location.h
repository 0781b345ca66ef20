// Helper of GATE-V2-PACK-STRUCTURE-01 (gates/pack_structure.cpp): a pack
// lying under a `data/runs/v2/` directory is where the runner contract's
// get_pack_root puts it, data/runs/v2/<category>/<substrate_id>/<run>, with
// category real, synthetic or non-indexable from indexability_status
// (runners/_lib/pack-paths.sh prints the same path). A pack anywhere else is
// not judged by its place. Only warnings: the place is a convention of
// indexes, not part of the evidence.
#pragma once

#include <string>
#include <string_view>

#include "core/gate.h"

namespace mplp::pack_structure {

// "real", "synthetic", "non-indexable", or "" for an unknown status.
std::string_view pack_category(std::string_view indexability_status);

// Warns when the pack's absolute path holds data/runs/v2/ and what follows
// disagrees with get_pack_root for its manifest (findings of `gate`'s kinds).
void check_location(const GateInfo& gate, const Pack& pack, FindingSink& sink);

}  // namespace mplp::pack_structure
