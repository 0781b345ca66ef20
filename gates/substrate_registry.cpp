#include "gates/substrate_registry.h"

namespace mplp {

namespace {

class Gate_ : public Gate {
 public:
  const GateInfo& info() const override {
    static const GateInfo kInfo{"GATE-V2-SUBSTRATE-REGISTRY-01", "(not yet implemented)", "", "", GateScope::Runners, {}};
    return kInfo;
  }
};

}  // namespace

const Gate& substrate_registry_gate() {
  static const Gate_ gate;
  return gate;
}

}  // namespace mplp
