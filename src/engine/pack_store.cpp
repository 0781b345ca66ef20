#include "engine/pack_store.h"

#include <atomic>
#include <deque>
#include <mutex>
#include <optional>
#include <shared_mutex>
#include <stdexcept>
#include <string_view>
#include <unordered_map>

#include "core/byte_codec.h"
#include "core/digest.h"
#include "core/text.h"

namespace mplp {

// The texts shared by the packs of a run, each stored once. Append-only, so
// an id stays valid for as long as the pool lives.
class StringPool {
 public:
  // A text's id in the pool, or none when it is not there and the pool is
  // full: most texts repeat across packs, but some name the pack (a
  // determinism group, a digest), and pooling those kept every pack's own
  // text in memory for the whole run. The texts packs share are met in the
  // first packs, long before the pool is full. Under the unique lock.
  std::optional<std::uint64_t> intern(const std::string& s) {
    if (std::optional<std::uint64_t> id = find(s)) return id;
    if (full()) return std::nullopt;
    bytes_ += s.size() + kOverhead;
    texts_.push_back(s);
    const std::uint64_t id = texts_.size() - 1;
    ids_.emplace(texts_.back(), id);
    return id;
  }
  // The id of a text already pooled; under either lock.
  std::optional<std::uint64_t> find(const std::string& s) const {
    auto it = ids_.find(s);
    if (it == ids_.end()) return std::nullopt;
    return it->second;
  }
  bool full() const { return bytes_ >= kMaxBytes; }
  const std::string& text(std::uint64_t id) const {
    if (id >= texts_.size()) throw std::logic_error("pack store: a text id past the pool");
    return texts_[id];
  }
  // Shared while a pack is decoded, or encoded with texts the pool has
  // already; unique while one adds texts (see encode_with).
  std::shared_mutex mutex;

 private:
  // What the pool may hold, counting each text's bookkeeping as kOverhead.
  static constexpr std::size_t kMaxBytes = std::size_t{1} << 20;
  static constexpr std::size_t kOverhead = 96;
  std::deque<std::string> texts_;  // a deque: growing it moves no text the index points into
  std::unordered_map<std::string_view, std::uint64_t> ids_;
  std::size_t bytes_ = 0;
};

namespace {

// How a text is likely to occur across packs: Shared texts are pooled, Own
// texts (paths, names, digests) are written into the pack's bytes.
enum class Text { Shared, Own };

// A text's tag (a varint) says how it is stored, in its low two bits.
constexpr std::uint64_t kInline = 0;  // length << 2, then the bytes
constexpr std::uint64_t kPooled = 1;  // id << 2
constexpr std::uint64_t kDigest = 2;  // then 32 bytes: 64 lowercase hex digits, halved

// With `may_add` false (the pool's shared lock held), a text to be pooled
// that the pool lacks is not added: the encoding is marked `missed` and must
// be done again with `may_add` (under the unique lock).
class Encoder {
 public:
  Encoder(StringPool& pool, std::string& out, bool may_add) : pool_(pool), out_(out), may_add_(may_add) {}
  bool missed() const { return missed_; }
  void number(std::uint64_t v) { out_.number(v); }
  void flag(bool b) { out_.flag(b); }
  template <typename E>
  void enumeration(E e) {
    number(static_cast<std::uint64_t>(e));
  }
  void text(const std::string& s, Text kind) {
    if (s.empty()) {
      number(kInline);
    } else if (std::optional<std::uint64_t> id = kind == Text::Shared ? pooled(s) : std::nullopt) {
      number(*id << 2 | kPooled);
    } else if (std::optional<Digest> d = digest_from_hex(s)) {  // lower case only: it must read back as it was
      number(kDigest);
      out_.raw(std::string_view(reinterpret_cast<const char*>(d->data()), d->size()));
    } else {
      number(s.size() << 2 | kInline);
      out_.raw(s);
    }
  }
  template <typename T, typename Each>
  void list(const std::vector<T>& items, Each each) {
    number(items.size());
    for (const T& item : items) each(item);
  }

 private:
  std::optional<std::uint64_t> pooled(const std::string& s) {
    if (may_add_) return pool_.intern(s);
    std::optional<std::uint64_t> id = pool_.find(s);
    if (!id && !pool_.full()) missed_ = true;
    return id;
  }

  StringPool& pool_;
  ByteWriter out_;
  bool may_add_;
  bool missed_ = false;
};

class Decoder {
 public:
  Decoder(const StringPool& pool, std::string_view in) : pool_(pool), in_(in), size_(in.size()) {}
  void number(std::uint64_t& v) { v = in_.number(); }
  void flag(bool& b) { b = in_.flag(); }
  template <typename E>
  void enumeration(E& e) {
    e = static_cast<E>(in_.number());
  }
  void text(std::string& s, Text /*kind*/) {
    const std::uint64_t tag = in_.number();
    switch (tag & 3) {
      case kPooled: s = pool_.text(tag >> 2); return;
      case kDigest: s = hex_encode(in_.raw(32)); return;
      default: s = std::string(in_.raw(tag >> 2));
    }
  }
  template <typename T, typename Each>
  void list(std::vector<T>& items, Each each) {
    const std::uint64_t n = in_.number();
    // Each item takes a byte at least: a larger count is damage, not a size to allocate.
    if (n > size_) throw std::logic_error("pack store: a damaged list");
    items.resize(n);
    for (T& item : items) each(item);
  }
  bool done() const { return in_.done(); }

 private:
  const StringPool& pool_;
  ByteReader in_;
  std::size_t size_;
};

// A field added to these structs must be added to pack_fields below too:
// their sizes on the machines we build for (LP64, 32-byte strings) catch one
// that was forgotten.
static_assert(sizeof(void*) != 8 || sizeof(std::string) != 32 ||
                  (sizeof(Location) == 64 && sizeof(Finding) == 400 && sizeof(GateResult) == 96 &&
                   sizeof(PackDigests) == 128 && sizeof(Unverified) == 64 && sizeof(PackResult) == 272),
              "a field was added to PackResult or what it holds: store it in pack_fields");

// Every field of a PackResult, once, in storage order: the encoder reads them
// (P = const PackResult) and the decoder writes them (P = PackResult), so the
// two cannot disagree. A new field must be added here.
template <typename IO, typename F>
void finding_fields(IO& io, F& f) {
  io.text(f.gate_id, Text::Shared);
  io.enumeration(f.severity);
  io.text(f.code, Text::Shared);
  io.text(f.file, Text::Shared);
  io.number(f.location.line);
  io.number(f.location.column);
  io.text(f.location.pointer, Text::Shared);
  io.flag(f.location.has_offset);
  io.number(f.location.offset);
  io.text(f.message, Text::Shared);
  io.text(f.detail, Text::Shared);
  io.text(f.expected, Text::Own);
  io.text(f.actual, Text::Own);
  io.text(f.hint, Text::Shared);
  io.text(f.diff_with, Text::Own);
  io.text(f.suppressed, Text::Shared);
  io.flag(f.baseline);
  io.flag(f.schema_rule);
}

template <typename IO, typename P>
void pack_fields(IO& io, P& p) {
  io.text(p.path, Text::Own);
  io.text(p.name, Text::Own);
  io.text(p.indexability, Text::Shared);
  io.text(p.digests.sums, Text::Own);
  io.text(p.digests.manifest, Text::Own);
  io.text(p.digests.provenance, Text::Own);
  io.text(p.digests.registry, Text::Shared);
  io.list(p.not_verified, [&io](auto& u) {
    io.text(u.check, Text::Shared);
    io.text(u.reason, Text::Shared);
  });
  io.list(p.gates, [&io](auto& g) {
    io.text(g.gate_id, Text::Shared);
    io.enumeration(g.status);
    io.text(g.skip_reason, Text::Shared);
    io.list(g.findings, [&io](auto& f) { finding_fields(io, f); });
  });
}

// One value's bytes by `fields` (pack_fields or finding_fields), and back:
// bytes left over mean damage. Packs are encoded and decoded side by side
// under the pool's shared lock; only an encoding that meets a text the pool
// lacks (and has room for) is done again under the unique lock.
template <typename T, typename Fields>
std::string encode_with(StringPool& pool, const T& value, Fields fields) {
  std::string bytes;
  {
    std::shared_lock<std::shared_mutex> lock(pool.mutex);
    Encoder e(pool, bytes, /*may_add=*/false);
    fields(e, value);
    if (!e.missed()) return bytes;
  }
  bytes.clear();
  std::unique_lock<std::shared_mutex> lock(pool.mutex);
  Encoder e(pool, bytes, /*may_add=*/true);
  fields(e, value);
  return bytes;
}

template <typename T, typename Fields>
T decode_with(StringPool& pool, std::string_view bytes, Fields fields, std::string_view what) {
  T value;
  std::shared_lock<std::shared_mutex> lock(pool.mutex);
  Decoder d(pool, bytes);
  fields(d, value);
  if (!d.done()) throw std::logic_error("pack store: bytes left after a " + std::string(what));
  return value;
}

constexpr auto kPack = [](auto& io, auto& p) { pack_fields(io, p); };
constexpr auto kFinding = [](auto& io, auto& f) { finding_fields(io, f); };

}  // namespace

PackStore::PackStore() : pool_(std::make_shared<StringPool>()) {}

PackStore::PackStore(std::initializer_list<PackResult> packs) : PackStore() {
  for (const PackResult& p : packs) push_back(p);
}

PackStore::PackStore(std::shared_ptr<SpillFile> spill) : PackStore() { spill_ = std::move(spill); }

void PackStore::push_back(const PackResult& p) {
  resize(size() + 1);
  set(size() - 1, p);
}

void PackStore::changed() {
  static std::atomic<std::uint64_t> last{0};
  version_.value = ++last;
}

void PackStore::resize(std::size_t n) {
  changed();
  const std::size_t old = size();
  if (spill_) records_.resize(n);
  else blobs_.resize(n);
  for (std::size_t i = old; i < n; ++i) set(i, PackResult{});
}

void PackStore::set(std::size_t i, const PackResult& p) {
  changed();
  std::string bytes = encode_with(*pool_, p, kPack);
  if (spill_) {
    records_.at(i) = spill_->append(bytes);
    return;
  }
  bytes.shrink_to_fit();
  blobs_.at(i) = std::move(bytes);
}

std::string PackStore::blob(std::size_t i) const { return spill_ ? spill_->read(records_.at(i)) : blobs_.at(i); }

PackResult PackStore::get(std::size_t i) const { return decode_with<PackResult>(*pool_, blob(i), kPack, "pack"); }

std::string PackStore::encode(const Finding& f) { return encode_with(*pool_, f, kFinding); }

Finding PackStore::decode(std::string_view bytes) const {
  return decode_with<Finding>(*pool_, bytes, kFinding, "finding");
}

std::size_t PackStore::encoded_bytes() const {
  std::size_t n = 0;
  for (const std::string& b : blobs_) n += b.size();
  for (const SpillFile::Record& r : records_) n += r.size;
  return n;
}

}  // namespace mplp
