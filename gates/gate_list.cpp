#include "gates/gate_list.h"

#include <algorithm>
#include <atomic>
#include <stdexcept>
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
#include "gates/ssot.h"
#include "gates/substrate_registry.h"

namespace mplp {

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
  // One line per gate, sorted by id (a test checks order and uniqueness).
  static const std::vector<const Gate*> gates = [] {
    std::vector<const Gate*> list = {
        &attestation_gate(),
        &consistency_gate(),
        &det_gate(),
        &evidence_reuse_gate(),
        &host_allow_gate(),
        &integrity_gate(),
        &pack_structure_gate(),
        &real_qualify_gate(),
        &ssot_gate(),
        &substrate_registry_gate(),
    };
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
