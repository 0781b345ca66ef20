#include "runner/stage.h"

#include <fcntl.h>
#include <stdio.h>
#include <sys/stat.h>
#include <sys/xattr.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <random>

#include "core/leftovers.h"
#include "runner/engine.h"
#include "runner/test_hook.h"
#include "runner/tree_ops.h"

namespace mplp::runner {

namespace fs = std::filesystem;

namespace {

std::string errno_text(int e) { return std::strerror(e); }

// True while `name` in `parent` is the directory `ino` (no link followed).
bool holds(const Dir& parent, const std::string& name, dev_t dev, ino_t ino) {
  struct stat st {};
  return ::fstatat(parent.fd(), name.c_str(), &st, AT_SYMLINK_NOFOLLOW) == 0 && S_ISDIR(st.st_mode) &&
         st.st_dev == dev && st.st_ino == ino;
}

// The process umask, read without changing it (umask(2) would, for every thread).
mode_t current_umask() {
  std::ifstream in("/proc/self/status");
  for (std::string line; std::getline(in, line);)
    if (line.rfind("Umask:", 0) == 0) return static_cast<mode_t>(std::strtoul(line.c_str() + 6, nullptr, 8) & 0777);
  return 022;
}

// A sweep removes a stage only while it carries the stage mark
// (core/leftovers.h): a pack that a race left under a stage's name carries
// none (the committed tree loses it just before the exchange), and a copy of
// a stage does not carry its inode.
void mark(const Dir& d, const std::string& owner) {
  struct stat st {};
  if (::fstat(d.fd(), &st) != 0) return;
  std::string v = stage_mark_value(owner, st.st_ino);
  ::fsetxattr(d.fd(), kStageMarkAttribute, v.data(), v.size(), 0);  // no xattrs here: never swept, only reported
}

// Removes the stages of pack `name` left by owners that are gone: only
// marked directories (never through a link) owned by us (or by our uid in
// the producer's user namespace, as a run killed while CMD ran leaves it),
// emptied through their own descriptor, their name removed only while it
// still holds them.
void sweep_stale(const Dir& parent, const std::string& name) {
  for (const std::string& n : list_names(parent)) {
    auto parsed = parse_stage_dir_name(n);
    if (!parsed || !stage_belongs_to(*parsed, name) || !parsed->owner || owner_alive(*parsed->owner)) continue;
    std::string owner = parsed->owner->str();
    remove_dir_if(parent, n, [&](const Dir& d, const struct stat& st) {
      return (st.st_uid == ::geteuid() || st.st_uid == kUserNsBase + ::geteuid()) &&
             carries_stage_mark(d.fd(), st.st_ino, owner);
    });
  }
}

// Every directory of the tree made durable before it becomes the pack.
void fsync_tree(const Dir& tree) {
  WalkResult w = walk(tree, {.max_entries = ~std::uint64_t{0}});
  for (const Entry& e : w.entries) {
    if (e.type != EntryType::Directory) continue;
    std::string why;
    if (auto d = Dir::open_beneath(tree, e.path, why)) ::fsync(d->fd());
  }
  ::fsync(tree.fd());
}

WalkResult walk_as_taken(const Stage& s) {
  // Room for what a writer may have added, so that the difference names it.
  return walk(*s.pack, {.max_entries = s.taken.entries.size() + 1000});
}

// After a failed check the directories stay where they are: forget the
// staging directory so that nothing of it is removed.
void abandon(Stage& s) {
  s.tree.reset();
  s.path.clear();
}

// Undoes our exchange: the staged tree goes back under the staging name,
// if it is still at the pack's name, and true only when it arrived there.
bool exchange_back(Stage& s) {
  return holds(*s.parent, s.name, s.dev, s.tree_ino) &&
         ::renameat2(s.parent->fd(), s.stage_name.c_str(), s.parent->fd(), s.name.c_str(), RENAME_EXCHANGE) == 0 &&
         holds(*s.parent, s.stage_name, s.dev, s.tree_ino);
}

}  // namespace

std::string mount_point_problem(const std::string& target) {
  struct statx sx {};
  if (::statx(AT_FDCWD, target.c_str(), AT_SYMLINK_NOFOLLOW, STATX_TYPE, &sx) != 0 || !S_ISDIR(sx.stx_mode)) return "";
  bool mount_root = (sx.stx_attributes_mask & STATX_ATTR_MOUNT_ROOT) != 0 && (sx.stx_attributes & STATX_ATTR_MOUNT_ROOT) != 0;
  if ((sx.stx_attributes_mask & STATX_ATTR_MOUNT_ROOT) == 0) {  // an older kernel: another device than the parent's
    struct stat here {}, above {};
    const std::string parent = fs::path(target).lexically_normal().parent_path().string();
    mount_root = ::lstat(target.c_str(), &here) == 0 && ::stat(parent.empty() ? "." : parent.c_str(), &above) == 0 &&
                 here.st_dev != above.st_dev;
  }
  if (!mount_root) return "";
  return target + " is a mount point: the pack is replaced by one rename of its directory, which a mount point "
                  "refuses; write the pack to a directory inside it";
}

bool stage_create(const std::string& target_in, StageFill fill, const Limits& limits, Stage& out, std::string& error) {
  out = Stage{};
  fs::path target = fs::absolute(fs::path(target_in)).lexically_normal();
  if (!target.has_filename()) target = target.parent_path();  // trailing slash
  out.name = target.filename().string();
  if (out.name.empty() || out.name == "." || out.name == ".." || target == target.root_path())
    return error = "'" + target_in + "' cannot be a pack directory", false;
  std::string parent = target.parent_path().string();
  std::error_code ec;
  fs::create_directories(parent, ec);
  if (ec) return error = parent + ": " + ec.message(), false;
  out.target = target.string();
  out.parent = Dir::open(parent, error);
  if (!out.parent) return false;
  sweep_stale(*out.parent, out.name);

  if (std::string mounted = mount_point_problem(out.target); !mounted.empty()) return error = mounted, false;
  std::string why;
  out.pack = Dir::open_at(*out.parent, out.name, why);
  struct stat st {};
  if (out.pack) {
    out.target_existed = true;
    if (::fstat(out.pack->fd(), &st) != 0) return error = out.target + ": " + errno_text(errno), false;
    out.dev = st.st_dev;
    out.pack_ino = st.st_ino;
    out.root_mode = st.st_mode & 07777;
    out.root_uid = st.st_uid;
    out.root_gid = st.st_gid;
    out.taken = walk(*out.pack, {.max_entries = limits.max_files_per_pack});
    if (!check_tree(out.taken, limits, error)) return error = out.target + ": " + error, false;
  } else if (::fstatat(out.parent->fd(), out.name.c_str(), &st, AT_SYMLINK_NOFOLLOW) == 0) {
    return error = out.target + (S_ISDIR(st.st_mode) ? ": " + why
                                                     : ": exists and is not a directory (a symbolic link is never followed)"),
           false;
  } else if (errno != ENOENT) {
    return error = out.target + ": " + errno_text(errno), false;
  } else {
    out.root_mode = 0777 & ~current_umask();
    out.root_uid = ::geteuid();
    out.root_gid = ::getegid();
  }

  std::random_device rd;
  for (int attempt = 0; attempt < 100 && !out.tree; ++attempt) {
    char rnd[16];
    std::snprintf(rnd, sizeof rnd, "%08x", rd());
    out.stage_name = stage_dir_name(out.name, current_owner(), rnd);
    if (::mkdirat(out.parent->fd(), out.stage_name.c_str(), 0700) != 0) {
      if (errno == EEXIST) continue;
      return error = parent + "/" + out.stage_name + ": " + errno_text(errno), false;
    }
    out.tree = Dir::open_at(*out.parent, out.stage_name, error);
    if (!out.tree) return false;
    ::fchmod(out.tree->fd(), 0700);  // whatever the umask: private until stage_ready
    out.owner = current_owner().str();
    mark(*out.tree, out.owner);
  }
  if (!out.tree) return error = parent + ": cannot create a staging directory", false;
  out.path = parent + "/" + out.stage_name;
  struct stat ts {};
  ::fstat(out.tree->fd(), &ts);
  out.tree_ino = ts.st_ino;
  if (!out.target_existed) out.dev = ts.st_dev;
  if (out.target_existed && fill != StageFill::Empty &&
      !fill_tree(*out.pack, out.taken, *out.tree, fill == StageFill::Copy ? TreeFill::Copy : TreeFill::HardLink,
                 error)) {
    error = out.target + ": " + error;
    stage_discard(out);
    return false;
  }
  return true;
}

bool stage_ready(Stage& stage, std::string& error) {
  if (::fchown(stage.tree->fd(), stage.root_uid, stage.root_gid) != 0 ||
      ::fchmod(stage.tree->fd(), stage.root_mode) != 0)
    return error = stage.path + ": cannot give it the pack's mode and owner: " + errno_text(errno), false;
  return true;
}

bool stage_in_place(const Stage& stage) {
  return stage.tree && holds(*stage.parent, stage.stage_name, stage.dev, stage.tree_ino);
}

bool stage_commit(Stage& stage, std::string& error) {
  // The callers say that the pack is left untouched.
  fsync_tree(*stage.tree);
  if (stage.target_existed) {
    std::string diff = first_difference(stage.taken, walk_as_taken(stage));
    if (!diff.empty()) return error = "commit: " + stage.target + " changed while mplp-gate worked (" + diff + ")", false;
  }
  if ((stage.target_existed && !holds(*stage.parent, stage.name, stage.dev, stage.pack_ino)) || !stage_in_place(stage))
    return error = "commit: " + stage.target + " is no longer the directory that was staged (replaced or moved "
                   "meanwhile)", false;
  // The tree becomes the pack: it must not carry the mark of a stage.
  ::fremovexattr(stage.tree->fd(), kStageMarkAttribute);
  unsigned flags = stage.target_existed ? RENAME_EXCHANGE : RENAME_NOREPLACE;
  if (::renameat2(stage.parent->fd(), stage.stage_name.c_str(), stage.parent->fd(), stage.name.c_str(), flags) != 0) {
    int e = errno;
    mark(*stage.tree, stage.owner);
    error = "commit: cannot " + std::string(stage.target_existed ? "exchange " : "rename ") + stage.path + " with " +
            stage.target + ": " + errno_text(e) +
            (e == EINVAL ? " (the filesystem lacks atomic directory exchange; the pack is untouched)" : "");
    return false;
  }
  if (stage.target_existed) {
    // The exchange must have moved the staged pack away, and that pack must
    // still be as it was staged (a write that slipped in just before is caught).
    std::string diff;
    bool swapped_right = holds(*stage.parent, stage.stage_name, stage.dev, stage.pack_ino);
    if (swapped_right) diff = first_difference(stage.taken, walk_as_taken(stage));
    if (!swapped_right || !diff.empty()) {
      bool back = exchange_back(stage);
      error = "commit: " + stage.target +
              (swapped_right ? " changed while mplp-gate worked (" + diff + ")" : " was replaced during the exchange") +
              (back ? "; exchanged back, nothing was removed"
                    : "; nothing was removed, and the directories stay where the race left them (" + stage.target +
                          ", " + stage.path + ")");
      if (back) mark(*stage.tree, stage.owner);
      else abandon(stage);
      return false;
    }
  } else if (!holds(*stage.parent, stage.name, stage.dev, stage.tree_ino)) {
    abandon(stage);
    return error = "commit: " + stage.target + " was replaced right after it was created; nothing was removed", false;
  }
  ::fsync(stage.parent->fd());
  // The old tree, known by the descriptor held since the start, is garbage
  // now: marked (a kill from here on leaves it to the next sweep), emptied,
  // and its name removed while it still holds it.
  if (stage.target_existed) mark(*stage.pack, stage.owner);
  test_pause_point("committed");
  if (stage.target_existed) {
    std::string why;
    if (remove_tree_contents(*stage.pack, why) && holds(*stage.parent, stage.stage_name, stage.dev, stage.pack_ino))
      ::unlinkat(stage.parent->fd(), stage.stage_name.c_str(), AT_REMOVEDIR);
  }
  abandon(stage);
  return true;
}

void stage_discard(Stage& stage) {
  // Only while the staging name still holds it: a tree a race moved
  // elsewhere (perhaps to the pack's name) is left where it is.
  std::string why;
  if (stage_in_place(stage) && remove_tree_contents(*stage.tree, why) && stage_in_place(stage))
    ::unlinkat(stage.parent->fd(), stage.stage_name.c_str(), AT_REMOVEDIR);
  abandon(stage);
}

}  // namespace mplp::runner
