// GATE-V2-RUNNER-SMOKE-01: see gates/docs/GATE-V2-RUNNER-SMOKE-01.md.
#pragma once

#include "core/gate.h"

namespace mplp {

const Gate& runner_smoke_gate();

}  // namespace mplp
