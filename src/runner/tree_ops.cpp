#include "runner/tree_ops.h"

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <vector>

#include "core/sums.h"

namespace mplp::runner {

namespace {

constexpr int kMaxDepth = 512;  // directories descended while removing, one descriptor per level

std::string q(const std::string& path) { return "'" + escape_for_message(path) + "'"; }
std::string errno_text(int e) { return std::strerror(e); }

std::string parent_of(const std::string& rel) {
  std::size_t slash = rel.rfind('/');
  return slash == std::string::npos ? "" : rel.substr(0, slash);
}
std::string leaf_of(const std::string& rel) { return rel.substr(rel.rfind('/') + 1); }

struct Fd {
  int fd = -1;
  explicit Fd(int f) : fd(f) {}
  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;
  ~Fd() {
    if (fd >= 0) ::close(fd);
  }
};

// Sets owner (when it differs from `st`) and then mode: a chown clears the
// set-id bits a chmod would have set.
bool set_owner_mode(int fd, const struct stat& st, const Entry& want, const std::string& shown, std::string& error) {
  if ((st.st_uid != want.uid || st.st_gid != want.gid) && ::fchown(fd, want.uid, want.gid) != 0)
    return error = "cannot keep the owner of " + q(shown) + " (uid " + std::to_string(want.uid) + ", gid " +
                   std::to_string(want.gid) + "): " + errno_text(errno), false;
  if (::fchmod(fd, want.mode) != 0) return error = "cannot keep the mode of " + q(shown) + ": " + errno_text(errno), false;
  return true;
}

// Copies bytes from `in` to `out` at their current offsets, `length` of
// them or up to the end of `in` (length < 0).
bool copy_stream(int in, int out, off_t length, const std::string& shown, std::string& error) {
  char buf[1 << 16];
  while (length != 0) {
    const std::size_t want = length < 0 || length > static_cast<off_t>(sizeof buf) ? sizeof buf : static_cast<std::size_t>(length);
    ssize_t n = ::read(in, buf, want);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return error = "reading " + q(shown) + ": " + errno_text(errno), false;
    if (n == 0) return true;  // shorter than it was: what is there is copied
    if (length > 0) length -= n;
    for (ssize_t done = 0; done < n;) {
      ssize_t w = ::write(out, buf + done, static_cast<std::size_t>(n - done));
      if (w < 0 && errno == EINTR) continue;
      if (w < 0) return error = "writing " + q(shown) + ": " + errno_text(errno), false;
      done += w;
    }
  }
  return true;
}

// Copies `in` into the empty `out` keeping its holes: a sparse file of
// 20 GiB a producer left takes no more room in the copy than in the
// original (QA-53: a run into an out dir that held one wrote it densely).
// Where the file system cannot say where data lies, byte for byte.
bool copy_bytes(int in, int out, const std::string& shown, std::string& error) {
  const auto failed = [&](const char* what) {
    error = std::string(what) + " " + q(shown) + ": " + errno_text(errno);
    return false;
  };
  off_t at = 0;
  for (;;) {
    const off_t data = ::lseek(in, at, SEEK_DATA);
    if (data < 0 && errno == ENXIO) break;  // nothing but a hole from `at` to the end
    if (data < 0 && at == 0 && (errno == EINVAL || errno == EOPNOTSUPP)) return copy_stream(in, out, -1, shown, error);
    if (data < 0) return failed("reading");
    const off_t hole = ::lseek(in, data, SEEK_HOLE);
    if (hole < 0 || ::lseek(in, data, SEEK_SET) < 0) return failed("reading");
    if (::lseek(out, data, SEEK_SET) < 0) return failed("writing");
    if (!copy_stream(in, out, hole - data, shown, error)) return false;
    at = hole;
  }
  // The length, holes at the end included.
  const off_t end = ::lseek(in, 0, SEEK_END);
  if (end < 0) return failed("reading");
  if (::ftruncate(out, end) != 0) return failed("writing");
  return true;
}

bool copy_file(int in, const Dir& to_parent, const Entry& e, std::string& error) {
  std::string leaf = leaf_of(e.path);
  Fd out(::openat(to_parent.fd(), leaf.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600));
  if (out.fd < 0) return error = q(e.path) + ": " + errno_text(errno), false;
  struct stat st {};
  if (!copy_bytes(in, out.fd, e.path, error) || ::fstat(out.fd, &st) != 0 ||
      !set_owner_mode(out.fd, st, e, e.path, error))
    return false;
  timespec times[2] = {{0, UTIME_OMIT}, {e.mtime_ns / 1000000000, e.mtime_ns % 1000000000}};
  ::futimens(out.fd, times);
  if (::fsync(out.fd) != 0) return error = q(e.path) + ": fsync: " + errno_text(errno), false;
  return true;
}

std::vector<std::string> names_in(int dirfd) {
  std::vector<std::string> names;
  int dup = ::fcntl(dirfd, F_DUPFD_CLOEXEC, 0);
  DIR* d = dup < 0 ? nullptr : ::fdopendir(dup);
  if (d == nullptr) {
    if (dup >= 0) ::close(dup);
    return names;
  }
  ::rewinddir(d);  // the dup shares its offset with every earlier reader
  while (dirent* de = ::readdir(d))
    if (std::strcmp(de->d_name, ".") != 0 && std::strcmp(de->d_name, "..") != 0) names.emplace_back(de->d_name);
  ::closedir(d);
  return names;
}

// Removes what `dirfd` holds, `depth` levels below `top` (the directory
// being emptied). One descriptor is open per level, so past kMaxDepth a
// directory is not descended: it is moved up to `top` under a new name and
// removed from there in a later round. A producer's tree of any depth is
// removed with at most kMaxDepth descriptors (QA-32: a 700-deep tree left
// its staging directory behind for good).
bool remove_contents(int dirfd, int depth, int top, std::size_t& hoisted, std::string& error) {
  // Names first, then removal: readdir is unspecified while entries go.
  // At the top, each directory moved up adds a round.
  for (std::size_t round = 0; round < 8 + (depth == 0 ? hoisted : 0); ++round) {
    std::vector<std::string> names = names_in(dirfd);
    if (names.empty()) return true;
    for (const std::string& n : names) {
      struct stat st {};
      if (::fstatat(dirfd, n.c_str(), &st, AT_SYMLINK_NOFOLLOW) != 0) continue;
      if (S_ISDIR(st.st_mode) && depth >= kMaxDepth) {
        int moved = -1;
        for (int tries = 0; tries < 100 && moved != 0; ++tries) {  // a name the tree already has is skipped
          const std::string up = ".mplp-deep-" + std::to_string(hoisted++);
          moved = ::renameat2(dirfd, n.c_str(), top, up.c_str(), RENAME_NOREPLACE);
          if (moved != 0 && errno != EEXIST) break;
        }
        if (moved != 0 && errno != ENOENT)
          return error = n + ": cannot move it up to be removed: " + errno_text(errno), false;
      } else if (S_ISDIR(st.st_mode)) {
        Fd sub(::openat(dirfd, n.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
        if (sub.fd < 0) continue;  // replaced meanwhile: the unlinkat below decides
        ::fchmod(sub.fd, 0700);    // a 0500 directory of ours must be emptied too
        if (!remove_contents(sub.fd, depth + 1, top, hoisted, error)) return error = n + "/" + error, false;
        if (::unlinkat(dirfd, n.c_str(), AT_REMOVEDIR) != 0 && errno != ENOENT && errno != ENOTEMPTY)
          return error = n + ": " + errno_text(errno), false;
      } else if (::unlinkat(dirfd, n.c_str(), 0) != 0 && errno != ENOENT) {
        return error = n + ": " + errno_text(errno), false;
      }
    }
  }
  return error = "entries keep appearing while it is removed", false;
}

std::string octal(std::uint32_t mode) {
  char b[16];
  std::snprintf(b, sizeof b, "%04o", mode);
  return b;
}

std::uint32_t shifted(std::uint32_t id, std::uint32_t from, std::uint32_t to, std::uint32_t count) {
  return id >= from && id - from < count ? id - from + to : id;
}

}  // namespace

bool check_tree(const WalkResult& tree, const Limits& limits, std::string& error) {
  if (tree.truncated)
    return error = "more than " + std::to_string(limits.max_files_per_pack) +
                   " entries (limits.max_files_per_pack of the policy)", false;
  if (!tree.errors.empty())
    return error = q(tree.errors[0].first) + " could not be read: " + tree.errors[0].second, false;
  for (const Entry& e : tree.entries) {
    if (e.type == EntryType::Directory) continue;
    if (e.type != EntryType::Regular)
      return error = q(e.path) + " is a " + std::string(to_string(e.type)) + "; a pack holds regular files only", false;
    if ((e.mode & (S_ISUID | S_ISGID)) != 0)
      return error = q(e.path) + " is " + ((e.mode & S_ISUID) != 0 ? "setuid" : "setgid") +
                     " (mode " + octal(e.mode) + "); a pack never holds set-id files", false;
    if (e.size > limits.max_file_size)
      return error = q(e.path) + " is " + std::to_string(e.size) + " bytes, over limits.max_file_size (" +
                     std::to_string(limits.max_file_size) + ") of the policy", false;
  }
  return true;
}

bool fill_tree(const Dir& from, const WalkResult& tree, const Dir& to, TreeFill fill, std::string& error) {
  std::vector<const Entry*> dirs;
  for (const Entry& e : tree.entries) {
    auto parent = Dir::open_beneath(to, parent_of(e.path), error);
    if (!parent) return false;
    std::string leaf = leaf_of(e.path);
    if (e.type == EntryType::Directory) {
      if (::mkdirat(parent->fd(), leaf.c_str(), 0700) != 0) return error = q(e.path) + ": " + errno_text(errno), false;
      dirs.push_back(&e);
      continue;
    }
    if (e.type != EntryType::Regular)
      return error = q(e.path) + " is a " + std::string(to_string(e.type)) + "; a pack holds regular files only", false;
    Fd in(open_regular_beneath(from, e.path, error));
    if (in.fd < 0) return error = q(e.path) + ": " + error, false;
    struct stat st {};
    if (::fstat(in.fd, &st) != 0 || st.st_ino != e.ino)
      return error = q(e.path) + " was replaced while it was staged", false;
    if (fill == TreeFill::HardLink) {
      // linkat through the descriptor itself: no path is resolved again.
      std::string proc = "/proc/self/fd/" + std::to_string(in.fd);
      if (::linkat(AT_FDCWD, proc.c_str(), parent->fd(), leaf.c_str(), AT_SYMLINK_FOLLOW) == 0) continue;
    }
    if (!copy_file(in.fd, *parent, e, error)) return false;
  }
  // Modes last, deepest first: a 0500 directory must still be filled.
  for (auto it = dirs.rbegin(); it != dirs.rend(); ++it) {
    auto d = Dir::open_beneath(to, (*it)->path, error);
    struct stat st {};
    if (!d || ::fstat(d->fd(), &st) != 0 || !set_owner_mode(d->fd(), st, **it, (*it)->path, error)) return false;
  }
  return true;
}

bool remove_tree_contents(const Dir& dir, std::string& error) {
  ::fchmod(dir.fd(), 0700);
  std::size_t hoisted = 0;
  if (remove_contents(dir.fd(), 0, dir.fd(), hoisted, error)) return true;
  error = "cannot remove " + dir.path() + "/" + error;
  return false;
}

bool remove_dir_if(const Dir& parent, const std::string& name,
                   const std::function<bool(const Dir& dir, const struct stat& st)>& removable) {
  std::string why;
  auto d = Dir::open_at(parent, name, why);
  struct stat st {}, now {};
  if (!d || ::fstat(d->fd(), &st) != 0 || !removable(*d, st) || !remove_tree_contents(*d, why)) return false;
  return ::fstatat(parent.fd(), name.c_str(), &now, AT_SYMLINK_NOFOLLOW) == 0 && now.st_ino == st.st_ino &&
         now.st_dev == st.st_dev && ::unlinkat(parent.fd(), name.c_str(), AT_REMOVEDIR) == 0;
}

std::vector<std::string> list_names(const Dir& dir) { return names_in(dir.fd()); }

bool shift_owners(const Dir& root, std::uint32_t from, std::uint32_t to, std::uint32_t count, std::string& error) {
  struct stat st {};
  if (::fstat(root.fd(), &st) != 0) return error = root.path() + ": " + errno_text(errno), false;
  if (::fchown(root.fd(), shifted(st.st_uid, from, to, count), shifted(st.st_gid, from, to, count)) != 0)
    return error = root.path() + ": chown: " + errno_text(errno), false;
  WalkResult tree = walk(root, {.max_entries = ~std::uint64_t{0}});
  if (!tree.errors.empty()) return error = q(tree.errors[0].first) + ": " + tree.errors[0].second, false;
  for (const Entry& e : tree.entries) {
    std::uint32_t uid = shifted(e.uid, from, to, count), gid = shifted(e.gid, from, to, count);
    if (uid == e.uid && gid == e.gid) continue;
    auto parent = Dir::open_beneath(root, parent_of(e.path), error);
    if (!parent) return false;
    if (::fchownat(parent->fd(), leaf_of(e.path).c_str(), uid, gid, AT_SYMLINK_NOFOLLOW) != 0)
      return error = q(e.path) + ": chown: " + errno_text(errno), false;
  }
  return true;
}

std::string first_difference(const WalkResult& before, const WalkResult& after) {
  // An entry added, removed or changed names the file; a directory whose
  // time alone changed (an entry came and went) is the last resort.
  std::string dir_changed;
  auto a = before.entries.begin(), b = after.entries.begin();
  while (a != before.entries.end() || b != after.entries.end()) {
    if (b == after.entries.end() || (a != before.entries.end() && a->path < b->path))
      return q(a->path) + " was removed";
    if (a == before.entries.end() || b->path < a->path) return q(b->path) + " was added";
    if (a->type != b->type || a->ino != b->ino) return q(a->path) + " was replaced";
    if (a->mode != b->mode || a->uid != b->uid || a->gid != b->gid) return q(a->path) + " changed its mode or owner";
    if (a->size != b->size || a->mtime_ns != b->mtime_ns) {
      if (a->type != EntryType::Directory) return q(a->path) + " was modified";
      if (dir_changed.empty()) dir_changed = q(a->path) + " had entries added or removed";
    }
    ++a, ++b;
  }
  if (after.truncated && !before.truncated) return "entries were added";
  return dir_changed;
}

}  // namespace mplp::runner
