#include "gates/runner_gates.h"

#include "gates/gate_list.h"

namespace mplp {

// Each gate's file defines its function; nothing else declares it.
const Gate& runner_smoke_gate();  // GATE-V2-RUNNER-SMOKE-01

void register_runner_gates() {
  // One line per gate, sorted by id.
  register_gates({
      &runner_smoke_gate(),
  });
}

}  // namespace mplp
