// What a pack's verdict does not cover: the checks that could not be made in
// this run, and why (issue 14, point 3), so that "PASS" and "PASS, partly
// unverified" read differently. Decided from the run's options and the
// gates' results, never by a gate (gates report findings; this is about the
// run around them).
#pragma once

#include "engine/check.h"
#include "engine/run_report.h"

namespace mplp {

// Fills `pack.not_verified` (sorted by check) from its gate results;
// `has_registry`: a substrate registry applied to the pack.
void note_not_verified(PackResult& pack, bool is_real, bool has_registry, const CheckRequest& req);

}  // namespace mplp
