// GATE-V2-RUNNER-SMOKE-01: see gates/docs/GATE-V2-RUNNER-SMOKE-01.md.
#pragma once

#include <string>

#include "core/gate.h"
#include "runner/executor.h"

namespace mplp {

const Gate& runner_smoke_gate();

// The smoke.timing text for the steps that ran ("build 12.3 s, smoke 0.4 s",
// "cached image reused, smoke failed after 1.0 s", "build failed after
// 3.0 s"; "" when none ran). `failed_code`: the finding code of the failure,
// or null when the run succeeded.
std::string timing_text(const runner::RunOutcome& out, const char* failed_code);

}  // namespace mplp
