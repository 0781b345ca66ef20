// The explicit, sorted list of every gate. Adding a gate adds one line to
// gate_list.cpp (and its files, doc page, fixtures and test); nothing else
// in the CLI or the renderers changes.
#pragma once

#include <string_view>
#include <vector>

#include "core/gate.h"

namespace mplp {

// Every gate, sorted by id.
const std::vector<const Gate*>& all_gates();
// The gate with this id, or nullptr.
const Gate* find_gate(std::string_view id);
// The gate a person named: its full id or the id without the GATE-V2- prefix
// (INTEGRITY-01), in any letter case; nullptr when none is named so.
const Gate* find_gate_named(std::string_view typed);

}  // namespace mplp
