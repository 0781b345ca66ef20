// GATE-V2-INTEGRITY-01: see gates/docs/GATE-V2-INTEGRITY-01.md.
#pragma once

#include "core/gate.h"

namespace mplp {

const Gate& integrity_gate();

}  // namespace mplp
