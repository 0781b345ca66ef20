#include "gates/gate_list.h"

#include <algorithm>
#include <string>

#include "core/text.h"
#include "gates/attestation.h"
#include "gates/consistency.h"
#include "gates/det.h"
#include "gates/evidence_reuse.h"
#include "gates/host_allow.h"
#include "gates/integrity.h"
#include "gates/pack_structure.h"
#include "gates/real_qualify.h"
#include "gates/runner_smoke.h"
#include "gates/ssot.h"
#include "gates/substrate_registry.h"

namespace mplp {

const std::vector<const Gate*>& all_gates() {
  // One line per gate, sorted by id (a test checks order and uniqueness).
  static const std::vector<const Gate*> gates = {
      &attestation_gate(),
      &consistency_gate(),
      &det_gate(),
      &evidence_reuse_gate(),
      &host_allow_gate(),
      &integrity_gate(),
      &pack_structure_gate(),
      &real_qualify_gate(),
      &runner_smoke_gate(),
      &ssot_gate(),
      &substrate_registry_gate(),
  };
  return gates;
}

const Gate* find_gate(std::string_view id) {
  for (const Gate* g : all_gates())
    if (g->info().id == id) return g;
  return nullptr;
}

const Gate* find_gate_named(std::string_view typed) {
  const std::string t = ascii_upper(typed);
  for (const Gate* g : all_gates()) {
    std::string_view id = g->info().id;
    if (id == t) return g;
    // A suffix after a '-' that itself has a '-' (SSOT-01, not 01).
    if (id.size() > t.size() && id.substr(id.size() - t.size()) == t && id[id.size() - t.size() - 1] == '-' &&
        t.find('-') != std::string::npos)
      return g;
  }
  return nullptr;
}

}  // namespace mplp
