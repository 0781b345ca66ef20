// The reports the renderer tests print: the real run over the bad fixture
// pack, an empty run, and a hand-built run holding an internal error and
// hostile strings (invalid UTF-8, control characters, markup).
#pragma once

#include <string>

#include "engine/run_report.h"
#include "report/render.h"

namespace mplp::test {

// Runs `check` in-process over fixtures/report/fail-mixed, from inside
// fixtures/report so that the pack is named "fail-mixed" on every machine.
// Unless `every_gate`, the report keeps only the gates the goldens were made
// with, so that a gate added later changes no golden.
RunReport fail_mixed_report(unsigned jobs = 0, bool every_gate = false);
// The golden gates of a default run, and no pack.
RunReport empty_report();
// One pack with a name and findings built to break naive renderers, one gate
// that failed with an internal error, one that skipped, one that passed.
RunReport internal_error_report(const std::string& extra = "");

// Renders `report` in `format` with a fixed tool version (goldens must not
// change with the commit).
std::string render(const RunReport& report, const std::string& format, RenderOptions options = {});

// Changes the working directory for its lifetime.
class ScopedCwd {
 public:
  explicit ScopedCwd(const std::string& dir);
  ~ScopedCwd();
  ScopedCwd(const ScopedCwd&) = delete;
  ScopedCwd& operator=(const ScopedCwd&) = delete;

 private:
  std::string old_;
};

}  // namespace mplp::test
