// JUnit XML, the format every CI test dashboard reads: one testsuite per gate,
// one testcase per pack (per runner in a runners check). A FAIL is a <failure> listing the findings, an
// internal error in a gate is an <error>, a SKIP is <skipped> with the
// reason; warnings and info of passing gates go to <system-out>; warnings
// about the run itself are a testcase "run" of a testsuite "mplp-gate". The counts
// on every element are computed from the same verdicts, so they match.
#include <string_view>
#include <unordered_map>

#include "core/text.h"
#include "report/common.h"
#include "report/render.h"

namespace mplp {

namespace {

struct Tally {
  std::size_t tests = 0, failures = 0, errors = 0, skipped = 0;
};

bool has_internal_error(const GateResult& g) {
  for (const Finding& f : g.findings)
    if (f.code == "internal.error") return true;
  return false;
}

void count(const GateResult& g, Tally& t) {
  ++t.tests;
  if (g.status == GateStatus::Fail) (has_internal_error(g) ? t.errors : t.failures) += 1;
  else if (g.status == GateStatus::Skip) ++t.skipped;
}

std::string counts_attrs(const Tally& t) {
  return "tests=\"" + std::to_string(t.tests) + "\" failures=\"" + std::to_string(t.failures) + "\" errors=\"" +
         std::to_string(t.errors) + "\" skipped=\"" + std::to_string(t.skipped) + "\"";
}

// The findings as lines: "severity code place: sentence". Every part that
// comes from a pack (file names included) is made printable first, as in the
// other formats: a newline in a file name must not start a line of its own
// (CI logs that print the XML would read "::error ..." as a command).
using Paths = std::unordered_map<std::string, std::string>;

std::string findings_text(const GateResult& g, const PackResult& p, const Paths& paths) {
  std::string out;
  for (const Finding& f : g.findings) {
    out += std::string(to_string(f.severity)) + " " + printable_utf8(f.code);
    std::string where = format_location(f);
    if (!where.empty()) out += " " + printable_utf8(where);
    out += ": " + report::finding_sentence(f, report::diff_command(paths, p.path, f));
    if (!f.suppressed.empty()) out += " (suppressed: " + printable_utf8(f.suppressed) + ")";
    if (f.baseline) out += " (in the baseline)";
    out += "\n";
  }
  return out;
}

void write_testcase(std::ostream& out, const PackResult& p, const GateResult& g, const Paths& paths) {
  out << "    <testcase name=\"" << xml_attribute(printable_utf8(p.path)) << "\" classname=\"" << xml_attribute(g.gate_id)
      << "\"";
  RunReport::Counts c;
  for (const Finding& f : g.findings)
    (f.severity == Severity::Error ? c.errors : f.severity == Severity::Warning ? c.warnings : c.infos) += 1;
  std::string summary = report::plural(c.errors, "error", "errors") + ", " +
                        report::plural(c.warnings, "warning", "warnings") + ", " + std::to_string(c.infos) + " info";
  if (g.status == GateStatus::Fail) {
    const char* tag = has_internal_error(g) ? "error" : "failure";
    out << ">\n      <" << tag << " message=\"" << xml_attribute(summary) << "\" type=\"" << xml_attribute(g.gate_id)
        << "\">" << xml_text(findings_text(g, p, paths)) << "</" << tag << ">\n    </testcase>\n";
  } else if (g.status == GateStatus::Skip) {
    std::string reason = g.skip_reason.empty() ? "skipped" : printable_utf8(g.skip_reason);
    out << ">\n      <skipped message=\"" << xml_attribute(reason) << "\"/>\n";
    if (!g.findings.empty()) out << "      <system-out>" << xml_text(findings_text(g, p, paths)) << "</system-out>\n";
    out << "    </testcase>\n";
  } else if (!g.findings.empty()) {
    out << ">\n      <system-out>" << xml_text(findings_text(g, p, paths)) << "</system-out>\n    </testcase>\n";
  } else {
    out << "/>\n";
  }
}

// A runners check is one PackResult for the directory; JUnit gets one
// testcase per runner (findings whose file is under <id>/), named
// "<dir>/<id>", and one for the directory itself when findings are left
// (the registry, files beside the runners). Each with its own status.
struct Case {
  PackResult pack;  // path = the testcase name
  GateResult gate;
};

std::vector<Case> cases_of(const RunReport& report, const PackResult& p, const GateResult& g) {
  if (report.runner_ids.empty()) return {Case{p, g}};
  std::vector<Case> out;
  GateResult rest = g;
  rest.findings.clear();
  std::vector<GateResult> per(report.runner_ids.size(), g);
  for (GateResult& r : per) r.findings.clear();
  for (const Finding& f : g.findings) {
    std::size_t i = 0;
    while (i < report.runner_ids.size() && f.file != report.runner_ids[i] &&
           f.file.rfind(report.runner_ids[i] + "/", 0) != 0)
      ++i;
    (i < per.size() ? per[i] : rest).findings.push_back(f);
  }
  const bool skipped = g.status == GateStatus::Skip;
  for (std::size_t i = 0; i < per.size(); ++i) {
    per[i].status = decide_status(per[i].findings, skipped, report.strict);
    PackResult named = p;
    named.path = report::artifact_path(p.path, report.runner_ids[i]);
    out.push_back({named, per[i]});
  }
  if (!rest.findings.empty()) {
    rest.status = decide_status(rest.findings, skipped, report.strict);
    out.push_back({p, rest});
  }
  return out;
}

}  // namespace

void render_junit_error(std::string_view message, const RenderOptions& /*options*/, std::ostream& out) {
  Tally t;
  t.tests = 1;
  t.errors = 1;
  std::string text = printable_utf8(message);
  out << "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n";
  out << "<testsuites name=\"mplp-gate\" " << counts_attrs(t) << ">\n";
  out << "  <testsuite name=\"mplp-gate\" " << counts_attrs(t) << ">\n";
  out << "    <testcase name=\"check\" classname=\"mplp-gate\">\n";
  out << "      <error message=\"" << xml_attribute(text) << "\" type=\"could-not-run\">" << xml_text(text)
      << "\n(exit code 2: the check could not run)</error>\n";
  out << "    </testcase>\n  </testsuite>\n</testsuites>\n";
}

void render_junit(const RunReport& report, const RenderOptions& /*options*/, std::ostream& out) {
  Tally all;
  // Each testsuite's counts go ahead of its cases: one pass over the packs
  // counts them all (every pass decodes each pack from the pack store).
  std::vector<Tally> per_gate(report.gates.size());
  std::unordered_map<std::string_view, std::size_t> gate_index;
  for (std::size_t i = 0; i < report.gates.size(); ++i) gate_index.emplace(report.gates[i]->info().id, i);
  for (const PackResult& p : report.packs)
    for (const GateResult& g : p.gates)
      if (auto it = gate_index.find(g.gate_id); it != gate_index.end())
        for (const Case& c : cases_of(report, p, g)) count(c.gate, per_gate[it->second]);
  for (const Tally& t : per_gate) {
    all.tests += t.tests;
    all.failures += t.failures;
    all.errors += t.errors;
    all.skipped += t.skipped;
  }
  // Warnings about the run itself (a suppression that matched nothing): a
  // testcase of their own, failed under --strict, where they fail the run.
  Tally run_tally;
  if (!report.warnings.empty()) {
    run_tally.tests = 1;
    run_tally.failures = report.strict ? 1 : 0;
    all.tests += 1;
    all.failures += run_tally.failures;
  }
  const Paths paths = report::paths_by_name(report);
  const std::string policy = (report.info.policy_name.empty() ? std::string("builtin") : report.info.policy_name) +
                             " (sha256 " + report.info.policy_sha256 + ")";
  out << "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n";
  out << "<testsuites name=\"mplp-gate\" " << counts_attrs(all) << ">\n";
  for (std::size_t i = 0; i < report.gates.size(); ++i) {
    const GateInfo& info = report.gates[i]->info();
    out << "  <testsuite name=\"" << xml_attribute(info.id) << "\" " << counts_attrs(per_gate[i]) << ">\n";
    out << "    <properties>\n      <property name=\"title\" value=\"" << xml_attribute(info.title)
        << "\"/>\n      <property name=\"policy\" value=\"" << xml_attribute(policy) << "\"/>\n    </properties>\n";
    for (const PackResult& p : report.packs)
      for (const GateResult& g : p.gates)
        if (g.gate_id == info.id)
          for (const Case& c : cases_of(report, p, g)) write_testcase(out, c.pack, c.gate, paths);
    out << "  </testsuite>\n";
  }
  if (!report.warnings.empty()) {
    std::string text;
    for (const std::string& w : report.warnings) text += "warning: " + printable_utf8(w) + "\n";
    const std::string summary = report::plural(report.warnings.size(), "warning", "warnings") + " about the run";
    out << "  <testsuite name=\"mplp-gate\" " << counts_attrs(run_tally) << ">\n";
    out << "    <testcase name=\"run\" classname=\"mplp-gate\">\n";
    if (report.strict)
      out << "      <failure message=\"" << xml_attribute(summary + " (--strict: they fail it)")
          << "\" type=\"run-warning\">" << xml_text(text) << "</failure>\n";
    else
      out << "      <system-out>" << xml_text(text) << "</system-out>\n";
    out << "    </testcase>\n  </testsuite>\n";
  }
  out << "</testsuites>\n";
}

}  // namespace mplp
