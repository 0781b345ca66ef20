// All-or-nothing updates of a pack directory.
//
// Why a sibling directory and an exchange: sealing writes several files
// (runner.meta.json, manifest.json, the sums) and a run adds whatever the
// producer wrote. Renaming files one by one into the pack would leave states
// that are neither old nor sealed if the process died between two renames.
// Instead everything is prepared in a private sibling directory
// (".<name>.mplp-stage.<pid>.<random>" beside the pack), every file written
// atomically (temp file, fsync, rename) and fsynced, and then ONE
// renameat2(RENAME_EXCHANGE) swaps the two directories (or one
// rename(RENAME_NOREPLACE) when the pack did not exist). Killed before that
// call, the pack is untouched; after it, it is completely sealed. The old
// tree, now under the staging name, is removed afterwards; if we die first
// it is left there, recognisably named, and removed by the next run or seal
// of the same pack once its pid is gone. A filesystem without
// RENAME_EXCHANGE makes the commit fail, leaving the pack untouched.
//
//   Stage st;
//   if (!stage_create("out/pack", StageFill::Copy, st, err)) ...
//   ... write into st.path ...
//   if (!stage_commit(st, err)) ...   // or stage_discard(st)
#pragma once

#include <string>

namespace mplp::runner {

enum class StageFill {
  Empty,     // the staging directory starts empty
  Copy,      // starts as a copy of the pack (a producer may modify files)
  HardLink,  // starts as hard links to the pack's files (we only replace whole files)
};

struct Stage {
  std::string target;  // absolute path of the pack
  std::string path;    // absolute path of the staging directory
  bool target_existed = false;
};

// Regular files and directories only: a pack holding anything else (a
// symlink, a FIFO) is refused, naming it.
bool stage_create(const std::string& target, StageFill fill, Stage& out, std::string& error);
bool stage_commit(Stage& stage, std::string& error);
void stage_discard(Stage& stage);

}  // namespace mplp::runner
