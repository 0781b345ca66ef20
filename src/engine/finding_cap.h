// The per-pack finding limit (policy limits.max_findings_per_pack).
//
// A hostile pack can make a gate report millions of findings (a file of
// failing URLs per directory, thousands of unlisted files); holding them all,
// and rendering them, took gigabytes. Every gate's findings for one pack are
// collected into a BoundedFindings of at most `cap` entries, and the pack as
// a whole is then trimmed to `cap`, so memory stays proportional to the cap
// whatever a pack holds.
//
// Which findings are kept does not depend on the order gates or threads
// report them: the most severe first, then report order (finding_less).
// Because the most severe are kept, a gate's status cannot change: a gate
// that lost findings gets one `findings.omitted` finding, with the severity
// of the worst finding it lost, saying how many of each severity were left
// out. That note is an ordinary finding, so every format shows it.
//
//   PackFindingCap cap(policy.limits.max_findings_per_pack);
//   BoundedFindings b(cap.cap());   // per gate: b.add(f) ...
//   cap.absorb(gate_id, b.omitted());
//   cap.trim(pack_result.gates);    // after each batch of gates
//   cap.add_notes(pack_result.gates);  // once, at the end
#pragma once

#include <array>
#include <cstddef>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "engine/run_report.h"

namespace mplp {

inline constexpr std::string_view kFindingsOmitted = "findings.omitted";

// Findings left out, by severity (indexed by Severity), and their codes (so
// that what a gate left unverified is still known: engine/not_verified.h).
// The codes are not carried in a shard's report: a shard notes what is not
// verified itself.
struct OmittedCounts {
  std::array<std::size_t, 3> by_severity{};
  std::set<std::string, std::less<>> codes;
  std::size_t total() const { return by_severity[0] + by_severity[1] + by_severity[2]; }
  void add(Severity s, std::size_t n = 1) { by_severity[static_cast<std::size_t>(s)] += n; }
  void add(const Finding& f) {
    add(f.severity);
    codes.insert(f.code);
  }
  void add(const OmittedCounts& o);
};

// At most `cap` findings, the ones to keep (see above); O(log cap) per add.
class BoundedFindings {
 public:
  explicit BoundedFindings(std::size_t cap) : cap_(cap) {}
  void add(Finding f);
  // The kept findings in report order (finding_less); leaves this empty.
  std::vector<Finding> take_sorted();
  const OmittedCounts& omitted() const { return omitted_; }

 private:
  std::size_t cap_;
  std::vector<Finding> heap_;  // top: the first to leave out
  OmittedCounts omitted_;
};

class PackFindingCap {
 public:
  explicit PackFindingCap(std::size_t cap) : cap_(cap) {}
  PackFindingCap(const PackFindingCap& o) : cap_(o.cap_) {
    if (o.omitted_) omitted_ = std::make_unique<Omitted>(*o.omitted_);
  }
  PackFindingCap& operator=(const PackFindingCap& o) {
    if (this != &o) *this = PackFindingCap(o);
    return *this;
  }
  PackFindingCap(PackFindingCap&&) noexcept = default;
  PackFindingCap& operator=(PackFindingCap&&) noexcept = default;
  std::size_t cap() const { return cap_; }
  // Records findings a gate's BoundedFindings left out.
  void absorb(std::string_view gate_id, const OmittedCounts& omitted);
  // Keeps at most cap() findings over all of `gates` (each stays sorted).
  void trim(std::vector<GateResult>& gates);
  // Adds the findings.omitted note to each gate that lost findings.
  void add_notes(std::vector<GateResult>& gates) const;
  // What was left out so far, by gate id (a sharded check records it, so
  // that `merge` can go on trimming where the shard stopped).
  using Omitted = std::map<std::string, OmittedCounts>;  // by gate id
  const Omitted& omitted() const;

 private:
  std::size_t cap_;
  // Made when a finding is first left out: a run holds one cap per pack, and
  // most packs lose none.
  std::unique_ptr<Omitted> omitted_;
};

}  // namespace mplp
