#include "core/pack.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>

namespace mplp {

namespace {

// Files up to this size keep their bytes after hashing, within a per-pack budget.
constexpr std::uint64_t kKeepFileBytes = 16ull << 20;
constexpr std::uint64_t kKeepPackBytes = 256ull << 20;

bool stamp_of(int fd, FileStamp& out) {
  struct stat st {};
  if (::fstat(fd, &st) != 0) return false;
  out = FileStamp{st.st_dev, st.st_ino, st.st_size,
                  static_cast<std::int64_t>(st.st_mtim.tv_sec) * 1000000000 + st.st_mtim.tv_nsec,
                  static_cast<std::int64_t>(st.st_ctim.tv_sec) * 1000000000 + st.st_ctim.tv_nsec};
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
  if (expected != nullptr) {
    struct stat st {};
    if (::fstat(dir->fd(), &st) != 0 || !(FileIdentity{st.st_dev, st.st_ino} == *expected)) {
      error = fs_path + ": replaced since it was found (renamed, or a link put in its place); not read";
      return nullptr;
    }
  }
  std::unique_ptr<Pack> pack(new Pack(std::move(*dir), std::move(display_path), limits));
  WalkResult w = walk(pack->dir_, WalkOptions{limits.max_files_per_pack});
  pack->entries_ = std::move(w.entries);
  pack->truncated_ = w.truncated;
  pack->walk_errors_ = std::move(w.errors);
  for (const Entry& e : pack->entries_) {
    if (e.type != EntryType::Regular) continue;
    pack->file_index_[e.path] = pack->files_.size();
    pack->files_.push_back(FileState{e, false, {}, {}, {}, nullptr});
  }
  return pack;
}

const Entry* Pack::find(std::string_view rel) const {
  auto it = std::lower_bound(entries_.begin(), entries_.end(), rel,
                             [](const Entry& e, std::string_view r) { return e.path < r; });
  return (it != entries_.end() && it->path == rel) ? &*it : nullptr;
}

void Pack::load_files(ThreadPool& pool) {
  std::atomic<std::uint64_t> kept{0};
  parallel_for(pool, files_.size(), [&](std::size_t i) {
    FileState& f = files_[i];
    if (f.hashed || !f.error.empty()) return;
    if (f.entry.size > limits_.max_file_size) {
      f.error = "file is " + std::to_string(f.entry.size) + " bytes, over the limit of " +
                std::to_string(limits_.max_file_size) + "; not hashed";
      return;
    }
    std::string err;
    int fd = open_regular_beneath(dir_, f.entry.path, err);
    if (fd < 0) {
      f.error = err;
      return;
    }
    bool keep = f.entry.size <= kKeepFileBytes && kept.fetch_add(f.entry.size) + f.entry.size <= kKeepPackBytes;
    auto buf = std::make_shared<std::string>();
    std::optional<Digest> d = sha256_fd(fd, keep ? buf.get() : nullptr);
    if (d && !stamp_of(fd, f.stamp)) d.reset();
    ::close(fd);
    if (!d) {
      f.error = "read error";
      return;
    }
    f.hashed = true;
    f.digest = *d;
    if (keep) f.bytes = std::move(buf);
  });
  load_manifest();  // after hashing, so its bytes are already in memory
}

const FileState* Pack::file(std::string_view rel) const {
  auto it = file_index_.find(std::string(rel));
  return it == file_index_.end() ? nullptr : &files_[it->second];
}

const Digest* Pack::digest(std::string_view rel) const {
  const FileState* f = file(rel);
  return (f != nullptr && f->hashed) ? &f->digest : nullptr;
}

std::shared_ptr<const std::string> Pack::bytes(std::string_view rel, std::string& error) const {
  const FileState* f = file(rel);
  if (f != nullptr && f->bytes) return f->bytes;
  if (f == nullptr || !f->hashed) {  // not a file that was hashed: read as it is now
    auto out = std::make_shared<std::string>();
    if (!read_beneath(dir_, rel, limits_.max_file_size, *out, error)) return nullptr;
    return out;
  }
  int fd = reopen(rel, error);
  if (fd < 0) return nullptr;
  auto out = std::make_shared<std::string>();
  bool ok = read_fd_limited(fd, limits_.max_file_size, *out, error) && unchanged(rel, fd, error);
  ::close(fd);
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
  if (auto b = bytes(rel, err)) {
    jf->readable = true;
    jf->parsed = parse_json(*b, JsonOptions{limits_.max_json_depth}, jf->doc);
  } else {
    jf->read_error = err;
  }
  return *json_cache_.emplace(key, std::move(jf)).first->second;
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
  const rapidjson::Value* s = string_member(manifest(), "indexability_status");
  std::string_view v = s != nullptr ? as_view(*s) : std::string_view();
  if (v == "INDEXABLE_REAL") indexability_ = Indexability::Real;
  else if (v == "INDEXABLE_SYNTHETIC") indexability_ = Indexability::Synthetic;
  else if (v == "NON_INDEXABLE") indexability_ = Indexability::NonIndexable;
  else indexability_ = Indexability::Unknown;
}

const rapidjson::Value* Pack::manifest() const {
  if (manifest_state_ != ManifestState::Ok) return nullptr;
  return &json_cache_.at("manifest.json")->doc.value;
}

void Pack::release_contents() {
  for (FileState& f : files_)
    if (f.entry.path != "manifest.json") f.bytes.reset();
  dir_.close();
  for (auto it = json_cache_.begin(); it != json_cache_.end();) {
    if (it->first == "manifest.json") ++it;
    else it = json_cache_.erase(it);
  }
}

}  // namespace mplp
