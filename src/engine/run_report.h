// The result of one `check` run: what every renderer prints, and what the
// exit code is decided from. Packs and findings are sorted (determinism).
#pragma once

#include <string>
#include <vector>

#include "core/finding.h"
#include "core/gate.h"

namespace mplp {

enum class GateStatus { Pass, Fail, Skip };
std::string_view to_string(GateStatus s);  // "PASS" | "FAIL" | "SKIP"

struct GateResult {
  std::string gate_id;
  GateStatus status = GateStatus::Pass;
  std::string skip_reason;
  std::vector<Finding> findings;  // sorted with finding_less
};

struct PackResult {
  std::string path;          // display path of the pack (or runners dir)
  std::string indexability;  // INDEXABLE_REAL, ..., or "" for runner checks
  std::vector<GateResult> gates;  // sorted by gate id
  bool failed() const;
};

struct RunReport {
  std::vector<const Gate*> gates;  // the gates that ran, sorted by id
  std::vector<PackResult> packs;   // sorted by path
  bool strict = false;

  struct Counts {
    std::size_t errors = 0, warnings = 0, infos = 0;
  };
  Counts counts() const;
};

// The exit-code contract, in one place: 0 = no error finding (and, under
// --strict, no warning), 1 = otherwise. (2 is decided by the CLI when the run
// could not happen.)
int exit_code(const RunReport& report);

// A gate's status from its findings: FAIL on any error (or warning when
// strict), else SKIP when it skipped, else PASS.
GateStatus decide_status(const std::vector<Finding>& findings, bool skipped, bool strict);

}  // namespace mplp
