// GATE-V2-HOST-ALLOW-01: see gates/docs/GATE-V2-HOST-ALLOW-01.md.
#pragma once

#include "core/gate.h"

namespace mplp {

const Gate& host_allow_gate();

}  // namespace mplp
