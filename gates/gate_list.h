// The explicit, sorted list of every gate. Adding a gate adds one line to
// gate_list.cpp's MPLP_EACH_GATE (scripts/new-gate writes it, with the gate's
// file, page and fixtures); nothing in the engine, the CLI or the renderers
// changes.
//
// Runner-scope gates that run containers link the container executor
// (src/runner's mplp_executor). They are not in this library, which the
// engine, the report library and the unit tests link: they live in
// mplp_runner_gates, listed in gates/runner_gates.cpp, and a program that
// links them adds them once, in its main, before anything reads the list
// (register_runner_gates(), gates/runner_gates.h: the CLI and the runner
// tests do). all_gates() is then the sorted union of both lists.
#pragma once

#include <initializer_list>
#include <string_view>
#include <vector>

#include "core/gate.h"

namespace mplp {

// The gate that checks signatures. The engine (a required signature must be
// checked, and no suppression or baseline may accept its findings) and the
// receipt (which records its verdict) name it; it is spelled once, here.
inline constexpr std::string_view kAttestationGateId = "GATE-V2-ATTESTATION-01";

// The id without its "GATE-V2-" prefix (INTEGRITY-01), as people type it.
std::string_view short_gate_id(std::string_view id);

// Every gate, sorted by id.
const std::vector<const Gate*>& all_gates();
// Adds gates kept outside this library. Throws std::logic_error once the
// list was read, or for an id already listed.
void register_gates(std::initializer_list<const Gate*> gates);
// The gate with this id, or nullptr.
const Gate* find_gate(std::string_view id);
// The gate a person named: its full id or the id without the GATE-V2- prefix
// (INTEGRITY-01), in any letter case; nullptr when none is named so.
const Gate* find_gate_named(std::string_view typed);

}  // namespace mplp
