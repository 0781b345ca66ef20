// The HTML report: one self-contained page (inline style and script only;
// a Content-Security-Policy forbids loading anything else) with a packs x
// gates matrix coloured by verdict, filters by gate, verdict, severity, code
// and pack name, each finding with file, place, expected, found and hint,
// and the run's options and policy digest.
//
// The page is a fixed skeleton plus the report as one JSON blob inside
// <script type="application/json">; src/report/html/report.js builds the
// page from it with DOM calls (no innerHTML), so pack strings are only ever
// text, shown as the text report shows them (hidden controls as \uXXXX).
// Inside the blob '<', '>', '&', U+2028 and U+2029 are written as \uXXXX, so
// no string can end the script element or be read as markup, and invalid
// UTF-8 becomes U+FFFD. Rows are added 200 at a time and a pack's
// findings become DOM only when it is opened: 10,000 packs stay usable.
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <map>
#include <set>

#include "core/embedded.h"
#include "core/text.h"
#include "report/common.h"
#include "report/render.h"

namespace mplp {

namespace {

using Writer = rapidjson::Writer<rapidjson::StringBuffer>;

// Every string as the text report shows it (printable_utf8), line by line
// so a detail keeps its lines: a page built with textContent runs no
// markup, but a bidi override or a zero-width character in a pack's name
// would still reorder or hide what an auditor reads (QA-50).
void str(Writer& w, std::string_view v) {
  std::string shown;
  for (std::size_t start = 0;;) {
    const std::size_t nl = v.find('\n', start);
    shown += printable_utf8(v.substr(start, nl == std::string_view::npos ? v.npos : nl - start));
    if (nl == std::string_view::npos) break;
    shown += '\n';
    start = nl + 1;
  }
  write_json_string(w, shown);
}

void strings(Writer& w, const std::vector<std::string>& items) {
  w.StartArray();
  for (const std::string& s : items) str(w, s);
  w.EndArray();
}

int status_index(GateStatus s) { return s == GateStatus::Pass ? 0 : s == GateStatus::Fail ? 1 : 2; }

// Where in the file, in words: "line 12, column 3", "JSON pointer /env_ref/runner_id", "byte offset 1024".
std::string place(const Finding& f) {
  const Location& l = f.location;
  std::string out;
  if (l.line > 0) out = "line " + std::to_string(l.line) + (l.column > 0 ? ", column " + std::to_string(l.column) : "");
  if (!l.pointer.empty()) out += (out.empty() ? "" : ", ") + std::string("JSON pointer ") + l.pointer;
  if (out.empty() && l.has_offset) out = "byte offset " + std::to_string(l.offset);
  return out;
}

void run_info(Writer& w, const RunInfo& info) {
  w.StartObject();
  str(w, "policy");
  str(w, info.policy_name.empty() ? "builtin" : info.policy_name);
  str(w, "policy_sha256");
  str(w, info.policy_sha256);
  str(w, "require_signature");
  w.Bool(info.require_signature);
  str(w, "trusted_keys");
  strings(w, info.trusted_keys);
  str(w, "registry_sha256");
  str(w, info.registry_sha256);
  str(w, "repo_root");
  w.Bool(info.repo_root);
  str(w, "only");
  strings(w, info.only_gates);
  str(w, "skip");
  strings(w, info.skip_gates);
  w.EndObject();
}

void pack_data(Writer& w, const PackResult& p, const std::map<std::string, int>& gate_index,
               const std::unordered_map<std::string, std::string>& paths, std::size_t gates) {
  w.StartObject();
  str(w, "p");
  str(w, p.path);
  str(w, "i");
  str(w, p.indexability);
  str(w, "r");
  w.Int(p.failed() ? 1 : 0);
  std::vector<const GateResult*> by_gate(gates, nullptr);
  for (const GateResult& g : p.gates)
    if (auto it = gate_index.find(g.gate_id); it != gate_index.end()) by_gate[it->second] = &g;
  str(w, "g");
  w.StartArray();
  for (const GateResult* g : by_gate) {
    if (g == nullptr) {
      w.Null();
      continue;
    }
    // Accepted findings (suppressed, or in the baseline) are counted apart:
    // they never decide a verdict, so they do not colour its cell.
    int counts[3] = {0, 0, 0}, accepted = 0;
    for (const Finding& f : g->findings) f.counts() ? ++counts[static_cast<int>(f.severity)] : ++accepted;
    w.StartArray();
    w.Int(status_index(g->status));
    w.Int(counts[2]);
    w.Int(counts[1]);
    w.Int(counts[0]);
    str(w, g->skip_reason);
    if (accepted > 0) w.Int(accepted);
    w.EndArray();
  }
  w.EndArray();
  str(w, "f");
  w.StartArray();
  for (const GateResult& g : p.gates) {
    auto it = gate_index.find(g.gate_id);
    for (const Finding& f : g.findings) {
      w.StartArray();
      w.Int(it == gate_index.end() ? -1 : it->second);
      w.Int(static_cast<int>(f.severity));
      for (const std::string& s : {f.code, f.file, place(f), f.message, f.detail, f.expected, f.actual, f.hint,
                                   report::diff_command(paths, p.path, f)})
        str(w, s);
      if (!f.counts()) str(w, f.baseline ? "in the baseline (--baseline)" : "suppressed: " + f.suppressed);
      w.EndArray();
    }
  }
  w.EndArray();
  // What the verdict does not cover (text's NOT VERIFIED line), when anything.
  if (!p.not_verified.empty()) {
    str(w, "u");
    w.StartArray();
    for (const Unverified& u : p.not_verified) {
      w.StartArray();
      str(w, u.check);
      str(w, u.reason);
      w.EndArray();
    }
    w.EndArray();
  }
  w.EndObject();
}

// The report as JSON, then made safe to sit inside a <script> element.
std::string blob(const RunReport& report, const RenderOptions& options) {
  rapidjson::StringBuffer buf;
  Writer w(buf);
  std::map<std::string, int> gate_index;
  std::set<std::string> codes;
  for (const Gate* g : report.gates) gate_index.emplace(std::string(g->info().id), static_cast<int>(gate_index.size()));
  for (const PackResult& p : report.packs)
    for (const GateResult& g : p.gates)
      for (const Finding& f : g.findings) codes.insert(to_valid_utf8(f.code));
  w.StartObject();
  str(w, "tool");
  str(w, "mplp-gate " + std::string(options.tool_version));
  str(w, "result");
  str(w, exit_code(report) == 0 ? "pass" : "fail");
  str(w, "strict");
  w.Bool(report.strict);
  str(w, "warnings");
  strings(w, report.warnings);
  str(w, "run");
  run_info(w, report.info);
  str(w, "gates");
  w.StartArray();
  for (const Gate* g : report.gates) {
    w.StartObject();
    str(w, "id");
    str(w, g->info().id);
    str(w, "title");
    str(w, g->info().title);
    w.EndObject();
  }
  w.EndArray();
  str(w, "codes");
  strings(w, std::vector<std::string>(codes.begin(), codes.end()));
  str(w, "packs");
  w.StartArray();
  const auto paths = report::paths_by_name(report);
  for (const PackResult& p : report.packs) pack_data(w, p, gate_index, paths, report.gates.size());
  w.EndArray();
  w.EndObject();

  return json_for_script(std::string_view(buf.GetString(), buf.GetSize()));
}

constexpr std::string_view kHead =
    "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
    "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'; "
    "script-src 'unsafe-inline'\">\n"
    "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
    "<title>mplp-gate report</title>\n<style>\n";

constexpr std::string_view kBody =
    "</style>\n</head>\n<body>\n"
    "<header><h1>mplp-gate report</h1><div id=\"summary\"></div></header>\n<main>\n"
    "<noscript><p>This report is drawn by the script inside this file; enable JavaScript to read it, or use "
    "<code>mplp-gate check --format text</code>.</p></noscript>\n"
    "<details class=\"run\"><summary>Run options and policy</summary><dl id=\"run-options\"></dl></details>\n"
    "<div class=\"filters\">\n"
    "<label>Gate <select id=\"f-gate\"><option value=\"\">any gate</option></select></label>\n"
    "<label>Verdict <select id=\"f-status\"><option value=\"\">any verdict</option><option value=\"FAIL\">FAIL"
    "</option><option value=\"PASS\">PASS</option><option value=\"SKIP\">SKIP</option></select></label>\n"
    "<label>Severity <select id=\"f-sev\"><option value=\"\">any severity</option></select></label>\n"
    "<label>Code <select id=\"f-code\"><option value=\"\">any code</option></select></label>\n"
    "<label>Pack <input id=\"f-text\" type=\"search\" placeholder=\"name contains\"></label>\n"
    "<span id=\"count\"></span>\n</div>\n"
    "<table class=\"matrix\"><thead id=\"matrix-head\"></thead><tbody id=\"matrix-body\"></tbody></table>\n"
    "<button type=\"button\" class=\"more\" id=\"more\" hidden></button>\n</main>\n"
    "<script type=\"application/json\" id=\"report-data\">";

}  // namespace

void render_html(const RunReport& report, const RenderOptions& options, std::ostream& out) {
  out << kHead << embedded::get("src/report/html/report.css") << kBody << blob(report, options)
      << "</script>\n<script>\n"
      << embedded::get("src/report/html/report.js") << "</script>\n</body>\n</html>\n";
}

void render_html_error(std::string_view message, const RenderOptions& options, std::ostream& out) {
  // No script: the page is the message alone, every character of it text.
  const std::string text = html_text(printable_utf8(message));
  out << kHead << "</style>\n</head>\n<body>\n<header><h1>mplp-gate report</h1></header>\n<main>\n"
      << "<p class=\"error\" id=\"run-error\">The check could not run (exit code 2): " << text << "</p>\n"
      << "<p>mplp-gate " << printable_utf8(options.tool_version) << "</p>\n</main>\n</body>\n</html>\n";
}

}  // namespace mplp
