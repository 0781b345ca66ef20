// Building (or reusing) a runner's image.
//
// Building (or reusing) a runner's image, and building base images.
//
// Image references are content-addressed: `localhost/mplp-runner-<id>:<h>`
// where h hashes every file of the runner directory and the id of its local
// base image, so an existing image with that reference is exactly what the
// definition builds and is reused (unless `rebuild`). Builds run with no
// network (--network=none) unless runner.yaml says build_network: true and
// the policy allows that runner (runners.build_network); a runner asking
// for network the policy does not grant is refused before building.
//
// Reuse in one engine call: the base id seen last is remembered (private
// cache, bases/), and one inspect reads the base and the runner image built
// on that id; it is used only when the base still has that id. Otherwise
// (another base id, a missing image, no memory) the base is inspected
// first and the runner's reference computed from the id it has now.
//
// A local base image (runner.yaml `base:`) is never built here: its script
// runs host code, so only `mplp-gate base build ID` (build_base) runs it. A
// missing base image is an error that says how to build it ("base: ..."); a
// base whose label org.mplp.definition differs from the hash of its script
// and this machine's apt sources is used, with a note to rebuild it. Builds
// are reproducible under podman: it builds with --timestamp SOURCE_DATE_EPOCH
// (file times and creation time), npm tarballs are pinned by SHA-256, and
// base images are stamped by their script. docker's builder and `docker
// import` record the time of the build, so under docker the reference is the
// same for the same definition but a rebuild gets a new image id (the id that
// ran is what a pack records).
//
//   ImageResult img;
//   if (!ensure_image(engine, def, {.rebuild = false}, img, err)) ... // err: "build: ..." or "base: ..."
//   img.id == "sha256:..."  (the exact image to run)
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "runner/engine.h"
#include "runner/process.h"
#include "runner/runner_def.h"

namespace mplp::runner {

struct BuildOptions {
  bool rebuild = false;
  OutputMode output = OutputMode::Inherit;  // the build tools' output
  bool policy_allows_network = false;       // the policy lists the runner under runners.build_network
  unsigned timeout_seconds = 0;             // the build, and each npm fetch, is killed after it (0: none)
};

struct ImageResult {
  std::string ref;  // the tag built or reused
  std::string id;   // sha256:<64 hex>
  bool built = false;
  std::string log;  // captured output (OutputMode::Capture)
  std::vector<std::string> notes;  // e.g. an outdated base image
};

bool ensure_image(const Engine& engine, const RunnerDef& def, const BuildOptions& options, ImageResult& out,
                  std::string& error);

// The definition hash of a local base image (script bytes and apt sources).
std::string base_definition_hash(const std::string& script_bytes);

// How to build base `base_id`: the commands, for a finding or an error.
std::string base_build_hint(const std::string& base_id, const std::string& image_ref);

// Runs runners/_base/<base_id>/build.sh IMAGE_REF on this host (ENGINE,
// SOURCE_DATE_EPOCH and MPLP_BASE_LABEL set): what `mplp-gate base build`
// does, for a base the command line or the policy trusts.
bool build_base(const Engine& engine, const std::string& runners_dir, const std::string& base_id,
                const std::string& image_ref, std::int64_t source_date_epoch, OutputMode output, std::string& log,
                std::string& error);

}  // namespace mplp::runner
