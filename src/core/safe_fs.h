// Safe file access beneath a root directory that a stranger controls.
//
// Nothing here follows a symbolic link: every path component is opened with
// O_NOFOLLOW relative to its parent, so a link anywhere in a pack can only be
// reported, never used to read outside it. FIFOs are opened non-blocking, so
// a FIFO can never hang a read. Paths are byte strings relative to the root,
// '/'-separated, with no "." or ".." components.
//
//   auto root = Dir::open("packs/p1");          // nullopt + error on failure
//   auto tree = walk(*root, {.max_entries = 100000});
//   std::string bytes;
//   FileError err;
//   if (!read_beneath(*root, "manifest.json", max, bytes, err))
//     if (err.status == FileStatus::NotFound) ...   // decide on the status, show err.message
//
// Each function that fails takes a FileError (status, errno, message) or,
// for callers that only show why, a std::string that gets the message.
#pragma once

#include <sys/stat.h>

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace mplp {

// Why a file operation failed, as ninja's FileReader reports it: a status to
// decide on and the errno behind it. Callers decide on these, never on the
// message, which is for people only.
enum class FileStatus {
  Ok,
  NotFound,      // ENOENT: it, or a directory above it, does not exist
  Denied,        // EACCES, EPERM
  Link,          // ELOOP: a symbolic link, which nothing here follows
  NotDirectory,  // ENOTDIR: a component above it is not a directory
  NotRegular,    // a directory (EISDIR), FIFO, socket or device where a regular file is wanted
  TooBig,        // over the size limit (errno 0)
  UnsafePath,    // not a clean relative path (errno 0; see is_safe_relative_path)
  Other,         // any other errno (EIO, EMFILE, ...)
};

struct FileError {
  FileStatus status = FileStatus::Ok;
  int errno_value = 0;  // the failed system call's errno; 0 when none failed
  std::string message;  // names the place and says why, for people
};

// The status of a failed system call's errno (EISDIR is NotRegular).
FileStatus file_status_of(int errno_value);

enum class EntryType { Regular, Directory, Symlink, Fifo, Socket, CharDevice, BlockDevice, Other };
std::string_view to_string(EntryType t);

struct Entry {
  std::string path;  // relative to the root, '/'-separated
  EntryType type = EntryType::Other;
  std::uint64_t size = 0;
  // From the same lstat (or fstat of the open file, see `stated`): permission
  // bits (07777), owner, and what tells a changed entry from an unchanged one
  // (inode, modification time).
  std::uint32_t mode = 0;
  std::uint32_t uid = 0, gid = 0;
  std::uint64_t ino = 0;
  std::int64_t mtime_ns = 0;
  // False for an entry listed but not stated: a regular file under
  // WalkOptions::defer_file_stat until it is opened, or a directory gone
  // before the walk could open it. Only path, type and inode are known.
  bool stated = true;
};

// The entry `rel` as `st` (from lstat, or fstat of the open file) describes it.
Entry entry_of(std::string rel, const struct stat& st);

// An open directory handle (closes on destruction).
class Dir {
 public:
  static std::optional<Dir> open(const std::string& path, FileError& error);
  static std::optional<Dir> open(const std::string& path, std::string& error);
  // The directory `rel` beneath `root` ("" is root itself), no component
  // followed if it is a link. `error` names the failing component.
  static std::optional<Dir> open_beneath(const Dir& root, std::string_view rel, FileError& error);
  static std::optional<Dir> open_beneath(const Dir& root, std::string_view rel, std::string& error);
  // The directory entry `name` (one component, any bytes but '/') of `parent`,
  // not followed if it is a link.
  static std::optional<Dir> open_at(const Dir& parent, const std::string& name, FileError& error);
  static std::optional<Dir> open_at(const Dir& parent, const std::string& name, std::string& error);
  Dir(Dir&& other) noexcept;
  Dir& operator=(Dir&& other) noexcept;
  Dir(const Dir&) = delete;
  Dir& operator=(const Dir&) = delete;
  ~Dir();
  int fd() const { return fd_; }
  const std::string& path() const { return path_; }
  // Closes the handle before destruction (fd() is -1 after; path() stays):
  // a run over many packs must not hold one descriptor per pack.
  void close();

 private:
  Dir(int fd, std::string path) : fd_(fd), path_(std::move(path)) {}
  static std::optional<Dir> open_child(int parent, const std::string& leaf, const std::string& shown, std::string path,
                                       FileError& error);
  int fd_ = -1;
  std::string path_;
};

struct WalkOptions {
  std::uint64_t max_entries = 100000;  // stop after this many entries (files and dirs)
  // Directories are always stated by the fstat of the descriptor that lists
  // them. With this, regular files (as the directory listing types them) are
  // not stated at all: a caller that opens every file fills their entries
  // from the fstat of the open file, which also describes the very file it
  // read. One system call less a file (Pack does this; issue 13, point 1).
  bool defer_file_stat = false;
  // The root was opened for this walk alone: it is listed through its own
  // descriptor, whose read position then stays at the end, instead of a
  // second one (two system calls less a walk; Pack does this).
  bool list_root_fd = false;
  // With list_root_fd: the root's device, when the caller has stated it
  // already (Pack::open does, to check its identity): one fstat less.
  std::optional<dev_t> root_device = std::nullopt;
};

struct WalkResult {
  std::vector<Entry> entries;  // sorted by path (byte order); directories included
  bool truncated = false;      // more than max_entries were present
  // Directories that could not be read: (path, reason).
  std::vector<std::pair<std::string, std::string>> errors;
};

WalkResult walk(const Dir& root, const WalkOptions& options);

// Opens `rel` for reading beneath `root` without following any link. Returns
// -1 and sets `error` when a component is missing, is a link, or is not the
// expected kind. The final component must be a regular file; with `st`, what
// fstat said of it is stored there.
int open_regular_beneath(const Dir& root, std::string_view rel, FileError& error, struct stat* st = nullptr);
int open_regular_beneath(const Dir& root, std::string_view rel, std::string& error, struct stat* st = nullptr);

// What lstat says of `rel` beneath `root`, no component followed; nullopt
// (with `error`) when it or a directory above it is missing or a link.
std::optional<Entry> stat_beneath(const Dir& root, std::string_view rel, FileError& error);
std::optional<Entry> stat_beneath(const Dir& root, std::string_view rel, std::string& error);

// All of an open file's bytes, failing when it is or grows over `max_bytes`.
// `known` is what fstat said of `fd` already (saves a call).
bool read_fd_limited(int fd, std::uint64_t max_bytes, std::string& out, FileError& error,
                     const struct stat* known = nullptr);
bool read_fd_limited(int fd, std::uint64_t max_bytes, std::string& out, std::string& error,
                     const struct stat* known = nullptr);
// Reads a whole regular file beneath `root`; fails when it exceeds max_bytes.
bool read_beneath(const Dir& root, std::string_view rel, std::uint64_t max_bytes, std::string& out,
                  FileError& error);
bool read_beneath(const Dir& root, std::string_view rel, std::uint64_t max_bytes, std::string& out,
                  std::string& error);

// True when `rel` is a clean relative path: not empty, no leading '/', no
// "", "." or ".." component, no backslash and no NUL.
bool is_safe_relative_path(std::string_view rel);
// Why `rel` is not one, in words ("" when it is): "it is empty", "it is
// absolute (a leading '/')", "a '..' component", "an empty component ('//'
// or a trailing '/')", ...
std::string unsafe_path_reason(std::string_view rel);

// Writes `bytes` to `path` atomically: a temporary file in the same
// directory, fsync, rename over `path`, fsync of the directory.
bool write_file_atomic(const std::string& path, std::string_view bytes, FileError& error);
bool write_file_atomic(const std::string& path, std::string_view bytes, std::string& error);

// The name a write to `path` lands on: `path` with its symbolic links
// followed (relative ones against their own directory), also when the last
// is dangling. A link under /dev or /proc (/dev/stdout, /dev/fd/63,
// /proc/self/fd/1) names a descriptor: `path` itself is returned, as it is
// for a loop or an unreadable link.
std::string output_target(const std::string& path);

// Writes a file the user named on the command line (a report, a receipt).
// Its output_target, when absent or a regular file, is replaced by
// write_file_atomic (keeping its permission bits): a failed write leaves the
// old content, also behind a link. Anything else is written through, never
// replaced: a descriptor's name (`/dev/stdout`, a process substitution's
// `/dev/fd/63`; appended to when it names a regular file, as a shell's
// `> log` does), a device, a FIFO with a reader (none: an error, never a
// hang). A directory is an error. Renaming over such a name had replaced
// /dev/null or /dev/stdout with a regular file.
bool write_output_file(const std::string& path, std::string_view bytes, std::string& error);
// Appends to a file the environment names (GITHUB_STEP_SUMMARY), opened
// without blocking (a FIFO with no reader is an error, never a hang).
bool append_output_file(const std::string& path, std::string_view bytes, std::string& error);

// Permission bits and owner of a file written by write_file_at (owner
// unchanged when not set: the writer's).
struct FileAttrs {
  std::uint32_t mode = 0644;
  std::optional<std::uint32_t> uid, gid;
};

// Writes `bytes` to `name` in `dir` atomically (a temporary file created
// O_EXCL beside it, mode and owner set, fsync, renameat, fsync of `dir`).
// Nothing is resolved by path: a link swapped in is replaced, never followed.
bool write_file_at(const Dir& dir, const std::string& name, std::string_view bytes, const FileAttrs& attrs,
                   FileError& error);
bool write_file_at(const Dir& dir, const std::string& name, std::string_view bytes, const FileAttrs& attrs,
                   std::string& error);

// Reads a whole ordinary file by path (for user-supplied policies etc.).
// `head_problem`, when given, sees the file's first kHeadBytes first and
// refuses it by returning why: a file that cannot be what it should be (a
// report of gigabytes of zeros) is not read whole to find that out.
inline constexpr std::size_t kHeadBytes = 64 * 1024;
using HeadCheck = std::function<std::string(std::string_view head)>;
bool read_file(const std::string& path, std::uint64_t max_bytes, std::string& out, FileError& error,
               const HeadCheck& head_problem = {});
bool read_file(const std::string& path, std::uint64_t max_bytes, std::string& out, std::string& error,
               const HeadCheck& head_problem = {});

}  // namespace mplp
