// End-to-end tests of exit 2 (issue 14, point 6): when `check` cannot run,
// every requested report file and the stdout format still say so in their
// machine-readable shape, so a CI step that uploads reports whatever happened
// finds one.
#include <gtest/gtest.h>

#include <filesystem>

#include "core/json.h"
#include "core/schema.h"
#include "test_util.h"

namespace mplp {
namespace {

using test::run_tool;
using test::TempDir;

std::string good() { return test::fixture("packs/good-real"); }

JsonDoc parse_or_fail(const std::string& text) {
  JsonDoc doc;
  EXPECT_TRUE(parse_json(text, {}, doc)) << doc.error.message << "\n" << text;
  return doc;
}

// The JSON error report: valid against the report schema, result "error",
// the message, and no verdicts.
void expect_json_error(const std::string& text, const std::string& message_has) {
  JsonDoc doc = parse_or_fail(text);
  if (!doc.value.IsObject()) return;
  for (const auto& e : validate_with_schema("gate-report", doc.value)) ADD_FAILURE() << e.pointer << ": " << e.message;
  EXPECT_EQ(std::string(doc.value["result"].GetString()), "error");
  ASSERT_TRUE(doc.value.HasMember("error")) << text;
  EXPECT_NE(std::string(doc.value["error"]["message"].GetString()).find(message_has), std::string::npos) << text;
  EXPECT_EQ(doc.value["error"]["exit_code"].GetInt(), 2);
  EXPECT_EQ(doc.value["packs"].Size(), 0u);
  EXPECT_EQ(doc.value["summary"]["packs"].GetUint(), 0u);
}

void expect_sarif_error(const std::string& text, const std::string& message_has) {
  JsonDoc doc = parse_or_fail(text);
  if (!doc.value.IsObject()) return;
  const auto& run = doc.value["runs"][0];
  EXPECT_EQ(run["results"].Size(), 0u);
  const auto& inv = run["invocations"][0];
  EXPECT_FALSE(inv["executionSuccessful"].GetBool());
  EXPECT_EQ(inv["exitCode"].GetInt(), 2);
  const auto& note = inv["toolExecutionNotifications"][0];
  EXPECT_EQ(std::string(note["level"].GetString()), "error");
  EXPECT_NE(std::string(note["message"]["text"].GetString()).find(message_has), std::string::npos) << text;
}

void expect_junit_error(const std::string& text, const std::string& message_has) {
  EXPECT_EQ(text.rfind("<?xml", 0), 0u) << text;
  EXPECT_NE(text.find("<testsuites name=\"mplp-gate\" tests=\"1\" failures=\"0\" errors=\"1\""), std::string::npos)
      << text;
  std::size_t error = text.find("<error message=\"");
  ASSERT_NE(error, std::string::npos) << text;
  EXPECT_NE(text.find(message_has, error), std::string::npos) << text;
  EXPECT_EQ(text.find("<failure"), std::string::npos) << text;
}

// Issue 13, point 5: a duplicate key in a policy is an error naming its
// line (exit 2), never a silent choice of one of the two values.
TEST(CouldNotRun, PolicyWithDuplicateKeyExitsTwoNamingTheLine) {
  TempDir t;
  test::write_file(t / "dup.yaml", "hosts:\n  forbidden: [evil.example]\n  forbidden: []\n");
  auto r = run_tool({"check", "--policy", t / "dup.yaml", good()});
  EXPECT_EQ(r.exit_code, 2) << r.out << r.err;
  EXPECT_NE(r.err.find("dup.yaml:3:"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("duplicate key 'forbidden'"), std::string::npos) << r.err;
}

TEST(CouldNotRun, EveryRequestedReportCarriesTheError) {
  TempDir t;
  test::write_file(t / "bad-policy.yaml", "hosts:\n  allowed: [a.com]\n  nope: 1\n");
  const std::string out = t / "out";
  std::filesystem::create_directories(out);
  std::vector<std::string> args = {"check", "--policy", t / "bad-policy.yaml", "--format", "json"};
  for (const char* f : {"json", "sarif", "junit", "github", "html", "text"})
    args.push_back("--report=" + std::string(f) + "=" + out + "/r." + f);
  args.push_back(good());
  auto r = run_tool(args);
  EXPECT_EQ(r.exit_code, 2) << r.out << r.err;
  EXPECT_NE(r.err.find("bad-policy.yaml:3:"), std::string::npos) << r.err;
  expect_json_error(r.out, "bad-policy.yaml:3:");
  expect_json_error(test::read_file(out + "/r.json"), "bad-policy.yaml:3:");
  expect_sarif_error(test::read_file(out + "/r.sarif"), "bad-policy.yaml:3:");
  expect_junit_error(test::read_file(out + "/r.junit"), "bad-policy.yaml:3:");
  std::string gh = test::read_file(out + "/r.github");
  EXPECT_EQ(gh.rfind("::error title=mplp-gate could not run::invalid policy: ", 0), 0u) << gh;
  std::string html = test::read_file(out + "/r.html");
  EXPECT_NE(html.find("id=\"run-error\""), std::string::npos) << html;
  EXPECT_NE(html.find("bad-policy.yaml:3:"), std::string::npos);
  EXPECT_EQ(html.find("<script"), std::string::npos) << "the error page needs no script";
  std::string text = test::read_file(out + "/r.text");
  EXPECT_NE(text.find("mplp-gate could not run: invalid policy"), std::string::npos) << text;
  EXPECT_NE(text.find("RESULT: ERROR"), std::string::npos) << text;
}

TEST(CouldNotRun, StdoutCarriesTheErrorInEveryMachineFormat) {
  TempDir t;
  auto sarif = run_tool({"check", "--format", "sarif", t / "missing"});
  EXPECT_EQ(sarif.exit_code, 2);
  expect_sarif_error(sarif.out, "missing");
  auto junit = run_tool({"check", "--format", "junit", t / "missing"});
  EXPECT_EQ(junit.exit_code, 2);
  expect_junit_error(junit.out, "missing");
  auto gh = run_tool({"check", "--format=github", t / "missing"});
  EXPECT_EQ(gh.exit_code, 2);
  EXPECT_EQ(gh.out.rfind("::error title=mplp-gate could not run::", 0), 0u) << gh.out;
  // Text readers have stderr; stdout stays empty for them.
  auto text = run_tool({"check", t / "missing"});
  EXPECT_EQ(text.exit_code, 2);
  EXPECT_TRUE(text.out.empty()) << text.out;
  EXPECT_NE(text.err.find("missing"), std::string::npos);
}

// stderr is a CI log too: a path a stranger named starts no line of it and
// carries no command, whatever it holds.
TEST(CouldNotRun, StderrQuotesAHostilePathInertly) {
  TempDir t;
  for (const std::string& name : {std::string("a\n::add-mask::x"), std::string("b\r\n  ::error::y"),
                                   std::string("c ##[error]z"), std::string("d\xe2\x80\xae\xc2\x9b")}) {
    test::write_file(t / "file", "");
    for (const std::string& path : {t / name, t / "file" + name}) {
      auto r = run_tool({"check", path});
      EXPECT_EQ(r.exit_code, 2) << r.err;
      std::size_t start = 0;
      for (std::size_t nl; (nl = r.err.find('\n', start)) != std::string::npos; start = nl + 1) {
        std::string line = r.err.substr(start, nl - start);
        EXPECT_EQ(line.find_first_of("\r"), std::string::npos) << r.err;
        EXPECT_NE(line.substr(line.find_first_not_of(' ') == std::string::npos ? 0 : line.find_first_not_of(' '), 2),
                  "::")
            << r.err;
        EXPECT_EQ(line.find("##["), std::string::npos) << r.err;
        EXPECT_EQ(line.find("\xe2\x80\xae"), std::string::npos) << r.err;
      }
    }
  }
}

TEST(CouldNotRun, BadOptionAndMissingPathStillWriteTheReports) {
  TempDir t;
  // The bad option comes first: the outputs after it are still honoured.
  auto bad = run_tool({"check", "--frobnicate", "--format", "json", "--report", "sarif=" + t / "a.sarif", good()});
  EXPECT_EQ(bad.exit_code, 2);
  EXPECT_NE(bad.err.find("unknown option '--frobnicate'"), std::string::npos) << bad.err;
  EXPECT_NE(bad.err.find("try 'mplp-gate check --help'"), std::string::npos) << bad.err;
  expect_json_error(bad.out, "unknown option '--frobnicate'");
  expect_sarif_error(test::read_file(t / "a.sarif"), "--frobnicate");
  // The usage hint is for people, on stderr only.
  EXPECT_EQ(bad.out.find("--help"), std::string::npos) << bad.out;

  auto bad_value = run_tool({"check", "--report", "junit=" + t / "b.xml", "--jobs", "0", good()});
  EXPECT_EQ(bad_value.exit_code, 2);
  expect_junit_error(test::read_file(t / "b.xml"), "--jobs");

  auto no_path = run_tool({"check", "--report", "json=" + t / "c.json"});
  EXPECT_EQ(no_path.exit_code, 2);
  expect_json_error(test::read_file(t / "c.json"), "no PATH given");

  // A format that does not exist cannot be written; the others still are.
  auto bad_format = run_tool({"check", "--report", "yaml=" + t / "d.yaml", "--report", "json=" + t / "d.json", good()});
  EXPECT_EQ(bad_format.exit_code, 2);
  EXPECT_FALSE(std::filesystem::exists(t / "d.yaml"));
  expect_json_error(test::read_file(t / "d.json"), "unknown format 'yaml'");
}

TEST(CouldNotRun, AReportInsideAPackIsNeverWrittenEvenAsAnError) {
  TempDir t;
  std::string p = test::copy_good_pack(t);
  auto r = run_tool({"check", "--report", "json=" + p + "/artifacts/report.json", "--report", "json=" + t / "ok.json", p});
  EXPECT_EQ(r.exit_code, 2) << r.err;
  EXPECT_NE(r.err.find("lies inside the checked pack"), std::string::npos) << r.err;
  EXPECT_FALSE(std::filesystem::exists(p + "/artifacts/report.json"));
  expect_json_error(test::read_file(t / "ok.json"), "lies inside the checked pack");
  // The pack is untouched: it still passes.
  EXPECT_EQ(run_tool({"check", p}).exit_code, 0);
}

TEST(CouldNotRun, StepSummarySaysTheRunCouldNotHappen) {
  TempDir t;
  std::string summary = t / "summary.md";
  test::ScopedEnv env("GITHUB_STEP_SUMMARY", summary.c_str());
  auto r = run_tool({"check", "--format", "github", t / "missing"});
  EXPECT_EQ(r.exit_code, 2);
  std::string md = test::read_file(summary);
  EXPECT_EQ(md.rfind("## mplp-gate: ERROR", 0), 0u) << md;
  EXPECT_NE(md.find("missing"), std::string::npos) << md;
}

TEST(CouldNotRun, ErrorReportsAreDeterministicAndEscapeHostileText) {
  TempDir t;
  std::string odd = t / "no\x01<pack>&\"";
  auto one = run_tool({"check", "--format", "json", odd});
  auto two = run_tool({"check", "--format", "json", odd});
  EXPECT_EQ(one.out, two.out);
  expect_json_error(one.out, "no");
  auto junit = run_tool({"check", "--format", "junit", odd});
  EXPECT_NE(junit.out.find("&lt;pack&gt;&amp;"), std::string::npos) << junit.out;
  EXPECT_EQ(junit.out.find('\x01'), std::string::npos);
  auto html = run_tool({"check", "--format", "html", odd});
  EXPECT_EQ(html.out.find("<pack>"), std::string::npos) << html.out;
  EXPECT_NE(html.out.find("&lt;pack&gt;&amp;&quot;"), std::string::npos) << html.out;
}

// A full disk where the run sets its results aside (TMPDIR: a 4 KiB tmpfs,
// filled, mounted in a mount namespace of the run's own). The run cannot
// finish, so it is exit 2 with the disk's error in every report asked for;
// before, only stderr said "internal error" and no report was written.
TEST(CouldNotRun, FullTemporaryDirectoryIsExitTwoInEveryReport) {
  TempDir t;
  const std::string tmpfs = t / "tmpfs";
  std::filesystem::create_directories(tmpfs);
  std::string probe;
  if (test::run_shell("unshare -m mount -t tmpfs -o size=4k none " + test::shell_quote(tmpfs) + " 2>&1", probe) != 0)
    GTEST_SKIP() << "no private tmpfs mount here (unshare -m and mount need CAP_SYS_ADMIN): " << probe;
  // Two packs, one with twelve thousand sums lines for files it lacks: far
  // more findings than the 256 KiB the run buffers before it writes.
  test::copy_tree(good(), t / "tree/a");
  test::copy_tree(good(), t / "tree/b");
  std::string lines = test::read_file(t / "tree/a/integrity/sha256sums.txt");
  for (int i = 0; i < 12000; ++i) lines += std::string(64, '0') + "  artifacts/missing-" + std::to_string(i) + ".bin\n";
  test::write_file(t / "tree/a/integrity/sha256sums.txt", lines);
  const std::string script = "mount -t tmpfs -o size=4k none " + test::shell_quote(tmpfs) +
                             " && head -c 8192 /dev/zero > " + test::shell_quote(tmpfs + "/fill");
  const std::string run = "TMPDIR=" + test::shell_quote(tmpfs) + " exec " + test::shell_quote(test::gate_binary()) +
                          " check --format json --report sarif=" + test::shell_quote(t / "r.sarif") + " " +
                          test::shell_quote(t / "tree") + " > " + test::shell_quote(t / "out") + " 2> " +
                          test::shell_quote(t / "err");
  std::string ignored;
  const int code = test::run_shell("unshare -m sh -c " + test::shell_quote(script + "; " + run), ignored);
  const std::string err = test::read_file(t / "err");
  EXPECT_EQ(code, 2) << err << ignored;
  const std::string why = "cannot write the temporary file in " + tmpfs + ": No space left on device";
  EXPECT_NE(err.find("mplp-gate check: " + why), std::string::npos) << err;
  EXPECT_EQ(err.find("internal error"), std::string::npos) << err;
  expect_json_error(test::read_file(t / "out"), why);
  expect_sarif_error(test::read_file(t / "r.sarif"), why);
}

}  // namespace
}  // namespace mplp
