// Renderers: one function per output format, one signature, one table.
//
// Every renderer reads the same RunReport (already sorted) and writes bytes;
// none decides the exit code, reads the environment or opens files (the CLI
// does, and passes what a renderer needs in RenderOptions). Output is
// deterministic: no timestamps, stable key order. Strings from packs may hold
// any bytes; every renderer emits valid UTF-8 (core/text.h to_valid_utf8).
//
//   const Renderer* r = find_renderer("sarif");
//   r->render(report, RenderOptions{}, std::cout);
#pragma once

#include <ostream>
#include <string>
#include <string_view>
#include <vector>

#include "engine/run_report.h"

namespace mplp {

struct RenderOptions {
  bool color = false;  // ANSI colour (text only)
  bool quiet = false;  // text: nothing when the run passes; on failure only what failed
  std::string_view tool_version;  // "0.1.0 (commit abc)"; SARIF driver.version, JSON tool.version
  // github: when non-null, a Markdown summary table (packs x gates) is
  // written here too (the CLI opens $GITHUB_STEP_SUMMARY for appending).
  std::ostream* step_summary = nullptr;
  // github: at most this many annotations of each kind (errors, then
  // warnings, then, only with annotate_info, notices); GitHub itself shows
  // at most 10 of each per step and drops the rest without a word.
  std::size_t max_annotations = 10;
  bool annotate_info = false;
  // text and json: counts per finding code and severity (--statistics).
  bool statistics = false;
};

struct Renderer {
  std::string_view name;
  std::string_view description;
  void (*render)(const RunReport& report, const RenderOptions& options, std::ostream& out);
  // The report of a run that could not happen (exit 2): `message` says why,
  // in the format's machine-readable shape (JSON `error`, SARIF invocation
  // with executionSuccessful false, JUnit <error>, ...), so that a CI step
  // uploading reports whatever happened finds one that says so.
  void (*render_error)(std::string_view message, const RenderOptions& options, std::ostream& out);
};

// Every format, sorted by name.
const std::vector<Renderer>& all_renderers();
const Renderer* find_renderer(std::string_view name);

// The individual renderers (declared here so the table and tests can name them).
void render_github(const RunReport& report, const RenderOptions& options, std::ostream& out);
void render_html(const RunReport& report, const RenderOptions& options, std::ostream& out);
void render_json(const RunReport& report, const RenderOptions& options, std::ostream& out);
void render_junit(const RunReport& report, const RenderOptions& options, std::ostream& out);
void render_sarif(const RunReport& report, const RenderOptions& options, std::ostream& out);
void render_text(const RunReport& report, const RenderOptions& options, std::ostream& out);

void render_github_error(std::string_view message, const RenderOptions& options, std::ostream& out);
void render_html_error(std::string_view message, const RenderOptions& options, std::ostream& out);
void render_json_error(std::string_view message, const RenderOptions& options, std::ostream& out);
void render_junit_error(std::string_view message, const RenderOptions& options, std::ostream& out);
void render_sarif_error(std::string_view message, const RenderOptions& options, std::ostream& out);
void render_text_error(std::string_view message, const RenderOptions& options, std::ostream& out);

// The GitHub step summary alone (Markdown; render_github calls it).
void render_github_summary(const RunReport& report, std::ostream& out);

}  // namespace mplp
