// The container engine: which one (podman preferred, docker when its daemon
// answers) and the argv of every engine command the executor runs.
//
// Limits: every `run` and `build` passes explicit ulimits, nofile and nproc,
// set to the executor's own hard limits (capped at 1048576 and 32768). A
// process may always lower its limits, so these values start on any machine,
// whereas the engines' defaults (nofile 1048576 for a rootful podman) need
// CAP_SYS_RESOURCE, which these VMs lack ("setrlimit RLIMIT_NOFILE: Operation
// not permitted"); nproc above 32768 is refused by runc there. The OCI
// runtime is left to the engine's configuration (scripts/setup-podman.sh
// selects runc where crun refuses the cgroup layout).
//
//   Engine e;
//   std::string why;
//   if (!detect_engine("auto", e, why)) ... // why: "no container engine: ..."
#pragma once

#include <string>
#include <vector>

namespace mplp::runner {

struct Engine {
  std::string name;    // "podman" or "docker"
  std::string binary;  // absolute path
};

// `wanted`: "podman", "docker" or "auto" (podman first). False with the
// reason when none is usable.
bool detect_engine(const std::string& wanted, Engine& out, std::string& reason);

// "--ulimit", "nofile=N:N", "--ulimit", "nproc=M:M".
std::vector<std::string> ulimit_args();

// The image id as "sha256:<64 hex>" of `ref`, or "" when it does not exist.
std::string image_id(const Engine& e, const std::string& ref);
// The value of `label` on image `ref` ("" when absent or no image).
std::string image_label(const Engine& e, const std::string& ref, const std::string& label);

}  // namespace mplp::runner
