#include "core/safe_fs.h"

#include <dirent.h>
#include <fcntl.h>
#include <linux/openat2.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <climits>
#include <cstdio>
#include <cstring>
#include <random>

#include "core/fd_io.h"

namespace mplp {

namespace {

std::string errno_text(int err) { return std::strerror(err); }

// Sets `error` from a failed system call's errno and returns false.
bool fail_errno(FileError& error, int err, std::string message) {
  error.status = file_status_of(err);
  error.errno_value = err;
  error.message = std::move(message);
  return false;
}

// Sets `error` for a failure no system call reported (errno 0); returns false.
bool fail_status(FileError& error, FileStatus status, std::string message) {
  error.status = status;
  error.errno_value = 0;
  error.message = std::move(message);
  return false;
}

// The string form of each function: the message only.
template <typename Fn>
auto message_only(std::string& error, Fn&& fn) {
  FileError e;
  auto result = fn(e);
  if (e.status != FileStatus::Ok) error = std::move(e.message);
  return result;
}

EntryType type_of(mode_t mode) {
  if (S_ISREG(mode)) return EntryType::Regular;
  if (S_ISDIR(mode)) return EntryType::Directory;
  if (S_ISLNK(mode)) return EntryType::Symlink;
  if (S_ISFIFO(mode)) return EntryType::Fifo;
  if (S_ISSOCK(mode)) return EntryType::Socket;
  if (S_ISCHR(mode)) return EntryType::CharDevice;
  if (S_ISBLK(mode)) return EntryType::BlockDevice;
  return EntryType::Other;
}

}  // namespace

Entry entry_of(std::string rel, const struct stat& st) {
  Entry e;
  e.path = std::move(rel);
  e.type = type_of(st.st_mode);
  e.size = static_cast<std::uint64_t>(st.st_size);
  e.mode = st.st_mode & 07777;
  e.uid = st.st_uid;
  e.gid = st.st_gid;
  e.ino = st.st_ino;
  e.mtime_ns = static_cast<std::int64_t>(st.st_mtim.tv_sec) * 1000000000 + st.st_mtim.tv_nsec;
  return e;
}

namespace {

struct FdCloser {
  int fd;
  ~FdCloser() {
    if (fd >= 0) ::close(fd);
  }
};

// One openat2(2) call resolving all of `rel` beneath `root`, refusing every
// link and any escape: what a walk of components with O_NOFOLLOW does, in one
// system call instead of one per component (plus a dup and closes). -1 with
// errno set on failure; ENOSYS when the kernel (or a seccomp filter) has no
// openat2, after which callers take the component walk.
int openat2_beneath(int root, const std::string& rel, int flags) {
  static std::atomic<bool> unavailable{false};
  if (unavailable.load(std::memory_order_relaxed)) return errno = ENOSYS, -1;
  struct open_how how {};
  how.flags = static_cast<std::uint64_t>(flags);
  how.resolve = RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS;
  long fd = ::syscall(SYS_openat2, root, rel.c_str(), &how, sizeof how);
  if (fd < 0 && (errno == ENOSYS || errno == EPERM)) {
    int err = errno;
    unavailable.store(true, std::memory_order_relaxed);
    errno = err == EPERM ? ENOSYS : err;
  }
  return static_cast<int>(fd);
}

// Opens the directory holding the last component of `rel`; returns the fd
// (or -1) and leaves the last component in `leaf`.
int open_parent_beneath(const Dir& root, std::string_view rel, std::string& leaf, FileError& error) {
  int cur = ::fcntl(root.fd(), F_DUPFD_CLOEXEC, 0);
  if (cur < 0) return fail_errno(error, errno, errno_text(errno)), -1;
  std::size_t start = 0;
  for (;;) {
    std::size_t slash = rel.find('/', start);
    if (slash == std::string_view::npos) {
      leaf = std::string(rel.substr(start));
      return cur;
    }
    std::string comp(rel.substr(start, slash - start));
    int next = ::openat(cur, comp.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    int err = errno;
    ::close(cur);
    if (next < 0) {
      fail_errno(error, err,
                 (err == ELOOP || err == ENOTDIR)
                     ? "'" + std::string(rel.substr(0, slash)) + "' is not a directory (or is a symbolic link)"
                     : "'" + std::string(rel.substr(0, slash)) + "': " + errno_text(err));
      return -1;
    }
    cur = next;
    start = slash + 1;
  }
}

}  // namespace

FileStatus file_status_of(int err) {
  switch (err) {
    case 0: return FileStatus::Ok;
    case ENOENT: return FileStatus::NotFound;
    case EACCES:
    case EPERM: return FileStatus::Denied;
    case ELOOP: return FileStatus::Link;
    case ENOTDIR: return FileStatus::NotDirectory;
    case EISDIR: return FileStatus::NotRegular;
    default: return FileStatus::Other;
  }
}

std::string_view to_string(EntryType t) {
  switch (t) {
    case EntryType::Regular: return "regular file";
    case EntryType::Directory: return "directory";
    case EntryType::Symlink: return "symbolic link";
    case EntryType::Fifo: return "FIFO";
    case EntryType::Socket: return "socket";
    case EntryType::CharDevice: return "character device";
    case EntryType::BlockDevice: return "block device";
    case EntryType::Other: return "special file";
  }
  return "special file";
}

std::optional<Dir> Dir::open(const std::string& path, FileError& error) {
  int fd = ::open(path.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return fail_errno(error, errno, path + ": " + errno_text(errno)), std::nullopt;
  return Dir(fd, path);
}

std::optional<Dir> Dir::open(const std::string& path, std::string& error) {
  return message_only(error, [&](FileError& e) { return open(path, e); });
}

std::optional<Dir> Dir::open_beneath(const Dir& root, std::string_view rel, FileError& error) {
  if (rel.empty()) {
    int fd = ::fcntl(root.fd(), F_DUPFD_CLOEXEC, 0);
    if (fd < 0) return fail_errno(error, errno, root.path() + ": " + errno_text(errno)), std::nullopt;
    return Dir(fd, root.path());
  }
  if (!is_safe_relative_path(rel))
    return fail_status(error, FileStatus::UnsafePath, "'" + std::string(rel) + "': unsafe path"), std::nullopt;
  std::string leaf;
  int parent = open_parent_beneath(root, rel, leaf, error);
  if (parent < 0) return std::nullopt;
  FdCloser closer{parent};
  return open_child(parent, leaf, std::string(rel), root.path() + "/" + std::string(rel), error);
}

std::optional<Dir> Dir::open_beneath(const Dir& root, std::string_view rel, std::string& error) {
  return message_only(error, [&](FileError& e) { return open_beneath(root, rel, e); });
}

std::optional<Dir> Dir::open_at(const Dir& parent, const std::string& name, FileError& error) {
  if (name.empty() || name == "." || name == ".." || name.find('/') != std::string::npos ||
      name.find('\0') != std::string::npos)
    return fail_status(error, FileStatus::UnsafePath, "'" + name + "': not a directory name"), std::nullopt;
  return open_child(parent.fd(), name, name, parent.path() + "/" + name, error);
}

std::optional<Dir> Dir::open_at(const Dir& parent, const std::string& name, std::string& error) {
  return message_only(error, [&](FileError& e) { return open_at(parent, name, e); });
}

std::optional<Dir> Dir::open_child(int parent, const std::string& leaf, const std::string& shown, std::string path,
                                   FileError& error) {
  int fd = ::openat(parent, leaf.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
  if (fd < 0) {
    int err = errno;
    fail_errno(error, err,
               (err == ELOOP || err == ENOTDIR) ? "'" + shown + "' is not a directory (or is a symbolic link)"
                                                : "'" + shown + "': " + errno_text(err));
    return std::nullopt;
  }
  return Dir(fd, std::move(path));
}

void Dir::close() {
  if (fd_ >= 0) ::close(fd_);
  fd_ = -1;
}

Dir::Dir(Dir&& other) noexcept : fd_(other.fd_), path_(std::move(other.path_)) { other.fd_ = -1; }

Dir& Dir::operator=(Dir&& other) noexcept {
  if (this != &other) {
    if (fd_ >= 0) ::close(fd_);
    fd_ = other.fd_;
    path_ = std::move(other.path_);
    other.fd_ = -1;
  }
  return *this;
}

Dir::~Dir() {
  if (fd_ >= 0) ::close(fd_);
}

namespace {

// A directory of a walk, as its parent's listing gave it: its entry in the
// result (stated when the directory is opened) and what tells it from
// another directory put in its place (the listed inode, the parent's device).
struct ListedDir {
  std::string rel;  // "" = the root
  std::uint64_t ino = 0;
  dev_t parent_dev = 0;
  std::size_t entry = 0;
};

// Opens a directory of a walk when its turn comes: by one openat2 beneath
// the root (or component by component without it), never through a link,
// and only if it is still the directory that was listed. Pending directories
// hold no descriptor, so a tree of 90,000 directories needs one at a time.
// `st` gets what fstat says of it. The root is listed through a second
// descriptor (its own read position stays), or with `own_root` through its
// own, which the caller then closes.
int open_listed_dir(const Dir& root, const ListedDir& listed, bool own_root, struct stat& st, std::string& error) {
  const std::string& rel = listed.rel;
  if (rel.empty() && own_root) return ::fstat(root.fd(), &st) == 0 ? root.fd() : (error = errno_text(errno), -1);
  int fd = rel.empty() ? ::openat(root.fd(), ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC)
                       : openat2_beneath(root.fd(), rel, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
  if (fd < 0 && errno == ENOSYS) {
    std::string leaf;
    FileError why;
    int parent = open_parent_beneath(root, rel, leaf, why);
    if (parent < 0) return error = std::move(why.message), -1;
    fd = ::openat(parent, leaf.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    int err = errno;
    ::close(parent);
    errno = err;
  }
  if (fd < 0) {
    // openat2 beneath a root answers EXDEV (or EAGAIN) when a component was
    // renamed while it resolved the path: errno's own words ("Invalid
    // cross-device link") would send the reader looking for a mount.
    if (errno == ELOOP || errno == ENOTDIR) error = "is no longer a directory (a link or file was put in its place)";
    else if (errno == EXDEV || errno == EAGAIN) error = "was moved or replaced while the tree was read";
    else error = errno_text(errno);
    return -1;
  }
  if (::fstat(fd, &st) != 0) {
    error = errno_text(errno);
    ::close(fd);
    return -1;
  }
  if (rel.empty()) return fd;
  bool same = st.st_ino == listed.ino;
  if (!same && st.st_dev != listed.parent_dev) {
    // A mount point: the listing gave the inode under it, the open the
    // mounted root. It is the listed directory if it is what lstat finds
    // there now (another directory of the same file system never passes).
    FileError ignored;
    std::optional<Entry> now = stat_beneath(root, rel, ignored);
    same = now && now->type == EntryType::Directory && now->ino == st.st_ino;
  }
  if (!same) {
    ::close(fd);
    error = "was replaced by another directory while the tree was read";
    return -1;
  }
  return fd;
}

// The kernel's getdents64 record (linux_dirent64): u64 inode, s64 offset,
// u16 record length, u8 type, then the NUL-terminated name.
constexpr std::size_t kDirentReclen = 16, kDirentType = 18, kDirentName = 19;

// A directory entry the walk listed but could not open (or never reached,
// past the entry limit) is stated as it is now, if it is still there.
void state_unopened(const Dir& root, Entry& e) {
  FileError ignored;
  if (std::optional<Entry> now = stat_beneath(root, e.path, ignored)) e = std::move(*now);
}

}  // namespace

WalkResult walk(const Dir& root, const WalkOptions& options) {
  WalkResult result;
  // Iterative depth-first walk. Entries are read with getdents64; what the
  // listing types a directory (and, with defer_file_stat, a regular file)
  // is not stated there: a directory is stated by the fstat of the
  // descriptor that lists it. Other entries are stated relative to their
  // directory without following links.
  std::vector<ListedDir> stack;
  stack.push_back({});
  alignas(8) static thread_local char buf[32768];
  while (!stack.empty() && !result.truncated) {
    ListedDir dir = std::move(stack.back());
    stack.pop_back();
    std::string error;
    struct stat st {};
    const bool own_root = dir.rel.empty() && options.list_root_fd;
    int fd = -1;
    if (own_root && options.root_device) {  // stated by the caller
      fd = root.fd();
      st.st_dev = *options.root_device;
    } else {
      fd = open_listed_dir(root, dir, own_root, st, error);
    }
    if (fd < 0) {
      if (!dir.rel.empty()) state_unopened(root, result.entries[dir.entry]);
      result.errors.emplace_back(dir.rel, error);
      continue;
    }
    FdCloser closer{own_root ? -1 : fd};
    if (!dir.rel.empty()) result.entries[dir.entry] = entry_of(dir.rel, st);
    const dev_t here_dev = st.st_dev;
    for (;;) {
      long n = ::syscall(SYS_getdents64, fd, buf, sizeof buf);
      if (n < 0 && errno == EINTR) continue;
      if (n < 0) {
        result.errors.emplace_back(dir.rel, errno_text(errno));
        break;
      }
      if (n == 0) break;
      for (long at = 0; at < n && !result.truncated;) {
        unsigned short reclen = 0;
        std::memcpy(&reclen, buf + at + kDirentReclen, sizeof reclen);
        std::uint64_t listed_ino = 0;
        std::memcpy(&listed_ino, buf + at, sizeof listed_ino);
        const auto listed_type = static_cast<unsigned char>(buf[at + kDirentType]);
        const char* cname = buf + at + kDirentName;
        at += reclen;
        std::string_view name = cname;
        if (name == "." || name == "..") continue;
        if (result.entries.size() >= options.max_entries) {
          result.truncated = true;
          break;
        }
        std::string rel = dir.rel.empty() ? std::string(name) : dir.rel + "/" + std::string(name);
        if (listed_type == DT_DIR || (options.defer_file_stat && listed_type == DT_REG)) {
          Entry& e = result.entries.emplace_back();
          e.type = listed_type == DT_DIR ? EntryType::Directory : EntryType::Regular;
          e.ino = listed_ino;
          e.stated = false;
          if (listed_type == DT_DIR) stack.push_back({rel, listed_ino, here_dev, result.entries.size() - 1});
          e.path = std::move(rel);
          continue;
        }
        struct stat sub {};
        if (::fstatat(fd, cname, &sub, AT_SYMLINK_NOFOLLOW) != 0) {
          result.errors.emplace_back(rel, errno_text(errno));
          continue;
        }
        result.entries.push_back(entry_of(rel, sub));
        if (S_ISDIR(sub.st_mode)) stack.push_back({std::move(rel), sub.st_ino, here_dev, result.entries.size() - 1});
      }
      if (result.truncated) break;
    }
  }
  for (const ListedDir& left : stack) state_unopened(root, result.entries[left.entry]);  // past the limit
  std::sort(result.entries.begin(), result.entries.end(),
            [](const Entry& a, const Entry& b) { return a.path < b.path; });
  return result;
}

namespace {

// The component walk of open_regular_beneath: the fallback without openat2,
// and the path that words an error (which component is missing or a link).
int open_regular_by_components(const Dir& root, std::string_view rel, FileError& error, struct stat& st) {
  std::string leaf;
  int parent = open_parent_beneath(root, rel, leaf, error);
  if (parent < 0) return -1;
  FdCloser closer{parent};
  int fd = ::openat(parent, leaf.c_str(), O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC | O_NOCTTY);
  if (fd < 0) {
    int err = errno;
    fail_errno(error, err, err == ELOOP ? "is a symbolic link" : errno_text(err));
    return -1;
  }
  if (::fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
    // A directory is what read(2) would refuse with EISDIR.
    if (S_ISDIR(st.st_mode)) error.errno_value = EISDIR;
    else error.errno_value = 0;
    error.status = FileStatus::NotRegular;
    error.message = std::string("is a ") + std::string(to_string(type_of(st.st_mode))) + ", not a regular file";
    ::close(fd);
    return -1;
  }
  return fd;
}

}  // namespace

int open_regular_beneath(const Dir& root, std::string_view rel, FileError& error, struct stat* st_out) {
  if (!is_safe_relative_path(rel))
    return fail_status(error, FileStatus::UnsafePath, "unsafe path: " + unsafe_path_reason(rel)), -1;
  // O_NONBLOCK keeps a FIFO put in a file's place from hanging the open; it
  // changes nothing for the regular file that is read (Linux ignores it
  // there), so it is never cleared.
  struct stat st {};
  int fd = openat2_beneath(root.fd(), std::string(rel), O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC | O_NOCTTY);
  if (fd >= 0 && (::fstat(fd, &st) != 0 || !S_ISREG(st.st_mode))) {
    ::close(fd);
    fd = -1;
  }
  if (fd < 0) fd = open_regular_by_components(root, rel, error, st);  // words the error
  if (fd >= 0 && st_out != nullptr) *st_out = st;
  return fd;
}

int open_regular_beneath(const Dir& root, std::string_view rel, std::string& error, struct stat* st) {
  return message_only(error, [&](FileError& e) { return open_regular_beneath(root, rel, e, st); });
}

std::optional<Entry> stat_beneath(const Dir& root, std::string_view rel, FileError& error) {
  if (!is_safe_relative_path(rel))
    return fail_status(error, FileStatus::UnsafePath, "unsafe path: " + unsafe_path_reason(rel)), std::nullopt;
  std::string leaf;
  int parent = open_parent_beneath(root, rel, leaf, error);
  if (parent < 0) return std::nullopt;
  FdCloser closer{parent};
  struct stat st {};
  if (::fstatat(parent, leaf.c_str(), &st, AT_SYMLINK_NOFOLLOW) != 0)
    return fail_errno(error, errno, errno_text(errno)), std::nullopt;
  return entry_of(std::string(rel), st);
}

std::optional<Entry> stat_beneath(const Dir& root, std::string_view rel, std::string& error) {
  return message_only(error, [&](FileError& e) { return stat_beneath(root, rel, e); });
}

bool read_fd_limited(int fd, std::uint64_t max_bytes, std::string& out, FileError& error, const struct stat* known) {
  struct stat st {};
  if (known != nullptr) st = *known;
  else if (::fstat(fd, &st) != 0) st.st_size = 0;
  const auto expected = static_cast<std::uint64_t>(std::max<off_t>(st.st_size, 0));
  if (expected > max_bytes)
    return fail_status(error, FileStatus::TooBig,
                       "file is " + std::to_string(st.st_size) + " bytes, over the limit of " + std::to_string(max_bytes));
  // Read straight into `out`, sized for the whole file plus one byte: a file
  // of the size fstat gave ends with a short read, so one read() suffices.
  out.resize(static_cast<std::size_t>(expected) + 1);
  std::size_t have = 0;
  for (;;) {
    if (have == out.size()) out.resize(std::min<std::uint64_t>(out.size() * 2 + 65536, max_bytes + 1));
    const ssize_t n = read_some(fd, out.data() + have, out.size() - have);
    if (n < 0) {
      out.clear();
      return fail_errno(error, errno, errno_text(errno));
    }
    have += static_cast<std::size_t>(n);
    if (have > max_bytes) {
      out.clear();
      return fail_status(error, FileStatus::TooBig, "file grew over the limit of " + std::to_string(max_bytes) + " bytes");
    }
    if (n == 0 || (have == expected && have < out.size())) break;
  }
  out.resize(have);
  return true;
}

bool read_fd_limited(int fd, std::uint64_t max_bytes, std::string& out, std::string& error, const struct stat* known) {
  return message_only(error, [&](FileError& e) { return read_fd_limited(fd, max_bytes, out, e, known); });
}

bool read_beneath(const Dir& root, std::string_view rel, std::uint64_t max_bytes, std::string& out,
                  FileError& error) {
  int fd = open_regular_beneath(root, rel, error);
  if (fd < 0) return false;
  FdCloser closer{fd};
  return read_fd_limited(fd, max_bytes, out, error);
}

bool read_beneath(const Dir& root, std::string_view rel, std::uint64_t max_bytes, std::string& out,
                  std::string& error) {
  return message_only(error, [&](FileError& e) { return read_beneath(root, rel, max_bytes, out, e); });
}

bool read_file(const std::string& path, std::uint64_t max_bytes, std::string& out, FileError& error,
               const HeadCheck& head_problem) {
  int fd = ::open(path.c_str(), O_RDONLY | O_NONBLOCK | O_CLOEXEC | O_NOCTTY);
  if (fd < 0) return fail_errno(error, errno, path + ": " + errno_text(errno));
  FdCloser closer{fd};
  struct stat st {};
  if (::fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
    // A directory is what read(2) would refuse with EISDIR.
    fail_status(error, FileStatus::NotRegular, path + ": not a regular file");
    if (S_ISDIR(st.st_mode)) error.errno_value = EISDIR;
    return false;
  }
  int flags = ::fcntl(fd, F_GETFL);
  if (flags >= 0) ::fcntl(fd, F_SETFL, flags & ~O_NONBLOCK);
  if (head_problem) {
    std::string head(kHeadBytes, '\0');
    ssize_t n = 0;
    do n = ::pread(fd, head.data(), head.size(), 0);
    while (n < 0 && errno == EINTR);
    if (n < 0) return fail_errno(error, errno, path + ": " + errno_text(errno));
    head.resize(static_cast<std::size_t>(n));
    if (std::string why = head_problem(head); !why.empty()) return fail_status(error, FileStatus::Other, path + ": " + why);
  }
  if (!read_fd_limited(fd, max_bytes, out, error)) {
    error.message = path + ": " + error.message;
    return false;
  }
  return true;
}

bool read_file(const std::string& path, std::uint64_t max_bytes, std::string& out, std::string& error,
               const HeadCheck& head_problem) {
  return message_only(error, [&](FileError& e) { return read_file(path, max_bytes, out, e, head_problem); });
}

bool is_safe_relative_path(std::string_view rel) { return unsafe_path_reason(rel).empty(); }

std::string unsafe_path_reason(std::string_view rel) {
  if (rel.empty()) return "it is empty";
  if (rel.front() == '/') return "it is absolute (a leading '/')";
  if (rel.find('\\') != std::string_view::npos) return "a backslash";
  if (rel.find('\0') != std::string_view::npos) return "a NUL byte";
  std::size_t start = 0;
  for (;;) {
    std::size_t slash = rel.find('/', start);
    std::string_view comp = rel.substr(start, slash == std::string_view::npos ? rel.npos : slash - start);
    if (comp.empty()) return "an empty component ('//' or a trailing '/')";
    if (comp == ".") return "a '.' component";
    if (comp == "..") return "a '..' component";
    if (slash == std::string_view::npos) return "";
    start = slash + 1;
  }
}

namespace {

// write_file_at, its messages naming the file `shown`.
bool write_file_shown(const Dir& dir, const std::string& name, std::string_view bytes, const FileAttrs& attrs,
                      const std::string& shown, FileError& error) {
  std::string tmp;
  int fd = -1;
  for (int attempt = 0; fd < 0 && attempt < 100; ++attempt) {
    char suffix[32];
    static thread_local std::mt19937 gen{std::random_device{}()};
    std::snprintf(suffix, sizeof suffix, ".tmp-%08x", static_cast<unsigned>(gen()));
    // Beside a name near NAME_MAX, the temporary name is cut to fit.
    tmp = name.substr(0, std::min<std::size_t>(name.size(), NAME_MAX - std::strlen(suffix))) + suffix;
    fd = ::openat(dir.fd(), tmp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
    if (fd < 0 && errno != EEXIST) break;
  }
  if (fd < 0) return fail_errno(error, errno, shown + ": cannot create temporary file: " + errno_text(errno));
  bool ok = write_all(fd, bytes);
  // Owner first: a chown clears the set-id bits a chmod would have set.
  if (ok && (attrs.uid || attrs.gid))
    ok = ::fchown(fd, attrs.uid ? *attrs.uid : static_cast<uid_t>(-1), attrs.gid ? *attrs.gid : static_cast<gid_t>(-1)) == 0;
  if (ok) ok = ::fchmod(fd, attrs.mode & 07777) == 0 && ::fsync(fd) == 0;
  int err = errno;
  ok = (::close(fd) == 0) && ok;
  if (ok && ::renameat(dir.fd(), tmp.c_str(), dir.fd(), name.c_str()) != 0) {
    err = errno;
    ok = false;
  }
  if (!ok) {
    ::unlinkat(dir.fd(), tmp.c_str(), 0);
    return fail_errno(error, err, shown + ": write failed: " + errno_text(err));
  }
  ::fsync(dir.fd());
  return true;
}

}  // namespace

bool write_file_at(const Dir& dir, const std::string& name, std::string_view bytes, const FileAttrs& attrs,
                   FileError& error) {
  return write_file_shown(dir, name, bytes, attrs, dir.path() + "/" + name, error);
}

bool write_file_at(const Dir& dir, const std::string& name, std::string_view bytes, const FileAttrs& attrs,
                   std::string& error) {
  return message_only(error, [&](FileError& e) { return write_file_at(dir, name, bytes, attrs, e); });
}

namespace {

// write_file_atomic with `attrs`, its messages naming the file `shown`.
bool write_path_atomic(const std::string& path, std::string_view bytes, const FileAttrs& attrs,
                       const std::string& shown, FileError& error) {
  std::string dir = ".";
  std::size_t slash = path.rfind('/');
  if (slash != std::string::npos) dir = slash == 0 ? "/" : path.substr(0, slash);
  std::string name = slash == std::string::npos ? path : path.substr(slash + 1);
  std::optional<Dir> d = Dir::open(dir, error);
  if (!d) {
    error.message = shown + ": write failed: " + error.message;
    return false;
  }
  return write_file_shown(*d, name, bytes, attrs, shown, error);
}

}  // namespace

bool write_file_atomic(const std::string& path, std::string_view bytes, FileError& error) {
  return write_path_atomic(path, bytes, {}, path, error);  // named as the caller named it
}

bool write_file_atomic(const std::string& path, std::string_view bytes, std::string& error) {
  return message_only(error, [&](FileError& e) { return write_file_atomic(path, bytes, e); });
}

namespace {

// Opens `path` to write without blocking on a FIFO that has no reader
// (ENXIO), then makes the descriptor blocking for the writes.
int open_to_write(const std::string& path, int flags, std::string& error) {
  const int fd = ::open(path.c_str(), O_WRONLY | O_NONBLOCK | O_CLOEXEC | flags, 0666);
  if (fd < 0) {
    error = errno == ENXIO ? path + ": a FIFO that no process is reading" : path + ": " + errno_text(errno);
    return -1;
  }
  const int fl = ::fcntl(fd, F_GETFL);
  if (fl >= 0) ::fcntl(fd, F_SETFL, fl & ~O_NONBLOCK);
  return fd;
}

bool write_and_close(int fd, const std::string& path, std::string_view bytes, std::string& error) {
  bool ok = write_all(fd, bytes);
  int err = errno;
  if (::close(fd) != 0 && ok) ok = false, err = errno;
  if (!ok) error = path + ": write failed: " + errno_text(err);
  return ok;
}

}  // namespace

std::string output_target(const std::string& path) {
  std::string at = path;
  for (int hop = 0; hop < 40; ++hop) {
    struct stat st{};
    if (::lstat(at.c_str(), &st) != 0 || !S_ISLNK(st.st_mode)) return at;
    std::string to(PATH_MAX, '\0');
    const ssize_t n = ::readlink(at.c_str(), to.data(), to.size());
    if (n <= 0 || static_cast<std::size_t>(n) >= to.size()) return path;
    to.resize(static_cast<std::size_t>(n));
    // A descriptor's name (/dev/stdout, /dev/fd/63, /proc/self/fd/1) is
    // written through: its target may be a pipe or a file a shell holds open.
    if (at.rfind("/dev/", 0) == 0 || at.rfind("/proc/", 0) == 0) return path;
    const std::size_t slash = at.rfind('/');
    at = to.front() == '/' || slash == std::string::npos ? to : at.substr(0, slash + 1) + to;
  }
  return path;  // a loop: opening it says so
}

bool write_output_file(const std::string& path, std::string_view bytes, std::string& error) {
  const std::string target = output_target(path);
  struct stat st{};
  const bool absent = ::lstat(target.c_str(), &st) != 0 && errno == ENOENT;
  if (absent || S_ISREG(st.st_mode)) {
    // Replaced whole or not at all, keeping the permissions it had.
    FileAttrs attrs;
    if (!absent) attrs.mode = st.st_mode & 07777;
    const std::string shown = target == path ? path : path + " (a link to " + target + ")";
    return message_only(error, [&](FileError& e) { return write_path_atomic(target, bytes, attrs, shown, e); });
  }
  if (S_ISDIR(st.st_mode)) return error = path + ": is a directory", false;
  // A descriptor's name for a regular file (/dev/stdout redirected to a log
  // by the shell, with our own output in it already): appended to, never
  // truncated. A device or FIFO is truncated (a no-op) as before.
  struct stat followed{};
  const bool regular = ::stat(path.c_str(), &followed) == 0 && S_ISREG(followed.st_mode);
  // Our own stdout or stderr (`--report json=/dev/stdout > log`): written
  // through that descriptor, at its offset. Opened again by name, the file
  // got the report at its end while what the tool printed went on from the
  // descriptor's own offset, over the report (QA-54).
  if (regular)
    for (int standard : {STDOUT_FILENO, STDERR_FILENO}) {
      struct stat open_st{};
      if (::fstat(standard, &open_st) != 0 || open_st.st_dev != followed.st_dev || open_st.st_ino != followed.st_ino)
        continue;
      if (write_all(standard, bytes)) return true;
      error = path + ": write failed: " + errno_text(errno);
      return false;
    }
  const int fd = open_to_write(path, regular ? O_APPEND : O_TRUNC, error);
  return fd >= 0 && write_and_close(fd, path, bytes, error);
}

bool append_output_file(const std::string& path, std::string_view bytes, std::string& error) {
  const int fd = open_to_write(path, O_APPEND | O_CREAT, error);
  return fd >= 0 && write_and_close(fd, path, bytes, error);
}

}  // namespace mplp
