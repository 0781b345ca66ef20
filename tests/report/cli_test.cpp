// End-to-end tests of the reporting options of the built binary:
// --format, --report FORMAT=FILE, --color, NO_COLOR, -q, GITHUB_STEP_SUMMARY,
// the exit-code contract across formats, gates / explain / --help / --version.
#include <gtest/gtest.h>

#include <sys/stat.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>

#include "report_cases.h"
#include "test_util.h"

namespace mplp::test {
namespace {

const char* kFormats[] = {"github", "html", "json", "junit", "sarif", "text"};

RunResult check_fixture(std::vector<std::string> args) {
  ScopedCwd cwd(fixture("report"));
  args.insert(args.begin(), "check");
  return run_tool(args);
}

TEST(ReportCli, ExitCodeIsTheSameInEveryFormat) {
  for (const char* format : kFormats) {
    RunResult bad = check_fixture({"--format", format, "fail-mixed"});
    EXPECT_EQ(bad.exit_code, 1) << format << "\n" << bad.err;
    EXPECT_FALSE(bad.out.empty()) << format;
    RunResult good = run_tool({"check", "--format", format, fixture("packs/good-real")});
    EXPECT_EQ(good.exit_code, 0) << format << "\n" << good.out << good.err;
    RunResult unusable = run_tool({"check", "--format", format, "/nonexistent/packs"});
    EXPECT_EQ(unusable.exit_code, 2) << format;
  }
}

TEST(ReportCli, StdoutMatchesTheInProcessRenderers) {
  RunReport r = fail_mixed_report(0, /*every_gate=*/true);
  for (const char* format : {"github", "junit", "text"}) {  // the formats without a version string
    RunResult res = check_fixture({"--format", format, "--color", "never", "fail-mixed"});
    EXPECT_EQ(res.out, render(r, format)) << format;
  }
}

TEST(ReportCli, SeveralReportsFromOneRunAndStdoutKeepsItsFormat) {
  TempDir dir;
  std::vector<std::string> args = {"--format", "text", "--color", "never"};
  for (const char* format : kFormats) {
    args.push_back("--report");
    args.push_back(std::string(format) + "=" + (dir / (std::string("r.") + format)));
  }
  args.push_back("fail-mixed");
  RunResult res = check_fixture(args);
  EXPECT_EQ(res.exit_code, 1) << res.err;
  EXPECT_NE(res.out.find("RESULT: FAIL"), std::string::npos);
  for (const char* format : kFormats) {
    RunResult alone = check_fixture({"--format", format, "--color", "never", "fail-mixed"});
    EXPECT_EQ(read_file(dir / (std::string("r.") + format)), alone.out) << format;
  }
  // No temporary file is left beside the reports.
  std::size_t n = 0;
  for (const char* format : kFormats) {
    struct stat st {};
    n += ::stat((dir / (std::string("r.") + format)).c_str(), &st) == 0 ? 1 : 0;
  }
  EXPECT_EQ(n, 6u);
}

TEST(ReportCli, ReportOptionErrorsExitTwo) {
  EXPECT_EQ(check_fixture({"--report", "xml=out.xml", "fail-mixed"}).exit_code, 2);
  EXPECT_EQ(check_fixture({"--report", "sarif", "fail-mixed"}).exit_code, 2);
  EXPECT_EQ(check_fixture({"--report", "sarif=", "fail-mixed"}).exit_code, 2);
  EXPECT_EQ(check_fixture({"--format", "xml", "fail-mixed"}).exit_code, 2);
  EXPECT_EQ(check_fixture({"--color", "sometimes", "fail-mixed"}).exit_code, 2);
  RunResult unwritable = check_fixture({"--report", "json=/nonexistent/dir/r.json", "fail-mixed"});
  EXPECT_EQ(unwritable.exit_code, 2) << "a requested report that cannot be written means the job was not done";
  EXPECT_NE(unwritable.err.find("/nonexistent/dir/r.json"), std::string::npos);
}

TEST(ReportCli, ColourOnlyWhenAskedOrOnATerminal) {
  ScopedEnv no_color("NO_COLOR", nullptr);
  // stdout is a pipe here, so auto means no colour.
  EXPECT_EQ(check_fixture({"fail-mixed"}).out.find("\x1b["), std::string::npos);
  EXPECT_NE(check_fixture({"--color", "always", "fail-mixed"}).out.find("\x1b["), std::string::npos);
  EXPECT_EQ(check_fixture({"--color", "never", "fail-mixed"}).out.find("\x1b["), std::string::npos);
  {
    ScopedEnv set("NO_COLOR", "1");
    EXPECT_EQ(check_fixture({"--color", "auto", "fail-mixed"}).out.find("\x1b["), std::string::npos);
    EXPECT_NE(check_fixture({"--color", "always", "fail-mixed"}).out.find("\x1b["), std::string::npos)
        << "an explicit --color always wins over NO_COLOR";
  }
  // Colour never leaks into report files, and asking for it on a stdout in
  // a machine format is refused rather than ignored.
  TempDir t;
  RunResult to_file = check_fixture({"--color", "always", "--report", "text=" + (t / "r.txt"), "fail-mixed"});
  EXPECT_NE(to_file.out.find("\x1b["), std::string::npos);
  EXPECT_EQ(read_file(t / "r.txt").find("\x1b["), std::string::npos);
  RunResult json = check_fixture({"--color", "always", "--format", "json", "fail-mixed"});
  EXPECT_EQ(json.exit_code, 2);
  EXPECT_NE(json.err.find("--color always colours the text on stdout, and this run prints json"), std::string::npos)
      << json.err;
}

TEST(ReportCli, QuietPrintsNothingOnSuccessOnly) {
  RunResult ok = run_tool({"check", "-q", fixture("packs/good-real")});
  EXPECT_EQ(ok.exit_code, 0);
  EXPECT_EQ(ok.out, "");
  EXPECT_EQ(ok.err, "");
  RunResult ok_json = run_tool({"check", "--quiet", "--format", "json", fixture("packs/good-real")});
  EXPECT_EQ(ok_json.out, "");
  RunResult bad = check_fixture({"-q", "fail-mixed"});
  EXPECT_EQ(bad.exit_code, 1);
  EXPECT_NE(bad.out.find("RESULT: FAIL"), std::string::npos);
  // -q does not stop a requested report file.
  TempDir dir;
  RunResult file = run_tool({"check", "-q", "--report", "json=" + (dir / "r.json"), fixture("packs/good-real")});
  EXPECT_EQ(file.exit_code, 0);
  EXPECT_NE(read_file(dir / "r.json").find("\"result\": \"pass\""), std::string::npos);
}

// -q on a failing run: only what failed, then the summary; the full
// report (PASS lines, info findings) is not printed.
TEST(ReportCli, QuietOnFailureShowsOnlyWhatFailed) {
  TempDir dir;
  copy_tree(fixture("packs/good-real"), dir / "tree/a-good");
  copy_tree(fixture("report/fail-mixed"), dir / "tree/b-bad");
  RunResult full = run_tool({"check", dir / "tree"});
  RunResult quiet = run_tool({"check", "-q", dir / "tree"});
  ASSERT_EQ(full.exit_code, 1) << full.out << full.err;
  EXPECT_EQ(quiet.exit_code, 1);
  EXPECT_NE(full.out.find("a-good"), std::string::npos);
  EXPECT_NE(full.out.find("  PASS  "), std::string::npos);
  EXPECT_NE(full.out.find("    info "), std::string::npos) << full.out;
  EXPECT_EQ(quiet.out.find("a-good"), std::string::npos) << "a passing pack is not listed:\n" << quiet.out;
  EXPECT_EQ(quiet.out.find("  PASS  "), std::string::npos) << quiet.out;
  EXPECT_EQ(quiet.out.find("  SKIP  "), std::string::npos) << quiet.out;
  EXPECT_EQ(quiet.out.find("    info "), std::string::npos) << quiet.out;
  EXPECT_EQ(quiet.out.find("NOT VERIFIED"), std::string::npos) << quiet.out;
  EXPECT_NE(quiet.out.find("b-bad"), std::string::npos);
  EXPECT_NE(quiet.out.find("  FAIL  GATE-V2-"), std::string::npos);
  // Every error line of the full report is still there, and the summary.
  std::size_t errors = 0;
  for (std::size_t at = full.out.find("    error "); at != std::string::npos; at = full.out.find("    error ", at + 1)) {
    std::string line = full.out.substr(at, full.out.find('\n', at) - at);
    EXPECT_NE(quiet.out.find(line), std::string::npos) << line;
    ++errors;
  }
  EXPECT_GT(errors, 0u);
  std::string tail = full.out.substr(full.out.find("\npolicy: "));
  EXPECT_EQ(quiet.out.substr(quiet.out.size() - tail.size()), tail) << "the same summary";
}

TEST(ReportCli, StepSummaryIsAppendedOncePerRun) {
  TempDir dir;
  std::string summary = dir / "summary.md";
  write_file(summary, "previous step\n");
  ScopedEnv env("GITHUB_STEP_SUMMARY", summary.c_str());
  RunResult res = check_fixture({"--format", "github", "--report", "github=" + (dir / "g.txt"), "fail-mixed"});
  EXPECT_EQ(res.exit_code, 1) << res.err;
  std::string md = read_file(summary);
  EXPECT_EQ(md.rfind("previous step\n## mplp-gate: FAIL", 0), 0u) << md;
  EXPECT_EQ(md.find("## mplp-gate", md.find("## mplp-gate") + 1), std::string::npos) << "appended once";
  EXPECT_NE(md.find("| fail-mixed |"), std::string::npos);
  // Other formats leave the summary alone.
  write_file(summary, "");
  check_fixture({"--format", "sarif", "fail-mixed"});
  EXPECT_EQ(read_file(summary), "");
}

// QA-34: the step summary appended into a checked pack's manifest, or onto
// the policy the run read, with exit 0. It is an output like a --report.
TEST(ReportCli, StepSummaryNeverLandsInAPackOrOnAnInput) {
  TempDir dir;
  const std::string pack = copy_good_pack(dir, "p");
  const std::string manifest = read_file(pack + "/manifest.json");
  {
    ScopedEnv env("GITHUB_STEP_SUMMARY", (pack + "/manifest.json").c_str());
    RunResult res = run_tool({"check", "--format", "github", pack});
    EXPECT_EQ(res.exit_code, 2) << res.out << res.err;
    EXPECT_NE(res.err.find("lies inside the checked pack"), std::string::npos) << res.err;
  }
  EXPECT_EQ(read_file(pack + "/manifest.json"), manifest);
  const std::string policy = dir / "policy.yaml";
  write_file(policy, "extends: default\n");
  {
    ScopedEnv env("GITHUB_STEP_SUMMARY", policy.c_str());
    RunResult res = run_tool({"check", "--format", "json", "--report", "github=" + (dir / "g.txt"), "--policy", policy, pack});
    EXPECT_EQ(res.exit_code, 2) << res.out << res.err;
    EXPECT_NE(res.err.find("$GITHUB_STEP_SUMMARY " + policy + " would overwrite the policy"), std::string::npos) << res.err;
  }
  EXPECT_EQ(read_file(policy), "extends: default\n");
  // A run that stops before it checks (an invalid policy) spares the packs
  // all the same: its error reports go only where the run's would.
  write_file(dir / "bad.yaml", "nope: 1\n");
  {
    ScopedEnv env("GITHUB_STEP_SUMMARY", (pack + "/artifacts/summary.md").c_str());
    RunResult res = run_tool({"check", "--format", "github", "--policy", dir / "bad.yaml", "--report",
                              "json=" + pack + "/r.json", "--report", "json=" + (dir / "out.json"), pack});
    EXPECT_EQ(res.exit_code, 2) << res.out << res.err;
  }
  EXPECT_FALSE(std::filesystem::exists(pack + "/artifacts/summary.md"));
  EXPECT_FALSE(std::filesystem::exists(pack + "/r.json"));
  EXPECT_NE(read_file(dir / "out.json").find("invalid policy"), std::string::npos) << "the report outside is written";
  // A word of a command line that fails early is spared too.
  {
    ScopedEnv env("GITHUB_STEP_SUMMARY", policy.c_str());
    RunResult res = run_tool({"check", "--bogus", "--format", "github", "--policy", policy, pack});
    EXPECT_EQ(res.exit_code, 2);
  }
  EXPECT_EQ(read_file(policy), "extends: default\n");
}

TEST(ReportCli, NoProgressLineWhenStderrIsNotATerminal) {
  TempDir dir;
  for (int i = 0; i < 10; ++i) copy_good_pack(dir, "p" + std::to_string(i));
  RunResult res = run_tool({"check", dir.path()});
  EXPECT_EQ(res.exit_code, 0) << res.out << res.err;
  EXPECT_EQ(res.err.find("packs"), std::string::npos) << res.err;
}

TEST(ReportCli, ProgressLineOnATerminal) {
  std::string out;
  if (run_shell("command -v script", out) != 0) GTEST_SKIP() << "util-linux `script` is not installed: no pty";
  TempDir dir;
  for (int i = 0; i < 10; ++i) copy_good_pack(dir, "p" + std::to_string(i));
  // script(1) gives the command a terminal; stdout goes to a file so only stderr is the tty.
  std::string cmd = "script -qec " +
                    shell_quote(shell_quote(gate_binary()) + " check --jobs 1 " + shell_quote(dir.path()) + " > " +
                                shell_quote(dir / "out.txt")) +
                    " /dev/null < /dev/null";  // script(1) prints nothing when stdin is closed
  run_shell(cmd, out);
  EXPECT_NE(out.find("checked 10/10 packs"), std::string::npos) << out;
  EXPECT_NE(out.find("\r\x1b[K"), std::string::npos) << "the progress line is cleared";
  EXPECT_NE(read_file(dir / "out.txt").find("RESULT: PASS"), std::string::npos);
}

TEST(InfoCommands, GatesListsEveryGateAndExplainPrintsFixes) {
  RunResult gates = run_tool({"gates"});
  EXPECT_EQ(gates.exit_code, 0);
  EXPECT_NE(gates.out.find("GATE-V2-SSOT-01"), std::string::npos);
  RunResult ex = run_tool({"explain", "GATE-V2-INTEGRITY-01"});
  EXPECT_EQ(ex.exit_code, 0) << ex.err;
  for (const char* part : {"GATE-V2-INTEGRITY-01", "Why:", "What it checks:", "fix:"})
    EXPECT_NE(ex.out.find(part), std::string::npos) << part << "\n" << ex.out;
  EXPECT_EQ(run_tool({"explain", "lowercase-ssot"}).exit_code, 2);
  RunResult near = run_tool({"explain", "GATE-V2-SSOT-1"});
  EXPECT_EQ(near.exit_code, 2);
  EXPECT_NE(near.err.find("GATE-V2-SSOT-01"), std::string::npos) << near.err;
  EXPECT_EQ(run_tool({"explain", "gate-v2-ssot-01"}).exit_code, 0) << "ids are matched case-insensitively";
}

TEST(InfoCommands, HelpForEverySubcommandAndVersion) {
  // Every subcommand the top-level help lists (the command table) has --help.
  RunResult top = run_tool({"--help"});
  EXPECT_EQ(top.exit_code, 0);
  std::vector<std::string> cmds;
  std::size_t at = top.out.find("commands:\n");
  ASSERT_NE(at, std::string::npos) << top.out;
  for (std::size_t pos = at + 10; pos < top.out.size() && top.out.compare(pos, 2, "  ") == 0;) {
    std::size_t end = top.out.find(' ', pos + 2);
    cmds.push_back(top.out.substr(pos + 2, end - pos - 2));
    pos = top.out.find('\n', pos) + 1;
  }
  for (const char* expected : {"check", "explain", "gates"})
    EXPECT_NE(std::find(cmds.begin(), cmds.end(), expected), cmds.end()) << expected;
  for (const std::string& cmd : cmds) {
    RunResult h = run_tool({cmd, "--help"});
    EXPECT_EQ(h.exit_code, 0) << cmd;
    EXPECT_EQ(h.out.rfind("usage: mplp-gate " + cmd, 0), 0u) << cmd << h.out;
  }
  RunResult check_help = run_tool({"check", "--help"});
  for (const char* opt : {"--format", "--report", "--color", "-q", "sarif", "junit", "github"})
    EXPECT_NE(check_help.out.find(opt), std::string::npos) << opt;
  RunResult v = run_tool({"--version"});
  EXPECT_EQ(v.exit_code, 0);
  EXPECT_EQ(v.out.rfind("mplp-gate 0.", 0), 0u) << v.out;
  // The commit is the checkout's HEAD, or absent when the tree has no git.
  std::string head;
  if (run_shell("git --git-dir=" + shell_quote(source_root() + "/.git") + " rev-parse --short=12 HEAD 2>/dev/null",
                head) == 0) {
    head = head.substr(0, head.find('\n'));
    EXPECT_NE(v.out.find("(commit " + head + ")"), std::string::npos) << v.out << " HEAD " << head;
  } else {
    EXPECT_EQ(v.out.find("(commit"), std::string::npos) << v.out;
  }
}

}  // namespace
}  // namespace mplp::test
