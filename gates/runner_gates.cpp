#include "gates/runner_gates.h"

#include "gates/gate_list.h"
#include "gates/runner_smoke.h"

namespace mplp {

void register_runner_gates() {
  // One line per gate, sorted by id.
  register_gates({
      &runner_smoke_gate(),
  });
}

}  // namespace mplp
