#include "engine/not_verified.h"

#include <algorithm>
#include <filesystem>
#include <map>

#include "gates/gate_list.h"

namespace mplp {

namespace {

bool listed(const std::vector<std::string>& ids, std::string_view id) {
  return std::find(ids.begin(), ids.end(), id) != ids.end();
}

// Why a pack gate is not among the run's gates, in the words the user typed.
std::string why_left_out(const CheckRequest& req, std::string_view id) {
  if (listed(req.skip_gates, id)) return "left out by --skip";
  if (!req.only_gates.empty() && !listed(req.only_gates, id)) return "left out by --gate";
  if (auto it = req.policy.gates.find(std::string(id)); it != req.policy.gates.end() && !it->second.enabled)
    // The policy by its file's name, as reports name it: the same bytes
    // whatever the path it was given or found by.
    return "disabled by " + std::filesystem::path(req.policy.source).filename().string() + ":" +
           std::to_string(it->second.line);
  return "not chosen for this run";
}

}  // namespace

void note_not_verified(PackResult& pack, bool is_real, bool has_registry, const CheckRequest& req,
                       const std::vector<const Gate*>& gates, const PackFindingCap& cap) {
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
    // Findings the per-pack limit left out still count: a capped report must
    // not hide that a check was not made.
    if (auto it = cap.omitted().find(std::string(g->info().id)); it != cap.omitted().end())
      outcome.omitted_codes = &it->second.codes;
    g->note_unverified(outcome, req.options, pack.not_verified);
  }
  // A pack gate this run left out verified none of what it checks: a run of
  // one gate over an INDEXABLE_REAL pack must not read as a full verdict.
  // One entry for each reason, naming the gates by their short ids.
  std::map<std::string, std::string> left_out;  // reason -> "gates A-01, B-01"
  for (const Gate* g : all_gates()) {
    if (!g->info().checks_packs() || std::find(gates.begin(), gates.end(), g) != gates.end()) continue;
    std::string& names = left_out[why_left_out(req, g->info().id)];
    names += (names.empty() ? "gates " : ", ") + std::string(short_gate_id(g->info().id));
  }
  for (auto& [reason, names] : left_out) pack.not_verified.push_back({std::move(names), reason});
  std::sort(pack.not_verified.begin(), pack.not_verified.end(),
            [](const Unverified& a, const Unverified& b) { return a.check < b.check; });
}

}  // namespace mplp
