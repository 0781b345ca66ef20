// Renderers: one function per output format, one signature, one table.
//
// Every renderer reads the same RunReport (already sorted) and writes bytes;
// none decides the exit code. Output is deterministic: no timestamps, stable
// key order.
//
//   const Renderer* r = find_renderer("json");
//   r->render(report, RenderOptions{}, std::cout);
#pragma once

#include <ostream>
#include <string_view>
#include <vector>

#include "engine/run_report.h"

namespace mplp {

struct RenderOptions {
  bool color = false;  // ANSI colour (text only)
  bool quiet = false;  // text: print nothing when the run passes
  std::string_view tool_version;
};

struct Renderer {
  std::string_view name;
  std::string_view description;
  void (*render)(const RunReport& report, const RenderOptions& options, std::ostream& out);
};

// Every format, sorted by name.
const std::vector<Renderer>& all_renderers();
const Renderer* find_renderer(std::string_view name);

// The individual renderers (declared here so the table and tests can name them).
void render_text(const RunReport& report, const RenderOptions& options, std::ostream& out);
void render_json(const RunReport& report, const RenderOptions& options, std::ostream& out);

}  // namespace mplp
