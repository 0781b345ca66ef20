#include "gates/det.h"

namespace mplp {

namespace {

class Gate_ : public Gate {
 public:
  const GateInfo& info() const override {
    static const GateInfo kInfo{"GATE-V2-DET-01", "(not yet implemented)", "", "", GateScope::Collection, {}};
    return kInfo;
  }
};

}  // namespace

const Gate& det_gate() {
  static const Gate_ gate;
  return gate;
}

}  // namespace mplp
