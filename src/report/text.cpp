// Human output: per pack, per gate, PASS / FAIL / SKIP, then each finding with
// its place, what was expected, what was found, and a hint.
#include <cstring>
#include <ostream>
#include <streambuf>
#include <string>

#include "core/text.h"
#include "report/common.h"
#include "report/render.h"

namespace mplp {

namespace {

struct Style {
  bool on;
  std::string paint(std::string_view code, std::string_view text) const {
    if (!on) return std::string(text);
    return "\x1b[" + std::string(code) + "m" + std::string(text) + "\x1b[0m";
  }
};

std::string_view status_colour(GateStatus s) {
  switch (s) {
    case GateStatus::Pass: return "32";
    case GateStatus::Fail: return "1;31";
    case GateStatus::Skip: return "33";
  }
  return "0";
}

std::string_view severity_colour(Severity s) {
  switch (s) {
    case Severity::Error: return "31";
    case Severity::Warning: return "33";
    case Severity::Info: return "36";
  }
  return "0";
}

// A pack path starts a line of its own. A directory a stranger named
// "::error ..." would make that line a workflow command when CI prints the
// report; "./::error ..." names the same directory and is inert.
std::string pack_header(const std::string& path) {
  std::string shown = printable_utf8(path);
  return shown.rfind("::", 0) == 0 ? "./" + shown : shown;
}

void field(std::ostream& out, std::string_view label, const std::string& value) {
  if (value.empty()) return;
  out << "             " << label << printable_utf8(value) << "\n";
}

// A detail that spans lines (a build log) is printed as lines, each indented
// under the first, so no line of it can start a line of the report.
void lines_field(std::ostream& out, std::string_view label, const std::string& value) {
  if (value.empty()) return;
  std::size_t start = 0;
  bool first = true;
  while (start <= value.size()) {
    std::size_t nl = value.find('\n', start);
    if (nl == std::string::npos) nl = value.size();
    std::string_view line(value.data() + start, nl - start);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (nl < value.size() || !line.empty())
      out << "             " << (first ? label : std::string_view("          ")) << printable_utf8(line) << "\n";
    first = false;
    start = nl + 1;
  }
}

}  // namespace

namespace {

void render_text_lines(const RunReport& report, const RenderOptions& options, std::ostream& out) {
  Style st{options.color};
  const auto paths = report::paths_by_name(report);
  std::size_t failed_packs = 0;
  // Quiet and failing: only what failed (failing packs, their failing
  // gates, the errors and warnings that count), then the summary.
  const bool only_failures = options.quiet;
  for (const PackResult& p : report.packs) {
    if (p.failed()) ++failed_packs;
    if (only_failures && !p.failed()) continue;
    out << st.paint("1", pack_header(p.path));
    if (!p.indexability.empty()) out << " (" << printable_utf8(p.indexability) << ")";
    out << "\n";
    for (const GateResult& g : p.gates) {
      if (only_failures && g.status != GateStatus::Fail) continue;
      out << "  " << st.paint(status_colour(g.status), to_string(g.status)) << "  " << printable_utf8(g.gate_id);
      if (g.status == GateStatus::Skip && !g.skip_reason.empty()) out << "  (" << printable_utf8(g.skip_reason) << ")";
      out << "\n";
      for (const Finding& f : g.findings) {
        if (only_failures && (f.severity == Severity::Info || !f.counts())) continue;
        std::string sev(to_string(f.severity));
        sev.resize(7, ' ');
        out << "    " << st.paint(severity_colour(f.severity), sev) << "  ";
        std::string where = format_location(f);
        if (!where.empty()) out << printable_utf8(where) << ": ";
        out << printable_utf8(f.message);
        if (!f.code.empty()) out << " [" << printable_utf8(f.code) << "]";
        if (!f.suppressed.empty()) out << " (suppressed: " << printable_utf8(f.suppressed) << ")";
        if (f.baseline) out << " (in the baseline)";
        out << "\n";
        lines_field(out, "detail:   ", f.detail);
        field(out, "expected: ", f.expected);
        field(out, "actual:   ", f.actual);
        field(out, "hint:     ", f.hint);
        field(out, "compare:  ", report::diff_command(paths, p.path, f));
      }
    }
    if (!p.not_verified.empty() && !only_failures) {
      std::string line;
      for (const Unverified& u : p.not_verified) line += (line.empty() ? "" : "; ") + u.check + " (" + u.reason + ")";
      out << "  " << st.paint("33", "NOT VERIFIED") << "  " << printable_utf8(line) << "\n";
    }
  }
  if (options.statistics) {
    out << "\nFindings per code:\n";
    for (const report::CodeCount& k : report::code_counts(report)) {
      std::string count = std::to_string(k.count), sev(to_string(k.severity)), code = printable_utf8(k.code);
      if (count.size() < 7) count.insert(0, 7 - count.size(), ' ');
      sev.resize(9, ' ');
      if (code.size() < 36) code.resize(36, ' ');
      out << count << "  " << sev << code << "  " << printable_utf8(k.gate_id) << "\n";
    }
  }
  RunReport::Counts c = report.counts();
  out << "\n";
  for (const std::string& w : report.warnings) out << st.paint("33", "warning") << ": " << printable_utf8(w) << "\n";
  out << "policy: " << printable_utf8(report.info.policy_name.empty() ? "builtin" : report.info.policy_name)
      << " (sha256 " << report.info.policy_sha256 << ")\n";
  if (report.runners_check)
    out << report::plural(report.runner_ids.size(), "runner", "runners") << " checked; ";
  else
    out << report.packs.size() << (report.packs.size() == 1 ? " pack" : " packs") << " checked, " << failed_packs
        << " failed; ";
  out << c.errors << (c.errors == 1 ? " error, " : " errors, ") << c.warnings
      << (c.warnings == 1 ? " warning, " : " warnings, ") << c.infos << " info"
      << (c.suppressed > 0 ? ", " + std::to_string(c.suppressed) + " accepted (suppressed or in the baseline)" : "")
      << "\n";
  out << (exit_code(report) == 0 ? st.paint("1;32", "RESULT: PASS") : st.paint("1;31", "RESULT: FAIL")) << "\n";
}

// Passes each line written to it through inert_log_line on its way to
// `out`: a detail's lines, a pack's name and every quoted value pass one
// check before a CI log reads them, and a report of 30,000 packs is never
// held whole (it had been, as a string and its inert copy: 150 MB).
class InertLines : public std::streambuf {
 public:
  explicit InertLines(std::ostream& out) : out_(out) {}
  // The last line, when it has no line break.
  void finish() {
    if (!line_.empty()) out_ << inert_log_line(line_);
    line_.clear();
  }

 protected:
  int_type overflow(int_type ch) override {
    if (traits_type::eq_int_type(ch, traits_type::eof())) return traits_type::not_eof(ch);
    const char c = traits_type::to_char_type(ch);
    xsputn(&c, 1);
    return ch;
  }
  std::streamsize xsputn(const char* s, std::streamsize n) override {
    for (std::streamsize done = 0; done < n;) {
      const auto* nl = static_cast<const char*>(std::memchr(s + done, '\n', static_cast<std::size_t>(n - done)));
      const std::streamsize end = nl == nullptr ? n : nl - s + 1;
      line_.append(s + done, static_cast<std::size_t>(end - done));
      done = end;
      if (nl != nullptr) {
        out_ << inert_log_line(line_);
        line_.clear();
      }
    }
    return n;
  }

 private:
  std::ostream& out_;
  std::string line_;
};

}  // namespace

void render_text(const RunReport& report, const RenderOptions& options, std::ostream& out) {
  if (options.quiet && exit_code(report) == 0) return;
  InertLines inert(out);
  std::ostream text(&inert);
  render_text_lines(report, options, text);
  inert.finish();
}

void render_text_error(std::string_view message, const RenderOptions& /*options*/, std::ostream& out) {
  out << inert_log_line("mplp-gate could not run: " + printable_utf8(message)) << "\nRESULT: ERROR (exit 2)\n";
}

}  // namespace mplp
