#include "gates/pack_structure.h"

namespace mplp {

namespace {

class Gate_ : public Gate {
 public:
  const GateInfo& info() const override {
    static const GateInfo kInfo{"GATE-V2-PACK-STRUCTURE-01", "(not yet implemented)", "", "", GateScope::Pack, {}};
    return kInfo;
  }
};

}  // namespace

const Gate& pack_structure_gate() {
  static const Gate_ gate;
  return gate;
}

}  // namespace mplp
