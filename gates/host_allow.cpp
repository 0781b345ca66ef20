#include "gates/host_allow.h"

namespace mplp {

namespace {

class Gate_ : public Gate {
 public:
  const GateInfo& info() const override {
    static const GateInfo kInfo{"GATE-V2-HOST-ALLOW-01", "(not yet implemented)", "", "", GateScope::Pack, {}};
    return kInfo;
  }
};

}  // namespace

const Gate& host_allow_gate() {
  static const Gate_ gate;
  return gate;
}

}  // namespace mplp
