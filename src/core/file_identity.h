// Whether a path the tool is about to write lies inside a directory it must
// not write to (a checked pack), decided by identity, not by spelling.
//
// Paths are compared by device and inode, after the kernel's own resolution:
// "pack/../pack/x", a symbolic link to the pack or to a directory inside it,
// and a bind mount of the pack all name the pack. A path that does not exist
// yet is judged by its nearest existing ancestor (where the file would be
// created).
//
//   std::vector<FileIdentity> packs;
//   FileIdentity id;
//   if (identify(pack_dir, id)) packs.push_back(id);
//   std::size_t which;
//   if (lies_within("report.json", packs, which)) ... // refuse to write it
#pragma once

#include <sys/types.h>

#include <cstddef>
#include <string>
#include <vector>

namespace mplp {

struct FileIdentity {
  dev_t device = 0;
  ino_t inode = 0;
  bool operator==(const FileIdentity& o) const { return device == o.device && inode == o.inode; }
};

// The identity of what `path` names (links followed); false when it cannot be stat'ed.
bool identify(const std::string& path, FileIdentity& out);
// The identity of the open file `fd`; false when fstat fails.
bool identify_fd(int fd, FileIdentity& out);

// True when `path`, resolved as writing it would resolve it, is one of `dirs`
// or lies below one of them; `which` is then the index of that directory.
bool lies_within(const std::string& path, const std::vector<FileIdentity>& dirs, std::size_t& which);

// True when writing `a` would write `b` (an output over an input, or two
// outputs meeting): the same path once made absolute and normal; for files
// that exist, the same device and inode; for files not made yet, the same
// name in the same directory. A link is followed as a write would follow it
// (output_target, core/safe_fs.h).
bool names_one_file(const std::string& a, const std::string& b);

// True when `path` names a symbolic link, however it is spelled: "L/",
// "L/." and "./L//" follow the link L where "L" alone does not (QA-38), so
// those are read as "L".
bool names_a_link(const std::string& path);

}  // namespace mplp
