// Helpers of GATE-V2-PACK-STRUCTURE-01 (gates/pack_structure.cpp) that check
// file contents rather than the manifest: every *.json file parses strictly
// and has no duplicate keys, and every non-empty line of
// timeline/events.ndjson is an event object. Both report findings built from
// the gate's kinds table (`gate`) to its sink, and never throw on hostile
// input.
#pragma once

#include "core/gate.h"

namespace mplp::pack_structure {

// Every regular *.json file (any case) parses through Pack::json (strict
// RFC 8259, policy depth limit); one finding per unreadable or invalid file,
// one per duplicate key.
void check_json_files(const GateInfo& gate, const Pack& pack, FindingSink& sink);

// Every non-empty line of timeline/events.ndjson (LF-separated; one CR before
// the LF is dropped; a missing final newline is fine) is a JSON object with
// string `timestamp` and `event`. One finding per bad line, up to a cap, then
// one summary finding. Linear in the file size.
void check_timeline(const GateInfo& gate, const Pack& pack, FindingSink& sink);

}  // namespace mplp::pack_structure
