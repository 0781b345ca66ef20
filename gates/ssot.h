// GATE-V2-SSOT-01: see gates/docs/GATE-V2-SSOT-01.md.
#pragma once

#include "core/gate.h"

namespace mplp {

const Gate& ssot_gate();

}  // namespace mplp
