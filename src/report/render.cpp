#include "report/render.h"

namespace mplp {

const std::vector<Renderer>& all_renderers() {
  static const std::vector<Renderer> table = {
      {"github", "GitHub Actions workflow commands (annotations), plus a step summary", render_github, render_github_error},
      {"html", "one self-contained HTML page: packs x gates matrix, filters, every finding", render_html, render_html_error},
      {"json", "one JSON report (schemas/gate-report.schema.json)", render_json, render_json_error},
      {"junit", "JUnit XML: one testsuite per gate, one testcase per pack", render_junit, render_junit_error},
      {"sarif", "SARIF 2.1.0 (code scanning): one rule per gate, one result per finding", render_sarif, render_sarif_error},
      {"text", "human-readable verdicts (default)", render_text, render_text_error},
  };
  return table;
}

const Renderer* find_renderer(std::string_view name) {
  for (const Renderer& r : all_renderers())
    if (r.name == name) return &r;
  return nullptr;
}

}  // namespace mplp
