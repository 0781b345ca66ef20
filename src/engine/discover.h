// Finding the packs under the PATHs given to `check`.
//
// A directory holding manifest.json is a pack (not descended further). A
// directory without one that has artifacts/, integrity/ or timeline/ is a
// pack too, whose missing manifest the gates report: never silently skipped;
// the search still goes on below it, so packs beneath it are found too.
// A staging directory of `seal` or `run` (".<pack>.mplp-stage.*" carrying
// the stage mark, see core/leftovers.h) is never a pack, whatever it holds:
// it is returned with `stage` set, and the check reports it as an
// interrupted seal. A directory only named so is searched like any other.
// Links are never followed, and each pack is identified by device and inode
// so that the check opens the directory that was found.
#pragma once

#include <deque>
#include <string>
#include <string_view>
#include <vector>

#include "core/file_identity.h"

namespace mplp {

struct PackLocation {
  std::string fs_path;       // where to open it
  std::string display_path;  // how reports for people name it (as given, relative to the working directory)
  // Its name wherever the tool runs from: the path relative to the PATH that
  // found it, or, for a PATH that is itself a pack, that directory's own name
  // (so `check runs` and `check runs/p1` both name the pack "p1"); a PATH
  // with pack folders but no manifest (a failing pack, with packs below it
  // named from it) is ".". The JSON report, receipts and collection gates'
  // findings use it.
  std::string name;
  // The directory `name` is relative to, spelled from the PATH as given:
  // the PATH, or its parent when the PATH is itself a pack with a manifest. Files found
  // above the pack (a substrate registry) are named relative to it too.
  std::string base;
  bool stage = false;        // a staging directory, not a pack
  std::string stage_note;    // for a stage: whose, and whether its owner is gone
  bool link = false;         // a symbolic link in the tree: never followed, reported
  std::string open_error;    // set when it could not be opened during the search
  // The directory discovery found (device, inode): a pack opened later must
  // be this one, not whatever was renamed or linked into its place since.
  bool identified = false;
  FileIdentity identity;
};

struct DiscoverOptions {
  bool absolute_paths = false;      // report absolute paths
  std::size_t max_directories = 1000000;
};

// A PackLocation held packed, its texts in one string: a run holds every
// pack's until the pack is checked, and as six strings each took about 300
// bytes (the most a run of many packs held at once).
class PackedLocation {
 public:
  explicit PackedLocation(const PackLocation& l);
  PackLocation unpack() const;
  std::string_view display_path() const { return field(1); }
  std::string_view name() const { return field(2); }
  // Frees its texts: the pack is checked, and nothing will unpack it again.
  void release() { std::string().swap(texts_); }

 private:
  std::string_view field(std::size_t k) const;
  std::string texts_;  // fs_path, display_path, name, base, stage_note, open_error, each ended by NUL
  bool stage_ = false, link_ = false, identified_ = false;
  FileIdentity identity_;
};

// A deque: no growth copies the list of a large tree.
using PackLocations = std::deque<PackedLocation>;

// Appends the packs under `path` to `out`; false (with `error`) when the path
// is not a readable directory, holds no pack, or is too large to search.

bool discover_packs(const std::string& path, const DiscoverOptions& options, PackLocations& out,
                    std::string& error);

// How a PATH argument is named in reports: as given (normalised), or, for an
// absolute path below the working directory, relative to it.
std::string display_name(const std::string& path, bool absolute_paths);

// The final component of `path` once made absolute and normal ("runs/p1/."
// -> "p1"), with links resolved where they exist; "." for the file system root.
std::string directory_name(const std::string& path);

}  // namespace mplp
