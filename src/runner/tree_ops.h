// Operations on whole pack trees for staging and sealing, all relative to
// directory descriptors: nothing is resolved by path, no link is followed.
//
// check_tree is the one place that decides which trees `seal` and `run` may
// take: regular files and directories only (a link, FIFO, socket or device
// is refused), no regular file with the setuid or setgid bit (a producer
// could plant a set-id root binary on the host; on a directory setgid only
// means group inheritance, so directories may keep it), no file over
// limits.max_file_size and no more entries than limits.max_files_per_pack,
// decided from one lstat per entry, before any byte is read.
//
//   WalkResult t = walk(root, {.max_entries = limits.max_files_per_pack});
//   if (!check_tree(t, limits, error)) ...   // error: "'bin/x' is setuid ..."
//   if (!fill_tree(src, t, dst, TreeFill::HardLink, error)) ...
//   std::string diff = first_difference(before, walk(src, ...));  // "" when unchanged
#pragma once

#include <sys/stat.h>

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "core/policy.h"
#include "core/safe_fs.h"

namespace mplp::runner {

bool check_tree(const WalkResult& tree, const Limits& limits, std::string& error);

enum class TreeFill {
  Copy,      // new files with the same bytes, mode, owner and modification time
  HardLink,  // hard links to the same files (a copy where linking fails)
};

// Recreates `tree` (a walk of `from`) inside the empty directory `to`:
// directories with their mode and owner, files as `fill` says.
bool fill_tree(const Dir& from, const WalkResult& tree, const Dir& to, TreeFill fill, std::string& error);

// Removes everything inside `dir` (the directory itself stays).
bool remove_tree_contents(const Dir& dir, std::string& error);

// Removes the directory `name` of `parent` (never through a link) if
// `removable` accepts it: emptied through its own descriptor, its name
// removed only while it still holds that directory.
bool remove_dir_if(const Dir& parent, const std::string& name,
                   const std::function<bool(const Dir& dir, const struct stat& st)>& removable);

// The names in `dir`, without "." and "..".
std::vector<std::string> list_names(const Dir& dir);

// Moves every owner and group in [from, from + count) of the tree below
// `root` (root included) to the same offset from `to`; others are kept.
bool shift_owners(const Dir& root, std::uint32_t from, std::uint32_t to, std::uint32_t count, std::string& error);

// The first entry (in path order) that differs between two walks of one
// tree: added, removed, or changed in type, mode, owner, size, inode or
// modification time. "" when none does.
std::string first_difference(const WalkResult& before, const WalkResult& after);

}  // namespace mplp::runner
