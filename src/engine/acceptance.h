// Accepted findings (issue 14, point 5): the policy's `suppress` entries and
// a baseline report. A matching finding stays in every report, marked (and
// SARIF `suppressions`), and never counts: statuses are decided again
// without it. A suppression that matched nothing is a run warning. A
// findings.omitted note (the per-pack cap) is never in a baseline: it stands
// for findings the report does not show, which a baseline cannot vouch for.
// While a signature is required (report.info.require_signature), nothing
// accepts a finding of GATE-V2-ATTESTATION-01: else a suppression a pull
// request adds would pass an unsigned pack under --require-signature.
//
//   Baseline b;
//   if (!load_baseline("old.json", b, err)) { /* exit 2 */ }
//   accept_findings(report, policy, &b);
#pragma once

#include <set>
#include <string>

#include "core/policy.h"
#include "engine/run_report.h"

namespace mplp {

// The fingerprints (core/finding.h) of every finding of a previous JSON report.
struct Baseline {
  std::string source;  // the file, for messages
  std::string sha256;  // of the file's bytes (a receipt records it)
  std::set<std::string> fingerprints;
};

// Reads a report written by `check --format json` (or --report json=FILE);
// false with an error naming the file when it is not one.
bool load_baseline(const std::string& path, Baseline& out, std::string& error);

// Marks the findings of `report` the policy suppresses or the baseline holds,
// decides gate statuses again, and adds a warning to `report.warnings` for
// each suppression that matched nothing: neither a finding of the report nor
// one the per-pack cap left out (`accepting_left_out`, indices into the
// policy's suppressions: PackFindingCap::accepting_suppressions).
void accept_findings(RunReport& report, const Policy& policy, const Baseline* baseline,
                     const std::set<std::size_t>& accepting_left_out = {});

}  // namespace mplp
