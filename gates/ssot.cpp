#include "gates/ssot.h"

namespace mplp {

namespace {

class Gate_ : public Gate {
 public:
  const GateInfo& info() const override {
    static const GateInfo kInfo{"GATE-V2-SSOT-01", "(not yet implemented)", "", "", GateScope::Pack, {}};
    return kInfo;
  }
};

}  // namespace

const Gate& ssot_gate() {
  static const Gate_ gate;
  return gate;
}

}  // namespace mplp
