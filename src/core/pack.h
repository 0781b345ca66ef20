// The pack model: one evidence pack on disk, as the gates see it.
//
// Opening a pack walks its tree once (no links followed), then `load_files`
// reads and hashes every regular file once, in parallel, keeping the bytes
// of small files so that gates which scan or parse them do not read again.
// Gates only read a Pack; per pack, gates run on one thread, so the lazy JSON
// cache needs no locking.
//
//   std::string err;
//   auto pack = Pack::open("runs/p1", "runs/p1", policy.limits, err);
//   pack->load_files(pool);
//   if (const Digest* d = pack->digest("manifest.json")) ...
//   const JsonFile& m = pack->json("manifest.json");
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "core/digest.h"
#include "core/file_identity.h"
#include "core/file_tap.h"
#include "core/json.h"
#include "core/policy.h"
#include "core/safe_fs.h"
#include "core/thread_pool.h"

namespace mplp {

// The largest file a pack keeps in memory after hashing, and so the largest
// that json() loads as a document.
inline constexpr std::uint64_t kKeepFileBytes = 16ull << 20;

enum class Indexability { Real, Synthetic, NonIndexable, Unknown };

// How a usable manifest (a JSON object, with its repeated keys) reads
// `indexability_status`: a repeated status is ambiguous (readers disagree on
// which one wins: QA-33) and reads as Real, the strictest reading, like a
// missing one; a value other than the three statuses is Unknown. The one
// reading of Pack::indexability and of a sharded check's placement of a
// pack (Gate::shard_group; QA-55: a pack the gates judged REAL was placed
// by its path, apart from its determinism group).
Indexability manifest_indexability(const rapidjson::Value& manifest, const std::vector<DuplicateKey>& duplicates);

enum class ManifestState { Ok, Missing, NotRegular, Unreadable, Invalid, NotObject };

// A parsed JSON file of the pack (cached).
struct JsonFile {
  bool readable = false;   // false: `read_error` says why
  std::string read_error;
  bool parsed = false;     // false (and readable): doc.error says why
  JsonDoc doc;
};

// Whether a file is JSON we accept, without its document (Pack::check_json).
struct JsonCheck {
  bool readable = false;  // false: `read_error` says why
  std::string read_error;
  JsonError error;        // status Ok: it is JSON we accept
  std::vector<DuplicateKey> duplicates;
  bool parsed() const { return readable && error.status == JsonStatus::Ok; }
};

// What fstat said of a file when it was opened for its hash read: a later
// read of the same file must see the same (a write changes ctime, which no
// one but the kernel sets), so every verdict comes from the bytes that were
// hashed.
struct FileStamp {
  dev_t device = 0;
  ino_t inode = 0;
  off_t size = 0;
  std::int64_t mtime_ns = 0, ctime_ns = 0;
  bool operator==(const FileStamp&) const = default;
};

struct FileState {
  Entry entry;
  bool hashed = false;
  Digest digest{};
  FileStamp stamp;
  std::string error;        // why it was not hashed (oversized, unreadable)
  std::shared_ptr<const std::string> bytes;  // kept when small
  // Taps fed during the hash read of a file not kept (by owner, e.g. a gate
  // id), present only when they saw the whole file (see core/file_tap.h).
  std::vector<std::pair<std::string, std::shared_ptr<const FileTap>>> taps;
};

// The taps for one file that is too large to keep, by owner (see load_files).
using FileTaps = std::vector<std::pair<std::string, std::unique_ptr<FileTap>>>;
using FileTapMaker = std::function<FileTaps(const Entry&)>;

class Pack {
 public:
  // `fs_path` is where the pack is; `display_path` is how reports name it.
  // With `expected`, the directory opened must be that one (device and
  // inode), else the open fails: the pack was replaced since it was found.
  static std::unique_ptr<Pack> open(const std::string& fs_path, std::string display_path, const Limits& limits,
                                    std::string& error, const FileIdentity* expected = nullptr);

  const std::string& display_path() const { return display_path_; }
  // The pack's name relative to the checked root (engine/discover.h), the
  // same from any working directory: what findings naming other packs use.
  // Defaults to the display path.
  const std::string& name() const { return name_.empty() ? display_path_ : name_; }
  void set_name(std::string name) { name_ = std::move(name); }
  const std::string& fs_path() const { return dir_.path(); }
  const Dir& dir() const { return dir_; }
  const Limits& limits() const { return limits_; }

  // Every entry below the pack root, sorted by path; directories included.
  const std::vector<Entry>& entries() const { return entries_; }
  bool truncated() const { return truncated_; }  // over limits.max_files_per_pack
  const std::vector<std::pair<std::string, std::string>>& walk_errors() const { return walk_errors_; }
  // The entry at `rel`. In a truncated pack, a path the walk did not reach is
  // looked up on disk, so an existing file is never called missing; such a
  // file is not read (file()->error says why).
  const Entry* find(std::string_view rel) const;

  // Reads and hashes every regular file (each once). Call before the gates:
  // until then a regular file's entry holds only its path, type and inode
  // (the rest comes from the fstat of the file as it is opened for hashing).
  // Each file not kept in memory is also fed to the taps `make_taps` gives
  // for it, during that one read. Without `keep_contents` no file is kept
  // (a later read() reads it again, checked against its stamp).
  void load_files(ThreadPool& pool, const FileTapMaker& make_taps = nullptr, bool keep_contents = true);

  // Per-file state after load_files (nullptr for paths that are not regular files).
  const FileState* file(std::string_view rel) const;
  // The tap `owner` had on that file's read, when it saw the whole file.
  const FileTap* tap(std::string_view rel, std::string_view owner) const;
  // The digest of a regular file; nullptr when not hashed (see file()->error).
  const Digest* digest(std::string_view rel) const;
  // The bytes of a regular file within the size limit (cached or re-read).
  // A re-read fails when the file is not the one that was hashed.
  bool read(std::string_view rel, std::string& out, std::string& error) const;
  std::shared_ptr<const std::string> bytes(std::string_view rel, std::string& error) const;
  // Opens a hashed file again for a streamed read, or -1 (with `error`) when
  // it is no longer the file that was hashed; after the read, `unchanged`
  // says whether it stayed so.
  int reopen(std::string_view rel, std::string& error) const;
  bool unchanged(std::string_view rel, int fd, std::string& error) const;
  // Both around `read`, which reads the reopened file: false (with `error`)
  // when the file could not be opened or read, or is not the hashed file.
  bool read_again(std::string_view rel, const std::function<bool(int fd, std::string& error)>& read,
                  std::string& error) const;

  // Parses a file once and caches the result. A file too large to be held
  // in memory (over 16 MiB) is not loaded as a document: it is unreadable
  // here, with that reason (check_json still judges it).
  const JsonFile& json(std::string_view rel) const;
  // Whether a file is JSON we accept, and its duplicate keys: json()'s
  // verdict for a file held in memory; a larger one is read again through a
  // fixed buffer (core/json.h, check_json_fd), so memory does not grow with
  // it, and must still be the file that was hashed.
  JsonCheck check_json(std::string_view rel) const;

  // The manifest, parsed by load_files.
  ManifestState manifest_state() const { return manifest_state_; }
  const rapidjson::Value* manifest() const;  // the object, or nullptr when not usable
  // From `indexability_status`; Real when the manifest is unusable (the
  // strictest reading), Unknown for a usable manifest with another value.
  Indexability indexability() const { return indexability_; }
  bool is_real() const { return indexability_ == Indexability::Real; }

 private:
  Pack(Dir dir, std::string display_path, const Limits& limits) : dir_(std::move(dir)), display_path_(std::move(display_path)), limits_(limits) {}
  struct FileLoad;
  void load_file(FileState& f, FileLoad& load);  // opens it, then as load_open_file
  void load_open_file(FileState& f, int fd, const struct stat& st, FileLoad& load, bool keep);  // closes fd
  void take_file(FileState& f, const struct stat& st);  // its entry and stamp, from the open file
  std::string over_limit(std::uint64_t size) const;
  void load_manifest();
  void fill_file_entries();  // entries_ from files_ once load_files stated them
  const FileState* past_limit(std::string_view rel) const;  // see find()

  Dir dir_;
  std::string display_path_;
  std::string name_;
  Limits limits_;
  std::vector<Entry> entries_;
  bool truncated_ = false;
  std::vector<std::pair<std::string, std::string>> walk_errors_;
  std::vector<FileState> files_;  // regular files, sorted by path
  std::unordered_map<std::string, std::size_t> file_index_;
  // Entries of a truncated pack found by find() past the walk's limit
  // (node-based maps: the pointers handed out stay valid).
  mutable std::mutex past_limit_mu_;
  mutable std::unordered_map<std::string, std::unique_ptr<FileState>> past_limit_;
  mutable std::unordered_map<std::string, std::unique_ptr<JsonFile>> json_cache_;
  ManifestState manifest_state_ = ManifestState::Missing;
  Indexability indexability_ = Indexability::Real;
};

std::string_view to_string(Indexability i);

}  // namespace mplp
