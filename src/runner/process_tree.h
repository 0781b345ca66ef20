// The processes below one of ours, as /proc shows them now.
//
// A time limit or an interrupt kills a child's process group, but not what
// left it: a build step's container process (buildah starts it in a session
// of its own) outlived `podman build` killed on its limit, holding the
// build's resources. Killing every descendant found at that moment, before
// any of them is reaped and its children are handed to init, ends those too.
//
//   for (pid_t p : descendants_of(child)) ::kill(p, SIGKILL);
#pragma once

#include <sys/types.h>

#include <vector>

namespace mplp::runner {

// Every process whose chain of parents reaches `root` (not `root` itself),
// in no particular order; empty when /proc cannot be read.
std::vector<pid_t> descendants_of(pid_t root);

}  // namespace mplp::runner
