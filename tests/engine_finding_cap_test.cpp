// Unit tests of engine/finding_cap: which findings a pack keeps under the
// per-pack limit, independent of the order they were reported in, and the
// note that counts the rest.
#include "engine/finding_cap.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <random>
#include <set>
namespace mplp {
namespace {

Finding f(Severity s, std::string file, std::uint64_t line, std::string gate = "GATE-V2-A-01") {
  Finding x = make_finding(s, "c", std::move(file), "m");
  x.location.line = line;
  x.gate_id = std::move(gate);
  return x;
}

std::vector<std::string> places(const std::vector<Finding>& v) {
  std::vector<std::string> out;
  for (const Finding& x : v) out.push_back(std::string(to_string(x.severity)) + " " + format_location(x));
  return out;
}

TEST(PackFindingCap, KeepsTheMostSevereFirstWhateverTheOrder) {
  std::vector<Finding> all;
  for (int i = 0; i < 50; ++i) all.push_back(f(Severity::Info, "a", static_cast<std::uint64_t>(i + 1)));
  for (int i = 0; i < 5; ++i) all.push_back(f(Severity::Error, "z", static_cast<std::uint64_t>(i + 1)));
  for (int i = 0; i < 5; ++i) all.push_back(f(Severity::Warning, "m", static_cast<std::uint64_t>(i + 1)));
  std::vector<std::string> first;
  std::mt19937 rng(7);
  for (int round = 0; round < 20; ++round) {
    std::shuffle(all.begin(), all.end(), rng);
    BoundedFindings b(8);
    for (const Finding& x : all) b.add(x);
    std::vector<std::string> kept = places(b.take_sorted());
    if (round == 0) first = kept;
    EXPECT_EQ(kept, first);
    EXPECT_EQ(b.omitted().total(), 52u);
    EXPECT_EQ(b.omitted().by_severity[static_cast<int>(Severity::Warning)], 2u);
  }
  EXPECT_EQ(first, (std::vector<std::string>{"warning m:1", "warning m:2", "warning m:3", "error z:1", "error z:2",
                                             "error z:3", "error z:4", "error z:5"}));
}

TEST(PackFindingCap, TrimsThePackAndNotesWhatEachGateLost) {
  PackFindingCap cap(3);
  std::vector<GateResult> gates(2);
  gates[0].gate_id = "GATE-V2-A-01";
  gates[1].gate_id = "GATE-V2-B-01";
  gates[0].findings = {f(Severity::Warning, "a", 1), f(Severity::Warning, "a", 2)};
  gates[1].findings = {f(Severity::Error, "b", 1, "GATE-V2-B-01"), f(Severity::Error, "b", 2, "GATE-V2-B-01"),
                       f(Severity::Info, "b", 3, "GATE-V2-B-01")};
  cap.trim(gates);
  EXPECT_EQ(places(gates[0].findings), (std::vector<std::string>{"warning a:1"}));
  EXPECT_EQ(places(gates[1].findings), (std::vector<std::string>{"error b:1", "error b:2"}));
  cap.absorb("GATE-V2-B-01", [] {
    OmittedCounts o;
    o.add(Severity::Error, 7);
    return o;
  }());
  cap.add_notes(gates);
  ASSERT_EQ(gates[0].findings.size(), 2u);
  const Finding& a = gates[0].findings[0];  // the note sorts first (no file)
  EXPECT_EQ(a.code, kFindingsOmitted);
  EXPECT_EQ(a.severity, Severity::Warning);
  EXPECT_EQ(a.gate_id, "GATE-V2-A-01");
  EXPECT_EQ(a.message, "1 more finding of this gate left out of the report (0 errors, 1 warning, 0 info)");
  const Finding& b = gates[1].findings[0];
  EXPECT_EQ(b.severity, Severity::Error);
  EXPECT_EQ(b.message, "8 more findings of this gate left out of the report (7 errors, 0 warnings, 1 info)");
  EXPECT_NE(b.expected.find("at most 3 findings per pack"), std::string::npos);
}

}  // namespace
}  // namespace mplp

namespace mplp {
namespace {

// The threshold of a trim lies in an early gate; the gates after it were
// compared with it after that gate's findings had been freed (a
// use-after-free). Collection gates come after the pack gates, out of id
// order, so a later gate's finding may have to be kept before the threshold:
// DET-01's info here, kept over INTEGRITY-01's. Freed memory may still
// compare right: the sanitizer stage (40-sanitizers.sh) reports the read.
TEST(PackFindingCap, ThresholdInAnEarlyGateStaysValidForTheLaterGates) {
  auto with = [](std::string gate, Severity s, std::string file) {
    Finding f = make_finding(s, "c", std::move(file), std::string(200, 'm'));
    f.gate_id = std::move(gate);
    return f;
  };
  std::vector<GateResult> gates(3);
  gates[0].gate_id = "GATE-V2-INTEGRITY-01";
  gates[0].findings = {with(gates[0].gate_id, Severity::Info, "i1"), with(gates[0].gate_id, Severity::Info, "i2")};
  gates[1].gate_id = "GATE-V2-DET-01";
  gates[1].findings = {with(gates[1].gate_id, Severity::Info, "d1")};
  gates[2].gate_id = "GATE-V2-EVIDENCE-REUSE-01";
  gates[2].findings = {with(gates[2].gate_id, Severity::Error, "e1"), with(gates[2].gate_id, Severity::Error, "e2")};
  PackFindingCap cap(3);
  cap.trim(gates);
  EXPECT_TRUE(gates[0].findings.empty());
  ASSERT_EQ(gates[1].findings.size(), 1u);
  EXPECT_EQ(gates[1].findings[0].file, "d1");
  EXPECT_EQ(gates[2].findings.size(), 2u);
  ASSERT_EQ(cap.omitted().size(), 1u);
  EXPECT_EQ(cap.omitted().at("GATE-V2-INTEGRITY-01").by_severity[0], 2u);
}

}  // namespace
}  // namespace mplp

namespace mplp {
namespace {

Suppression suppress(std::string code, std::string path = "", std::string pack = "") {
  Suppression s;
  s.code = std::move(code);
  s.path = std::move(path);
  s.pack = std::move(pack);
  s.reason = "known";
  s.where = "policy.yaml:3:5";
  return s;
}

Finding coded(Severity s, std::string code, std::string file, std::string gate = "GATE-V2-A-01") {
  Finding x = make_finding(s, std::move(code), std::move(file), "m");
  x.gate_id = std::move(gate);
  return x;
}

// The note left by one gate's findings under a cap of `cap`, with
// `policy`'s suppressions asked about pack "runs/p".
Finding note_for(const Policy& policy, std::size_t cap_size, const std::vector<Finding>& findings,
                 bool require_signature = false) {
  Policy p = policy;
  p.limits.max_findings_per_pack = cap_size;
  PackFindingCap cap = pack_finding_cap(p, "runs/p", require_signature);
  BoundedFindings b(cap.cap(), cap.acceptance());
  for (const Finding& x : findings) b.add(x);
  std::vector<GateResult> gates(1);
  gates[0].gate_id = findings.front().gate_id;
  gates[0].findings = b.take_sorted();
  cap.absorb(gates[0].gate_id, b.omitted());
  cap.add_notes(gates);
  for (const Finding& x : gates[0].findings)
    if (x.code == kFindingsOmitted) return x;
  ADD_FAILURE() << "no note";
  return {};
}

// QA-54: the note stood for suppressed findings as if they counted, so a
// capped pack whose every finding a suppression accepts failed.
TEST(PackFindingCapAcceptance, ANoteForAcceptedFindingsIsAcceptedToo) {
  Policy policy;
  policy.suppressions = {suppress("url.*")};
  std::vector<Finding> all;
  for (int i = 0; i < 40; ++i) all.push_back(coded(Severity::Error, "url.forbidden", "f" + std::to_string(i)));
  const Finding note = note_for(policy, 5, all);
  EXPECT_EQ(note.severity, Severity::Error);
  EXPECT_FALSE(note.suppressed.empty());
  EXPECT_FALSE(note.counts());
  EXPECT_NE(note.message.find("35 more findings"), std::string::npos) << note.message;
  EXPECT_NE(note.message.find("a suppression of the policy accepts each of them"), std::string::npos) << note.message;
  // The same findings without the suppression: the note counts, as before.
  const Finding counted = note_for(Policy{}, 5, all);
  EXPECT_EQ(counted.severity, Severity::Error);
  EXPECT_TRUE(counted.suppressed.empty());
  EXPECT_TRUE(counted.counts());
  EXPECT_EQ(counted.message.find("accepts"), std::string::npos) << counted.message;
}

// Partly accepted: the note has the severity of the worst finding left out
// that no suppression accepts, and counts.
TEST(PackFindingCapAcceptance, ThePartNoSuppressionAcceptsDecidesTheSeverity) {
  Policy policy;
  policy.suppressions = {suppress("hard", "", "runs/*")};
  std::vector<Finding> all;
  for (int i = 0; i < 10; ++i) all.push_back(coded(Severity::Error, "hard", "e" + std::to_string(i)));
  for (int i = 0; i < 10; ++i) all.push_back(coded(Severity::Warning, "soft", "w" + std::to_string(i)));
  const Finding note = note_for(policy, 3, all);
  EXPECT_EQ(note.severity, Severity::Warning);
  EXPECT_TRUE(note.suppressed.empty());
  EXPECT_NE(note.message.find("17 more findings"), std::string::npos) << note.message;
  EXPECT_NE(note.message.find("accepts 7 of them"), std::string::npos) << note.message;
  // A suppression of another pack, or of another path, accepts none of them.
  for (const Suppression& other : {suppress("hard", "", "elsewhere/*"), suppress("hard", "nope/*")}) {
    Policy p;
    p.suppressions = {other};
    const Finding n = note_for(p, 3, all);
    EXPECT_EQ(n.severity, Severity::Error);
    EXPECT_EQ(n.message.find("accepts"), std::string::npos) << n.message;
  }
}

// While a signature is required nothing accepts the signature gate's
// findings, left out or not.
TEST(PackFindingCapAcceptance, NothingAcceptsLeftOutSignatureFindingsWhileOneIsRequired) {
  Policy policy;
  policy.suppressions = {suppress("attest.*")};
  std::vector<Finding> all;
  for (int i = 0; i < 4; ++i)
    all.push_back(coded(Severity::Error, "attest.unsigned-file", "f" + std::to_string(i), "GATE-V2-ATTESTATION-01"));
  EXPECT_FALSE(note_for(policy, 1, all, false).counts());
  const Finding locked = note_for(policy, 1, all, true);
  EXPECT_TRUE(locked.counts());
  EXPECT_EQ(locked.severity, Severity::Error);
}

// A trim across gates asks the same suppressions about what it leaves out.
TEST(PackFindingCapAcceptance, TrimCountsWhatSuppressionsAccept) {
  Policy policy;
  policy.limits.max_findings_per_pack = 1;
  policy.suppressions = {suppress("c", "b*")};
  PackFindingCap cap = pack_finding_cap(policy, "p", false);
  std::vector<GateResult> gates(1);
  gates[0].gate_id = "GATE-V2-A-01";
  gates[0].findings = {coded(Severity::Error, "c", "a"), coded(Severity::Info, "c", "b1"),
                       coded(Severity::Warning, "c", "b2")};
  cap.trim(gates);
  const OmittedCounts& o = cap.omitted().at("GATE-V2-A-01");
  EXPECT_EQ(o.total(), 2u);
  EXPECT_EQ(o.total_accepted(), 2u);
  EXPECT_EQ(o.accepted[static_cast<int>(Severity::Warning)], 1u);
}

// QA-54: which suppressions accepted a finding left out is kept (by index),
// through a gate's BoundedFindings and a trim across gates alike, so that
// one is not called unused; and none while acceptance is locked.
TEST(PackFindingCapAcceptance, TheSuppressionsAcceptingWhatWasLeftOutAreKnown) {
  Policy policy;
  policy.limits.max_findings_per_pack = 1;
  policy.suppressions = {suppress("never"), suppress("soft"), suppress("late", "b*"), suppress("s*")};
  for (const bool require_signature : {false, true}) {
    PackFindingCap cap = pack_finding_cap(policy, "p", require_signature);
    BoundedFindings b(cap.cap(), cap.acceptance());
    b.add(coded(Severity::Error, "hard", "a"));
    b.add(coded(Severity::Warning, "soft", "a"));  // left out, accepted by 1 and 3
    std::vector<GateResult> gates(2);
    gates[0].gate_id = "GATE-V2-A-01";
    gates[0].findings = b.take_sorted();
    cap.absorb(gates[0].gate_id, b.omitted());
    gates[1].gate_id = "GATE-V2-ATTESTATION-01";
    gates[1].findings = {coded(Severity::Info, "late", "b1", "GATE-V2-ATTESTATION-01")};  // trimmed: 2, unless locked
    cap.trim(gates);
    EXPECT_EQ(cap.omitted().at("GATE-V2-A-01").suppressions, (std::set<std::size_t>{1, 3}));
    const std::set<std::size_t> expected =
        require_signature ? std::set<std::size_t>{1, 3} : std::set<std::size_t>{1, 2, 3};
    EXPECT_EQ(cap.accepting_suppressions(), expected);
    std::vector<PackFindingCap> caps = {cap, pack_finding_cap(policy, "q", false)};
    EXPECT_EQ(accepting_suppressions(caps), cap.accepting_suppressions());
  }
}

}  // namespace
}  // namespace mplp
