// compare_collection (engine/check.h): findings that wait in the pack
// store's encoded form while a collection gate runs give the same results,
// the same findings kept under the cap and the same counts left out, as
// findings held decoded; and each pack's result is handed over once: when
// the gate says it is done with the pack, else in order once it returned.
#include <gtest/gtest.h>

#include <memory>
#include <sstream>
#include <string>
#include <vector>

#include "core/policy.h"
#include "engine/check.h"

namespace mplp {
namespace {

// When a gate says it is done with each pack (CollectionSinks::done).
enum class Done {
  AtTheEnd,          // never: the engine takes every result once the gate returned
  EachPackReversed,  // after each pack's findings, the packs in reverse order
  EvenThenAgain,     // after each even pack's, then reports on pack 0 again (a gate bug)
};

// Reports `per_pack` findings on every pack, of mixed severities (the cap
// keeps the most severe) and with texts both pooled and a pack's own.
class ReportingGate : public Gate {
 public:
  ReportingGate(std::size_t per_pack, Done done) : per_pack_(per_pack), done_(done) {}
  const GateInfo& info() const override {
    static const GateInfo info{.id = "GATE-V2-TEST-COLLECTION-01", .scopes = {GateScope::Collection}, .kinds = {}};
    return info;
  }
  void check_collection(const Summaries& packs, const GateContext& /*ctx*/, CollectionSinks& sinks) const override {
    for (std::size_t k = 0; k < packs.size(); ++k) {
      const std::size_t i = done_ == Done::EachPackReversed ? packs.size() - 1 - k : k;
      for (std::size_t n = 0; n < per_pack_; ++n) {
        const auto severity = static_cast<Severity>((i + n * 7) % 3);
        Finding f = make_finding(severity, "test.code" + std::to_string(n % 4), "artifacts/f" + std::to_string(n),
                                 "pack " + std::to_string(i) + " finding " + std::to_string(n));
        f.actual = std::string(64, "0123456789abcdef"[(i + n) % 16]);  // a digest: stored as 32 bytes
        f.expected = "the same in pack " + std::to_string(i);
        f.location.line = n;
        f.diff_with = n % 2 == 0 ? "" : "pack-" + std::to_string(i + 1);
        sinks[i].report(std::move(f));
      }
      if (i % 5 == 4) sinks[i].skip("every fifth pack is skipped");
      if (done_ == Done::EachPackReversed || (done_ == Done::EvenThenAgain && i % 2 == 0)) sinks.done(i);
    }
    if (done_ == Done::EvenThenAgain && packs.size() > 0)
      sinks[0].report(make_finding(Severity::Error, "test.late", "", "after the gate was done with the pack"));
  }

 private:
  std::size_t per_pack_;
  Done done_;
};

std::string dump(const GateResult& g) {
  std::ostringstream o;
  o << g.gate_id << ' ' << to_string(g.status) << " [" << g.skip_reason << "]\n";
  for (const Finding& f : g.findings)
    o << f.gate_id << ' ' << static_cast<int>(f.severity) << ' ' << f.code << ' ' << f.file << ':' << f.location.line
      << ' ' << f.message << " | " << f.expected << " | " << f.actual << " | " << f.hint << " | " << f.diff_with
      << '\n';
  return o.str();
}

struct Outcome {
  std::vector<std::string> results;  // dumped, in the order they were taken
  std::vector<std::size_t> order;
  std::vector<std::string> omitted;  // per pack: what the cap left out, by gate
};

Outcome compare(std::size_t packs, std::size_t per_pack, std::size_t cap, PackStore* compact,
                Done done = Done::AtTheEnd) {
  const ReportingGate gate(per_pack, done);
  Policy policy;
  const CheckOptions options;
  const GateContext ctx{policy, options, nullptr, "", nullptr, nullptr};
  const Preparations prep({&gate}, ctx);
  std::vector<const PackSummary*> summaries(packs, nullptr);
  const std::string thrown = "summarising threw";
  std::vector<const std::string*> errors(packs, nullptr);
  if (packs > 1) errors[1] = &thrown;  // one pack's summary failed: an internal error, with the gate's findings
  std::vector<PackFindingCap> caps(packs, PackFindingCap(cap));
  std::vector<PackFindingCap*> cap_ptrs;
  for (PackFindingCap& c : caps) cap_ptrs.push_back(&c);
  Outcome out;
  compare_collection(gate, prep, ctx, SummaryList(summaries), errors, cap_ptrs, /*strict=*/false, compact,
                     [&](std::size_t k, GateResult r) {
                       out.order.push_back(k);
                       out.results.resize(packs);
                       out.results.at(k) = dump(r);
                     });
  for (const PackFindingCap& c : caps) {
    std::string text;
    for (const auto& [id, counts] : c.omitted())
      text += id + ":" + std::to_string(counts.by_severity[0]) + "/" + std::to_string(counts.by_severity[1]) + "/" +
              std::to_string(counts.by_severity[2]) + " ";
    out.omitted.push_back(text);
  }
  return out;
}

void expect_same_either_way(std::size_t packs, std::size_t per_pack, std::size_t cap) {
  PackStore store;
  const Outcome decoded = compare(packs, per_pack, cap, nullptr);
  const Outcome encoded = compare(packs, per_pack, cap, &store);
  ASSERT_EQ(decoded.results.size(), packs);
  std::vector<std::size_t> in_order(packs);
  for (std::size_t i = 0; i < packs; ++i) in_order[i] = i;
  EXPECT_EQ(encoded.order, in_order);
  EXPECT_EQ(decoded.order, in_order);
  for (std::size_t i = 0; i < packs; ++i) {
    EXPECT_EQ(encoded.results[i], decoded.results[i]) << "pack " << i;
    EXPECT_EQ(encoded.omitted[i], decoded.omitted[i]) << "pack " << i;
  }
}

TEST(CompareCollection, FindingsHeldEncodedGiveTheSameResults) {
  expect_same_either_way(12, 3, 10000);
  const Outcome o = compare(12, 3, 10000, nullptr);
  EXPECT_NE(o.results[1].find("internal.error"), std::string::npos) << o.results[1];
  EXPECT_NE(o.results[4].find("[every fifth pack is skipped]"), std::string::npos) << o.results[4];
  EXPECT_NE(o.results[0].find(std::string(64, '0')), std::string::npos) << o.results[0];
}

TEST(CompareCollection, FindingsOverTheCapAreChosenAndCountedAlike) {
  // More findings than the cap: waiting findings join the bounded set
  // several times over, and must keep the same ones as adding each at once.
  for (std::size_t cap : {1u, 2u, 7u, 10u}) {
    SCOPED_TRACE("cap " + std::to_string(cap));
    expect_same_either_way(6, 25, cap);
    const Outcome o = compare(6, 25, cap, nullptr);
    EXPECT_FALSE(o.omitted[0].empty());  // the cap did leave findings out
  }
}

// A pack the gate is done with is handed over then, with the result it
// would have had at the end.
TEST(CompareCollection, DoneHandsAPackOverAtOnce) {
  for (PackStore* compact : {static_cast<PackStore*>(nullptr), new PackStore()}) {
    const std::unique_ptr<PackStore> owned(compact);
    const Outcome at_end = compare(9, 4, 3, compact);
    const Outcome early = compare(9, 4, 3, compact, Done::EachPackReversed);
    std::vector<std::size_t> reversed;
    for (std::size_t i = 9; i-- > 0;) reversed.push_back(i);
    EXPECT_EQ(early.order, reversed);
    EXPECT_EQ(early.results, at_end.results);
    EXPECT_EQ(early.omitted, at_end.omitted);
  }
}

// A gate that reports on a pack it said it was done with has a bug: the
// report throws, every pack not yet handed over gets the internal error,
// and no pack is handed over twice.
TEST(CompareCollection, ReportingAfterDoneIsAnInternalErrorOnThePacksLeft) {
  const Outcome o = compare(6, 2, 100, nullptr, Done::EvenThenAgain);
  EXPECT_EQ(o.order, (std::vector<std::size_t>{0, 2, 4, 1, 3, 5}));
  for (std::size_t i = 0; i < 6; ++i) {
    const bool has_error = o.results[i].find("internal.error") != std::string::npos;
    EXPECT_EQ(has_error, i % 2 == 1) << o.results[i];
    EXPECT_EQ(o.results[i].find("test.late"), std::string::npos) << o.results[i];
  }
  EXPECT_NE(o.results[3].find("after it was done with it"), std::string::npos) << o.results[3];
}

TEST(CompareCollection, NoPacksTakesNothing) {
  PackStore store;
  const Outcome o = compare(0, 3, 10, &store);
  EXPECT_TRUE(o.results.empty());
}

}  // namespace
}  // namespace mplp
