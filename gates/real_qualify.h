// GATE-V2-REAL-QUALIFY-01: see gates/docs/GATE-V2-REAL-QUALIFY-01.md.
#pragma once

#include "core/gate.h"

namespace mplp {

const Gate& real_qualify_gate();

}  // namespace mplp
