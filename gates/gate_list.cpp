#include "gates/gate_list.h"

#include <algorithm>
#include <atomic>
#include <stdexcept>
#include <string>

#include "core/text.h"

// Every gate of this library, one line each, sorted by id (a test checks
// order and uniqueness). Each gate's file defines its function; nothing else
// declares it.
#define MPLP_EACH_GATE(GATE)                                        \
  GATE(attestation_gate)        /* GATE-V2-ATTESTATION-01 */        \
  GATE(consistency_gate)        /* GATE-V2-CONSISTENCY-01 */        \
  GATE(det_gate)                /* GATE-V2-DET-01 */                \
  GATE(evidence_reuse_gate)     /* GATE-V2-EVIDENCE-REUSE-01 */     \
  GATE(host_allow_gate)         /* GATE-V2-HOST-ALLOW-01 */         \
  GATE(integrity_gate)          /* GATE-V2-INTEGRITY-01 */          \
  GATE(pack_structure_gate)     /* GATE-V2-PACK-STRUCTURE-01 */     \
  GATE(real_qualify_gate)       /* GATE-V2-REAL-QUALIFY-01 */       \
  GATE(ssot_gate)               /* GATE-V2-SSOT-01 */               \
  GATE(substrate_registry_gate) /* GATE-V2-SUBSTRATE-REGISTRY-01 */

namespace mplp {

#define MPLP_DECLARE_GATE(name) const Gate& name();
MPLP_EACH_GATE(MPLP_DECLARE_GATE)
#undef MPLP_DECLARE_GATE

namespace {

std::vector<const Gate*>& registered() {
  static std::vector<const Gate*> gates;
  return gates;
}
std::atomic<bool> g_list_read{false};

}  // namespace

void register_gates(std::initializer_list<const Gate*> gates) {
  if (g_list_read) throw std::logic_error("register_gates after the gate list was read");
  for (const Gate* g : gates) registered().push_back(g);
}

const std::vector<const Gate*>& all_gates() {
  static const std::vector<const Gate*> gates = [] {
#define MPLP_LIST_GATE(name) &name(),
    std::vector<const Gate*> list = {MPLP_EACH_GATE(MPLP_LIST_GATE)};
#undef MPLP_LIST_GATE
    // Registered gates go in at their place by id.
    for (const Gate* g : registered()) {
      auto by_id = [](const Gate* a, const Gate* b) { return a->info().id < b->info().id; };
      auto at = std::lower_bound(list.begin(), list.end(), g, by_id);
      if (at != list.end() && (*at)->info().id == g->info().id)
        throw std::logic_error("gate " + std::string(g->info().id) + " registered twice");
      list.insert(at, g);
    }
    g_list_read = true;
    return list;
  }();
  return gates;
}

std::string_view short_gate_id(std::string_view id) {
  constexpr std::string_view kPrefix = "GATE-V2-";
  return id.substr(0, kPrefix.size()) == kPrefix ? id.substr(kPrefix.size()) : id;
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
