#include "engine/checked_packs.h"

#include <stdexcept>

#include "engine/internal_error.h"

namespace mplp {

namespace {
constexpr char kMarker = 'S';  // first byte of every stored summary: none is empty
}

CheckedPacks::CheckedPacks(std::size_t packs, std::vector<const Gate*> collection, SpillFile* spill)
    : collection_(std::move(collection)), spill_(spill), flags_(packs), records_(packs * collection_.size()) {}

void CheckedPacks::summarize(std::size_t i, const Pack& pack, const Preparations& prep, const GateContext& ctx) {
  flags_.at(i) = static_cast<unsigned char>(kOpened | (pack.is_real() ? kReal : 0));
  for (std::size_t g = 0; g < collection_.size(); ++g) {
    std::unique_ptr<PackSummary> s;
    std::string bytes(1, kMarker);
    std::optional<std::string> what = run_caught([&] {
      s = collection_[g]->summarize(pack, prep.context(collection_[g], ctx));
      if (s && spill_ != nullptr && s->encode(bytes)) {
        records_.at(slot(i, g)) = spill_->append(bytes);
        s.reset();
      }
    });
    if (!what && !s) continue;
    std::lock_guard<std::mutex> lock(mutex_);
    if (what) errors_[slot(i, g)] = std::move(*what);
    else kept_[slot(i, g)] = std::move(s);
  }
}

std::shared_ptr<const PackSummary> CheckedPacks::summary(std::size_t i, std::size_t gate) const {
  const SpillFile::Record r = records_.at(slot(i, gate));
  if (r.size == 0) {
    std::lock_guard<std::mutex> lock(mutex_);
    auto it = kept_.find(slot(i, gate));
    if (it == kept_.end()) return nullptr;
    return std::shared_ptr<const PackSummary>(std::shared_ptr<const PackSummary>(), it->second.get());
  }
  return decode(r, gate);
}

std::unique_ptr<PackSummary> CheckedPacks::decode(SpillFile::Record r, std::size_t gate) const {
  const std::string bytes = spill_->read(r);
  std::unique_ptr<PackSummary> s = collection_[gate]->decode_summary(std::string_view(bytes).substr(1));
  if (!s)
    throw std::logic_error(std::string(collection_[gate]->info().id) + " could not read back a summary it set aside");
  return s;
}

std::unique_ptr<PackSummary> CheckedPacks::take(std::size_t i, std::size_t gate) {
  const SpillFile::Record r = records_.at(slot(i, gate));
  if (r.size == 0) {
    std::lock_guard<std::mutex> lock(mutex_);
    auto it = kept_.find(slot(i, gate));
    if (it == kept_.end()) return nullptr;
    std::unique_ptr<PackSummary> s = std::move(it->second);
    kept_.erase(it);
    return s;
  }
  records_[slot(i, gate)] = {};
  return decode(r, gate);
}

void CheckedPacks::drop(std::size_t gate) {
  std::lock_guard<std::mutex> lock(mutex_);
  for (auto it = kept_.begin(); it != kept_.end();)
    it = it->first % collection_.size() == gate ? kept_.erase(it) : std::next(it);
}

const std::string* CheckedPacks::error(std::size_t i, std::size_t gate) const {
  std::lock_guard<std::mutex> lock(mutex_);
  auto it = errors_.find(slot(i, gate));
  return it == errors_.end() ? nullptr : &it->second;
}

}  // namespace mplp
