// Issue 17, point 7: the runner-scope gates live apart from gates/'s library
// (they link the container executor) and join the gate list through
// register_runner_gates(), which this suite calls as the CLI's main does.
// Here they are listed at their place, documented, and their fixes name only
// this project; the unit tests, which do not link them, check the others.
// (tests/check_no_executor.py checks that those binaries hold no executor.)
#include <gtest/gtest.h>

#include <stdexcept>

#include "gates/gate_list.h"
#include "gates/runner_gates.h"
#include "gate_doc_checks.h"
#include "test_util.h"

namespace mplp::test {
namespace {

// Before any test reads the gate list, as in the CLI's main.
const bool kRegistered = (register_runner_gates(), true);

TEST(RunnerGates, RegisteredAtTheirPlaceDocumentedAndWithFixesOfThisProject) {
  ASSERT_TRUE(kRegistered);
  const Gate* smoke = find_gate("GATE-V2-RUNNER-SMOKE-01");
  ASSERT_NE(smoke, nullptr);
  EXPECT_EQ(find_gate_named("runner-smoke-01"), smoke);
  std::string_view prev;
  std::size_t runner_gates = 0;
  for (const Gate* g : all_gates()) {
    EXPECT_LT(prev, g->info().id) << "gate list not sorted at " << g->info().id;
    prev = g->info().id;
    if (!g->info().scopes.has(GateScope::Runners)) continue;
    ++runner_gates;
    expect_gate_documented(*g);
    for (const FindingKind& k : g->info().kinds)
      for (const std::string& bad : foreign_references(std::string(k.fix)))
        ADD_FAILURE() << g->info().id << " " << k.code << ": fix names " << bad;
  }
  EXPECT_GE(runner_gates, 1u);
}

TEST(RunnerGates, RegisteringAfterTheListWasReadIsAnError) {
  (void)all_gates();
  EXPECT_THROW(register_runner_gates(), std::logic_error);
}

}  // namespace
}  // namespace mplp::test
