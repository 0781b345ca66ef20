// GATE-V2-SUBSTRATE-REGISTRY-01: see gates/docs/GATE-V2-SUBSTRATE-REGISTRY-01.md.
#pragma once

#include "core/gate.h"

namespace mplp {

const Gate& substrate_registry_gate();

}  // namespace mplp
