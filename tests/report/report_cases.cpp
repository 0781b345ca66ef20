#include "report_cases.h"

#include <unistd.h>

#include <algorithm>
#include <array>
#include <cstdio>
#include <sstream>
#include <stdexcept>

#include "engine/check.h"
#include "gates/gate_list.h"
#include "test_util.h"

namespace mplp::test {

ScopedCwd::ScopedCwd(const std::string& dir) {
  std::array<char, 4096> buf{};
  if (::getcwd(buf.data(), buf.size()) == nullptr) throw std::runtime_error("getcwd failed");
  old_ = buf.data();
  if (::chdir(dir.c_str()) != 0) throw std::runtime_error("cannot chdir to " + dir);
}

ScopedCwd::~ScopedCwd() {
  if (::chdir(old_.c_str()) != 0) std::abort();
}

// The gates the goldens were made with: a gate added later (scripts/new-gate)
// changes no golden.
const std::vector<std::string> kGoldenGates = {
    "GATE-V2-ATTESTATION-01", "GATE-V2-CONSISTENCY-01",    "GATE-V2-DET-01",
    "GATE-V2-EVIDENCE-REUSE-01", "GATE-V2-HOST-ALLOW-01",  "GATE-V2-INTEGRITY-01",
    "GATE-V2-PACK-STRUCTURE-01", "GATE-V2-REAL-QUALIFY-01", "GATE-V2-SSOT-01",
};

bool golden_gate(std::string_view id) {
  return std::find(kGoldenGates.begin(), kGoldenGates.end(), id) != kGoldenGates.end();
}

RunReport fail_mixed_report(unsigned jobs, bool every_gate) {
  ScopedCwd cwd(fixture("report"));
  CheckRequest req;
  req.jobs = jobs;
  RunReport r = check({"fail-mixed"}, {}, req);
  if (every_gate) return r;
  // The run is a default one (its options say so); its results are cut to
  // the golden gates.
  std::erase_if(r.gates, [](const Gate* g) { return !golden_gate(g->info().id); });
  for (std::size_t i = 0; i < r.packs.size(); ++i)
    r.packs.update(i, [](PackResult& p) {
      std::erase_if(p.gates, [](const GateResult& g) { return !golden_gate(g.gate_id); });
    });
  return r;
}

RunReport empty_report() {
  RunReport r;
  std::string error;
  CheckRequest req;
  req.only_gates = kGoldenGates;
  if (!select_gates(req, r.gates, error)) throw std::runtime_error(error);
  return r;
}

RunReport internal_error_report(const std::string& extra) {
  const char* ids[] = {"GATE-V2-HOST-ALLOW-01", "GATE-V2-INTEGRITY-01", "GATE-V2-SSOT-01"};
  RunReport r;
  for (const char* id : ids) {
    const Gate* g = find_gate(id);
    if (g == nullptr) throw std::runtime_error(std::string("no gate ") + id);
    r.gates.push_back(g);
  }
  PackResult p;
  // A directory name a stranger chose: spaces, a comma, a colon, a percent
  // sign, markup, a byte that is not UTF-8.
  p.path = "packs/odd name, 100%: <a&b> \xff|x";
  p.name = "odd name, 100%: <a&b> \xff|x" + extra;
  p.indexability = "INDEXABLE_SYNTHETIC";

  GateResult host;
  host.gate_id = ids[0];
  Finding crash;
  crash.gate_id = ids[0];
  crash.severity = Severity::Error;
  crash.code = "internal.error";
  crash.file = "artifacts/we\xc3\x28ird\x01.json";  // invalid UTF-8 and a control byte in a file name
  crash.location.line = 3;
  crash.location.column = 7;
  crash.message = "internal error in gate: boom\r\n::error::injected \x0b\x7f \xef\xbf\xbe end" + extra;
  crash.hint = "please report this with the pack that caused it" + extra;
  host.findings.push_back(crash);
  host.status = decide_status(host.findings, false, false);

  GateResult integrity;
  integrity.gate_id = ids[1];
  Finding warn;
  warn.gate_id = ids[1];
  warn.severity = Severity::Warning;
  warn.code = "sums.unlisted";
  warn.file = "reports/extra \"quoted\".txt";
  warn.location.pointer = "/a~1b/0";
  warn.message = "file is not listed in the sums file";
  warn.expected = "listed";
  warn.actual = "not listed; 50% sure, a,b:c";
  integrity.findings.push_back(warn);
  Finding offset;
  offset.gate_id = ids[1];
  offset.severity = Severity::Info;
  offset.code = "hash.note";
  offset.file = "integrity/sha256sums.txt";
  offset.location.has_offset = true;
  offset.location.offset = 42;
  offset.message = "a note at a byte offset";
  integrity.findings.push_back(offset);
  integrity.status = decide_status(integrity.findings, false, false);

  GateResult ssot;
  ssot.gate_id = ids[2];
  ssot.status = decide_status({}, true, false);
  ssot.skip_reason = "not an INDEXABLE_REAL pack (INDEXABLE_SYNTHETIC)";

  p.gates = {host, integrity, ssot};
  r.packs.push_back(p);
  return r;
}

std::string render(const RunReport& report, const std::string& format, RenderOptions options) {
  const Renderer* r = find_renderer(format);
  if (r == nullptr) throw std::runtime_error("no renderer " + format);
  options.tool_version = "0.0.0-test";
  std::ostringstream out;
  r->render(report, options, out);
  return out.str();
}

}  // namespace mplp::test
