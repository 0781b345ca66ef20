// GATE-V2-CONSISTENCY-01: see gates/docs/GATE-V2-CONSISTENCY-01.md.
#pragma once

#include "core/gate.h"

namespace mplp {

const Gate& consistency_gate();

}  // namespace mplp
