// What a run keeps of each pack once its pack gates ran and the pack was
// freed: whether it was opened, whether it is INDEXABLE_REAL, and what each
// collection gate summarised of it (Gate::summarize). A run holds this for
// every pack until the comparisons, so it is kept flat and small: each
// summary waits encoded in the run's spill file (16 bytes a summary in
// memory), and nothing is held for what rarely happens (a summary that
// threw, a gate whose summaries do not encode).
//
//   CheckedPacks checked(packs, collection, spill);
//   checked.summarize(i, pack, prep, ctx);      // on pack i's worker
//   StoredSummaries s(checked, c, opened);       // what gate c compares
#pragma once

#include <cstddef>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <utility>
#include <vector>

#include "core/gate.h"
#include "core/spill_file.h"
#include "engine/preparations.h"

namespace mplp {

class CheckedPacks {
 public:
  // `spill` null: every summary stays in memory as it is.
  CheckedPacks(std::size_t packs, std::vector<const Gate*> collection, SpillFile* spill);
  std::size_t size() const { return flags_.size(); }

  // Pack i was opened: each collection gate summarises it, a summary that
  // throws being kept as its error. Calls for different packs may run at once.
  void summarize(std::size_t i, const Pack& pack, const Preparations& prep, const GateContext& ctx);

  bool opened(std::size_t i) const { return (flags_.at(i) & kOpened) != 0; }
  bool real(std::size_t i) const { return (flags_.at(i) & kReal) != 0; }
  // Collection gate `gate`'s summary of pack i, read back; null when there is none.
  std::shared_ptr<const PackSummary> summary(std::size_t i, std::size_t gate) const;
  // The same, owned by the caller; the pack has none left afterwards.
  std::unique_ptr<PackSummary> take(std::size_t i, std::size_t gate);
  // Frees what gate `gate`'s summaries hold in memory: its comparison is done.
  void drop(std::size_t gate);
  // Why summarising pack i threw, or null.
  const std::string* error(std::size_t i, std::size_t gate) const;

 private:
  static constexpr unsigned char kOpened = 1, kReal = 2;
  std::size_t slot(std::size_t i, std::size_t gate) const { return i * collection_.size() + gate; }
  std::unique_ptr<PackSummary> decode(SpillFile::Record r, std::size_t gate) const;

  std::vector<const Gate*> collection_;
  SpillFile* spill_;
  std::vector<unsigned char> flags_;  // bytes, not bits: workers set different packs' at once
  // Per (pack, gate), at slot(): where its encoded summary lies in spill_
  // (size 0: none; the bytes start with a marker, so none are empty).
  std::vector<SpillFile::Record> records_;
  mutable std::mutex mutex_;  // guards the two maps
  std::map<std::size_t, std::unique_ptr<PackSummary>> kept_;  // by slot: summaries held as they are
  std::map<std::size_t, std::string> errors_;                 // by slot: why summarising threw
};

// What one collection gate compares: the summaries of the packs `packs`
// lists (indexes into `checked`), in that order.
class StoredSummaries : public Summaries {
 public:
  StoredSummaries(const CheckedPacks& checked, std::size_t gate, const std::vector<std::size_t>& packs)
      : checked_(checked), gate_(gate), packs_(packs) {}
  std::size_t size() const override { return packs_.size(); }
  std::shared_ptr<const PackSummary> get(std::size_t i) const override {
    return checked_.summary(packs_.at(i), gate_);
  }

 private:
  const CheckedPacks& checked_;
  std::size_t gate_;
  const std::vector<std::size_t>& packs_;
};

}  // namespace mplp
