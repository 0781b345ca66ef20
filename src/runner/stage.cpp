#include "runner/stage.h"

#include <fcntl.h>
#include <stdio.h>
#include <sys/stat.h>
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

// Removes the stages of pack `name` left by owners that are gone: only
// directories (never through a link) owned by us (or by our uid in the
// producer's user namespace, as a run killed while CMD ran leaves it),
// emptied through their own descriptor, their name removed only while it
// still holds them.
void sweep_stale(const Dir& parent, const std::string& name) {
  for (const std::string& n : list_names(parent)) {
    auto parsed = parse_stage_dir_name(n);
    if (parsed && parsed->pack_name == name && parsed->owner && !owner_alive(*parsed->owner))
      remove_dir_owned_by(parent, n, {::geteuid(), kUserNsBase + ::geteuid()});  // ours, or ours as a container's
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

bool exchange_back(Stage& s) {
  return holds(*s.parent, s.name, s.dev, s.tree_ino) && holds(*s.parent, s.stage_name, s.dev, s.pack_ino) &&
         ::renameat2(s.parent->fd(), s.stage_name.c_str(), s.parent->fd(), s.name.c_str(), RENAME_EXCHANGE) == 0;
}

}  // namespace

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
  } else if (::fstatat(out.parent->fd(), out.name.c_str(), &st, AT_SYMLINK_NOFOLLOW) == 0 || errno != ENOENT) {
    return error = out.target + ": exists and is not a directory (a symbolic link is never followed)", false;
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
  const std::string left = "; " + stage.target + " is left as it is";
  fsync_tree(*stage.tree);
  if (stage.target_existed) {
    std::string diff = first_difference(stage.taken, walk_as_taken(stage));
    if (!diff.empty()) return error = "commit: " + stage.target + " changed while mplp-gate worked (" + diff + ")" + left, false;
  }
  if ((stage.target_existed && !holds(*stage.parent, stage.name, stage.dev, stage.pack_ino)) || !stage_in_place(stage))
    return error = "commit: " + stage.target + " is no longer the directory that was staged (replaced or moved "
                   "meanwhile)" + left, false;
  unsigned flags = stage.target_existed ? RENAME_EXCHANGE : RENAME_NOREPLACE;
  if (::renameat2(stage.parent->fd(), stage.stage_name.c_str(), stage.parent->fd(), stage.name.c_str(), flags) != 0) {
    int e = errno;
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
      bool back = swapped_right ? exchange_back(stage)
                                : holds(*stage.parent, stage.name, stage.dev, stage.tree_ino) &&
                                      ::renameat2(stage.parent->fd(), stage.stage_name.c_str(), stage.parent->fd(),
                                                  stage.name.c_str(), RENAME_EXCHANGE) == 0;
      error = "commit: " + stage.target +
              (swapped_right ? " changed while mplp-gate worked (" + diff + ")" : " was replaced during the exchange") +
              (back ? "; exchanged back, " + stage.target + " is as it was"
                    : "; nothing was removed: the sealed tree is at " + stage.target + ", the other at " + stage.path);
      if (!back) abandon(stage);
      return false;
    }
  } else if (!holds(*stage.parent, stage.name, stage.dev, stage.tree_ino)) {
    abandon(stage);
    return error = "commit: " + stage.target + " was replaced right after it was created; nothing was removed", false;
  }
  ::fsync(stage.parent->fd());
  test_pause_point("committed");
  // The staging name now holds the old tree (or nothing when there was none),
  // emptied through the descriptor held since the start.
  if (stage.target_existed) {
    std::string why;
    if (remove_tree_contents(*stage.pack, why) && holds(*stage.parent, stage.stage_name, stage.dev, stage.pack_ino))
      ::unlinkat(stage.parent->fd(), stage.stage_name.c_str(), AT_REMOVEDIR);
  }
  abandon(stage);
  return true;
}

void stage_discard(Stage& stage) {
  if (stage.tree) {
    std::string why;
    if (remove_tree_contents(*stage.tree, why) && stage_in_place(stage))
      ::unlinkat(stage.parent->fd(), stage.stage_name.c_str(), AT_REMOVEDIR);
  }
  abandon(stage);
}

}  // namespace mplp::runner
