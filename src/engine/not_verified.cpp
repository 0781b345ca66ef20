#include "engine/not_verified.h"

#include <algorithm>

namespace mplp {

void note_not_verified(PackResult& pack, bool is_real, bool has_registry, const CheckRequest& req,
                       const std::vector<const Gate*>& gates) {
  if (!is_real) return;  // what gates leave unverified concerns INDEXABLE_REAL claims only
  for (const Gate* g : gates) {
    GateOutcome outcome;
    outcome.has_registry = has_registry;
    for (const GateResult& r : pack.gates) {
      if (r.gate_id != g->info().id) continue;
      outcome.ran = true;
      outcome.skipped = r.status == GateStatus::Skip;
      outcome.skip_reason = r.skip_reason;
      outcome.findings = &r.findings;
    }
    g->note_unverified(outcome, req.options, pack.not_verified);
  }
  std::sort(pack.not_verified.begin(), pack.not_verified.end(),
            [](const Unverified& a, const Unverified& b) { return a.check < b.check; });
}

}  // namespace mplp
