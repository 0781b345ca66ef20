// GATE-V2-RUNNER-SMOKE-01's timing finding names only the steps that ran
// (issue 14, point 7). In the runner suite: only it links the runner-scope gates.
#include <gtest/gtest.h>

#include "gates/runner_smoke_script.h"

namespace mplp::runner_smoke {
namespace {

runner::RunOutcome outcome(bool built, double build, double run) {
  runner::RunOutcome o;
  o.image.built = built;
  o.build_seconds = build;
  o.run_seconds = run;
  return o;
}

TEST(RunnerSmokeTiming, OnlyStepsThatRan) {
  EXPECT_EQ(timing_text(outcome(true, 12.34, 0.4), nullptr), "build 12.3 s, smoke 0.4 s");
  EXPECT_EQ(timing_text(outcome(false, 0, 0.4), nullptr), "no build (cached image reused), smoke 0.4 s");
  EXPECT_EQ(timing_text(outcome(true, 2, 1), "smoke.run_failed"), "build 2.0 s, smoke failed after 1.0 s");
  // A failed build: no smoke, and no "cached image reused" (issue 14's report).
  EXPECT_EQ(timing_text(outcome(false, 3, 0), "smoke.build_failed"), "build failed after 3.0 s");
  EXPECT_EQ(timing_text(outcome(false, 0, 0), "smoke.base_missing"), "");
  EXPECT_EQ(timing_text(outcome(false, 0, 0), "smoke.definition_invalid"), "");
}

}  // namespace
}  // namespace mplp::runner_smoke
