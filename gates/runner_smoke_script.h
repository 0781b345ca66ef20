// Helpers of GATE-V2-RUNNER-SMOKE-01 (gates/runner_smoke.cpp): how long the
// steps of a smoke run took, and a runner's own runners/<id>/smoke.sh, the
// runner contract's smoke test. It is code
// from the runner's author and runs on this machine, not in a container, so
// it runs only when the user asked (check --run-smoke-scripts); otherwise an
// info finding says it was not run and how to run it. When run: `bash
// smoke.sh` in the repository root (the runners directory's parent), with
// runners/_lib first on PATH (the contract's helpers, backed by this
// mplp-gate through MPLP_GATE), MPLP_ENGINE set to the engine of the check,
// stdin /dev/null and a time limit; a non-zero exit or the limit is an error
// finding carrying the tail of its output.
#pragma once

#include <string>

#include "core/gate.h"
#include "runner/engine.h"
#include "runner/executor.h"
#include "runner/runner_def.h"

namespace mplp::runner_smoke {

// Seconds a smoke.sh may run (it builds an image and runs a container).
inline constexpr unsigned kSmokeScriptSeconds = 900;

// The smoke.timing text for the steps that ran ("build 12.3 s, smoke 0.4 s",
// "cached image reused, smoke failed after 1.0 s", "build failed after
// 3.0 s"; "" when none ran). `failed_code`: the finding code of the failure,
// or null when the run succeeded.
std::string timing_text(const runner::RunOutcome& out, const char* failed_code);

// Reports findings of `gate`'s kinds smoke.script_*; nothing when the runner
// has no smoke.sh.
void check_smoke_script(const GateInfo& gate, const runner::RunnerDef& def, const runner::Engine& engine,
                        const GateContext& ctx, FindingSink& sink);

}  // namespace mplp::runner_smoke
