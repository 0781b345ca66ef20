#include "engine/not_verified.h"

#include <algorithm>

namespace mplp {

namespace {

const GateResult* result(const PackResult& p, std::string_view gate) {
  for (const GateResult& g : p.gates)
    if (g.gate_id == gate) return &g;
  return nullptr;
}

// The gate ran on the pack and did not skip it.
bool judged(const GateResult* g) { return g != nullptr && g->status != GateStatus::Skip; }

bool has_code(const GateResult* g, std::string_view code) {
  if (g == nullptr) return false;
  return std::any_of(g->findings.begin(), g->findings.end(), [&](const Finding& f) { return f.code == code; });
}

}  // namespace

void note_not_verified(PackResult& pack, bool is_real, bool has_registry, const CheckRequest& req) {
  auto& out = pack.not_verified;
  if (!is_real) return;  // the checks below concern INDEXABLE_REAL claims only
  if (judged(result(pack, "GATE-V2-SSOT-01")) && !has_registry)
    out.push_back({"registry membership",
                   "no substrate registry found (--registry, --repo-root, or producers/_registry/ above the pack): "
                   "the runner's membership and the substrate binding are not checked"});
  if (const GateResult* q = result(pack, "GATE-V2-REAL-QUALIFY-01"); judged(q) && !req.options.repo_root)
    out.push_back({"lock file", "not checked without --repo-root: lock_ref.lock_sha256 is taken as written"});
  else if (has_code(q, "real-qualify.lock-file-missing"))
    out.push_back({"lock file", "not under --repo-root: lock_ref.lock_sha256 is taken as written"});
  if (const GateResult* a = result(pack, "GATE-V2-ATTESTATION-01");
      a != nullptr && a->status == GateStatus::Skip && a->skip_reason.rfind("no trusted key", 0) == 0)
    out.push_back({"signature", "no trusted key (--trusted-key): provenance is self-asserted"});
  if (has_code(result(pack, "GATE-V2-DET-01"), "det.single"))
    out.push_back({"determinism", "no rerun of the same substrate and scenario in this run"});
  std::sort(out.begin(), out.end(), [](const Unverified& a, const Unverified& b) { return a.check < b.check; });
}

}  // namespace mplp
