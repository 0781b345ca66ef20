// The container engine: which one (podman preferred, docker when its daemon
// answers) and the engine-specific argv of the commands the executor runs.
// podman is usable when it lists its storage and says its version; a podman
// binary that did so once is trusted without asking again (its version is
// kept in the private cache by the binary's identity: each engine call costs
// a start of the engine, 0.05-0.1 s), docker's daemon is asked every time.
// Both engines get the same container: no network, the same ulimits, the
// repository at /workspace writable inside but never changed outside.
//
// Differences handled here: podman builds reproducibly (--timestamp) and never
// pulls a local base (--pull=never), where docker's builder has neither flag;
// podman mounts the repository as an overlay (-v repo:/workspace:O), which
// docker has no syntax for, so docker gets an anonymous overlay volume of its
// local driver (repository as the lower layer, upper and work directories in
// a scratch directory the caller owns); docker prints image ids with their
// "sha256:" prefix, podman without. Base images are imported by
// runners/_base/*/build.sh with ENGINE set to the engine's binary.
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
// Hardening: every container the executor starts (producer, fingerprint,
// smoke) runs with all capabilities dropped and no-new-privileges, carries
// the label org.mplp.owner=<boot>.<pid>.<start> of the mplp-gate process
// that started it (core/leftovers.h) and a time limit; the next `run` removes
// the containers of owners that are gone. podman run as root also gives the
// container a user namespace: container uids 0..65535 are host uids
// kUserNsBase.. (rootless podman already runs in the user's namespace;
// docker's needs daemon configuration, userns-remap). The engine-specific
// spellings live here and nowhere else.
//
//   Engine e;
//   std::string why;
//   if (!detect_engine("auto", e, why)) ... // why: "no container engine: ..."
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "core/policy.h"
#include "core/scoped_temp_dir.h"
#include "runner/process.h"

namespace mplp::runner {

struct Engine {
  std::string name;     // "podman" or "docker"
  std::string binary;   // absolute path
  std::string version;  // podman's version, or the docker daemon's ("" if it did not say)
};

// "podman", "docker" or "auto": the values of --engine.
bool is_engine_name(const std::string& wanted);

// `wanted`: "podman", "docker" or "auto" (podman first, then docker). False
// with the reason when none is usable.
bool detect_engine(const std::string& wanted, Engine& out, std::string& reason);

// Whether the engine answers now (podman lists its storage, docker's daemon
// says its version); `why` says what failed. detect_engine trusts a podman
// binary that answered before without asking (its version is kept in the
// private cache, private_cache.h), so a failed engine call asks this to tell
// a missing image from a broken engine.
bool engine_answers(const Engine& e, std::string& why);

// "podman 4.3.1 (/usr/bin/podman)": which engine a command used, for people.
std::string describe(const Engine& e);

// "--ulimit", "nofile=N:N", "--ulimit", "nproc=M:M".
std::vector<std::string> ulimit_args();

// The user namespace of a container: none, or container ids 0..size-1 at
// host ids host_base.. .
struct UserNs {
  bool enabled = false;
  std::uint32_t host_base = 0;
  std::uint32_t size = 0;
};
constexpr std::uint32_t kUserNsBase = 1600000000;
constexpr std::uint32_t kUserNsSize = 65536;
UserNs container_userns(const Engine& e);

// The label naming a container's owner.
constexpr const char* kOwnerLabel = "org.mplp.owner";

// Arguments of every `run`: no capabilities, no-new-privileges, the user
// namespace, the owner label and, under podman, a backstop time limit
// kBackstopSeconds past ours (--timeout, enforced by conmon even when
// mplp-gate is gone; docker has none: its containers of dead owners are
// removed by the next run). Our own limit (ProcessSpec::timeout_seconds) is
// the limit under both engines: conmon's one-second timer fired up to a
// second early, so a CMD it stopped could not be told from one that failed.
// With the policy's container limits (core/policy.h: container_memory,
// container_pids): the kernel stops a producer that would exhaust the host.
constexpr unsigned kBackstopSeconds = 10;
std::vector<std::string> hardening_args(const Engine& e, const UserNs& ns, unsigned time_limit_seconds,
                                        const Limits& limits);

// Runs `spec`, an `ENGINE run --rm --name NAME ...` command line, and makes
// sure the container NAME is gone when its run ran over our limit: the
// engine's client is killed then, but the container may still run (docker's
// always does, podman's conmon keeps it), so it is removed then. `left` is set
// when it could not be removed (the next run's sweep does: run_markers.h).
ProcessResult run_container(const Engine& e, const ProcessSpec& spec, const std::string& name, bool& left);

// The engine's own `build` options (after "build -f FILE -t REF"): ulimits,
// the reproducibility knob (podman --timestamp EPOCH; docker's BuildKit reads
// the SOURCE_DATE_EPOCH build argument), and podman's --pull=never when the
// base is local (docker's builder uses a local image as it is).
std::vector<std::string> build_args(const Engine& e, std::int64_t source_date_epoch, bool local_base);

// Arguments of every image build: no network unless `network`.
std::vector<std::string> build_network_args(const Engine& e, bool network);

// The options of `run` that mount `repo` at /workspace, writable inside the
// container while `repo` itself never changes, and what they need kept
// alive until the container is gone. podman mounts an overlay (:O), with
// `upper` and `work` as its upper and work directories when given (a user
// namespace needs directories it owns); docker has no syntax for that, so it
// gets an anonymous overlay volume of its local driver whose upper/ and
// work/ live in a scratch directory (removed when `scratch` is reset or
// dies). Paths must not hold ':' ',' or a newline (the engines' mount syntax).
struct WorkspaceMount {
  std::vector<std::string> args;
  std::unique_ptr<ScopedTempDir> scratch;
};
bool workspace_mount(const Engine& e, const std::string& repo, const std::string& upper, const std::string& work,
                     WorkspaceMount& out, std::string& error);

// Removes (rm -f) the containers labelled with an owner that is gone; their
// names go to `removed`. Containers without the label are never touched.
// False when the containers could not be listed. (The executor asks only
// when a run may have died with a container: run_markers.h.)
bool remove_orphan_containers(const Engine& e, std::vector<std::string>& removed);

// The image id as "sha256:<64 hex>" of `ref`, or "" when it does not exist.
std::string image_id(const Engine& e, const std::string& ref);
// The id of image `ref` ("" when it does not exist) and the value of its
// `label` ("" when absent), read by one inspect (each engine call costs a
// process start of the engine, which `run` pays on every call).
struct ImageLabel {
  std::string id, label;
};
ImageLabel image_id_and_label(const Engine& e, const std::string& ref, const std::string& label);
// The same for several images in one inspect: one entry per ref, in order,
// or nothing at all when any of them is missing or the answer is malformed.
std::vector<ImageLabel> images_ids_and_labels(const Engine& e, const std::vector<std::string>& refs,
                                              const std::string& label);

}  // namespace mplp::runner
