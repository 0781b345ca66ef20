#include "engine/run_report.h"

namespace mplp {

std::string_view to_string(GateStatus s) {
  switch (s) {
    case GateStatus::Pass: return "PASS";
    case GateStatus::Fail: return "FAIL";
    case GateStatus::Skip: return "SKIP";
  }
  return "FAIL";
}

bool PackResult::failed() const {
  for (const GateResult& g : gates)
    if (g.status == GateStatus::Fail) return true;
  return false;
}

RunReport::Counts RunReport::counts() const {
  if (counts_cache && counts_cache->first == packs.version()) return counts_cache->second;
  Counts c;
  for (const PackResult& p : packs)
    for (const GateResult& g : p.gates)
      for (const Finding& f : g.findings) {
        if (!f.counts()) ++c.suppressed;
        else if (f.severity == Severity::Error) ++c.errors;
        else if (f.severity == Severity::Warning) ++c.warnings;
        else ++c.infos;
      }
  counts_cache.emplace(packs.version(), c);
  return c;
}

GateStatus decide_status(const std::vector<Finding>& findings, bool skipped, bool strict) {
  for (const Finding& f : findings)
    if (f.counts() && (f.severity == Severity::Error || (strict && f.severity == Severity::Warning)))
      return GateStatus::Fail;
  return skipped ? GateStatus::Skip : GateStatus::Pass;
}

int exit_code(const RunReport& report) {
  RunReport::Counts c = report.counts();
  if (c.errors > 0) return 1;
  if (report.strict && (c.warnings > 0 || !report.warnings.empty())) return 1;
  return 0;
}

}  // namespace mplp
