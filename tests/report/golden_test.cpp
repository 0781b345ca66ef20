// Golden files: the exact bytes of every format for three reports (the real
// run over fixtures/report/fail-mixed, the empty report, and a report holding
// an internal error and hostile strings), plus the GitHub step summary.
//
// To regenerate after an intended change of output (review the diff!):
//   MPLP_UPDATE_GOLDEN=1 ./build/tests/report/report-tests --gtest_filter='Golden*'
// or: MPLP_UPDATE_GOLDEN=1 meson test -C build report
#include <gtest/gtest.h>

#include <cstdlib>
#include <sstream>

#include "core/text.h"
#include "report_cases.h"
#include "test_util.h"

namespace mplp::test {
namespace {

std::string extension(const std::string& format) {
  if (format == "json") return "json";
  if (format == "sarif") return "sarif";
  if (format == "junit") return "xml";
  if (format == "github") return "github.txt";
  if (format == "html") return "html";
  return "txt";
}

// Printable ASCII, everything else as \xNN, at most about 300 characters.
std::string ascii(const std::string& s) { return printable_ascii(s, 301); }

bool updating() {
  const char* v = std::getenv("MPLP_UPDATE_GOLDEN");
  return v != nullptr && std::string(v) == "1";
}

void expect_golden(const std::string& name, const std::string& actual) {
  std::string path = source_root() + "/tests/report/golden/" + name;
  if (updating()) {
    write_file(path, actual);
    std::cout << "updated " << path << "\n";
    return;
  }
  std::string expected;
  try {
    expected = read_file(path);
  } catch (const std::exception&) {
    FAIL() << "missing golden file " << path << " (MPLP_UPDATE_GOLDEN=1 creates it)";
  }
  if (expected == actual) return;
  // Name the first differing line, escaped to ASCII: the goldens hold hostile
  // bytes (e.g. U+FFFE) that would make the gtest XML report ill-formed.
  std::istringstream e(expected), a(actual);
  std::string el, al;
  int line = 0;
  while (true) {
    ++line;
    bool more_e = static_cast<bool>(std::getline(e, el)), more_a = static_cast<bool>(std::getline(a, al));
    if (!more_e && !more_a) break;
    if (el != al || more_e != more_a) break;
  }
  ADD_FAILURE() << "output differs from " << path << " at line " << line << "\n  expected: " << ascii(el)
                << "\n  actual:   " << ascii(al)
                << "\nif the change is intended, rerun with MPLP_UPDATE_GOLDEN=1 and review the diff";
}

const char* kFormats[] = {"github", "html", "json", "junit", "sarif", "text"};

void check_all_formats(const std::string& case_name, const RunReport& report) {
  for (const char* format : kFormats) {
    SCOPED_TRACE(format);
    expect_golden(case_name + "." + extension(format), render(report, format));
  }
  std::ostringstream summary;
  render_github_summary(report, summary);
  expect_golden(case_name + ".step-summary.md", summary.str());
}

TEST(Golden, FailMixedPackEveryFormat) {
  RunReport r = fail_mixed_report();
  ASSERT_EQ(r.packs.size(), 1u);
  EXPECT_EQ(r.packs[0].path, "fail-mixed");
  // The fixture is what it says: errors, a warning and info.
  RunReport::Counts c = r.counts();
  EXPECT_GE(c.errors, 2u);
  EXPECT_GE(c.warnings, 1u);
  EXPECT_GE(c.infos, 1u);
  EXPECT_EQ(exit_code(r), 1);
  check_all_formats("fail-mixed", r);
}

TEST(Golden, EmptyReportEveryFormat) {
  RunReport r = empty_report();
  EXPECT_EQ(exit_code(r), 0);
  check_all_formats("empty", r);
}

TEST(Golden, InternalErrorReportEveryFormat) {
  RunReport r = internal_error_report();
  EXPECT_EQ(exit_code(r), 1);
  check_all_formats("internal-error", r);
}

TEST(Golden, TextWithColourAndQuiet) {
  RenderOptions colour;
  colour.color = true;
  expect_golden("internal-error.color.txt", render(internal_error_report(), "text", colour));
  RenderOptions quiet;
  quiet.quiet = true;
  EXPECT_EQ(render(empty_report(), "text", quiet), "");
  EXPECT_NE(render(internal_error_report(), "text", quiet), "") << "-q must not hide a failing run";
}

TEST(Golden, TwoRunsGiveIdenticalBytes) {
  RunReport a = fail_mixed_report(1);
  RunReport b = fail_mixed_report(4);
  for (const char* format : kFormats) {
    SCOPED_TRACE(format);
    EXPECT_EQ(render(a, format), render(b, format));
  }
}

}  // namespace
}  // namespace mplp::test
