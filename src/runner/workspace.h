// The producer's mounts: the repository at /workspace (never written) and
// the user namespace the container runs in (engine.h).
//
// Under a user namespace, podman's overlay of the repository needs upper and
// work directories that the container's root owns, in a place it can reach:
// "mplp-overlay.<owner>.<random>" in TMPDIR (owner as in core/leftovers.h),
// removed after the run, and by the next run when mplp-gate was killed and
// its owner is gone. The overlay is mounted inside the user namespace, so
// every directory above the repository and above TMPDIR must be searchable
// by other users; when one is not, the producer runs without a user
// namespace (still without any capability), and a note names the directory.
// In the user namespace the repository's files belong to nobody: the
// producer reads what others may read and writes none of it.
//
//   ProducerMounts m;
//   if (!prepare_producer_mounts(engine, repo, m, notes, err)) ...
//   argv += m.workspace.args;  ... hardening_args(engine, m.ns, limit) ...
//   release_producer_mounts(m);
#pragma once

#include <string>
#include <vector>

#include "runner/engine.h"

namespace mplp::runner {

struct ProducerMounts {
  UserNs ns;
  WorkspaceMount workspace;  // the repository at /workspace (engine.h)
  std::string overlay_dir;   // "" when none
};

bool prepare_producer_mounts(const Engine& engine, const std::string& repo, ProducerMounts& out,
                             std::vector<std::string>& notes, std::string& error);
void release_producer_mounts(ProducerMounts& m);

// "" when every directory from / down to `dir` is searchable by others, else
// the first that is not.
std::string unsearchable_ancestor(const std::string& dir);

}  // namespace mplp::runner
