#include "engine/finding_cap.h"

#include <algorithm>
#include <optional>

#include "gates/gate_list.h"

namespace mplp {

namespace {

// True when `a` is kept before `b`: more severe first, then report order.
bool keep_before(const Finding& a, const Finding& b) {
  if (a.severity != b.severity) return static_cast<int>(a.severity) > static_cast<int>(b.severity);
  return finding_less(a, b);
}

std::string count_text(std::size_t n, std::string_view one, std::string_view many) {
  return std::to_string(n) + " " + std::string(n == 1 ? one : many);
}

// The most severe of counts[0..2] (indexed by Severity) that is not zero.
std::optional<Severity> worst_of(const std::array<std::size_t, 3>& counts) {
  for (std::size_t i = counts.size(); i-- > 0;)
    if (counts[i] > 0) return static_cast<Severity>(i);
  return std::nullopt;
}

}  // namespace

bool acceptance_locked(std::string_view gate_id, bool require_signature) {
  return require_signature && gate_id == kAttestationGateId;
}

std::vector<std::size_t> OmittedAcceptance::accepting(const Finding& f) const {
  std::vector<std::size_t> out;
  if (policy == nullptr || acceptance_locked(f.gate_id, require_signature)) return out;
  for (std::size_t i = 0; i < policy->suppressions.size(); ++i)
    if (policy->suppressions[i].matches(f.code, f.file, pack_name)) out.push_back(i);
  return out;
}

void OmittedCounts::add(const OmittedCounts& o) {
  for (std::size_t i = 0; i < by_severity.size(); ++i) {
    by_severity[i] += o.by_severity[i];
    accepted[i] += o.accepted[i];
  }
  suppressions.insert(o.suppressions.begin(), o.suppressions.end());
  codes.insert(o.codes.begin(), o.codes.end());
}

void BoundedFindings::add(Finding f) {
  if (cap_ == 0) return leave_out(f);
  if (heap_.size() < cap_) {
    heap_.push_back(std::move(f));
    std::push_heap(heap_.begin(), heap_.end(), keep_before);
    return;
  }
  // Full: `f` replaces the first to leave out if it is to be kept before it.
  if (!keep_before(f, heap_.front())) return leave_out(f);
  std::pop_heap(heap_.begin(), heap_.end(), keep_before);
  leave_out(heap_.back());
  heap_.back() = std::move(f);
  std::push_heap(heap_.begin(), heap_.end(), keep_before);
}

std::vector<Finding> BoundedFindings::take_sorted() {
  std::vector<Finding> out = std::move(heap_);
  heap_.clear();
  std::sort(out.begin(), out.end(), finding_less);
  return out;
}

void PackFindingCap::absorb(std::string_view gate_id, const OmittedCounts& omitted) {
  if (omitted.total() == 0) return;
  if (!omitted_) omitted_ = std::make_unique<Omitted>();
  (*omitted_)[std::string(gate_id)].add(omitted);
}

const PackFindingCap::Omitted& PackFindingCap::omitted() const {
  static const Omitted none;
  return omitted_ ? *omitted_ : none;
}

std::set<std::size_t> PackFindingCap::accepting_suppressions() const {
  std::set<std::size_t> out;
  for (const auto& [gate, counts] : omitted()) out.insert(counts.suppressions.begin(), counts.suppressions.end());
  return out;
}

std::set<std::size_t> accepting_suppressions(const std::vector<PackFindingCap>& caps) {
  std::set<std::size_t> out;
  for (const PackFindingCap& cap : caps) out.merge(cap.accepting_suppressions());
  return out;
}

void PackFindingCap::trim(std::vector<GateResult>& gates) {
  std::size_t total = 0;
  for (const GateResult& g : gates) total += g.findings.size();
  if (total <= cap_) return;
  // The cap_-th finding to keep over all gates is the threshold.
  std::vector<const Finding*> all;
  all.reserve(total);
  for (const GateResult& g : gates)
    for (const Finding& f : g.findings) all.push_back(&f);
  auto before = [](const Finding* a, const Finding* b) { return keep_before(*a, *b); };
  std::nth_element(all.begin(), all.begin() + static_cast<std::ptrdiff_t>(cap_), all.end(), before);
  // Every finding kept comes before it. A copy: the loop below moves and
  // frees the findings `all` points to (gate by gate), this one included.
  const Finding first_out = *all[cap_];
  std::vector<Finding> fresh;
  for (GateResult& g : gates) {
    OmittedCounts lost;
    fresh.clear();
    for (Finding& f : g.findings) {
      if (keep_before(f, first_out)) fresh.push_back(std::move(f));
      else lost.add(f, acceptance_.accepting(f));
    }
    g.findings.swap(fresh);
    absorb(g.gate_id, lost);
  }
}

PackFindingCap pack_finding_cap(const Policy& policy, const std::string& pack_name, bool require_signature) {
  if (policy.suppressions.empty()) return PackFindingCap(policy.limits.max_findings_per_pack);
  return PackFindingCap(policy.limits.max_findings_per_pack, OmittedAcceptance{&policy, pack_name, require_signature});
}

void PackFindingCap::add_notes(std::vector<GateResult>& gates) const {
  for (GateResult& g : gates) {
    auto it = omitted().find(g.gate_id);
    if (it == omitted().end()) continue;
    const OmittedCounts& o = it->second;
    std::array<std::size_t, 3> counting{};  // those no suppression accepts
    for (std::size_t i = 0; i < counting.size(); ++i) counting[i] = o.by_severity[i] - o.accepted[i];
    const std::optional<Severity> worst_counting = worst_of(counting);
    const std::string accepted_note =
        o.total_accepted() == 0 ? ""
        : o.total_accepted() == o.total()
            ? "; a suppression of the policy accepts each of them"
            : "; a suppression of the policy accepts " + std::to_string(o.total_accepted()) + " of them";
    Finding f = make_finding(worst_counting.value_or(worst_of(o.by_severity).value_or(Severity::Info)),
                             std::string(kFindingsOmitted), "",
                             count_text(o.total(), "more finding", "more findings") +
                                 " of this gate left out of the report (" +
                                 count_text(o.by_severity[2], "error", "errors") + ", " +
                                 count_text(o.by_severity[1], "warning", "warnings") + ", " +
                                 std::to_string(o.by_severity[0]) + " info" + accepted_note + ")");
    // Accepted as the findings it stands for are: they would not count.
    if (!worst_counting) f.suppressed = "every finding it stands for is accepted by a suppression of the policy";
    f.gate_id = g.gate_id;
    f.expected = "at most " + count_text(cap_, "finding", "findings") + " per pack (limits.max_findings_per_pack)";
    f.actual = std::to_string(o.total()) + " more";
    f.detail = "the most severe findings are kept, and this one has the severity of the worst left out that no "
               "suppression accepts, so the gate's status and the exit code are those of the full list";
    f.hint = "fix the findings shown and check again, or raise limits.max_findings_per_pack in the policy";
    g.findings.insert(std::upper_bound(g.findings.begin(), g.findings.end(), f, finding_less), std::move(f));
  }
}

}  // namespace mplp
