// GATE-V2-ATTESTATION-01: see gates/docs/GATE-V2-ATTESTATION-01.md.
#pragma once

#include "core/gate.h"

namespace mplp {

const Gate& attestation_gate();

}  // namespace mplp
