#include "gates/runner_smoke.h"

namespace mplp {

namespace {

class Gate_ : public Gate {
 public:
  const GateInfo& info() const override {
    static const GateInfo kInfo{"GATE-V2-RUNNER-SMOKE-01", "(not yet implemented)", "", "", GateScope::Runners, {}};
    return kInfo;
  }
};

}  // namespace

const Gate& runner_smoke_gate() {
  static const Gate_ gate;
  return gate;
}

}  // namespace mplp
