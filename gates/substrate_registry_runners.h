// Helpers of GATE-V2-SUBSTRATE-REGISTRY-01 (gates/substrate_registry.cpp):
// how findings point into the registry, and the checks of the runners/
// directory against the runner ids the registry names. Runner ids reach
// check_runner_dirs only after is_runner_id() accepted them, so no path is
// ever built from an unsafe id; nothing here follows a link.
#pragma once

#include <string>
#include <vector>

#include "core/gate.h"
#include "core/registry.h"

namespace mplp::substrate_registry {

// The registry as findings see it: `file` is its name relative to the
// runners directory; lines come from the YAML. Findings are of the gate's
// kinds (`gate`), with their severities.
struct RegistryView {
  const GateInfo& gate;
  const SubstrateRegistry& reg;
  std::string file;
  // Line of `pointer`, or of its nearest ancestor that has one (0 = unknown).
  int line_of(std::string pointer) const;
  // A finding of `code` located in the registry at `pointer`.
  Finding finding(std::string_view code, const std::string& pointer, std::string message) const;
  // A finding of `code` on `file` of the runners directory ("" = the directory).
  Finding in_runners(std::string_view code, std::string file, std::string message) const {
    return gate.finding(code, std::move(file), std::move(message));
  }
};

// One place where the registry names a runner id.
struct RunnerRef {
  std::string id;               // passed is_runner_id()
  std::string pointer;          // of the runner_id value
  int line = 0;
  bool in_runners_section = false;  // else named by a substrate
  std::string entry_pointer;    // of the enclosing entry
};

// Each id in `refs` has runners/<id>/ with a Containerfile or Dockerfile and a
// schema-valid runner.yaml, or an id that names its runtime (one finding per
// missing or bad piece); each `runners:` entry's dockerfile: is that
// definition file and its base_image the file's first FROM; every directory
// of runners/ but the shared ones is declared in the runners: section.
void check_runner_dirs(const RegistryView& view, const std::vector<RunnerRef>& refs, const std::string& runners_dir,
                       const Limits& limits, FindingSink& sink);

}  // namespace mplp::substrate_registry
