// What a pack's verdict does not cover: the checks that could not be made in
// this run, and why (issue 14, point 3), so that "PASS" and "PASS, partly
// unverified" read differently. Each gate says what it left unverified from
// how it ended on the pack and the run's options (Gate::note_unverified).
#pragma once

#include "engine/check.h"
#include "engine/finding_cap.h"
#include "engine/run_report.h"

namespace mplp {

// Fills `pack.not_verified` (sorted by check) from what each of `gates` says
// of its result (`cap`: the findings the per-pack limit left out), and names
// each pack gate the run left out; `has_registry`: a substrate registry
// applied to the pack.
void note_not_verified(PackResult& pack, bool is_real, bool has_registry, const CheckRequest& req,
                       const std::vector<const Gate*>& gates, const PackFindingCap& cap);

}  // namespace mplp
