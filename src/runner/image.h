// Building (or reusing) a runner's image.
//
// Image references are content-addressed: `localhost/mplp-runner-<id>:<h>`
// where h hashes every file of the runner directory and the id of its local
// base image, so an existing image with that reference is exactly what the
// definition builds and is reused (unless `rebuild`). A local base image
// (runner.yaml `base:`) is rebuilt by its script only when its label
// org.mplp.definition differs from the hash of the script and of this
// machine's apt sources. Builds are reproducible under podman: it builds
// with --timestamp SOURCE_DATE_EPOCH (file times and creation time), npm
// tarballs are pinned by SHA-256, and base images are stamped by their
// script. docker's builder and `docker import` record the time of the build,
// so under docker the reference is the same for the same definition but a
// rebuild gets a new image id (the id that ran is what a pack records).
//
//   ImageResult img;
//   if (!ensure_image(engine, def, {.rebuild = false}, img, err)) ... // err: "build: ..."
//   img.id == "sha256:..."  (the exact image to run)
#pragma once

#include <string>

#include "runner/engine.h"
#include "runner/process.h"
#include "runner/runner_def.h"

namespace mplp::runner {

struct BuildOptions {
  bool rebuild = false;
  OutputMode output = OutputMode::Inherit;  // the build tools' output
};

struct ImageResult {
  std::string ref;  // the tag built or reused
  std::string id;   // sha256:<64 hex>
  bool built = false;
  std::string log;  // captured output (OutputMode::Capture)
};

bool ensure_image(const Engine& engine, const RunnerDef& def, const BuildOptions& options, ImageResult& out,
                  std::string& error);

// The definition hash of a local base image (script bytes and apt sources).
std::string base_definition_hash(const std::string& script_bytes);

}  // namespace mplp::runner
