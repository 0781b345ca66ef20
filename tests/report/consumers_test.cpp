// SARIF checked by its real consumers: the SARIF 2.1.0 JSON schema (through
// Ajv, with `format` checked) and Microsoft's SARIF multitool
// (`Sarif.Multitool validate`: no error, no warning), on the fixture reports
// and on the upstream corpus. Both come from the npm registry and are
// installed by scripts/test-stages/30-sarif-tool.sh, which then runs these
// tests with MPLP_NPM_TOOLS pointing at them. Without that variable (e.g.
// under a plain `meson test`) the tests say so and skip.
//
// The schema file is the one the multitool package ships beside its binary
// (sarif-2.1.0.json: the OASIS SARIF 2.1.0 schema as the SARIF SDK carries
// it), so nothing is downloaded when the tests run.
#include <gtest/gtest.h>

#include <cstdlib>

#include "core/json.h"
#include "report_cases.h"
#include "test_util.h"

namespace mplp::test {
namespace {

std::string npm_tools() {
  const char* v = std::getenv("MPLP_NPM_TOOLS");
  return v != nullptr ? v : "";
}

std::string multitool_dir() { return npm_tools() + "/node_modules/@microsoft/sarif-multitool-linux"; }

bool exists(const std::string& path) {
  std::string out;
  return run_shell("test -e " + shell_quote(path), out) == 0;
}

#define REQUIRE_NPM_TOOLS()                                                                              \
  if (npm_tools().empty())                                                                               \
    GTEST_SKIP() << "SARIF consumers not installed (MPLP_NPM_TOOLS unset): "                             \
                    "scripts/test-stages/30-sarif-tool.sh installs them and runs these tests";           \
  if (!exists(multitool_dir() + "/sarif-2.1.0.json"))                                                    \
    GTEST_SKIP() << "the SARIF multitool package is missing under " << npm_tools() << ": install failed"

// The SARIF files under test: fixture reports rendered in-process, and the
// built binary's output over the upstream corpus (each pack, and all at once).
std::vector<std::string> write_sarif_files(const TempDir& dir) {
  std::vector<std::string> files;
  auto add = [&](const std::string& name, const std::string& bytes) {
    files.push_back(dir / (name + ".sarif"));
    write_file(files.back(), bytes);
  };
  add("fail-mixed", render(fail_mixed_report(), "sarif"));
  add("empty", render(empty_report(), "sarif"));
  add("internal-error", render(internal_error_report(), "sarif"));
  ScopedCwd cwd(corpus("upstream"));
  for (const char* pack : {"real/mcp/mcp-d1-real-runner-001", "real/langchain/langchain-d1-real-runner-det-001",
                           "real/crewai/crewai-d1-real-runner-det-001", "synthetic/mcp/mcp-d1-synthetic-001"}) {
    RunResult r = run_tool({"check", "--format", "sarif", pack});
    EXPECT_NE(r.exit_code, 2) << pack << ": " << r.err;
    std::string name = pack;
    for (char& c : name)
      if (c == '/') c = '_';
    add("corpus-" + name, r.out);
  }
  RunResult all = run_tool({"check", "--format", "sarif", "real", "synthetic"});
  EXPECT_EQ(all.exit_code, 1) << all.err;
  add("corpus-all", all.out);
  return files;
}

TEST(SarifConsumers, ValidAgainstTheSarif210Schema) {
  REQUIRE_NPM_TOOLS();
  TempDir dir;
  std::vector<std::string> files = write_sarif_files(dir);
  std::string cmd = "NODE_PATH=" + shell_quote(npm_tools() + "/node_modules") + " node " +
                    shell_quote(source_root() + "/tests/report/sarif_schema_check.js") + " " +
                    shell_quote(multitool_dir() + "/sarif-2.1.0.json");
  for (const std::string& f : files) cmd += " " + shell_quote(f);
  std::string out;
  int rc = run_shell(cmd, out);
  std::cout << out;
  EXPECT_EQ(rc, 0) << out;
  EXPECT_EQ(out.find("invalid:"), std::string::npos);

  // Control: the validator does reject what the schema forbids.
  std::string bad = render(internal_error_report(), "sarif");
  const std::string note = "\"level\": \"note\"";
  bad.replace(bad.find(note), note.size(), "\"level\": \"fyi\"");
  write_file(dir / "control.sarif", bad);
  std::string control = "NODE_PATH=" + shell_quote(npm_tools() + "/node_modules") + " node " +
                        shell_quote(source_root() + "/tests/report/sarif_schema_check.js") + " " +
                        shell_quote(multitool_dir() + "/sarif-2.1.0.json") + " " + shell_quote(dir / "control.sarif");
  EXPECT_EQ(run_shell(control, out), 1) << out;
  EXPECT_NE(out.find("invalid:"), std::string::npos) << out;
}

// Runs `Sarif.Multitool validate` on `file`; returns its errors and warnings
// (from the SARIF log it writes), one line each.
std::vector<std::string> multitool_problems(const std::string& tool, const std::string& file, int& rc) {
  std::string out, log = file + ".validation.sarif";
  rc = run_shell(shell_quote(tool) + " validate " + shell_quote(file) + " --output " + shell_quote(log) +
                     " --level 'Error;Warning' --quiet",
                 out);
  std::vector<std::string> problems;
  JsonDoc doc;
  if (!parse_json(read_file(log), {}, doc)) return {"no validation log: " + out};
  for (const rapidjson::Value& run : doc.value["runs"].GetArray()) {
    if (run.HasMember("results"))
      for (const rapidjson::Value& res : run["results"].GetArray()) {
        std::string level = res.HasMember("level") ? res["level"].GetString() : "warning";  // SARIF's default
        if (level != "error" && level != "warning") continue;
        std::string text = res["message"].HasMember("text") ? res["message"]["text"].GetString() : "";
        if (res["message"].HasMember("arguments"))
          for (const rapidjson::Value& a : res["message"]["arguments"].GetArray())
            text += std::string(" | ") + a.GetString();
        problems.push_back(std::string(res["ruleId"].GetString()) + " " + level + ": " + text);
      }
    if (run.HasMember("invocations"))
      for (const rapidjson::Value& inv : run["invocations"].GetArray())
        if (inv.HasMember("toolExecutionNotifications"))
          for (const rapidjson::Value& n : inv["toolExecutionNotifications"].GetArray())
            problems.push_back(std::string("notification: ") + n["message"]["text"].GetString());
  }
  return problems;
}

TEST(SarifConsumers, MultitoolValidateReportsNoErrorAndNoWarning) {
  REQUIRE_NPM_TOOLS();
  std::string tool = multitool_dir() + "/Sarif.Multitool";
  std::string out;
  if (run_shell(shell_quote(tool) + " --version", out) != 0)
    GTEST_SKIP() << "Sarif.Multitool cannot run on this machine, so SARIF was NOT checked by it:\n" << out;
  TempDir dir;
  // Control: the harness does see problems (a result without a region draws SARIF2017).
  std::string bad = render(internal_error_report(), "sarif");
  const std::string pad(18, ' ');
  std::size_t region =
      bad.find("\"region\": {\n" + pad + "\"startLine\": 3,\n" + pad + "\"startColumn\": 7\n" + pad.substr(2) + "}");
  ASSERT_NE(region, std::string::npos);
  bad.replace(region, bad.find('}', region) + 1 - region, "\"properties\": {}");
  write_file(dir / "control.sarif", bad);
  int rc = 0;
  EXPECT_FALSE(multitool_problems(tool, dir / "control.sarif", rc).empty())
      << "the multitool found nothing in the control";

  for (const std::string& f : write_sarif_files(dir)) {
    SCOPED_TRACE(f);
    std::vector<std::string> problems = multitool_problems(tool, f, rc);
    for (const std::string& p : problems) ADD_FAILURE() << p;
    EXPECT_EQ(rc, 0);
    std::cout << "Sarif.Multitool validate " << f << ": " << problems.size() << " errors or warnings\n";
  }
}

}  // namespace
}  // namespace mplp::test
