// The runner executor behind `mplp-gate run` and GATE-V2-RUNNER-SMOKE-01.
//
// One run: detect the engine; remove the containers of dead runs (engine.h)
// when a run may have died with one (run_markers.h);
// load runners/<id> (id checked first); build or reuse the image with no
// network (image.h: a missing base image is an error, never built here) and
// take its id (sha256:...); read the environment
// fingerprint inside that exact image (uname and the runner's
// version_command; runtime_type is that command's program, e.g. python3 ->
// python, so it is measured rather than copied from runner.yaml); run CMD through `sh -c` in that image with the repo at
// /workspace (an overlay under either engine, so the repo itself is never written) and a
// private staging copy of OUT_DIR at /workspace/out, network off by default;
// on success seal the staging directory (seal.h; with `sign_key`, the signed
// provenance too) and commit it over OUT_DIR
// in one atomic exchange (stage.h). Every container is hardened (engine.h:
// no capability, no-new-privileges, owner label, time limit, and a user
// namespace under rootful podman, workspace.h); what CMD wrote must pass
// check_tree (tree_ops.h: no set-id or special file, within the policy's
// limits) before it is sealed. On any failure OUT_DIR is untouched and the
// error names the step: "engine:", "definition:", "base:", "build:",
// "fingerprint:", "stage:", "run:", "seal:" or "commit:".
//
//   RunRequest req{.runners_dir = "runners", .runner_id = "node-20-local",
//                  .cmd = "node producers/example/produce.js", .out_dir = "out/p1"};
//   RunOutcome out;
//   if (!execute(req, out, err)) return out.cmd_exit > 0 ? 1 : 2;   // CMD failed, or could not run
#pragma once

#include <chrono>
#include <string>
#include <vector>

#include "core/policy.h"
#include "runner/engine.h"
#include "runner/image.h"
#include "runner/process.h"
#include "runner/seal.h"

namespace mplp::runner {

// The default time limit of a producer's container (6 hours).
constexpr unsigned kDefaultRunSeconds = 6 * 3600;
// The default time limit of a runner image's build (a RUN step of a
// stranger's Containerfile could otherwise hold CI forever; QA-40).
constexpr unsigned kDefaultBuildSeconds = 3600;

struct RunRequest {
  std::string runners_dir;
  std::string runner_id;
  std::string cmd;
  std::string out_dir;
  std::string engine = "auto";    // podman | docker | auto
  std::string network = "none";   // none | default
  std::string repo_root;          // "" = the directory holding runners_dir
  bool rebuild = false;
  OutputMode output = OutputMode::Inherit;
  unsigned timeout_seconds = kDefaultRunSeconds;  // CMD's container is killed after it
  unsigned build_timeout_seconds = kDefaultBuildSeconds;  // the image build (and npm fetches) likewise
  Policy policy = default_policy();  // limits for the seal, runners.build_network
  const PrivateKey* sign_key = nullptr;  // signs integrity/provenance.intoto.jsonl (provenance.h)
  std::string builder_version;           // recorded in the provenance
};

struct RunOutcome {
  bool engine_missing = false;  // no usable engine (the smoke gate skips)
  std::string engine_reason;
  Engine engine;
  ImageResult image;
  RunnerMeta meta;
  int cmd_exit = -1;            // CMD's exit status once it ran (-1: not run, or stopped by the time limit)
  double build_seconds = 0, run_seconds = 0;
  // When CMD's container started: --timeout counts from here, through the
  // check of what CMD wrote and the seal (QA-56).
  std::chrono::steady_clock::time_point cmd_started{};
  std::vector<std::string> notes;
  std::string log;              // captured output (OutputMode::Capture)
  std::string container_name;   // CMD's container (the provenance's invocationId)
  std::string finished_on;      // when CMD ended, RFC 3339 UTC
  bool container_left = false;  // a container timed out and could not be removed
};

bool execute(const RunRequest& req, RunOutcome& out, std::string& error);

// The steps of execute before CMD (definition, engine, image, fingerprint),
// for runners/_lib/env-fingerprint.sh: `req.cmd` and `req.out_dir` are not
// used; out.meta holds the runner id, digest and fingerprint.
bool measure(const RunRequest& req, RunOutcome& out, std::string& error);

// Reads the fingerprint inside image `image_id` (exposed for tests); `*left`
// is set when its container timed out and could not be removed.
bool read_fingerprint(const Engine& engine, const std::string& image_id, const RunnerDef& def, Fingerprint& out,
                      std::string& error, bool* left = nullptr);

}  // namespace mplp::runner
