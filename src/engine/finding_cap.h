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
// Acceptance (engine/acceptance.h) runs on the report, after the cap, and
// cannot see the findings left out; so the cap asks the policy's
// suppressions about each one as it leaves it out. The note's severity is
// that of the worst finding left out that no suppression accepts, and when
// a suppression accepts every one of them the note is marked suppressed
// too: a pack whose findings are all accepted passes, capped or not. (A
// baseline cannot accept what the cap left out: it lists only findings a
// report showed.)
//
//   PackFindingCap cap = pack_finding_cap(policy, pack_name, require_signature);
//   BoundedFindings b(cap.cap(), cap.acceptance());   // per gate: b.add(f) ...
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

#include "core/policy.h"
#include "engine/run_report.h"

namespace mplp {

inline constexpr std::string_view kFindingsOmitted = "findings.omitted";

// True when nothing may accept a finding of `gate_id`: while a signature is
// required, the findings of the gate that checks signatures always count.
bool acceptance_locked(std::string_view gate_id, bool require_signature);

// Which of the policy's suppressions accept a finding of the pack named
// `pack_name` (as suppressions name packs), by index. Without a policy, none.
struct OmittedAcceptance {
  const Policy* policy = nullptr;
  std::string pack_name;
  bool require_signature = false;
  std::vector<std::size_t> accepting(const Finding& f) const;
};

// Findings left out, by severity (indexed by Severity), how many of those a
// suppression accepts, which suppressions (so that one accepting only
// findings left out is not called unused: QA-54), and their codes (so that
// what a gate left unverified is still known: engine/not_verified.h). The
// codes are not carried in a shard's report: a shard notes what is not
// verified itself.
struct OmittedCounts {
  std::array<std::size_t, 3> by_severity{};
  std::array<std::size_t, 3> accepted{};  // of by_severity, by severity
  std::set<std::size_t> suppressions;      // indices into the policy's suppressions
  std::set<std::string, std::less<>> codes;
  std::size_t total() const { return by_severity[0] + by_severity[1] + by_severity[2]; }
  std::size_t total_accepted() const { return accepted[0] + accepted[1] + accepted[2]; }
  void add(Severity s, std::size_t n = 1, std::size_t n_accepted = 0) {
    by_severity[static_cast<std::size_t>(s)] += n;
    accepted[static_cast<std::size_t>(s)] += n_accepted;
  }
  void add(const Finding& f, const std::vector<std::size_t>& accepted_by) {
    add(f.severity, 1, accepted_by.empty() ? 0 : 1);
    suppressions.insert(accepted_by.begin(), accepted_by.end());
    codes.insert(f.code);
  }
  void add(const OmittedCounts& o);
};

// At most `cap` findings, the ones to keep (see above); O(log cap) per add.
// `acceptance`, when given, outlives this.
class BoundedFindings {
 public:
  explicit BoundedFindings(std::size_t cap, const OmittedAcceptance* acceptance = nullptr)
      : cap_(cap), acceptance_(acceptance) {}
  void add(Finding f);
  // The kept findings in report order (finding_less); leaves this empty.
  std::vector<Finding> take_sorted();
  const OmittedCounts& omitted() const { return omitted_; }

 private:
  void leave_out(const Finding& f) {
    omitted_.add(f, acceptance_ != nullptr ? acceptance_->accepting(f) : std::vector<std::size_t>{});
  }

  std::size_t cap_;
  const OmittedAcceptance* acceptance_;
  std::vector<Finding> heap_;  // top: the first to leave out
  OmittedCounts omitted_;
};

class PackFindingCap {
 public:
  explicit PackFindingCap(std::size_t cap, OmittedAcceptance acceptance = {})
      : cap_(cap), acceptance_(std::move(acceptance)) {}
  PackFindingCap(const PackFindingCap& o) : cap_(o.cap_), acceptance_(o.acceptance_) {
    if (o.omitted_) omitted_ = std::make_unique<Omitted>(*o.omitted_);
  }
  PackFindingCap& operator=(const PackFindingCap& o) {
    if (this != &o) *this = PackFindingCap(o);
    return *this;
  }
  PackFindingCap(PackFindingCap&&) noexcept = default;
  PackFindingCap& operator=(PackFindingCap&&) noexcept = default;
  std::size_t cap() const { return cap_; }
  // For the pack's BoundedFindings.
  const OmittedAcceptance* acceptance() const { return &acceptance_; }
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
  // The suppressions that accept a finding left out, of any gate.
  std::set<std::size_t> accepting_suppressions() const;

 private:
  std::size_t cap_;
  OmittedAcceptance acceptance_;
  // Made when a finding is first left out: a run holds one cap per pack, and
  // most packs lose none.
  std::unique_ptr<Omitted> omitted_;
};

// The suppressions that accept a finding some cap left out.
std::set<std::size_t> accepting_suppressions(const std::vector<PackFindingCap>& caps);

// The cap of the pack a report names `pack_name` (its name, else its path:
// as suppressions name packs), asking `policy`'s suppressions about what it
// leaves out. A policy without suppressions costs no name per pack.
PackFindingCap pack_finding_cap(const Policy& policy, const std::string& pack_name, bool require_signature);

}  // namespace mplp
