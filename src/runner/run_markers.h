// Run markers: when the containers of dead runs must be looked for.
//
// Every container the executor starts carries its owner label (engine.h), and
// the containers of owners that are gone are removed by a later run. Listing
// all containers for that costs an engine call on every run, although a
// container can only be left behind by a run that died with it running. So
// each execution first leaves a marker, runs/<owner>.<random> in the private
// cache (private_cache.h), before it starts any container, and removes it
// once none of its containers can be left (a container whose time limit we
// enforced and could not remove keeps it). A run lists containers only when
// a marker of an owner that is gone exists, or when the markers directory
// was missing (first run, a deleted cache, a reboot that emptied it) or is
// not private to us; then it removes those markers once the listing ran.
// A run of another user with another cache is swept by that user's next run
// (or by the engine's time limit under podman).
//
//   std::vector<std::string> dead;
//   if (orphans_possible(dead) && remove_orphan_containers(e, removed)) forget_markers(dead);
//   RunMarker marker;  // before the first container
#pragma once

#include <string>
#include <vector>

namespace mplp::runner {

// True when containers of dead runs may exist; `dead` gets the markers that
// said so (to remove after a successful sweep).
bool orphans_possible(std::vector<std::string>& dead);
void forget_markers(const std::vector<std::string>& dead);

class RunMarker {
 public:
  RunMarker();   // creates the marker (nothing when the directory is unusable)
  ~RunMarker();  // removes it unless keep() was called
  RunMarker(const RunMarker&) = delete;
  RunMarker& operator=(const RunMarker&) = delete;
  void keep() { keep_ = true; }  // a container may outlive this run

 private:
  std::string path_;
  bool keep_ = false;
};

}  // namespace mplp::runner
