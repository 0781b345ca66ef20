// Finding the packs under the PATHs given to `check`.
//
// A directory holding manifest.json is a pack (not descended further). A
// directory without one that has artifacts/, integrity/ or timeline/ is a
// pack too, whose missing manifest the gates report: never silently skipped.
// A staging directory of `seal` or `run` (".<pack>.mplp-stage.*", see
// core/leftovers.h) is never a pack, whatever it holds: it is returned with
// `stage` set, and the check reports it as an interrupted seal.
// Links are never followed.
#pragma once

#include <string>
#include <vector>

namespace mplp {

struct PackLocation {
  std::string fs_path;       // where to open it
  std::string display_path;  // how reports name it
  bool stage = false;        // a staging directory, not a pack
  std::string stage_note;    // for a stage: whose, and whether its owner is gone
};

struct DiscoverOptions {
  bool absolute_paths = false;      // report absolute paths
  std::size_t max_directories = 1000000;
};

// Appends the packs under `path` to `out`; false (with `error`) when the path
// is not a readable directory, holds no pack, or is too large to search.
bool discover_packs(const std::string& path, const DiscoverOptions& options, std::vector<PackLocation>& out,
                    std::string& error);

// How a PATH argument is named in reports: as given (normalised), or, for an
// absolute path below the working directory, relative to it.
std::string display_name(const std::string& path, bool absolute_paths);

}  // namespace mplp
