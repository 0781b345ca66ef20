// GATE-V2-DET-01: see gates/docs/GATE-V2-DET-01.md.
#pragma once

#include "core/gate.h"

namespace mplp {

const Gate& det_gate();

}  // namespace mplp
