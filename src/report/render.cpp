#include "report/render.h"

namespace mplp {

const std::vector<Renderer>& all_renderers() {
  static const std::vector<Renderer> table = {
      {"json", "one JSON report (schemas/gate-report.schema.json)", render_json},
      {"text", "human-readable verdicts (default)", render_text},
  };
  return table;
}

const Renderer* find_renderer(std::string_view name) {
  for (const Renderer& r : all_renderers())
    if (r.name == name) return &r;
  return nullptr;
}

}  // namespace mplp
