// GATE-V2-PACK-STRUCTURE-01: see gates/docs/GATE-V2-PACK-STRUCTURE-01.md.
#pragma once

#include "core/gate.h"

namespace mplp {

const Gate& pack_structure_gate();

}  // namespace mplp
