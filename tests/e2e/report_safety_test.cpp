// Reports cannot be turned against CI or the evidence, through the built
// binary: file and directory names a stranger chose inject no line into any
// format (a line starting with "::" is a GitHub Actions command when CI
// prints it), and --report never writes inside a checked pack.
#include <gtest/gtest.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <regex>

#include "core/json.h"
#include "core/text.h"
#include "test_util.h"

namespace mplp {
namespace {

namespace fs = std::filesystem;
using test::TempDir;
using test::run_tool_with;
using test::RunOptions;

const char* kFormats[] = {"text", "json", "sarif", "junit", "github"};

// Names that try to start a line of their own, or to end one early.
const std::vector<std::string> kHostileNames = {
    "nl\n::error title=injected::newline",
    "cr\r::error title=injected::carriage-return",
    "crlf\r\n::warning::crlf",
    "tab\t::notice::tab",
    "del\x7f::error::del",
    "pct%0A::error::percent",
    "esc\x1b[2K\r::error::ansi",
    "ls\xe2\x80\xa8::error::line-separator",
    "bad\xff\xfe::error::not-utf8",
    "::error title=injected::leading",
    // GitHub's runner trims a line (.NET whitespace) before it looks for
    // "::", and reads "##[" anywhere in a line (the legacy form).
    " ::error title=injected::space",
    "\xc2\xa0\xe3\x80\x80::error title=injected::nbsp",
    "nel\xc2\x85::error title=injected::nel",
    "legacy ##[error]injected",
    "bidi\xe2\x80\xae\xc2\x9b" "31m",
};

RunOptions in_dir(const std::string& cwd) {
  RunOptions o;
  o.cwd = cwd;
  return o;
}

// A tree of two packs a stranger named: one called "::error ...", one with
// a newline in its name, each holding files with every hostile name.
std::string hostile_tree(const TempDir& t) {
  std::string tree = t / "tree";
  for (const std::string& pack : {std::string("::error title=injected::pack"), std::string("p\n::error::pack")}) {
    std::string p = tree + "/" + pack;
    test::copy_tree(test::fixture("packs/good-real"), p);
    for (const std::string& name : kHostileNames) {
      test::write_file(p + "/artifacts/" + name, "http://10.0.0.1/ from " + name + "\n");
      test::write_file(p + "/" + name + "/x.json", "{}\n");
    }
    // Duplicate JSON keys holding line breaks: their pointers reach the
    // finding's location and a folded detail ("found 2 times, at ...").
    std::string manifest = test::read_file(p + "/manifest.json");
    manifest.resize(manifest.find_last_of('}'));
    test::write_file(p + "/manifest.json",
                     manifest + ",\"k\\n::add-mask::FAIL\": {\"a\\r\\n  ::stop-commands::z\": 1, "
                                "\"a\\r\\n  ::stop-commands::z\": 2, \"b ##[error]x\": 1, \"b ##[error]x\": 2}, "
                                "\"k\\n::add-mask::FAIL\": 3}\n");
  }
  return tree;
}

// Lines as any reader may split them: at LF, CR or CRLF (a .NET reader, as
// the Actions runner, treats all three as line ends).
std::vector<std::string> lines_of(const std::string& s) {
  std::vector<std::string> out;
  std::string cur;
  for (char c : s) {
    if (c == '\n' || c == '\r') {
      out.push_back(cur);
      cur.clear();
    } else {
      cur += c;
    }
  }
  out.push_back(cur);
  return out;
}

// A line as GitHub's runner reads it before it looks for "::": without what
// .NET's Trim() removes from its start (ASCII blanks, NBSP, U+3000, NEL).
std::string_view trimmed_as_the_runner_does(std::string_view line) {
  for (bool trimmed = true; trimmed;) {
    trimmed = false;
    for (std::string_view blank : {" ", "\t", "\v", "\f", "\xc2\xa0", "\xe3\x80\x80", "\xc2\x85"})
      if (line.substr(0, blank.size()) == blank) line.remove_prefix(blank.size()), trimmed = true;
  }
  return line;
}

// Logs and terminals: no control that moves the cursor or reorders what a
// reader sees reaches them raw.
void expect_no_hidden_controls(const std::string& bytes, const std::string& what) {
  for (std::string_view hidden : {"\xe2\x80\xae", "\xc2\x9b", "\xc2\x85", "\x1b"})
    EXPECT_EQ(bytes.find(hidden), std::string::npos) << what << " holds " << printable_ascii(hidden);
}

// No line of `bytes` (split at LF or CR) is a workflow command: a leading
// "::" once trimmed, or "##[" anywhere.
void expect_inert_log(const std::string& bytes, const std::string& what) {
  for (const std::string& raw : lines_of(bytes)) {
    std::string_view line = trimmed_as_the_runner_does(raw);
    EXPECT_NE(line.substr(0, 2), "::") << what << ":\n" << raw;
    EXPECT_EQ(line.find("##["), std::string_view::npos) << what << ":\n" << raw;
  }
  expect_no_hidden_controls(bytes, what);
}

std::size_t findings_in(const std::string& json_report) {
  JsonDoc doc;
  EXPECT_TRUE(parse_json(json_report, {}, doc)) << doc.error.message;
  const auto& s = doc.value["summary"];
  return s["errors"].GetUint64() + s["warnings"].GetUint64() + s["infos"].GetUint64();
}

TEST(ReportInjection, NoHostileNameStartsALineInAnyFormat) {
  TempDir t;
  std::string tree = hostile_tree(t);
  // Checked as "." from inside the tree too, so pack names start the paths.
  for (const auto& [cwd, path] : {std::pair{t.path(), std::string("tree")}, {tree, std::string(".")}}) {
    // Every finding annotated (no cap, notices too): each must be inert.
    std::vector<std::string> args = {"check", "--max-annotations", "1000000", "--annotate-info", path};
    for (const char* f : kFormats) args.insert(args.end(), {"--report", std::string(f) + "=" + (t / "r.") + f});
    std::size_t findings = 0;
    for (const char* format : kFormats) {
      std::vector<std::string> a = args;
      a.insert(a.begin() + 1, {"--format", format});
      auto r = run_tool_with(a, in_dir(cwd));
      ASSERT_EQ(r.exit_code, 1) << format << "\n" << r.err;
      for (const char* f : kFormats) {
        std::string bytes = f == std::string(format) ? r.out : test::read_file(t / "r." + f);
        if (std::string(f) == "json") findings = findings_in(bytes);
        // Logs and terminals read these two: no control that moves the
        // cursor or reorders what a reader sees reaches them raw.
        if (std::string(f) == "text" || std::string(f) == "github") expect_no_hidden_controls(bytes, f);
        std::size_t commands = 0;
        for (const std::string& raw : lines_of(bytes)) {
          std::string_view line = trimmed_as_the_runner_does(raw);
          if (line.rfind("::", 0) != 0) {
            // The formats CI prints: the runner's legacy form, "##[cmd]", anywhere in a line.
            if (std::string(f) == "text" || std::string(f) == "github") {
              EXPECT_EQ(line.find("##["), std::string::npos) << "a line of the " << f << " report:\n" << line;
            }
            continue;
          }
          // Only the GitHub format's own commands, one per finding, each a
          // well-formed command whose properties hold no raw ':' or ','.
          ASSERT_EQ(std::string(f), "github") << "a line of the " << f << " report starts with '::':\n" << line;
          static const std::regex kCommand(
              "::(error|warning|notice) file=[^:,]*(,line=[0-9]+(,col=[0-9]+)?)?,title=[^:,]*::.*");
          EXPECT_TRUE(std::regex_match(std::string(line), kCommand)) << line;
          ++commands;
        }
        if (std::string(f) == "github") {
          EXPECT_EQ(commands, findings) << "cwd " << cwd;
        }
      }
    }
    EXPECT_GT(findings, 2 * kHostileNames.size());  // every hostile file was reported
  }
}

// The other commands CI prints: diff's text quotes file names, manifest
// values and timeline events; verify-receipt quotes an unsigned receipt and
// pack names; seal and every error quote paths on stderr.
TEST(ReportInjection, DiffVerifyReceiptAndStderrAreInert) {
  TempDir t;
  const std::string a = t / "a", b = t / "b";
  test::copy_tree(test::fixture("packs/good-real"), a);
  std::string events = test::read_file(a + "/timeline/events.ndjson");
  test::write_file(a + "/timeline/events.ndjson",
                   events + "{\"timestamp\":\"2026-01-27T05:05:42.323Z\",\"event\":\"::add-mask::SECRET\",\"data\":{}}\n");
  test::copy_tree(a, b);
  test::write_file(b + "/timeline/events.ndjson",
                   test::read_file(a + "/timeline/events.ndjson") +
                       "{\"timestamp\":\"2026-01-27T05:05:42.323Z\",\"event\":\"##[error]e\\u202e\\u0085::x\",\"data\":{}}\n");
  for (const std::string& name : kHostileNames) test::write_file(b + "/artifacts/" + name, "x\n");
  test::set_json(b + "/manifest.json", "/scenario_id", "\"##[error]v\\n  ::add-mask::w\"");
  auto diff = run_tool_with({"diff", a, b}, RunOptions{});
  EXPECT_EQ(diff.exit_code, 1) << diff.err;
  EXPECT_NE(diff.out.find("SECRET"), std::string::npos) << diff.out;
  expect_inert_log(diff.out, "diff");

  test::write_file(t / "r.json", "{\"payloadType\":\"##[error]pt\\n::add-mask::m\",\"payload\":\"\",\"signatures\":[]}\n");
  ASSERT_EQ(run_tool_with({"key", "generate", "--out", t / "keys"}, RunOptions{}).exit_code, 0);
  auto receipt = run_tool_with({"verify-receipt", "--trusted-key", t / "keys/mplp-gate.pub", t / "r.json"}, RunOptions{});
  EXPECT_EQ(receipt.exit_code, 1) << receipt.out << receipt.err;
  EXPECT_NE(receipt.out.find("payloadType"), std::string::npos) << receipt.out;
  expect_inert_log(receipt.out, "verify-receipt");

  for (const std::string& name : kHostileNames) {
    auto seal = run_tool_with({"seal", t / name}, RunOptions{});
    EXPECT_EQ(seal.exit_code, 2);
    expect_inert_log(seal.err, "seal's stderr");
    auto explain = run_tool_with({"explain", name}, RunOptions{});
    expect_inert_log(explain.err, "explain's stderr");
  }
}

TEST(ReportInjection, JunitEscapesControlCharactersOfFileNames) {
  TempDir t;
  std::string tree = hostile_tree(t);
  auto r = run_tool_with({"check", "--format", "junit", tree}, RunOptions{});
  ASSERT_EQ(r.exit_code, 1) << r.err;
  for (char c : {'\t', '\x7f', '\r', '\x1b'}) EXPECT_EQ(r.out.find(c), std::string::npos) << static_cast<int>(c);
  // Shown as the text format shows them.
  EXPECT_NE(r.out.find("artifacts/nl\\n::error title=injected::newline"), std::string::npos);
  EXPECT_NE(r.out.find("artifacts/tab\\t::notice::tab"), std::string::npos);
  EXPECT_NE(r.out.find("artifacts/del\\x7f::error::del"), std::string::npos);
}

struct Stat {
  ino_t inode;
  off_t size;
  timespec mtime;
};
Stat stat_of(const std::string& p) {
  struct stat st {};
  EXPECT_EQ(::stat(p.c_str(), &st), 0) << p;
  return {st.st_ino, st.st_size, st.st_mtim};
}

TEST(ReportInsidePack, IsRefusedWithExitTwoAndNothingWritten) {
  TempDir t;
  std::string pack = test::copy_good_pack(t, "runs/p");
  std::string manifest = pack + "/manifest.json";
  Stat before = stat_of(manifest);
  fs::create_directory_symlink(pack, t / "link");
  fs::create_directory_symlink(pack + "/artifacts", t / "link-artifacts");
  fs::create_symlink(manifest, t / "manifest-link.json");
  fs::create_directories(t / "elsewhere");
  const std::vector<std::string> inside = {
      manifest,                                  // the manifest itself
      pack + "/reports/new-report.json",         // a new file in the pack
      pack + "/artifacts/../audit.json",         // through ".."
      t / "link/audit.json",                     // through a link to the pack
      t / "link-artifacts/audit.json",           // through a link into the pack
      t / "manifest-link.json",                  // a link to a pack file
      t / "runs/./p/audit.sarif",
  };
  for (const std::string& target : inside) {
    for (const char* format : {"json", "junit"}) {
      auto r = run_tool_with({"check", "--report", std::string(format) + "=" + target, t / "runs"}, RunOptions{});
      EXPECT_EQ(r.exit_code, 2) << target << "\n" << r.err;
      EXPECT_NE(r.err.find("inside the checked pack"), std::string::npos) << r.err;
      EXPECT_NE(r.err.find("runs/p"), std::string::npos) << r.err;
      EXPECT_TRUE(r.out.empty()) << r.out;
    }
  }
  // A directory the pack does not have: refused before the run, as any missing directory.
  {
    auto r = run_tool_with({"check", "--report", "json=" + pack + "/no-such-dir/audit.json", t / "runs"}, RunOptions{});
    EXPECT_EQ(r.exit_code, 2) << r.err;
    EXPECT_NE(r.err.find("no-such-dir does not exist"), std::string::npos) << r.err;
    EXPECT_FALSE(fs::exists(pack + "/no-such-dir"));
  }
  // Nothing was written: the manifest is the same file, and no report or
  // temporary file appeared in the pack.
  Stat after = stat_of(manifest);
  EXPECT_EQ(after.inode, before.inode);
  EXPECT_EQ(after.size, before.size);
  EXPECT_EQ(after.mtime.tv_sec, before.mtime.tv_sec);
  EXPECT_EQ(after.mtime.tv_nsec, before.mtime.tv_nsec);
  for (const auto& e : fs::recursive_directory_iterator(pack)) {
    std::string name = e.path().filename();
    EXPECT_EQ(name.find("audit"), std::string::npos) << e.path();
    EXPECT_EQ(name.find(".tmp-"), std::string::npos) << e.path();
    EXPECT_NE(name, "new-report.json");
  }
  EXPECT_TRUE(fs::is_symlink(t / "manifest-link.json"));

  // Beside the packs, or anywhere else, a report is written.
  for (const std::string& ok : {t / "runs/report.json", t / "elsewhere/report.json"}) {
    auto r = run_tool_with({"check", "--report", "json=" + ok, t / "runs"}, RunOptions{});
    EXPECT_EQ(r.exit_code, 0) << ok << "\n" << r.err;
    EXPECT_TRUE(fs::is_regular_file(ok)) << ok;
  }
}

TEST(ReportInsidePack, RunnersDirectoryIsRefusedToo) {
  TempDir t;
  test::copy_tree(test::fixture("substrate-registry/pass-basic"), t / "repo");
  auto r = run_tool_with({"check", "--runners", t / "repo/runners", "--gate", "GATE-V2-HOST-ALLOW-01", "--report",
                     "sarif=" + (t / "repo/runners/node-20/scan.sarif")},
                    RunOptions{});
  EXPECT_EQ(r.exit_code, 2) << r.err;
  EXPECT_NE(r.err.find("inside the checked runners directory"), std::string::npos) << r.err;
  EXPECT_FALSE(fs::exists(t / "repo/runners/node-20/scan.sarif"));
  auto ok = run_tool_with({"check", "--runners", t / "repo/runners", "--gate", "GATE-V2-HOST-ALLOW-01", "--report",
                      "sarif=" + (t / "repo/scan.sarif")},
                     RunOptions{});
  EXPECT_EQ(ok.exit_code, 0) << ok.err << ok.out;
  EXPECT_TRUE(fs::is_regular_file(t / "repo/scan.sarif"));
}

}  // namespace
}  // namespace mplp

namespace mplp {
namespace {

// An output named on the command line that is not a regular file is
// written through, never replaced: renaming a temporary file over it had
// turned /dev/null, a FIFO or a /dev/stdout symlink into a regular file
// (for the whole container, when CI ran as root).
TEST(ReportTargets, SpecialFilesAndLinksAreWrittenThroughNotReplaced) {
  test::TempDir t;
  const std::string pack = test::copy_good_pack(t);
  const std::string bin = test::shell_quote(test::gate_binary());
  const std::string dir = test::shell_quote(t.path());
  std::string out;
  // A character device (a copy of /dev/null's), a symlink to stdout, a FIFO
  // with a reader and one without. The reader opens its end before the run
  // (a background `cat` might not have, on a loaded machine).
  ASSERT_EQ(::mkfifo((t / "fifo").c_str(), 0600), 0);
  const int reader = ::open((t / "fifo").c_str(), O_RDONLY | O_NONBLOCK | O_CLOEXEC);
  ASSERT_GE(reader, 0);
  int status = test::run_shell(
      "cd " + dir + " && mknod devnull c 1 3 && mkfifo lonely && ln -s /proc/self/fd/1 out && " + bin +
          " check -q --report json=devnull --report sarif=out --receipt receipt.json good > captured && " + bin +
          " check -q --report json=fifo good; echo rc=$?; " + bin +
          " check -q --report json=lonely good 2>&1; echo rc=$?; "
          "stat -c '%F' devnull out fifo lonely",
      out);
  std::string got;
  char buf[4096];
  for (ssize_t n; (n = ::read(reader, buf, sizeof buf)) > 0;) got.append(buf, static_cast<std::size_t>(n));
  ::close(reader);
  EXPECT_EQ(status, 0) << out;
  EXPECT_NE(out.find("rc=0\n"), std::string::npos) << out;
  EXPECT_NE(out.find("a FIFO that no process is reading"), std::string::npos) << out;
  EXPECT_NE(out.find("rc=2\n"), std::string::npos) << out;
  EXPECT_NE(out.find("character special file\nsymbolic link\nfifo\nfifo\n"), std::string::npos) << out;
  EXPECT_NE(test::read_file(t / "captured").find("\"$schema\""), std::string::npos) << "SARIF reached stdout";
  EXPECT_NE(got.find("\"packs\""), std::string::npos) << "the FIFO's reader got the report";
  struct stat st{};
  ASSERT_EQ(::lstat((t / "receipt.json").c_str(), &st), 0);
  EXPECT_TRUE(S_ISREG(st.st_mode));
  (void)pack;
}

// Two outputs naming one file would leave only the last: refused, exit 2,
// whatever the spelling; a directory cannot be a report; a step summary
// FIFO with no reader is an error, never a hang.
TEST(ReportTargets, OneFileTwiceADirectoryAndALonelySummaryFifo) {
  test::TempDir t;
  const std::string pack = test::copy_good_pack(t);
  RunOptions here;
  here.cwd = t.path();
  auto r = run_tool_with({"check", "--receipt", "o.json", "--report", "json=./o.json", pack}, here);
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("name one file"), std::string::npos) << r.err;
  fs::create_directory(t / "sub");
  r = run_tool_with({"check", "--report", "json=a.json", "--report", "sarif=sub/../a.json", pack}, here);
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("name one file"), std::string::npos) << r.err;
  // The error report goes to that file once, in the format named first.
  const std::string first = test::read_file(t / "a.json");
  EXPECT_NE(first.find("name one file"), std::string::npos) << first;
  EXPECT_EQ(first.rfind("{\n  \"schema_version\"", 0), 0u) << "not the JSON report: " << first;
  fs::create_directory(t / "d");
  r = run_tool_with({"check", "--report", "json=d", pack}, here);
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("is a directory"), std::string::npos) << r.err;
  std::string out;
  int status = test::run_shell("cd " + test::shell_quote(t.path()) + " && mkfifo s && GITHUB_STEP_SUMMARY=$PWD/s timeout 20 " +
                                   test::shell_quote(test::gate_binary()) + " check --format github good 2>&1; echo rc=$?",
                               out);
  // The step summary is a courtesy: not written, it is a warning, and the
  // exit code is the run's, as in any other format (QA-36).
  EXPECT_EQ(status, 0);
  EXPECT_NE(out.find("rc=0"), std::string::npos) << out;
  EXPECT_NE(out.find("warning: cannot append the step summary: "), std::string::npos) << out;
  EXPECT_NE(out.find("a FIFO that no process is reading"), std::string::npos) << out;
}

// An output naming a file the run reads (its signing key, a trusted key,
// the policy, the baseline) is refused, exit 2, and the file is left as it
// was: the error report is not written over it either.
// An output that fails late (a full disk, a receipt that cannot be made)
// makes the run exit 2, and then every output says so in its own shape:
// stdout and the reports already written, never "pass" beside exit 2, and
// no receipt saying PASSED (QA-36).
TEST(ReportTargets, ALateWriteFailureTurnsEveryOutputIntoTheError) {
  test::TempDir t;
  const std::string pack = test::copy_good_pack(t);
  RunOptions here;
  here.cwd = t.path();
  auto r = run_tool_with({"check", "--format", "json", "--report", "junit=ok.xml", "--report", "json=/dev/full",
                          "--receipt", "r.jsonl", "--sign-key", test::fixture("keys/test-a.key"), pack},
                         here);
  EXPECT_EQ(r.exit_code, 2) << r.err;
  EXPECT_NE(r.err.find("cannot write the json report to /dev/full"), std::string::npos) << r.err;
  EXPECT_NE(r.out.find("\"result\": \"error\""), std::string::npos) << r.out;
  EXPECT_NE(test::read_file(t / "ok.xml").find("<error"), std::string::npos) << test::read_file(t / "ok.xml");
  EXPECT_FALSE(fs::exists(t / "r.jsonl")) << "a receipt of a run that exited 2";
  // The receipt is the one that fails: the reports written before it say so too.
  fs::create_directory(t / "nu");
  test::copy_tree(test::fixture("packs/good-real"), t / "nu/\xff");
  r = run_tool_with({"check", "--format", "sarif", "--report", "json=ok.json", "--receipt", "nu.r", "--sign-key",
                     test::fixture("keys/test-a.key"), "nu"},
                    here);
  EXPECT_EQ(r.exit_code, 2) << r.err;
  EXPECT_NE(r.err.find("cannot write the receipt to nu.r"), std::string::npos) << r.err;
  EXPECT_NE(r.out.find("\"executionSuccessful\": false"), std::string::npos) << r.out;
  EXPECT_NE(test::read_file(t / "ok.json").find("\"result\": \"error\""), std::string::npos);
  EXPECT_FALSE(fs::exists(t / "nu.r"));
  // Stdout is the one that fails (after the files): they say so, and the
  // receipt, which comes after stdout, is not written (QA-38).
  std::string shell_out;
  const int status = test::run_shell(
      "cd " + test::shell_quote(t.path()) + " && (" + test::shell_quote(test::gate_binary()) +
          " check --report json=late.json --receipt late.r --sign-key " +
          test::shell_quote(test::fixture("keys/test-a.key")) + " " + test::shell_quote(pack) + " >/dev/full 2>err.txt)",
      shell_out);
  EXPECT_EQ(status, 2) << test::read_file(t / "err.txt");
  EXPECT_NE(test::read_file(t / "err.txt").find("cannot write the report to stdout"), std::string::npos) << test::read_file(t / "err.txt");
  EXPECT_NE(test::read_file(t / "late.json").find("\"result\": \"error\""), std::string::npos);
  EXPECT_FALSE(fs::exists(t / "late.r"));
}

TEST(ReportTargets, AnOutputNeverReplacesAnInput) {
  test::TempDir t;
  const std::string pack = test::copy_good_pack(t);
  fs::copy_file(test::fixture("keys/test-a.key"), t / "my.key");
  fs::copy_file(test::fixture("keys/test-a.pub"), t / "trust.pub");
  test::write_file(t / "policy.yaml", "version: 1\n");
  const std::string key = test::read_file(t / "my.key"), pub = test::read_file(t / "trust.pub");
  RunOptions here;
  here.cwd = t.path();
  const std::vector<std::vector<std::string>> calls = {
      {"check", "--receipt", "my.key", "--sign-key", "my.key", pack},
      {"check", "--receipt", "r.jsonl", "--sign-key", "./my.key", "--report", "json=sub/../my.key", pack},
      {"check", "--report", "json=trust.pub", "--trusted-key", "trust.pub", pack},
      {"check", "--report", "sarif=policy.yaml", "--policy", "./policy.yaml", pack},
      // A key the policy trusts, named relative to the policy's directory.
      {"check", "--report", "json=trust.pub", "--policy", "sub/trusting.yaml", pack},
  };
  fs::create_directory(t / "sub");
  test::write_file(t / "sub/trusting.yaml", "extends: default\ntrust:\n  keys:\n    - path: ../trust.pub\n");
  for (const auto& argv : calls) {
    auto r = run_tool_with(argv, here);
    EXPECT_EQ(r.exit_code, 2) << argv[1] << " " << argv[2] << "\n" << r.err;
    EXPECT_NE(r.err.find("which this run reads"), std::string::npos) << r.err;
    EXPECT_EQ(test::read_file(t / "my.key"), key);
    EXPECT_EQ(test::read_file(t / "trust.pub"), pub);
    EXPECT_EQ(test::read_file(t / "policy.yaml"), "version: 1\n");
  }
  // A baseline given twice over, as input and output, is refused the same way.
  ASSERT_EQ(run_tool_with({"check", "-q", "--report", "json=base.json", pack}, here).exit_code, 0);
  const std::string base = test::read_file(t / "base.json");
  auto b = run_tool_with({"check", "--baseline", "base.json", "--report", "html=./base.json", pack}, here);
  EXPECT_EQ(b.exit_code, 2) << b.err;
  EXPECT_EQ(test::read_file(t / "base.json"), base);
}

// An output behind a link the user made is its target: the target is
// replaced atomically (a failed write keeps it whole, and its mode), a
// dangling link names the file it would make, so two outputs meeting there
// are refused.
TEST(ReportTargets, ALinkedOutputIsItsTargetReplacedWhole) {
  test::TempDir t;
  const std::string pack = test::copy_good_pack(t);
  RunOptions here;
  here.cwd = t.path();
  fs::create_directory(t / "keep");
  test::write_file(t / "keep/target.json", std::string(3000, 'A'));
  ::chmod((t / "keep/target.json").c_str(), 0600);
  fs::create_symlink("keep/target.json", t / "link.json");
  std::string out;
  // A write that fails half-way (a 2 KiB file size limit): the old content stays.
  int status = test::run_shell("cd " + test::shell_quote(t.path()) + " && bash -c 'trap \"\" XFSZ; ulimit -f 2; " +
                                   test::shell_quote(test::gate_binary()) +
                                   " check -q --report json=link.json good'; echo rc=$?",
                               out);
  EXPECT_EQ(status, 0);
  EXPECT_NE(out.find("rc=2"), std::string::npos) << out;
  EXPECT_EQ(test::read_file(t / "keep/target.json"), std::string(3000, 'A'));
  // A write that succeeds replaces the target, keeps the link and the mode.
  auto r = run_tool_with({"check", "-q", "--report", "json=link.json", pack}, here);
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_TRUE(fs::is_symlink(t / "link.json"));
  EXPECT_NE(test::read_file(t / "keep/target.json").find("\"packs\""), std::string::npos);
  struct stat st{};
  ASSERT_EQ(::stat((t / "keep/target.json").c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 07777, 0600u);
  // A dangling link and the name it points to are one file.
  fs::create_symlink("new.json", t / "dangling.json");
  r = run_tool_with({"check", "--report", "json=new.json", "--receipt", "dangling.json", pack}, here);
  EXPECT_EQ(r.exit_code, 2) << r.err;
  EXPECT_NE(r.err.find("name one file"), std::string::npos) << r.err;
  r = run_tool_with({"check", "-q", "--report", "json=dangling.json", pack}, here);
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_TRUE(fs::is_symlink(t / "dangling.json"));
  EXPECT_NE(test::read_file(t / "new.json").find("\"packs\""), std::string::npos);
}

// The ways an input was still lost, or a write went wrong, through the
// error paths and links (helper QA of stop 37): each input stays as it was.
TEST(ReportTargets, ErrorReportsNeverGoOverInputsAndLinksLandRight) {
  test::TempDir t;
  const std::string pack = test::copy_good_pack(t);
  RunOptions here;
  here.cwd = t.path();
  test::write_file(t / "pol.yaml", "extends: default\n");
  fs::copy_file(test::fixture("keys/test-a.pub"), t / "k.pub");
  const std::string pub = test::read_file(t / "k.pub");
  fs::create_symlink("pol.yaml", t / "la");
  fs::create_symlink("pol.yaml", t / "lb");
  // Two outputs meeting at the policy; a bad option; no PATH.
  for (const std::vector<std::string>& argv :
       {std::vector<std::string>{"check", pack, "--policy", "pol.yaml", "--report", "json=la", "--report", "sarif=lb"},
        std::vector<std::string>{"check", "--bogus", "--report", "json=pol.yaml", "--policy", "pol.yaml", pack},
        std::vector<std::string>{"check", "--trusted-key", "k.pub", "--report", "json=k.pub"}}) {
    auto r = run_tool_with(argv, here);
    EXPECT_EQ(r.exit_code, 2) << r.err;
    EXPECT_EQ(test::read_file(t / "pol.yaml"), "extends: default\n") << argv[1];
    EXPECT_EQ(test::read_file(t / "k.pub"), pub) << argv[1];
  }
  // merge: two outputs meeting at a shard it reads.
  ASSERT_EQ(run_tool_with({"check", "--shard", "0/1", "--report", "json=s.json", pack}, here).exit_code, 0);
  const std::string shard = test::read_file(t / "s.json");
  fs::create_symlink("s.json", t / "ls");
  EXPECT_EQ(run_tool_with({"merge", "s.json", "--report", "json=ls", "--report", "text=ls"}, here).exit_code, 2);
  EXPECT_EQ(test::read_file(t / "s.json"), shard);
  // A registry found beside the packs is an input too.
  fs::create_directories(t / "repo/producers/_registry");
  fs::copy_file(test::fixture("upstream/registry/substrates.v2.yaml"), t / "repo/producers/_registry/substrates.v2.yaml");
  const std::string registry = test::read_file(t / "repo/producers/_registry/substrates.v2.yaml");
  test::copy_tree(pack, t / "repo/pk");
  auto r = run_tool_with({"check", "repo/pk", "--report", "json=repo/producers/_registry/substrates.v2.yaml"}, here);
  EXPECT_EQ(r.exit_code, 2) << r.err;
  EXPECT_NE(r.err.find("the substrate registry"), std::string::npos) << r.err;
  EXPECT_EQ(test::read_file(t / "repo/producers/_registry/substrates.v2.yaml"), registry);
  // So is a lock file under --repo-root that the run read.
  test::write_file(t / "repo/producers/mcp/package-lock.json", "{\"lockfileVersion\": 3}\n");
  r = run_tool_with({"check", "--repo-root", "repo", "repo/pk", "--report", "json=repo/producers/mcp/package-lock.json"},
                    here);
  EXPECT_EQ(r.exit_code, 2) << r.err;
  EXPECT_NE(r.err.find("which this run reads"), std::string::npos) << r.err;
  EXPECT_EQ(test::read_file(t / "repo/producers/mcp/package-lock.json"), "{\"lockfileVersion\": 3}\n");
  // A dangling link into a checked pack: refused, nothing made there.
  fs::create_symlink(pack + "/new.json", t / "into");
  r = run_tool_with({"check", "--report", "json=into", pack}, here);
  EXPECT_EQ(r.exit_code, 2) << r.err;
  EXPECT_NE(r.err.find("lies inside the checked pack"), std::string::npos) << r.err;
  EXPECT_FALSE(fs::exists(pack + "/new.json"));
  // ".." after a link is resolved by the kernel: a/lnk lands in real/, not here.
  fs::create_directories(t / "real/inner");
  fs::create_directory_symlink("real/inner", t / "a");
  fs::create_symlink("../x.json", t / "real/inner/lnk");
  r = run_tool_with({"check", "-q", "--report", "json=x.json", "--report", "sarif=a/lnk", pack}, here);
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_TRUE(fs::is_regular_file(t / "x.json"));
  EXPECT_TRUE(fs::is_regular_file(t / "real/x.json"));
  // /dev/stdout redirected to a log by the shell: appended to, not truncated.
  std::string out;
  const std::string bin = test::shell_quote(test::gate_binary());
  test::run_shell("cd " + test::shell_quote(t.path()) + " && printf 'old log\\n' > log && " + bin +
                      " check --report json=/dev/stdout " + test::shell_quote(pack) + " >> log; cat log",
                  out);
  EXPECT_EQ(out.rfind("old log\n", 0), 0u) << out;
  EXPECT_NE(out.find("RESULT"), std::string::npos) << out;
  EXPECT_NE(out.find("\"packs\""), std::string::npos) << out;
  // QA-54: redirected with `>` (not appending), the report and what the
  // tool prints both land whole: neither is written over the other.
  const std::string in_t = "cd " + test::shell_quote(t.path()) + " && ";
  test::run_shell(in_t + bin + " check " + test::shell_quote(pack) + " > text.out", out);
  test::run_shell(in_t + bin + " check -q --report json=alone.json " + test::shell_quote(pack), out);
  for (const char* stream : {"stdout", "stderr"}) {
    SCOPED_TRACE(stream);
    const std::string redirect = std::string(stream) == "stdout" ? " > both.out" : " > both.out 2>&1";
    test::run_shell(in_t + bin + " check --report json=/dev/" + stream + " " + test::shell_quote(pack) + redirect, out);
    const std::string both = test::read_file(t / "both.out"), text = test::read_file(t / "text.out"),
                      json = test::read_file(t / "alone.json");
    EXPECT_EQ(both.size(), text.size() + json.size()) << both;
    EXPECT_NE(both.find(text), std::string::npos) << both;
    EXPECT_NE(both.find(json), std::string::npos) << both;
  }
  // Past the file size limit: exit 2 saying so, no temporary file left.
  test::write_file(t / "big.json", "OLD");
  test::run_shell("cd " + test::shell_quote(t.path()) + " && (ulimit -f 1; " + bin +
                      " check -q --report json=big.json " + test::shell_quote(pack) + "; echo rc=$?) 2>&1; ls",
                  out);
  EXPECT_NE(out.find("rc=2"), std::string::npos) << out;
  EXPECT_NE(out.find("File too large"), std::string::npos) << out;
  EXPECT_EQ(out.find(".tmp-"), std::string::npos) << out;
  EXPECT_EQ(test::read_file(t / "big.json"), "OLD");
}

// Names as long as a file name may be (255 bytes): a report written under
// one, a pack named so checked and sealed.
TEST(ReportTargets, NamesAsLongAsAFileNameMayBe) {
  test::TempDir t;
  const std::string name(255, 'p');
  test::copy_tree(test::fixture("packs/good-real"), t / name);
  RunOptions here;
  here.cwd = t.path();
  const std::string report(255, 'r');
  auto r = run_tool_with({"check", "-q", "--report", "json=" + report, name}, here);
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_TRUE(fs::is_regular_file(t / report));
  auto s = run_tool_with({"seal", name}, here);
  EXPECT_EQ(s.exit_code, 0) << s.err;
  EXPECT_EQ(run_tool_with({"check", "-q", name}, here).exit_code, 0);
  std::size_t entries = 0;
  for (const auto& e : fs::directory_iterator(t.path())) (void)e, ++entries;
  EXPECT_EQ(entries, 2u) << "no temporary or staging name left";
}

// Two outputs not made yet, one spelled through a link to their directory,
// name one file: refused before either exists, not only once they do.
TEST(ReportTargets, TwoNewOutputsInOneDirectoryThroughALink) {
  test::TempDir t;
  const std::string pack = test::copy_good_pack(t);
  fs::create_directory_symlink(".", t / "here");
  RunOptions here;
  here.cwd = t.path();
  auto r = run_tool_with({"check", "--report", "json=out", "--report", "html=here/out", pack}, here);
  EXPECT_EQ(r.exit_code, 2) << r.err;
  EXPECT_NE(r.err.find("name one file"), std::string::npos) << r.err;
  // Other names in that directory are other files.
  EXPECT_EQ(run_tool_with({"check", "-q", "--report", "json=out", "--report", "html=here/out.html", pack}, here).exit_code,
            0);
}

}  // namespace
}  // namespace mplp
