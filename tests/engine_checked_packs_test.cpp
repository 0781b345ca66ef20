// CheckedPacks (engine/checked_packs.h): each collection gate's summary of a
// pack waits encoded in the spill file and reads back equal; a summary that
// does not encode, or a run without a spill file, keeps it as it is; a
// summary that throws is kept as its error; shared across worker threads.
#include <gtest/gtest.h>

#include <memory>
#include <stdexcept>
#include <string>

#include "core/byte_codec.h"
#include "core/thread_pool.h"
#include "engine/checked_packs.h"
#include "test_util.h"

namespace mplp {
namespace {

// What the test gate keeps: the pack's name, and how many times it was made
// (a summary read back from bytes is a new object with the same text).
struct NameSummary : PackSummary {
  explicit NameSummary(std::string n, bool encodes) : name(std::move(n)), encodes(encodes) {}
  std::string name;
  bool encodes;
  bool encode(std::string& out) const override {
    if (!encodes) return false;
    ByteWriter(out).text(name);
    return true;
  }
};

// Summarises a pack by its name; "throw-*" packs make it throw, "none-*"
// packs give no summary, and `encodes` says whether summaries encode.
class NameGate : public Gate {
 public:
  explicit NameGate(bool encodes) : encodes_(encodes) {}
  const GateInfo& info() const override {
    static const GateInfo info{.id = "GATE-V2-TEST-NAMES-01", .scopes = {GateScope::Collection}, .kinds = {}};
    return info;
  }
  std::unique_ptr<PackSummary> summarize(const Pack& pack, const GateContext&) const override {
    if (pack.name().rfind("throw-", 0) == 0) throw std::runtime_error("cannot summarise " + pack.name());
    if (pack.name().rfind("none-", 0) == 0) return nullptr;
    return std::make_unique<NameSummary>(pack.name(), encodes_);
  }
  std::unique_ptr<PackSummary> decode_summary(std::string_view bytes) const override {
    ByteReader r(bytes);
    auto s = std::make_unique<NameSummary>(std::string(r.text()), encodes_);
    return r.done() ? std::move(s) : nullptr;
  }

 private:
  bool encodes_;
};

// A gate whose summaries encode, but which cannot read them back (a bug).
class ForgetfulGate : public NameGate {
 public:
  ForgetfulGate() : NameGate(true) {}
  std::unique_ptr<PackSummary> decode_summary(std::string_view) const override { return nullptr; }
};

std::string name_of(const std::shared_ptr<const PackSummary>& s) {
  return s ? static_cast<const NameSummary&>(*s).name : "(none)";
}

struct PackDirs {
  test::TempDir dir;
  std::vector<std::unique_ptr<Pack>> packs;
  explicit PackDirs(const std::vector<std::string>& names) {
    for (const std::string& n : names) {
      test::write_file(dir / (n + "/manifest.json"), "{}");
      std::string error;
      packs.push_back(Pack::open(dir / n, n, Limits{}, error));
      EXPECT_TRUE(packs.back()) << error;
      packs.back()->set_name(n);
    }
  }
};

void summarize_all(CheckedPacks& checked, PackDirs& run, const std::vector<const Gate*>& gates) {
  const Policy policy = default_policy();
  const CheckOptions options;
  const GateContext ctx{policy, options, nullptr, ""};
  const Preparations prep(gates, ctx);
  ThreadPool pool(2);
  parallel_for(pool, run.packs.size(), [&](std::size_t i) { checked.summarize(i, *run.packs[i], prep, ctx); });
}

TEST(CheckedPacks, SummariesSetAsideReadBackEqual) {
  const std::vector<std::string> names = {"p0", "throw-p1", "p2", "none-p3", "p4"};
  for (bool with_spill : {true, false}) {
    for (bool encodes : {true, false}) {
      SCOPED_TRACE(std::string(with_spill ? "spill" : "memory") + (encodes ? ", encodes" : ", does not encode"));
      std::string error;
      std::unique_ptr<SpillFile> spill = with_spill ? SpillFile::create("/tmp", error) : nullptr;
      ASSERT_TRUE(!with_spill || spill) << error;
      const NameGate gate(encodes), other(true);
      PackDirs run(names);
      CheckedPacks checked(names.size() + 1, {&gate, &other}, spill.get());  // one pack never opened
      summarize_all(checked, run, {&gate, &other});
      if (spill) {
        EXPECT_GT(spill->size(), 0u) << "the other gate's summaries encode";
      }
      for (std::size_t i = 0; i < names.size(); ++i) {
        EXPECT_TRUE(checked.opened(i));
        EXPECT_EQ(checked.real(i), run.packs[i]->is_real());
        const bool has = names[i].rfind("throw-", 0) != 0 && names[i].rfind("none-", 0) != 0;
        for (std::size_t g = 0; g < 2; ++g) {
          EXPECT_EQ(name_of(checked.summary(i, g)), has ? names[i] : "(none)") << names[i] << " gate " << g;
          EXPECT_EQ(name_of(checked.summary(i, g)), has ? names[i] : "(none)") << "read twice";
          const std::string* what = checked.error(i, g);
          EXPECT_EQ(what != nullptr, names[i] == "throw-p1");
          if (what != nullptr) {
            EXPECT_EQ(*what, "cannot summarise throw-p1");
          }
        }
      }
      EXPECT_FALSE(checked.opened(names.size()));
      EXPECT_EQ(checked.summary(names.size(), 0), nullptr);
      // Taken: the caller owns it, and the pack has none left.
      std::unique_ptr<PackSummary> taken = checked.take(2, 0);
      ASSERT_NE(taken, nullptr);
      EXPECT_EQ(static_cast<const NameSummary&>(*taken).name, "p2");
      EXPECT_EQ(checked.summary(2, 0), nullptr);
      EXPECT_EQ(name_of(checked.summary(2, 1)), "p2");
      // Dropped: gate 0's summaries are gone from memory; those set aside
      // stay readable until the run ends.
      checked.drop(0);
      EXPECT_EQ(name_of(checked.summary(4, 0)), with_spill && encodes ? "p4" : "(none)");
      EXPECT_EQ(name_of(checked.summary(4, 1)), "p4");
    }
  }
}

TEST(CheckedPacks, ASummaryThatDoesNotReadBackThrowsNamingTheGate) {
  std::string error;
  std::unique_ptr<SpillFile> spill = SpillFile::create("/tmp", error);
  ASSERT_TRUE(spill) << error;
  const ForgetfulGate gate;
  PackDirs run({"p0"});
  CheckedPacks checked(1, {&gate}, spill.get());
  summarize_all(checked, run, {&gate});
  try {
    checked.summary(0, 0);
    FAIL() << "read back a summary the gate could not decode";
  } catch (const std::logic_error& e) {
    EXPECT_NE(std::string(e.what()).find("GATE-V2-TEST-NAMES-01"), std::string::npos) << e.what();
  }
}

TEST(CheckedPacks, StoredSummariesListThePacksGiven) {
  std::string error;
  std::unique_ptr<SpillFile> spill = SpillFile::create("/tmp", error);
  ASSERT_TRUE(spill) << error;
  const NameGate gate(true);
  PackDirs run({"a", "b", "c", "d"});
  CheckedPacks checked(4, {&gate}, spill.get());
  summarize_all(checked, run, {&gate});
  const std::vector<std::size_t> some = {3, 1};
  const StoredSummaries s(checked, 0, some);
  ASSERT_EQ(s.size(), 2u);
  EXPECT_EQ(name_of(s.get(0)), "d");
  EXPECT_EQ(name_of(s.get(1)), "b");
  EXPECT_THROW(s.get(2), std::out_of_range);
}

}  // namespace
}  // namespace mplp
