// All-or-nothing updates of a pack directory.
//
// Why a sibling directory and an exchange: sealing writes several files
// (runner.meta.json, manifest.json, the sums) and a run adds whatever the
// producer wrote. Renaming files one by one into the pack would leave states
// that are neither old nor sealed if the process died between two renames.
// Instead everything is prepared in a private sibling directory (0700 while
// it is filled; core/leftovers.h names it ".<name>.mplp-stage.<owner>.<random>"),
// every file written atomically and fsynced, and then ONE
// renameat2(RENAME_EXCHANGE) swaps the two directories (or one
// rename(RENAME_NOREPLACE) when the pack did not exist). Killed before that
// call, the pack is untouched; after it, it is completely sealed. A
// filesystem without RENAME_EXCHANGE makes the commit fail, pack untouched.
//
// Descriptors, not paths: the pack's parent and the pack itself are opened
// once, first (the pack with O_NOFOLLOW: a link is refused, never followed),
// and every later step works relative to those descriptors. The commit
// checks by device and inode that the two names still hold the directories
// staged, before the exchange and after it (an exchange that met a swapped
// name is exchanged back), and that the pack's tree is exactly as it was
// when it was staged, before and after the exchange: a file another process
// wrote, changed or removed meanwhile stops the commit ("changed while"),
// the pack left as it is. Nothing is deleted unless its identity was
// verified: the old tree is emptied through the descriptor held since the
// start, and a name is removed only while it holds that inode.
//
// Leftovers: stage_create first removes the stages of the same pack whose
// owner is gone (another boot, or a pid no longer running with that start
// time), and only directories owned by the user running mplp-gate that
// carry the stage mark (xattr user.mplp-gate.stage = owner and inode): the
// staging directory has it until it becomes the pack, the old tree gets it
// once the exchange is verified. A pack a race left under a stage's name,
// or a copy of a stage, has none and is never removed. (On a filesystem
// without user xattrs nothing is swept; `check` still reports leftovers.) Limits,
// links, special and set-id files are checked (tree_ops.h check_tree) on
// one walk of the pack before anything is copied.
//
//   Stage st;
//   if (!stage_create("out/pack", StageFill::Copy, policy.limits, st, err)) ...
//   ... write into *st.tree (st.path for an engine's mount) ...
//   if (!stage_ready(st, err) || !stage_commit(st, err)) stage_discard(st);
#pragma once

#include <sys/types.h>

#include <optional>
#include <string>

#include "core/policy.h"
#include "core/safe_fs.h"

namespace mplp::runner {

enum class StageFill {
  Empty,     // the staging directory starts empty
  Copy,      // starts as a copy of the pack (a producer may modify files)
  HardLink,  // starts as hard links to the pack's files (we only replace whole files)
};

struct Stage {
  std::string target;  // absolute path of the pack (for messages)
  std::string path;    // absolute path of the staging directory (for an engine's mount)
  bool target_existed = false;
  std::optional<Dir> parent;  // the directory holding both, opened once
  std::optional<Dir> pack;    // the pack, opened once (when it existed)
  std::optional<Dir> tree;    // the staging directory
  std::string name, stage_name;
  std::string owner;  // core/leftovers.h OwnerId, as in stage_name
  dev_t dev = 0;
  ino_t pack_ino = 0, tree_ino = 0;
  WalkResult taken;  // the pack as it was staged
  // What the committed pack's own directory gets: the pack's mode and owner,
  // or those mkdir gives a new directory.
  mode_t root_mode = 0755;
  uid_t root_uid = 0;
  gid_t root_gid = 0;
};

// "" unless `target` is a mount point (another file system, or a bind
// mount): the commit replaces the pack's directory in one rename, which a
// mount point refuses, and the staging directory beside it would be on
// another file system. Checked by stage_create, and by `run` before any
// build, so that nothing runs first (QA-32).
std::string mount_point_problem(const std::string& target);

bool stage_create(const std::string& target, StageFill fill, const Limits& limits, Stage& out, std::string& error);
// Gives the staging directory the mode and owner of the pack-to-be (until
// then it is 0700 and the executor's); call before sealing.
bool stage_ready(Stage& stage, std::string& error);
// True when `stage.path` still names the staging directory.
bool stage_in_place(const Stage& stage);
bool stage_commit(Stage& stage, std::string& error);
void stage_discard(Stage& stage);

}  // namespace mplp::runner
