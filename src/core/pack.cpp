#include "core/pack.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>

#include "core/file_batch.h"

namespace mplp {

namespace {

// Files up to kKeepFileBytes (pack.h) keep their bytes after hashing, within a per-pack budget.
constexpr std::uint64_t kKeepPackBytes = 256ull << 20;

FileStamp stamp_of(const struct stat& st) {
  return FileStamp{st.st_dev, st.st_ino, st.st_size,
                   static_cast<std::int64_t>(st.st_mtim.tv_sec) * 1000000000 + st.st_mtim.tv_nsec,
                   static_cast<std::int64_t>(st.st_ctim.tv_sec) * 1000000000 + st.st_ctim.tv_nsec};
}

bool stamp_of(int fd, FileStamp& out) {
  struct stat st {};
  if (::fstat(fd, &st) != 0) return false;
  out = stamp_of(st);
  return true;
}

constexpr const char* kChanged = "changed since it was hashed (written, or replaced by another file); not read again";

}  // namespace

std::string_view to_string(Indexability i) {
  switch (i) {
    case Indexability::Real: return "INDEXABLE_REAL";
    case Indexability::Synthetic: return "INDEXABLE_SYNTHETIC";
    case Indexability::NonIndexable: return "NON_INDEXABLE";
    case Indexability::Unknown: return "UNKNOWN";
  }
  return "UNKNOWN";
}

std::unique_ptr<Pack> Pack::open(const std::string& fs_path, std::string display_path, const Limits& limits,
                                 std::string& error, const FileIdentity* expected) {
  std::optional<Dir> dir = Dir::open(fs_path, error);
  if (!dir) return nullptr;
  std::optional<dev_t> device;
  if (expected != nullptr) {
    FileIdentity opened;
    if (!identify_fd(dir->fd(), opened) || !(opened == *expected)) {
      error = fs_path + ": replaced since it was found (renamed, or a link put in its place); not read";
      return nullptr;
    }
    device = opened.device;
  }
  std::unique_ptr<Pack> pack(new Pack(std::move(*dir), std::move(display_path), limits));
  // Files are stated when load_files opens them (see fill_file_entries).
  WalkResult w = walk(pack->dir_, WalkOptions{.max_entries = limits.max_files_per_pack,
                                              .defer_file_stat = true,
                                              .list_root_fd = true,
                                              .root_device = device});
  pack->entries_ = std::move(w.entries);
  pack->truncated_ = w.truncated;
  pack->walk_errors_ = std::move(w.errors);
  for (const Entry& e : pack->entries_) {
    if (e.type != EntryType::Regular) continue;
    pack->file_index_[e.path] = pack->files_.size();
    pack->files_.emplace_back().entry = e;
  }
  return pack;
}

const Entry* Pack::find(std::string_view rel) const {
  auto it = std::lower_bound(entries_.begin(), entries_.end(), rel,
                             [](const Entry& e, std::string_view r) { return e.path < r; });
  if (it != entries_.end() && it->path == rel) return &*it;
  const FileState* past = past_limit(rel);
  return past != nullptr ? &past->entry : nullptr;
}

const FileState* Pack::past_limit(std::string_view rel) const {
  if (!truncated_ || dir_.fd() < 0) return nullptr;
  std::lock_guard<std::mutex> lock(past_limit_mu_);
  std::string key(rel);
  auto it = past_limit_.find(key);
  if (it == past_limit_.end()) {
    std::string err;
    std::optional<Entry> e = stat_beneath(dir_, rel, err);
    std::unique_ptr<FileState> state;
    if (e) {
      state = std::make_unique<FileState>();
      state->entry = std::move(*e);
      state->error = "not read: the pack has more entries than limits.max_files_per_pack (" +
                     std::to_string(limits_.max_files_per_pack) + ") and this one lies past the limit";
    }
    it = past_limit_.emplace(std::move(key), std::move(state)).first;
  }
  return it->second.get();
}

// How one file of load_files is loaded: the shared budget of kept bytes and
// what a file that is not kept is fed to.
struct Pack::FileLoad {
  const FileTapMaker& make_taps;
  bool keep_contents;
  std::uint64_t max_file_size;
  std::atomic<std::uint64_t> kept{0};

  // Whether a file of `size` bytes (within the size limit) stays in memory,
  // and takes its share of the pack's budget.
  bool keeps(std::uint64_t size) {
    return keep_contents && size <= max_file_size && size <= kKeepFileBytes &&
           kept.fetch_add(size) + size <= kKeepPackBytes;
  }
};

void Pack::load_files(ThreadPool& pool, const FileTapMaker& make_taps, bool keep_contents) {
  FileLoad load{make_taps, keep_contents, limits_.max_file_size};
  std::vector<std::size_t> todo;
  for (std::size_t i = 0; i < files_.size(); ++i) {
    FileState& f = files_[i];
    if (f.hashed || !f.error.empty()) continue;
    if (f.entry.stated && f.entry.size > limits_.max_file_size) {  // stated by the walk (no listed type)
      f.error = over_limit(f.entry.size);
      continue;
    }
    todo.push_back(i);
  }
  // Batches of files (file_batch.h), as many as keep idle workers busy.
  const std::size_t n = todo.size();
  const std::size_t batches = std::min(n, std::max((n + kBatchFiles - 1) / kBatchFiles, std::size_t{pool.idle()} + 1));
  parallel_for(pool, batches, [&](std::size_t b) {
    const std::size_t first = n * b / batches, last = n * (b + 1) / batches;
    std::vector<BatchFile> batch(last - first);
    for (std::size_t k = 0; k < batch.size(); ++k) batch[k].rel = &files_[todo[first + k]].entry.path;
    if (!open_batch(dir_, batch)) {
      for (std::size_t k = 0; k < batch.size(); ++k) load_file(files_[todo[first + k]], load);
      return;
    }
    for (BatchFile& bf : batch) {
      bf.want_read = bf.fd >= 0 && load.keeps(static_cast<std::uint64_t>(bf.st.st_size));
    }
    read_batch(batch);
    for (std::size_t k = 0; k < batch.size(); ++k) {
      FileState& f = files_[todo[first + k]];
      BatchFile& bf = batch[k];
      if (bf.read) {
        take_file(f, bf.st);
        f.digest = sha256(bf.bytes);
        f.hashed = true;
        f.bytes = std::make_shared<const std::string>(std::move(bf.bytes));
      } else if (bf.fd >= 0) {
        load_open_file(f, bf.fd, bf.st, load, bf.want_read);
      } else {
        // Not opened, or its read did not give the size stated: alone, as
        // the batch never ran (its share of the budget stays taken).
        load_file(f, load);
      }
    }
  });
  fill_file_entries();
  load_manifest();  // after hashing, so its bytes are already in memory
}

std::string Pack::over_limit(std::uint64_t size) const {
  return "file is " + std::to_string(size) + " bytes, over the limit of " + std::to_string(limits_.max_file_size) +
         "; not hashed";
}

void Pack::take_file(FileState& f, const struct stat& st) {
  if (!f.entry.stated) f.entry = entry_of(std::move(f.entry.path), st);
  // The stamp is taken when the file is opened: a write during the read
  // changes it, so a later re-read of a file that was not kept refuses.
  f.stamp = stamp_of(st);
}

void Pack::load_file(FileState& f, FileLoad& load) {
  std::string err;
  struct stat st {};
  int fd = open_regular_beneath(dir_, f.entry.path, err, &st);
  if (fd < 0) {
    f.error = err;
    if (!f.entry.stated) {  // what is there now, if anything (a link, a directory...)
      std::string ignored;
      if (std::optional<Entry> now = stat_beneath(dir_, f.entry.path, ignored)) f.entry = std::move(*now);
      f.entry.stated = true;
    }
    return;
  }
  load_open_file(f, fd, st, load, load.keeps(static_cast<std::uint64_t>(st.st_size)));
}

void Pack::load_open_file(FileState& f, int fd, const struct stat& st, FileLoad& load, bool keep) {
  take_file(f, st);
  if (static_cast<std::uint64_t>(st.st_size) > limits_.max_file_size) {
    ::close(fd);
    f.error = over_limit(static_cast<std::uint64_t>(st.st_size));
    return;
  }
  std::string err;
  std::optional<Digest> d;
  auto buf = std::make_shared<std::string>();
  if (keep) {
    if (read_fd_limited(fd, limits_.max_file_size, *buf, err, &st)) d = sha256(*buf);
  } else if (FileTaps taps = load.make_taps ? load.make_taps(f.entry) : FileTaps{}; !taps.empty()) {
    std::vector<FileTap*> fed;
    for (auto& [owner, tap] : taps) fed.push_back(tap.get());
    bool ended = false;
    d = sha256_fd_tapped(fd, fed, ended, err);
    if (d && ended)
      for (auto& [owner, tap] : taps) f.taps.emplace_back(owner, std::move(tap));
  } else {
    d = sha256_fd(fd, nullptr);
  }
  ::close(fd);
  if (!d) {
    f.error = err.empty() ? "read error" : err;
    return;
  }
  f.hashed = true;
  f.digest = *d;
  if (keep) f.bytes = std::move(buf);
}

void Pack::fill_file_entries() {
  for (Entry& e : entries_) {
    if (e.stated) continue;
    auto it = file_index_.find(e.path);
    if (it != file_index_.end()) e = files_[it->second].entry;
  }
}

const FileState* Pack::file(std::string_view rel) const {
  auto it = file_index_.find(std::string(rel));
  if (it != file_index_.end()) return &files_[it->second];
  const FileState* past = past_limit(rel);
  return past != nullptr && past->entry.type == EntryType::Regular ? past : nullptr;
}

const FileTap* Pack::tap(std::string_view rel, std::string_view owner) const {
  const FileState* f = file(rel);
  if (f == nullptr) return nullptr;
  for (const auto& [who, tap] : f->taps)
    if (who == owner) return tap.get();
  return nullptr;
}

const Digest* Pack::digest(std::string_view rel) const {
  const FileState* f = file(rel);
  return (f != nullptr && f->hashed) ? &f->digest : nullptr;
}

std::shared_ptr<const std::string> Pack::bytes(std::string_view rel, std::string& error) const {
  const FileState* f = file(rel);
  if (f != nullptr && f->bytes) return f->bytes;
  if (f != nullptr && !f->hashed && file_index_.count(std::string(rel)) == 0) {  // past the walk's limit
    error = f->error;
    return nullptr;
  }
  if (f == nullptr || !f->hashed) {  // not a file that was hashed: read as it is now
    auto out = std::make_shared<std::string>();
    if (!read_beneath(dir_, rel, limits_.max_file_size, *out, error)) return nullptr;
    return out;
  }
  auto out = std::make_shared<std::string>();
  const bool ok = read_again(
      rel, [&](int fd, std::string& err) { return read_fd_limited(fd, limits_.max_file_size, *out, err); }, error);
  return ok ? out : nullptr;
}

int Pack::reopen(std::string_view rel, std::string& error) const {
  const FileState* f = file(rel);
  int fd = open_regular_beneath(dir_, rel, error);
  if (fd < 0 || f == nullptr || !f->hashed) return fd;
  FileStamp now;
  if (!stamp_of(fd, now) || !(now == f->stamp)) {
    ::close(fd);
    error = kChanged;
    return -1;
  }
  return fd;
}

bool Pack::unchanged(std::string_view rel, int fd, std::string& error) const {
  const FileState* f = file(rel);
  FileStamp now;
  if (f == nullptr || !f->hashed || (stamp_of(fd, now) && now == f->stamp)) return true;
  error = kChanged;
  return false;
}

bool Pack::read_again(std::string_view rel, const std::function<bool(int fd, std::string& error)>& read,
                      std::string& error) const {
  const int fd = reopen(rel, error);
  if (fd < 0) return false;
  const bool ok = read(fd, error) && unchanged(rel, fd, error);
  ::close(fd);
  return ok;
}

bool Pack::read(std::string_view rel, std::string& out, std::string& error) const {
  auto b = bytes(rel, error);
  if (!b) return false;
  out = *b;
  return true;
}

const JsonFile& Pack::json(std::string_view rel) const {
  std::string key(rel);
  auto it = json_cache_.find(key);
  if (it != json_cache_.end()) return *it->second;
  auto jf = std::make_unique<JsonFile>();
  std::string err;
  const FileState* f = file(rel);
  if (f != nullptr && !f->bytes && f->hashed && static_cast<std::uint64_t>(f->stamp.size) > kKeepFileBytes) {
    jf->read_error = "larger than " + std::to_string(kKeepFileBytes >> 20) + " MiB, too large to load as a JSON document";
  } else if (auto b = bytes(rel, err)) {
    jf->readable = true;
    jf->parsed = parse_json(*b, JsonOptions{limits_.max_json_depth}, jf->doc);
  } else {
    jf->read_error = err;
  }
  return *json_cache_.emplace(key, std::move(jf)).first->second;
}

JsonCheck Pack::check_json(std::string_view rel) const {
  JsonCheck out;
  const FileState* f = file(rel);
  if (f == nullptr || f->bytes || !f->hashed) {  // held in memory, or read as json() reads it
    const JsonFile& jf = json(rel);
    out.readable = jf.readable;
    out.read_error = jf.read_error;
    out.error = jf.doc.error;
    if (jf.parsed) out.duplicates = jf.doc.duplicates;
    return out;
  }
  std::string err;
  out.readable = read_again(
      rel,
      [&](int fd, std::string& e) {
        return check_json_fd(fd, JsonOptions{limits_.max_json_depth}, out.error, out.duplicates, e);
      },
      err);
  if (!out.readable) {
    out.read_error = err;
    out.error = {};
    out.duplicates.clear();
  }
  return out;
}

void Pack::load_manifest() {
  const Entry* e = find("manifest.json");
  if (e == nullptr) {
    manifest_state_ = ManifestState::Missing;
  } else if (e->type != EntryType::Regular) {
    manifest_state_ = ManifestState::NotRegular;
  } else {
    const JsonFile& m = json("manifest.json");
    if (!m.readable) manifest_state_ = ManifestState::Unreadable;
    else if (!m.parsed) manifest_state_ = ManifestState::Invalid;
    else if (!m.doc.value.IsObject()) manifest_state_ = ManifestState::NotObject;
    else manifest_state_ = ManifestState::Ok;
  }
  indexability_ = Indexability::Real;  // strictest reading unless the manifest says otherwise
  if (manifest_state_ != ManifestState::Ok) return;
  indexability_ = manifest_indexability(*manifest(), json("manifest.json").doc.duplicates);
}

Indexability manifest_indexability(const rapidjson::Value& manifest, const std::vector<DuplicateKey>& duplicates) {
  // QA-33: SYNTHETIC then REAL read as SYNTHETIC here, REAL in Python and JavaScript.
  for (const DuplicateKey& d : duplicates)
    if (d.pointer == "/indexability_status") return Indexability::Real;
  const rapidjson::Value* s = string_member(&manifest, "indexability_status");
  const std::string_view v = s != nullptr ? as_view(*s) : std::string_view();
  if (v == "INDEXABLE_REAL") return Indexability::Real;
  if (v == "INDEXABLE_SYNTHETIC") return Indexability::Synthetic;
  if (v == "NON_INDEXABLE") return Indexability::NonIndexable;
  return Indexability::Unknown;
}

const rapidjson::Value* Pack::manifest() const {
  if (manifest_state_ != ManifestState::Ok) return nullptr;
  return &json_cache_.at("manifest.json")->doc.value;
}

}  // namespace mplp
