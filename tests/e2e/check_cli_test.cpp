// End-to-end tests of `mplp-gate check` as a CI step runs it: exit codes,
// streams, formats and determinism, on the built binary.
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <filesystem>

#include "core/json.h"
#include "core/schema.h"
#include "test_util.h"

namespace mplp {
namespace {

using test::run_tool;
using test::TempDir;

std::string good() { return test::fixture("packs/good-real"); }

TEST(CheckCli, GoodPackPassesWithExitZero) {
  auto r = run_tool({"check", good()});
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_NE(r.out.find("RESULT: PASS"), std::string::npos);
  EXPECT_EQ(r.out.find("FAIL"), std::string::npos) << r.out;
  EXPECT_TRUE(r.err.empty()) << r.err;
}

TEST(CheckCli, TamperedPackFailsWithExitOne) {
  TempDir t;
  std::string p = test::copy_good_pack(t);
  test::write_file(p + "/artifacts/plan.json", "{\"tampered\": true}\n");
  auto r = run_tool({"check", p});
  EXPECT_EQ(r.exit_code, 1) << r.out;
  EXPECT_NE(r.out.find("FAIL  GATE-V2-INTEGRITY-01"), std::string::npos) << r.out;
  // The exit code never depends on the format.
  EXPECT_EQ(run_tool({"check", "--format", "json", p}).exit_code, 1);
}

TEST(CheckCli, CouldNotRunIsExitTwoOnStderr) {
  TempDir t;
  struct Case {
    std::vector<std::string> args;
    std::string err_has;
  };
  test::write_file(t / "bad-policy.yaml", "hosts:\n  allowed: [a.com]\n  nope: 1\n");
  test::write_file(t / "empty/readme.txt", "no packs here");
  test::write_file(t / "file.txt", "x");
  std::vector<Case> cases = {
      {{"check"}, "no PATH"},
      {{"check", "--frobnicate", good()}, "unknown option '--frobnicate'"},
      {{"check", "--format", "yaml", good()}, "unknown format 'yaml'"},
      {{"check", "--jobs", "0", good()}, "--jobs"},
      {{"check", "--gate", "GATE-V2-SSOT-1", good()}, "did you mean GATE-V2-SSOT-01"},
      {{"check", "--skip", "NOPE", good()}, "unknown gate id 'NOPE'"},
      {{"check", "--policy", t / "bad-policy.yaml", good()}, "bad-policy.yaml:3:"},
      {{"check", "--policy", t / "missing.yaml", good()}, "missing.yaml"},
      {{"check", t / "does-not-exist"}, "does-not-exist"},
      {{"check", t / "file.txt"}, "not a directory"},
      {{"check", t / "empty"}, "no evidence pack found"},
      {{"check", "--registry", t / "nope.yaml", good()}, "nope.yaml"},
      {{"frobnicate"}, "unknown command"},
      // QA-34: what a run would otherwise ignore without a word.
      {{"check", "--runners", t / "empty", good()}, "--runners checks the runner definitions in"},
      {{"check", "--runners", t / "nope"}, "--runners " + (t / "nope") + ": No such file"},
      {{"check", "--runners", t / "file.txt"}, "not a directory"},
      {{"check", "--runners", ""}, "option '--runners': an empty DIR (an unset variable?)"},
      {{"check", "--repo-root", t / "nope", good()}, "--repo-root " + (t / "nope") + ": No such file"},
      {{"check", "--repo-root", "", good()}, "option '--repo-root': an empty DIR"},
      {{"check", "--require-engine", good()}, "--require-engine applies to a check of runner definitions"},
      {{"check", "--runner", "node-20", good()}, "--runner applies to a check of runner definitions"},
      {{"check", "--run-smoke-scripts", good()}, "--run-smoke-scripts applies"},
      {{"check", "--engine", "auto", good()}, "--engine applies"},
      {{"check", "--policy", "", good()}, "option '--policy': an empty FILE"},
      {{"check", "--receipt-uri=", "--receipt", t / "r.jsonl", good()}, "option '--receipt-uri': an empty URI"},
      {{"check", "--trusted-key", "", good()}, "option '--trusted-key': an empty FILE"},
      {{"check", "--baseline", "", good()}, "option '--baseline': an empty OLD.json"},
      {{"seal", "--policy", "", good()}, "option '--policy': an empty FILE"},
      {{"merge", ""}, "an empty argument (an unset variable?)"},
      {{"check", good(), ""}, "an empty argument (an unset variable?)"},
      {{"key", "id", ""}, "mplp-gate key id: an empty argument (an unset variable?)"},
      {{"key", ""}, "mplp-gate key: an empty argument (an unset variable?)"},
      {{"seal", t / "nope"}, "mplp-gate seal: " + (t / "nope") + ": No such file or directory\n"},
      // Options that would shape no output of this run.
      {{"check", "--max-annotations", "3", good()}, "--max-annotations shapes GitHub annotations, and this run writes none"},
      {{"check", "--annotate-info", "--report", "sarif=" + (t / "r.sarif"), good()}, "--annotate-info shapes GitHub annotations"},
      {{"check", "--policy", t / "bad-policy.yaml", "--policy", t / "ok.yaml", good()}, "'--policy' is given twice"},
      {{"check", "--shard", "0/2", "--shard=1/2", good()}, "'--shard' is given twice"},
      {{"check", "--registry", t / "a.yaml", "--registry", t / "b.yaml", good()}, "'--registry' is given twice"},
      // An output whose directory is missing is found before the run, not after it.
      {{"check", "--report", "json=" + (t / "nodir/r.json"), good()}, "--report json=" + (t / "nodir/r.json") + ": the directory " + (t / "nodir") + " does not exist"},
      {{"check", "--receipt", t / "file.txt/r.jsonl", good()}, "is not a directory"},
  };
  for (const Case& c : cases) {
    auto r = run_tool(c.args);
    EXPECT_EQ(r.exit_code, 2) << c.args.back() << "\n" << r.out << r.err;
    EXPECT_NE(r.err.find(c.err_has), std::string::npos) << "stderr was: " << r.err;
    EXPECT_TRUE(r.out.empty()) << r.out;
  }
}

// A closed stdout (`| head` that quit) is exit 2 with every report file
// written, on a passing run and on one that could not run: never death by
// SIGPIPE (141), which the exit code contract has no place for (QA-48).
TEST(CheckCli, AClosedStdoutIsExitTwoAndTheReportsAreWritten) {
  TempDir t;
  for (const char* policy : {"", "--policy ''"}) {
    SCOPED_TRACE(policy);
    std::filesystem::remove(t / "r.xml");
    std::string out;
    // The reader is gone before mplp-gate writes a byte.
    const int rc = test::run_shell("(sleep 1; " + test::shell_quote(test::gate_binary()) + " check " + policy +
                                       " --format json --report junit=" + test::shell_quote(t / "r.xml") + " " +
                                       test::shell_quote(test::fixture("packs/good-real")) +
                                       " 2>/dev/null; echo \"rc=$?\" > " + test::shell_quote(t / "rc") + ") | true",
                                   out);
    EXPECT_EQ(rc, 0) << out;
    EXPECT_EQ(test::read_file(t / "rc"), "rc=2\n");
    EXPECT_TRUE(std::filesystem::exists(t / "r.xml"));
  }
}

// An option that shapes no output of the run is refused (exit 2), in the
// shape of the format asked for, rather than accepted and ignored.
TEST(CheckCli, OptionsThatWouldShapeNoOutputAreRefused) {
  TempDir t;
  const std::string pack = test::fixture("packs/good-real");
  auto shard = run_tool({"check", "--shard", "0/1", "--format", "json", pack});
  ASSERT_EQ(shard.exit_code, 0) << shard.err;
  test::write_file(t / "s.json", shard.out);
  struct Case {
    std::vector<std::string> args;
    std::string err_has;  // "" = accepted
  };
  const std::vector<Case> cases = {
      {{"check", "--statistics", "--format", "junit", pack}, "--statistics counts findings in the text and JSON reports"},
      {{"check", "--statistics", "--format", "sarif", "--report", "github=" + (t / "g.txt"), pack}, "--statistics"},
      {{"merge", "--statistics", "--format", "html", t / "s.json"}, "--statistics counts findings"},
      {{"merge", "--max-annotations", "5", "--format", "json", t / "s.json"}, "--max-annotations shapes GitHub"},
      {{"check", "--color", "always", "--format", "sarif", pack}, "--color always colours the text on stdout, and this run prints sarif"},
      {{"merge", "--color=always", "--format", "json", "--report", "text=" + (t / "m.txt"), t / "s.json"}, "--color always"},
      // Where one output uses it, it is no misuse.
      {{"check", "--statistics", "--format", "junit", "--report", "json=" + (t / "r.json"), pack}, ""},
      {{"check", "--max-annotations", "1", "--annotate-info", "--format", "json", "--report", "github=" + (t / "g.txt"), pack}, ""},
      {{"merge", "--statistics", "--format", "json", t / "s.json"}, ""},
      {{"check", "--color", "always", pack}, ""},
      {{"check", "--color", "never", "--format", "json", pack}, ""},  // asks for nothing json lacks
  };
  for (const Case& c : cases) {
    auto r = run_tool(c.args);
    if (c.err_has.empty()) {
      EXPECT_EQ(r.exit_code, 0) << c.args[1] << ": " << r.err;
      continue;
    }
    EXPECT_EQ(r.exit_code, 2) << c.args[1] << ": " << r.out;
    EXPECT_NE(r.err.find(c.err_has), std::string::npos) << r.err;
  }
}

// Repeatable options add up; a dangling .mplp-gate.yaml is the policy (its
// error says so), not a reason to fall back to another one (QA-34).
TEST(CheckCli, RepeatableOptionsAndADanglingPolicyLink) {
  TempDir t;
  auto r = run_tool({"check", "--gate", "INTEGRITY-01", "--gate", "SSOT-01", "--format", "json", good()});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("GATE-V2-SSOT-01"), std::string::npos);
  EXPECT_NE(r.out.find("GATE-V2-INTEGRITY-01"), std::string::npos);
  std::filesystem::create_directories(t / "work");
  std::filesystem::create_symlink(t / "gone.yaml", t / "work/.mplp-gate.yaml");
  test::RunOptions in_work;
  in_work.cwd = t / "work";
  r = test::run_tool_with({"check", good()}, in_work);
  EXPECT_EQ(r.exit_code, 2) << r.out;
  EXPECT_NE(r.err.find(".mplp-gate.yaml"), std::string::npos) << r.err;
}

// A run in which no gate is left to run is exit 2, never a PASS: a broken
// pack passed `--gate INTEGRITY-01 --skip INTEGRITY-01` with exit 0.
TEST(CheckCli, NoGateLeftToRunIsExitTwo) {
  TempDir t;
  const std::string pack = test::copy_good_pack(t);
  test::write_file(pack + "/manifest.json", "garbage");
  for (const std::vector<std::string>& args : std::vector<std::vector<std::string>>{
           {"check", "--gate", "INTEGRITY-01", "--skip", "GATE-V2-INTEGRITY-01", pack},
           {"check", "--skip", "INTEGRITY-01", "--gate", "INTEGRITY-01", "--format", "json", pack},
           {"check", "--runners", test::source_root() + "/runners", "--gate", "INTEGRITY-01"}}) {
    auto r = run_tool(args);
    EXPECT_EQ(r.exit_code, 2) << args[2] << " " << r.out;
    EXPECT_NE(r.err.find("no gate left to run"), std::string::npos) << r.err;
  }
  EXPECT_EQ(run_tool({"check", "--gate", "INTEGRITY-01", pack}).exit_code, 1);
}

TEST(CheckCli, JsonReportValidatesAndIsByteIdenticalAcrossRuns) {
  TempDir t;
  std::string tree = t / "tree";
  test::copy_tree(good(), tree + "/a/good");
  test::copy_tree(test::corpus("upstream/real/langchain/langchain-d1-real-runner-det-001"), tree + "/b/langchain");
  auto one = run_tool({"check", "--format", "json", tree});
  auto two = run_tool({"check", "--format", "json", "--jobs", "1", tree});
  EXPECT_EQ(one.exit_code, 1);
  EXPECT_EQ(one.out, two.out);
  JsonDoc doc;
  ASSERT_TRUE(parse_json(one.out, {}, doc)) << doc.error.message;
  EXPECT_TRUE(doc.duplicates.empty());
  auto errors = validate_with_schema("gate-report", doc.value);
  for (const auto& e : errors) ADD_FAILURE() << e.pointer << ": " << e.message;
  const auto& packs = doc.value["packs"];
  ASSERT_EQ(packs.Size(), 2u);
  EXPECT_LT(std::string(packs[0]["path"].GetString()), std::string(packs[1]["path"].GetString()));
  EXPECT_EQ(std::string(doc.value["result"].GetString()), "fail");
  EXPECT_EQ(one.out.find("\"generated_at\""), std::string::npos);
}

// Files are read in batches through io_uring where the kernel allows it
// (core/file_batch.h), one at a time where it does not (Docker's default
// seccomp profile refuses io_uring): the reports must not tell which.
TEST(CheckCli, ReportsAreTheSameWithoutIoUring) {
  for (const std::string& tree : {test::fixture("packs"), test::corpus("upstream")}) {
    SCOPED_TRACE(tree);
    auto ringed = run_tool({"check", "--format", "json", tree});
    test::RunResult alone;
    {
      test::ScopedEnv off("MPLP_GATE_IO_URING", "0");
      alone = run_tool({"check", "--format", "json", tree});
    }
    EXPECT_EQ(ringed.exit_code, alone.exit_code);
    EXPECT_GT(ringed.out.size(), 1000u);
    EXPECT_EQ(ringed.out, alone.out);
  }
}

TEST(CheckCli, JsonNamesPacksRelativeToTheCheckedDirectoryTextAsGiven) {
  TempDir t;
  test::copy_tree(good(), t / "packs/p1");
  std::string cwd = std::filesystem::current_path();
  std::filesystem::current_path(t.path());
  auto r = run_tool({"check", "--format", "json", "packs"});
  auto text = run_tool({"check", "packs"});
  std::filesystem::current_path(cwd);
  EXPECT_NE(r.out.find("\"path\": \"p1\""), std::string::npos) << r.out;
  EXPECT_EQ(r.out.find(t.path()), std::string::npos) << "no absolute paths unless asked";
  // The same bytes from another directory, the tree named another way.
  EXPECT_EQ(run_tool({"check", "--format", "json", t / "packs/"}).out, r.out);
  EXPECT_EQ(text.out.rfind("packs/p1 (INDEXABLE_REAL)\n", 0), 0u) << "people get the path they typed";
  auto absolute = run_tool({"check", "--format", "json", "--absolute-paths", t / "packs"});
  EXPECT_NE(absolute.out.find("\"path\": \"" + t / "packs/p1\""), std::string::npos) << absolute.out;
}

TEST(CheckCli, GateAndSkipChooseWhatRunsAndDecides) {
  TempDir t;
  std::string p = test::copy_good_pack(t);
  test::write_file(p + "/artifacts/plan.json", "{\"tampered\": true}\n");
  auto only = run_tool({"check", "--format", "json", "--gate", "GATE-V2-HOST-ALLOW-01", p});
  EXPECT_EQ(only.exit_code, 0) << only.out;
  EXPECT_EQ(only.out.find("GATE-V2-INTEGRITY-01"), std::string::npos);
  auto skip = run_tool({"check", "--skip", "GATE-V2-INTEGRITY-01", p});
  EXPECT_EQ(skip.exit_code, 0) << skip.out;
  EXPECT_EQ(skip.out.find("GATE-V2-INTEGRITY-01"), std::string::npos);
}

TEST(CheckCli, PolicyCanDisableAGateOrLowerItsSeverity) {
  TempDir t;
  std::string p = test::copy_good_pack(t);
  test::write_file(p + "/artifacts/plan.json", "{\"tampered\": true}\n");
  test::write_file(t / "off.yaml", "gates:\n  GATE-V2-INTEGRITY-01:\n    enabled: false\n");
  test::write_file(t / "warn.yaml", "gates:\n  GATE-V2-INTEGRITY-01:\n    severity: warning\n");
  EXPECT_EQ(run_tool({"check", "--policy", t / "off.yaml", p}).exit_code, 0);
  EXPECT_EQ(run_tool({"check", "--policy", t / "warn.yaml", p}).exit_code, 0);
  EXPECT_EQ(run_tool({"check", "--strict", "--policy", t / "warn.yaml", p}).exit_code, 1);
}

// A policy naming a gate that does not exist exits 2 at its line and
// column, as every other policy error (QA-34: the column was missing).
TEST(CheckCli, APolicysUnknownGateIsNamedAtLineAndColumn) {
  TempDir t;
  test::write_file(t / "p.yaml", "version: 1\ngates:\n    GATE-V2-NOPE-01:\n      enabled: false\n");
  auto r = run_tool({"check", "--policy", t / "p.yaml", test::fixture("packs/good-real")});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find(t / "p.yaml:3:5: key 'gates.GATE-V2-NOPE-01': unknown gate id 'GATE-V2-NOPE-01'"),
            std::string::npos)
      << r.err;
}

TEST(CheckCli, StrictTurnsWarningsIntoFailure) {
  // The upstream mcp pack passes with a warning (legacy image_digest).
  std::string mcp = test::corpus("upstream/real/mcp/mcp-d1-real-runner-001");
  EXPECT_EQ(run_tool({"check", mcp}).exit_code, 0);
  EXPECT_EQ(run_tool({"check", "--strict", mcp}).exit_code, 1);
}

TEST(CheckCli, DirectoryWithPackPartsButNoManifestIsReportedNotSkipped) {
  TempDir t;
  test::copy_tree(good(), t / "tree/good");
  test::write_file(t / "tree/orphan/artifacts/context.json", "{}");
  auto r = run_tool({"check", "--format", "json", t / "tree"});
  EXPECT_EQ(r.exit_code, 1) << r.out;
  EXPECT_NE(r.out.find("\"path\": \"orphan\""), std::string::npos) << r.out;
}

// Every entry's path, type, size, mtime and bytes: what "untouched" means.
std::string snapshot(const std::string& root) {
  std::vector<std::string> lines;
  for (auto& e : std::filesystem::recursive_directory_iterator(root)) {
    struct stat st {};
    ::lstat(e.path().c_str(), &st);
    std::string line = e.path().string() + " " + std::to_string(st.st_mode) + " " + std::to_string(st.st_size) +
                       " " + std::to_string(st.st_mtim.tv_sec) + "." + std::to_string(st.st_mtim.tv_nsec);
    if (S_ISREG(st.st_mode)) line += " " + test::read_file(e.path());
    lines.push_back(line);
  }
  std::sort(lines.begin(), lines.end());
  std::string out;
  for (auto& l : lines) out += l + "\n";
  return out;
}

TEST(CheckCli, CheckNeverWritesInsideThePack) {
  TempDir t;
  std::string p = test::copy_good_pack(t);
  test::write_file(p + "/artifacts/plan.json", "{\"tampered\": true}\n");  // failing packs too
  std::string before = snapshot(t.path());
  for (const char* fmt : {"text", "json"}) {
    auto r = test::run_tool({"check", "--format", fmt, p});
    EXPECT_EQ(r.exit_code, 1) << r.out << r.err;
  }
  EXPECT_EQ(snapshot(t.path()), before);
}

TEST(CheckCli, HelpAndVersion) {
  auto h = run_tool({"check", "--help"});
  EXPECT_EQ(h.exit_code, 0);
  EXPECT_NE(h.out.find("--policy"), std::string::npos);
  auto v = run_tool({"--version"});
  EXPECT_EQ(v.exit_code, 0);
  EXPECT_NE(v.out.find("mplp-gate 0."), std::string::npos);
  auto g = run_tool({"gates"});
  EXPECT_NE(g.out.find("GATE-V2-SSOT-01"), std::string::npos);
  // Every command and subcommand accepts --help: usage on stdout, exit 0
  // (QA-46: `key id --help` looked for a key file named --help).
  const std::vector<std::vector<std::string>> all = {
      {"base", "--help"},  {"check", "--help"}, {"diff", "--help"},  {"explain", "--help"},
      {"gates", "--help"}, {"key", "--help"},   {"key", "generate", "--help"}, {"key", "id", "--help"},
      {"merge", "--help"}, {"run", "--help"},   {"seal", "--help"},  {"verify-receipt", "--help"},
      {"help", "--help"},  {"help", "check"},   {"--help"}};
  for (const auto& args : all) {
    auto r = run_tool(args);
    EXPECT_EQ(r.exit_code, 0) << args[0] << " " << args.back() << "\n" << r.err;
    EXPECT_NE(r.out.find("usage"), std::string::npos) << args[0] << " " << args.back() << "\n" << r.out;
  }
}

}  // namespace
}  // namespace mplp
