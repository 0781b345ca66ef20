#include "engine/finding_cap.h"

#include <algorithm>

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

}  // namespace

void OmittedCounts::add(const OmittedCounts& o) {
  for (std::size_t i = 0; i < by_severity.size(); ++i) by_severity[i] += o.by_severity[i];
  codes.insert(o.codes.begin(), o.codes.end());
}

void BoundedFindings::add(Finding f) {
  if (cap_ == 0) return omitted_.add(f);
  if (heap_.size() < cap_) {
    heap_.push_back(std::move(f));
    std::push_heap(heap_.begin(), heap_.end(), keep_before);
    return;
  }
  // Full: `f` replaces the first to leave out if it is to be kept before it.
  if (!keep_before(f, heap_.front())) return omitted_.add(f);
  std::pop_heap(heap_.begin(), heap_.end(), keep_before);
  omitted_.add(heap_.back());
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
      else lost.add(f);
    }
    g.findings.swap(fresh);
    absorb(g.gate_id, lost);
  }
}

void PackFindingCap::add_notes(std::vector<GateResult>& gates) const {
  for (GateResult& g : gates) {
    auto it = omitted().find(g.gate_id);
    if (it == omitted().end()) continue;
    const OmittedCounts& o = it->second;
    Severity worst = o.by_severity[2] > 0 ? Severity::Error : o.by_severity[1] > 0 ? Severity::Warning : Severity::Info;
    Finding f = make_finding(worst, std::string(kFindingsOmitted), "",
                             count_text(o.total(), "more finding", "more findings") +
                                 " of this gate left out of the report (" +
                                 count_text(o.by_severity[2], "error", "errors") + ", " +
                                 count_text(o.by_severity[1], "warning", "warnings") + ", " +
                                 std::to_string(o.by_severity[0]) + " info)");
    f.gate_id = g.gate_id;
    f.expected = "at most " + count_text(cap_, "finding", "findings") + " per pack (limits.max_findings_per_pack)";
    f.actual = std::to_string(o.total()) + " more";
    f.detail = "the most severe findings are kept, and this one has the severity of the worst left out, so the "
               "gate's status and the exit code are those of the full list";
    f.hint = "fix the findings shown and check again, or raise limits.max_findings_per_pack in the policy";
    g.findings.insert(std::upper_bound(g.findings.begin(), g.findings.end(), f, finding_less), std::move(f));
  }
}

}  // namespace mplp
