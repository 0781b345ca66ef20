#include "gates/real_qualify.h"

namespace mplp {

namespace {

class Gate_ : public Gate {
 public:
  const GateInfo& info() const override {
    static const GateInfo kInfo{"GATE-V2-REAL-QUALIFY-01", "(not yet implemented)", "", "", GateScope::Pack, {}};
    return kInfo;
  }
};

}  // namespace

const Gate& real_qualify_gate() {
  static const Gate_ gate;
  return gate;
}

}  // namespace mplp
