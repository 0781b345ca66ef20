// GATE-V2-EVIDENCE-REUSE-01: see gates/docs/GATE-V2-EVIDENCE-REUSE-01.md.
#pragma once

#include "core/gate.h"

namespace mplp {

const Gate& evidence_reuse_gate();

}  // namespace mplp
