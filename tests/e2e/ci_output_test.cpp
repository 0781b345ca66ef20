// End-to-end tests of issue 14, point 4 on the built binary: --format github
// stays within what GitHub shows (errors first, then warnings, at most
// --max-annotations of each, notices only when asked, one closing notice
// counting the rest), the step summary has the packs x gates table and the
// counts per code, and --statistics counts findings per code in text and JSON.
#include <gtest/gtest.h>

#include <map>

#include "core/json.h"
#include "core/schema.h"
#include "test_util.h"

namespace mplp {
namespace {

using test::run_tool;
using test::TempDir;

std::vector<std::string> lines_of(const std::string& text) {
  std::vector<std::string> out;
  for (std::size_t pos = 0; pos < text.size();) {
    std::size_t nl = text.find('\n', pos);
    out.push_back(text.substr(pos, nl - pos));
    pos = nl == std::string::npos ? text.size() : nl + 1;
  }
  return out;
}

std::map<std::string, std::size_t> commands_in(const std::string& text) {
  std::map<std::string, std::size_t> n;
  for (const std::string& l : lines_of(text))
    if (l.rfind("::", 0) == 0) ++n[l.substr(2, l.find(' ') - 2)];
  return n;
}

// A tree of passing packs: 300 copies would print 900 notices before; now
// nothing but the summary line and the closing notice.
TEST(GithubFormat, PassingPacksPrintNoNoticesUnlessAsked) {
  TempDir t;
  for (int i = 0; i < 30; ++i) test::copy_tree(test::fixture("packs/good-real"), t / ("runs/p" + std::to_string(i)));
  auto r = run_tool({"check", "--format", "github", t / "runs"});
  EXPECT_EQ(r.exit_code, 0) << r.out;
  auto n = commands_in(r.out);
  EXPECT_EQ(n["error"], 0u);
  EXPECT_EQ(n["warning"], 0u);
  EXPECT_EQ(n["notice"], 1u) << r.out;
  EXPECT_NE(r.out.find("::notice title=mplp-gate::"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("more findings are not annotated (0 errors, 0 warnings, "), std::string::npos) << r.out;
  auto asked = run_tool({"check", "--format", "github", "--annotate-info", t / "runs"});
  EXPECT_EQ(commands_in(asked.out)["notice"], 11u) << "10 info notices, then the closing one";
}

TEST(GithubFormat, ErrorsFirstThenWarningsAtMostNOfEach) {
  TempDir t;
  // Each tampered pack: one error (digest) and one warning (an unlisted file).
  for (int i = 0; i < 14; ++i) {
    std::string p = t / ("runs/p" + std::to_string(100 + i));
    test::copy_tree(test::fixture("packs/good-real"), p);
    test::write_file(p + "/artifacts/plan.json", "{\"tampered\": " + std::to_string(i) + "}\n");
    test::write_file(p + "/reports/extra.json", "{}\n");
  }
  auto r = run_tool({"check", "--format", "github", t / "runs"});
  EXPECT_EQ(r.exit_code, 1);
  auto lines = lines_of(r.out);
  std::size_t errors = 0, warnings = 0, last_error = 0, first_warning = SIZE_MAX;
  for (std::size_t i = 0; i < lines.size(); ++i) {
    if (lines[i].rfind("::error ", 0) == 0) ++errors, last_error = i;
    if (lines[i].rfind("::warning ", 0) == 0) {
      ++warnings;
      first_warning = std::min(first_warning, i);
    }
  }
  EXPECT_EQ(errors, 10u) << r.out;
  EXPECT_EQ(warnings, 10u) << r.out;
  EXPECT_LT(last_error, first_warning) << "errors come first";
  EXPECT_EQ(commands_in(r.out)["notice"], 1u);
  EXPECT_NE(r.out.find("more findings are not annotated ("), std::string::npos) << r.out;
  // The closing notice counts exactly what was left out.
  JsonDoc doc;
  auto json = run_tool({"check", "--format", "json", t / "runs"});
  ASSERT_TRUE(parse_json(json.out, {}, doc));
  std::size_t total = doc.value["summary"]["errors"].GetUint() + doc.value["summary"]["warnings"].GetUint() +
                      doc.value["summary"]["infos"].GetUint();
  EXPECT_NE(r.out.find("::notice title=mplp-gate::" + std::to_string(total - 20) + " more findings"),
            std::string::npos)
      << r.out;

  auto three = run_tool({"check", "--format", "github", "--max-annotations", "3", t / "runs"});
  EXPECT_EQ(commands_in(three.out)["error"], 3u);
  EXPECT_EQ(commands_in(three.out)["warning"], 3u);
  auto none = run_tool({"check", "--format", "github", "--max-annotations", "0", t / "runs"});
  EXPECT_EQ(commands_in(none.out)["error"], 0u);
  EXPECT_EQ(none.exit_code, 1) << "fewer annotations never change the exit code";
  EXPECT_EQ(run_tool({"check", "--format", "github", "--max-annotations", "-1", t / "runs"}).exit_code, 2);
  EXPECT_EQ(run_tool({"check", "--format", "github", "--max-annotations", "many", t / "runs"}).exit_code, 2);
}

TEST(GithubFormat, StepSummaryHasTheTableAndCountsPerCode) {
  TempDir t;
  std::string p = test::copy_good_pack(t);
  test::write_file(p + "/reports/a.json", "{}\n");
  test::write_file(p + "/reports/b.json", "{}\n");
  std::string summary = t / "summary.md";
  test::ScopedEnv env("GITHUB_STEP_SUMMARY", summary.c_str());
  auto r = run_tool({"check", "--format", "github", p});
  EXPECT_EQ(r.exit_code, 0);
  std::string md = test::read_file(summary);
  EXPECT_NE(md.find("| Pack | GATE-V2-ATTESTATION-01 |"), std::string::npos) << md;
  EXPECT_NE(md.find("### Findings by code"), std::string::npos) << md;
  EXPECT_NE(md.find("| 2 | warning | sums.unlisted | GATE-V2-INTEGRITY-01 |"), std::string::npos) << md;
}

TEST(Statistics, CountsPerCodeAndSeverityInTextAndJson) {
  TempDir t;
  std::string p = test::copy_good_pack(t);
  for (const char* f : {"a", "b", "c"}) test::write_file(p + "/reports/" + f + ".json", "{}\n");
  auto text = run_tool({"check", "--statistics", p});
  EXPECT_EQ(text.exit_code, 0);
  std::size_t at = text.out.find("Findings per code:\n");
  ASSERT_NE(at, std::string::npos) << text.out;
  EXPECT_NE(text.out.find("      3  warning  sums.unlisted", at), std::string::npos) << text.out;
  EXPECT_EQ(run_tool({"check", p}).out.find("Findings per code"), std::string::npos) << "only when asked";

  auto json = run_tool({"check", "--format", "json", "--statistics", p});
  JsonDoc doc;
  ASSERT_TRUE(parse_json(json.out, {}, doc));
  for (const auto& e : validate_with_schema("gate-report", doc.value)) ADD_FAILURE() << e.pointer << ": " << e.message;
  ASSERT_TRUE(doc.value.HasMember("statistics")) << json.out;
  const auto& first = doc.value["statistics"][0];
  EXPECT_EQ(std::string(first["code"].GetString()), "sums.unlisted");
  EXPECT_EQ(std::string(first["severity"].GetString()), "warning");
  EXPECT_EQ(first["count"].GetUint(), 3u);
  // The counts add up to the summary's.
  std::size_t sum = 0;
  for (const auto& s : doc.value["statistics"].GetArray()) sum += s["count"].GetUint();
  EXPECT_EQ(sum, doc.value["summary"]["errors"].GetUint() + doc.value["summary"]["warnings"].GetUint() +
                     doc.value["summary"]["infos"].GetUint());
  EXPECT_FALSE(doc.value.HasMember("statistics") &&
               run_tool({"check", "--format", "json", p}).out.find("\"statistics\"") != std::string::npos);
}

}  // namespace
}  // namespace mplp
