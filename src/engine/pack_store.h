// The finished pack results of a run, held compactly (issue 13, point 2):
// a run over 30,000 packs keeps every result until the report is written, so
// each is encoded into one byte string as soon as its pack is done, and the
// texts packs repeat (gate ids, codes, fixes, skip reasons, not-verified
// reasons, most messages) are stored once for the whole run, up to a bound
// (a text met only after the pool is full goes into the pack's own bytes).
// A passing pack then costs a few hundred bytes instead of several kilobytes
// of strings.
//
// Reading gives decoded copies; nothing hands out a reference into the store:
//
//   PackStore packs;
//   packs.push_back(result);
//   for (const PackResult& p : packs) render(p);      // decoded one at a time
//   packs.update(0, [](PackResult& p) { p.gates.clear(); });
//
// set() may be called from several threads at once for different indexes.
//
// A store made with a SpillFile keeps the encoded results there and only
// each pack's place in the file (16 bytes) in memory; its shared texts stay
// in memory. Copies of a store share its file and its texts; both
// only grow, so a copy's changes never show through another.
#pragma once

#include <cstddef>
#include <initializer_list>
#include <iterator>
#include <memory>
#include <optional>
#include <atomic>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "core/spill_file.h"
#include "engine/pack_result.h"

namespace mplp {

class StringPool;  // pack_store.cpp

class PackStore {
 public:
  PackStore();
  PackStore(std::initializer_list<PackResult> packs);
  explicit PackStore(std::shared_ptr<SpillFile> spill);

  std::size_t size() const { return spill_ ? records_.size() : blobs_.size(); }
  bool empty() const { return size() == 0; }
  void clear() {
    blobs_.clear();
    records_.clear();
    changed();
  }
  void push_back(const PackResult& p);
  // New slots hold an empty PackResult until set().
  void resize(std::size_t n);
  void set(std::size_t i, const PackResult& p);

  PackResult get(std::size_t i) const;
  // A decoded copy; const, so that changing it by mistake does not compile.
  const PackResult operator[](std::size_t i) const { return get(i); }
  const PackResult at(std::size_t i) const { return get(i); }
  const PackResult front() const { return get(0); }
  const PackResult back() const { return get(size() - 1); }

  template <typename Fn>
  void update(std::size_t i, Fn&& fn) {
    PackResult p = get(i);
    fn(p);
    set(i, p);
  }

  // One finding in the store's compact form, and back: for findings that
  // wait before they join a pack's result (a collection gate reports on
  // every pack of the run before any result is taken).
  std::string encode(const Finding& f);
  Finding decode(std::string_view bytes) const;

  // Bytes of the encoded results (not the shared texts): for tests.
  std::size_t encoded_bytes() const;

  // Changes with every change of the results, and is never the same for two
  // different contents (a copy has its original's): what is computed from
  // all results (RunReport::counts) is kept until it changes.
  std::uint64_t version() const { return version_.value.load(); }

  class const_iterator {
   public:
    using iterator_category = std::input_iterator_tag;
    using value_type = PackResult;
    using difference_type = std::ptrdiff_t;
    using pointer = const PackResult*;
    using reference = const PackResult&;

    const_iterator(const PackStore* store, std::size_t index) : store_(store), index_(index) {}
    reference operator*() const {
      if (!current_) current_ = store_->get(index_);
      return *current_;
    }
    pointer operator->() const { return &**this; }
    const_iterator& operator++() {
      ++index_;
      current_.reset();
      return *this;
    }
    bool operator==(const const_iterator& o) const { return index_ == o.index_; }
    bool operator!=(const const_iterator& o) const { return index_ != o.index_; }

   private:
    const PackStore* store_;
    std::size_t index_;
    mutable std::optional<PackResult> current_;
  };
  const_iterator begin() const { return {this, 0}; }
  const_iterator end() const { return {this, size()}; }

 private:
  std::string blob(std::size_t i) const;
  void changed();

  std::shared_ptr<StringPool> pool_;  // shared by copies: it only grows
  std::shared_ptr<SpillFile> spill_;  // null: results are held in blobs_
  std::vector<std::string> blobs_;
  std::vector<SpillFile::Record> records_;
  // Atomic: packs are set from many threads. Copied with the store.
  struct Version {
    std::atomic<std::uint64_t> value{0};
    Version() = default;
    Version(const Version& o) : value(o.value.load()) {}
    Version& operator=(const Version& o) {
      value = o.value.load();
      return *this;
    }
  } version_;
};

}  // namespace mplp
