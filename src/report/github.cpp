// GitHub Actions: workflow commands GitHub shows as annotations on the file
// (::error, ::warning, and ::notice only when asked), errors first, at most
// RenderOptions::max_annotations of each (GitHub shows 10 of each per step
// and silently drops the rest), then one notice counting what was left out,
// then a plain summary line; and, when the CLI passes a step-summary stream
// (it opens $GITHUB_STEP_SUMMARY), a Markdown table of packs x gates and the
// count of findings per code.
//
// Escaping follows the runner's own rules (actions/toolkit command.ts), in
// core/text.h: workflow_command_data for the message, and
// workflow_command_property for property values.
#include "core/text.h"
#include "report/common.h"
#include "report/render.h"

namespace mplp {

namespace {

std::string_view command_of(Severity s) {
  switch (s) {
    case Severity::Error: return "error";
    case Severity::Warning: return "warning";
    case Severity::Info: return "notice";
  }
  return "error";
}

// Markdown table cells: pipes and markup characters escaped, one line.
std::string md(std::string_view raw) {
  std::string s = printable_utf8(raw);
  std::string out;
  for (char c : s) {
    if (std::string_view("\\`*_{}[]<>()#+!|~").find(c) != std::string_view::npos) out += '\\';
    out += c;
  }
  return out;
}

std::string cell(const GateResult& g) {
  std::size_t errors = 0, warnings = 0;
  for (const Finding& f : g.findings) {
    if (f.severity == Severity::Error) ++errors;
    else if (f.severity == Severity::Warning) ++warnings;
  }
  std::string out;
  switch (g.status) {
    case GateStatus::Pass: out = "✅ PASS"; break;
    case GateStatus::Fail: out = "❌ FAIL"; break;
    case GateStatus::Skip: out = "⏭️ SKIP"; break;
  }
  if (errors > 0 || warnings > 0) {
    out += " (";
    if (errors > 0) out += report::plural(errors, "error", "errors");
    if (errors > 0 && warnings > 0) out += ", ";
    if (warnings > 0) out += report::plural(warnings, "warning", "warnings");
    out += ")";
  }
  return out;
}

}  // namespace

void render_github_summary(const RunReport& report, std::ostream& out) {
  RunReport::Counts c = report.counts();
  std::size_t failed = 0;
  for (const PackResult& p : report.packs) failed += p.failed() ? 1 : 0;
  out << "## mplp-gate: " << (exit_code(report) == 0 ? "PASS" : "FAIL") << "\n\n";
  out << report::plural(report.packs.size(), "pack", "packs") << " checked, " << failed << " failed; "
      << report::plural(c.errors, "error", "errors") << ", " << report::plural(c.warnings, "warning", "warnings")
      << ", " << c.infos << " info" << (c.suppressed > 0 ? ", " + std::to_string(c.suppressed) + " accepted" : "")
      << ". Policy: " << md(report.info.policy_name.empty() ? "builtin" : report.info.policy_name) << " (sha256 `"
      << report.info.policy_sha256 << "`).\n\n";
  for (const std::string& w : report.warnings) out << "- ⚠️ " << md(w) << "\n";
  if (!report.warnings.empty()) out << "\n";
  if (report.packs.empty() || report.gates.empty()) return;
  out << "| Pack |";
  for (const Gate* g : report.gates) out << " " << md(g->info().id) << " |";
  out << "\n| --- |";
  for (std::size_t i = 0; i < report.gates.size(); ++i) out << " --- |";
  out << "\n";
  for (const PackResult& p : report.packs) {
    out << "| " << md(p.path) << " |";
    for (const Gate* g : report.gates) {
      const GateResult* r = nullptr;
      for (const GateResult& gr : p.gates)
        if (gr.gate_id == g->info().id) r = &gr;
      out << " " << (r != nullptr ? cell(*r) : std::string("—")) << " |";
    }
    out << "\n";
  }
  out << "\n";
  const std::vector<report::CodeCount> counts = report::code_counts(report);
  if (counts.empty()) return;
  out << "### Findings by code\n\n| Count | Severity | Code | Gate |\n| ---: | --- | --- | --- |\n";
  for (const report::CodeCount& k : counts)
    out << "| " << k.count << " | " << to_string(k.severity) << " | " << md(k.code) << " | " << md(k.gate_id)
        << " |\n";
  out << "\n";
}

// Errors first, then warnings, then (only when asked) notices, at most
// options.max_annotations of each; then one notice counting what was left
// out, which the step summary and the SARIF report still hold.
void render_github(const RunReport& report, const RenderOptions& options, std::ostream& out) {
  const auto paths = report::paths_by_name(report);
  std::size_t left_out[3] = {0, 0, 0};
  for (Severity level : {Severity::Error, Severity::Warning, Severity::Info}) {
    std::size_t shown = 0;
    for (const PackResult& p : report.packs)
      for (const GateResult& g : p.gates)
        for (const Finding& f : g.findings) {
          if (f.severity != level || !f.counts()) continue;  // accepted findings are not annotated
          if ((level == Severity::Info && !options.annotate_info) || shown == options.max_annotations) {
            ++left_out[static_cast<int>(level)];
            continue;
          }
          ++shown;
          out << "::" << command_of(f.severity)
              << " file=" << workflow_command_property(report::artifact_path(p.path, f.file));
          if (f.location.line > 0) {
            out << ",line=" << f.location.line;
            if (f.location.column > 0) out << ",col=" << f.location.column;
          }
          out << ",title=" << workflow_command_property(f.gate_id + " " + f.code) << "::"
              << workflow_command_data(report::finding_sentence(f, report::diff_command(paths, p.path, f))) << "\n";
        }
  }
  const std::size_t more = left_out[0] + left_out[1] + left_out[2];
  if (more > 0)
    out << "::notice title=mplp-gate::" << more << (more == 1 ? " more finding is" : " more findings are")
        << " not annotated (" << report::plural(left_out[2], "error", "errors") << ", "
        << report::plural(left_out[1], "warning", "warnings") << ", " << left_out[0]
        << " info): the job summary counts every finding by code, and a SARIF report (--report sarif=FILE) lists "
           "them all\n";
  RunReport::Counts c = report.counts();
  std::size_t failed = 0;
  for (const PackResult& p : report.packs) failed += p.failed() ? 1 : 0;
  out << "mplp-gate: "
      << (!report.runners_check
              ? report::plural(report.packs.size(), "pack", "packs") + " checked, " + std::to_string(failed) + " failed"
              : report::plural(report.runner_ids.size(), "runner", "runners") + " checked")
      << "; " << report::plural(c.errors, "error", "errors") << ", "
      << report::plural(c.warnings, "warning", "warnings") << ", " << c.infos << " info"
      << (c.suppressed > 0 ? ", " + std::to_string(c.suppressed) + " accepted" : "") << "; policy "
      << inert_log_line(printable_utf8(report.info.policy_name.empty() ? "builtin" : report.info.policy_name))
      << " (sha256 "
      << report.info.policy_sha256 << "): " << (exit_code(report) == 0 ? "PASS" : "FAIL") << "\n";
  for (const std::string& w : report.warnings)
    out << "::warning title=" << workflow_command_property("mplp-gate policy") << "::"
        << workflow_command_data(printable_utf8(w)) << "\n";
  if (options.step_summary != nullptr) render_github_summary(report, *options.step_summary);
}

void render_github_error(std::string_view message, const RenderOptions& options, std::ostream& out) {
  out << "::error title=" << workflow_command_property("mplp-gate could not run") << "::"
      << workflow_command_data(printable_utf8(message)) << "\n";
  out << inert_log_line("mplp-gate: could not run (exit 2): " + printable_utf8(message)) << "\n";
  if (options.step_summary != nullptr)
    *options.step_summary << "## mplp-gate: ERROR\n\nThe check could not run (exit 2): " << md(message) << "\n\n";
}

}  // namespace mplp
