// One finding per defect (issue 14, point 1): a gate that says the same thing
// about one file again and again (a timeline in another schema: the same
// error on every line) gets one finding, with the count and the first few
// places, instead of a screen of copies.
#pragma once

#include "engine/run_report.h"

namespace mplp {

// Findings of `g` with the same code, file, severity, message, expected and
// actual, differing only in place, become the first of them; its detail says
// how many times and where (at most kFoldPlacesShown places). Keeps order.
void fold_repeats(GateResult& g);

inline constexpr std::size_t kFoldPlacesShown = 5;

// A field that fails a schema rule and one of the gate's own rules is one
// defect: a finding marked `schema_rule` is dropped when another finding of
// `g` that is not from the schema names the same file and JSON pointer with at
// least its severity; that finding's detail gains the schema's message, so
// nothing said is lost. Keeps order.
void drop_schema_restatements(GateResult& g);

// Both of the above, in that order: what every gate scope's result gets.
void one_finding_per_defect(GateResult& g);

}  // namespace mplp
