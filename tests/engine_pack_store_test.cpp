// PackStore (engine/pack_store.h): every field of a pack's result survives
// its compact encoding, texts shared by packs are stored once, and results
// are set from several threads at once.
#include <gtest/gtest.h>

#include <cstdint>
#include <limits>
#include <map>
#include <random>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

#include "core/thread_pool.h"
#include "engine/pack_store.h"
#include "engine/run_report.h"

namespace mplp {
namespace {

// Every field, spelled out, so that two results compare by what they hold.
std::string dump(const PackResult& p) {
  std::ostringstream o;
  auto q = [&o](const std::string& s) { o << s.size() << ':' << s << '|'; };
  q(p.path), q(p.name), q(p.indexability);
  q(p.digests.sums), q(p.digests.manifest), q(p.digests.provenance), q(p.digests.registry);
  for (const Unverified& u : p.not_verified) q(u.check), q(u.reason);
  o << "gates " << p.gates.size() << '\n';
  for (const GateResult& g : p.gates) {
    q(g.gate_id), q(g.skip_reason);
    o << static_cast<int>(g.status) << " findings " << g.findings.size() << '\n';
    for (const Finding& f : g.findings) {
      q(f.gate_id), q(f.code), q(f.file), q(f.location.pointer), q(f.message), q(f.detail), q(f.expected);
      q(f.actual), q(f.hint), q(f.diff_with), q(f.suppressed);
      o << static_cast<int>(f.severity) << ' ' << f.location.line << ' ' << f.location.column << ' '
        << f.location.has_offset << ' ' << f.location.offset << ' ' << f.baseline << ' ' << f.schema_rule << '\n';
    }
  }
  return o.str();
}

Finding full_finding() {
  Finding f;
  f.gate_id = "GATE-V2-INTEGRITY-01";
  f.severity = Severity::Warning;
  f.code = "sums.mismatch";
  f.file = "artifacts/r\xc3\xa9sum\xc3\xa9.json";
  f.location.line = std::numeric_limits<std::uint64_t>::max();
  f.location.column = 128;  // two bytes as a varint
  f.location.pointer = "/a~1b/0";
  f.location.has_offset = true;
  f.location.offset = 1ull << 40;
  f.message = std::string("binary \x00\xff bytes", 15);
  f.detail = std::string(70000, 'd');  // longer than any one-byte length
  f.expected = "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08";  // stored as 32 bytes
  f.actual = "9F86D081884C7D659A2FEAA0C55AD015A3BF4F1B2B0B822CD15D6C15B0F00A08";  // upper case: kept as text
  f.hint = "reseal the pack";
  f.diff_with = "runs/other";
  f.suppressed = "known upstream file";
  f.baseline = true;
  f.schema_rule = true;
  return f;
}

PackResult full_result() {
  PackResult p;
  p.path = "runs/p1";
  p.name = "p1";
  p.indexability = "INDEXABLE_REAL";
  p.digests.sums = std::string(64, 'a');
  p.digests.manifest = std::string(63, 'b');  // not a digest's length: kept as text
  p.digests.provenance = "";
  p.digests.registry = std::string(64, '0');
  p.not_verified = {{"lock file", "not checked without --repo-root"}, {"signature", ""}};
  GateResult pass;
  pass.gate_id = "GATE-V2-DET-01";
  GateResult fail;
  fail.gate_id = "GATE-V2-INTEGRITY-01";
  fail.status = GateStatus::Fail;
  fail.findings = {full_finding(), Finding{}};
  GateResult skip;
  skip.gate_id = "GATE-V2-ATTESTATION-01";
  skip.status = GateStatus::Skip;
  skip.skip_reason = "no trusted key";
  p.gates = {pass, fail, skip};
  return p;
}

TEST(PackStore, EveryFieldSurvivesTheEncoding) {
  PackStore store;
  store.push_back(full_result());
  store.push_back(PackResult{});
  ASSERT_EQ(store.size(), 2u);
  EXPECT_EQ(dump(store[0]), dump(full_result()));
  EXPECT_EQ(dump(store[1]), dump(PackResult{}));
  EXPECT_EQ(store[0].gates[1].findings[0].expected, full_finding().expected);
  EXPECT_EQ(store[0].gates[1].findings[0].actual, full_finding().actual);
}

TEST(PackStore, OneFindingSurvivesItsEncodingAlone) {
  PackStore store;
  auto dumped = [](const Finding& f) {
    PackResult p;
    p.gates.emplace_back().findings = {f};
    return dump(p);
  };
  for (const Finding& f : {full_finding(), Finding{}}) {
    const std::string bytes = store.encode(f);
    EXPECT_EQ(dumped(store.decode(bytes)), dumped(f));
    EXPECT_LT(bytes.size(), 200u + f.detail.size());  // pooled texts are ids; the digest is 32 bytes
  }
  EXPECT_THROW(store.decode(store.encode(full_finding()) + "x"), std::logic_error);
}

// In memory, or in a spill file (what a check uses when it can make one).
PackStore make_store(bool spilled) {
  if (!spilled) return PackStore();
  std::string error;
  std::shared_ptr<SpillFile> spill = SpillFile::create(SpillFile::default_dir(), error);
  if (!spill) throw std::runtime_error(error);
  return PackStore(spill);
}

TEST(PackStore, UpdateResizeAndIterationSeeTheStoredResults) {
  for (bool spilled : {false, true}) {
    SCOPED_TRACE(spilled ? "spilled" : "in memory");
    PackStore store = make_store(spilled);
    store.resize(3);
    store.set(1, full_result());
    store.update(2, [](PackResult& p) { p.path = "changed"; });
    std::vector<std::string> paths;
    for (const PackResult& p : store) paths.push_back(p.path);
    EXPECT_EQ(paths, (std::vector<std::string>{"", "runs/p1", "changed"}));
    PackStore copy = store;  // shares the texts (and the file), owns its results
    copy.update(1, [](PackResult& p) { p.gates.clear(); });
    EXPECT_EQ(dump(store[1]), dump(full_result()));
    EXPECT_TRUE(copy[1].gates.empty());
    EXPECT_THROW(store.get(3), std::out_of_range);
    EXPECT_EQ(store.size(), 3u);
    store.clear();
    EXPECT_TRUE(store.empty());
  }
}

// The point of the store: a pack whose texts other packs repeat costs a few
// bytes of its own (its path, name and digests), not the texts.
// RunReport::counts decodes the packs once per change of the store: every
// change is seen, copies keep theirs, and no two contents share a version.
TEST(PackStore, CountsFollowEveryChangeOfTheStore) {
  auto error_pack = [](const std::string& name, std::size_t errors) {
    PackResult p;
    p.name = p.path = name;
    GateResult g;
    g.gate_id = "GATE-V2-INTEGRITY-01";
    for (std::size_t i = 0; i < errors; ++i) g.findings.push_back(make_finding(Severity::Error, "x.y", "f", "m"));
    p.gates.push_back(g);
    return p;
  };
  RunReport r;
  EXPECT_EQ(r.counts().errors, 0u);
  r.packs.push_back(error_pack("a", 2));
  EXPECT_EQ(r.counts().errors, 2u);
  EXPECT_EQ(r.counts().errors, 2u);  // cached: the same answer
  r.packs.update(0, [](PackResult& p) { p.gates[0].findings[0].suppressed = "known"; });
  EXPECT_EQ(r.counts().errors, 1u);
  EXPECT_EQ(r.counts().suppressed, 1u);
  RunReport copy = r;
  r.packs.set(0, error_pack("a", 5));
  EXPECT_EQ(r.counts().errors, 5u);
  EXPECT_EQ(copy.counts().errors, 1u);
  copy.packs = PackStore{error_pack("b", 3)};
  EXPECT_EQ(copy.counts().errors, 3u);
  r.packs.resize(2);
  r.packs.set(1, error_pack("c", 1));
  EXPECT_EQ(r.counts().errors, 6u);
  r.packs.resize(1);
  EXPECT_EQ(r.counts().errors, 5u);
  r.packs.clear();
  EXPECT_EQ(r.counts().errors, 0u);
  EXPECT_NE(PackStore{error_pack("d", 1)}.version(), PackStore{error_pack("d", 1)}.version());
}

TEST(PackStore, TextsPacksRepeatAreStoredOnce) {
  PackStore store;
  std::size_t text_bytes = 0;
  constexpr std::size_t kPacks = 1000;
  for (std::size_t i = 0; i < kPacks; ++i) {
    PackResult p = full_result();
    p.gates[1].findings[0].detail = "a detail every pack repeats, kept once";
    p.gates[1].findings[0].expected = p.gates[1].findings[0].actual = "";
    p.digests.manifest = std::string(64, 'c');
    p.path = "runs/pack-" + std::to_string(i);
    p.name = "pack-" + std::to_string(i);
    text_bytes += dump(p).size();
    store.push_back(p);
  }
  EXPECT_EQ(store[kPacks - 1].path, "runs/pack-999");
  const std::size_t own = store.encoded_bytes() / kPacks;
  EXPECT_LT(own, 200u) << "stored per pack, against " << text_bytes / kPacks << " of texts";
  EXPECT_LT(own * 4, text_bytes / kPacks);
}

// Texts only one pack has (a message naming its group) are pooled only
// until the pool is full: after that they are written into the pack's own
// bytes, so memory stops growing with them. Texts met before that stay
// pooled, and every result reads back as it was.
TEST(PackStore, TextsOfOnePackStopBeingPooledWhenThePoolIsFull) {
  for (bool spilled : {false, true}) {
    SCOPED_TRACE(spilled ? "spilled" : "in memory");
    std::string error;
    PackStore store = spilled ? PackStore(std::shared_ptr<SpillFile>(SpillFile::create("/tmp", error))) : PackStore();
    constexpr std::size_t kPacks = 8000;  // 8000 texts of 300 bytes: over the pool's 1 MiB
    const std::string shared_detail(3000, 's');
    auto result = [&](std::size_t i) {
      PackResult p = full_result();
      p.gates[1].findings[0].message = "pack " + std::to_string(i) + " alone: " + std::string(280, 'm');
      p.gates[1].findings[0].detail = shared_detail;
      return p;
    };
    std::map<std::size_t, std::size_t> sizes;  // encoded bytes after packs 0, 1, and the last two
    for (std::size_t i = 0; i < kPacks; ++i) {
      store.push_back(result(i));
      if (i < 2 || i + 2 >= kPacks) sizes[i] = store.encoded_bytes();
    }
    for (std::size_t i : {std::size_t{0}, std::size_t{1}, kPacks / 2, kPacks - 1})
      EXPECT_EQ(dump(store[i]), dump(result(i))) << "pack " << i;
    const std::size_t first = sizes[1] - sizes[0], last = sizes[kPacks - 1] - sizes[kPacks - 2];
    EXPECT_GE(last, first + 280) << "the last packs' own text is in their bytes, the first packs' pooled";
    EXPECT_LT(last, first + 300) << "the detail every pack shares stays pooled";
  }
}

// Random results over a small vocabulary (pooled texts repeat, digests and
// odd bytes), set in parallel, each read back as it was given.
TEST(PackStore, RandomResultsSetFromManyThreadsReadBackUnchanged) {
  std::mt19937 rng(20261201);
  const std::vector<std::string> words = {"", "a", "GATE-V2-SSOT-01", std::string(64, 'f'), std::string(64, 'F'),
                                          std::string("\x00\x01\x80", 3), std::string(300, 'x'), "sums.absent"};
  auto word = [&] { return words[rng() % words.size()] + (rng() % 4 == 0 ? std::to_string(rng()) : ""); };
  std::vector<PackResult> given(400);
  for (PackResult& p : given) {
    p.path = word(), p.name = word(), p.indexability = word();
    p.digests = {word(), word(), word(), word()};
    for (unsigned n = rng() % 3; n > 0; --n) p.not_verified.push_back({word(), word()});
    for (unsigned g = rng() % 5; g > 0; --g) {
      GateResult r;
      r.gate_id = word(), r.skip_reason = word();
      r.status = static_cast<GateStatus>(rng() % 3);
      for (unsigned k = rng() % 4; k > 0; --k) {
        Finding f;
        f.gate_id = word(), f.code = word(), f.file = word(), f.message = word(), f.detail = word();
        f.expected = word(), f.actual = word(), f.hint = word(), f.diff_with = word(), f.suppressed = word();
        f.location.pointer = word();
        f.severity = static_cast<Severity>(rng() % 3);
        f.location.line = rng(), f.location.column = rng() % 200, f.location.offset = (std::uint64_t{rng()} << 32) | rng();
        f.location.has_offset = rng() % 2 == 0, f.baseline = rng() % 2 == 0, f.schema_rule = rng() % 2 == 0;
        r.findings.push_back(f);
      }
      p.gates.push_back(r);
    }
  }
  for (bool spilled : {false, true}) {
    SCOPED_TRACE(spilled ? "spilled" : "in memory");
    PackStore store = make_store(spilled);
    store.resize(given.size());
    ThreadPool pool(4);
    parallel_for(pool, given.size(), [&](std::size_t i) { store.set(i, given[i]); });
    for (std::size_t i = 0; i < given.size(); ++i) ASSERT_EQ(dump(store[i]), dump(given[i])) << "pack " << i;
    // Set again, in parallel with reads of the others: each reads back its latest.
    parallel_for(pool, given.size(), [&](std::size_t i) {
      if (i % 2 == 0) store.set(i, given[given.size() - 1 - i]);
      else if (dump(store[i]) != dump(given[i])) ADD_FAILURE() << "pack " << i << " changed while others were set";
    });
    for (std::size_t i = 0; i < given.size(); i += 2) ASSERT_EQ(dump(store[i]), dump(given[given.size() - 1 - i]));
    // Updated in parallel, as a check's last pass does, each with a text of its own.
    parallel_for(pool, given.size(), [&](std::size_t i) {
      store.update(i, [&](PackResult& p) { p.indexability = "updated " + std::to_string(i); });
    });
    for (std::size_t i = 0; i < given.size(); ++i) {
      PackResult want = given[i % 2 == 0 ? given.size() - 1 - i : i];
      want.indexability = "updated " + std::to_string(i);
      ASSERT_EQ(dump(store[i]), dump(want)) << "pack " << i;
    }
  }
}

}  // namespace
}  // namespace mplp
