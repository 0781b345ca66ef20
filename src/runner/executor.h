// The runner executor behind `mplp-gate run` and GATE-V2-RUNNER-SMOKE-01.
//
// One run: detect the engine; load runners/<id> (id checked first); build or
// reuse the image and take its id (sha256:...); read the environment
// fingerprint inside that exact image (uname and the runner's
// version_command; runtime_type is that command's program, e.g. python3 ->
// python, so it is measured rather than copied from runner.yaml); run CMD through `sh -c` in that image with the repo at
// /workspace (an overlay under either engine, so the repo itself is never written) and a
// private staging copy of OUT_DIR at /workspace/out, network off by default;
// on success seal the staging directory (seal.h) and commit it over OUT_DIR
// in one atomic exchange (stage.h). On any failure OUT_DIR is untouched and
// the error names the step: "engine:", "definition:", "build:",
// "fingerprint:", "stage:", "run:", "seal:" or "commit:".
//
//   RunRequest req{.runners_dir = "runners", .runner_id = "node-20-local",
//                  .cmd = "node producers/example/produce.js", .out_dir = "out/p1"};
//   RunOutcome out;
//   if (!execute(req, out, err)) return out.cmd_exit > 0 ? out.cmd_exit : 2;
#pragma once

#include <string>
#include <vector>

#include "runner/engine.h"
#include "runner/image.h"
#include "runner/process.h"
#include "runner/seal.h"

namespace mplp::runner {

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
  unsigned timeout_seconds = 0;   // for CMD; 0 = none
};

struct RunOutcome {
  bool engine_missing = false;  // no usable engine (the smoke gate skips)
  std::string engine_reason;
  Engine engine;
  ImageResult image;
  RunnerMeta meta;
  int cmd_exit = -1;            // CMD's exit status once it ran
  double build_seconds = 0, run_seconds = 0;
  std::vector<std::string> notes;
  std::string log;              // captured output (OutputMode::Capture)
};

bool execute(const RunRequest& req, RunOutcome& out, std::string& error);

// Reads the fingerprint inside image `image_id` (exposed for tests).
bool read_fingerprint(const Engine& engine, const std::string& image_id, const RunnerDef& def, Fingerprint& out,
                      std::string& error);

}  // namespace mplp::runner
