// End-to-end tests of issue 14, point 2 on the built binary: `explain` for
// finding codes and short gate ids, each thing once, paged on a terminal;
// "did you mean" for commands, options, formats, gate ids and codes; findings
// located by JSON pointer carry line and column in every format.
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <iostream>
#include <sstream>

#include "core/json.h"
#include "test_util.h"

namespace mplp {
namespace {

using test::run_tool;
using test::TempDir;

using test::count_of;

TEST(ExplainCli, FindingCodesAreExplainedWithTheirGateAndFix) {
  auto r = run_tool({"explain", "sums.unlisted"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out.rfind("sums.unlisted (warning, GATE-V2-INTEGRITY-01)", 0), 0u) << r.out;
  EXPECT_NE(r.out.find("How to fix it:"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("mplp-gate explain GATE-V2-INTEGRITY-01"), std::string::npos) << r.out;
  // Case does not matter; the engine's own codes are known too.
  EXPECT_EQ(run_tool({"explain", "SUMS.UNLISTED"}).out, r.out);
  auto omitted = run_tool({"explain", "findings.omitted"});
  EXPECT_EQ(omitted.exit_code, 0);
  EXPECT_NE(omitted.out.find("max_findings_per_pack"), std::string::npos) << omitted.out;
  for (const char* code : {"root_hash.mismatch", "root_hash.placeholder", "verify_hash.unchecked", "det.mismatch",
                           "ssot.fingerprint", "internal.error"}) {
    auto c = run_tool({"explain", code});
    EXPECT_EQ(c.exit_code, 0) << code << c.err;
    EXPECT_NE(c.out.find("How to fix it:\n  "), std::string::npos) << c.out;
  }
}

TEST(ExplainCli, GatesCodesListsEveryCodeAndEachExplains) {
  auto r = run_tool({"gates", "--codes"});
  ASSERT_EQ(r.exit_code, 0);
  std::size_t lines = 0;
  for (std::size_t pos = 0; pos < r.out.size(); pos = r.out.find('\n', pos) + 1) {
    std::string code = r.out.substr(pos, r.out.find(' ', pos) - pos);
    ++lines;
    if (lines % 10 != 1) continue;  // a sample: each run starts the binary
    auto e = run_tool({"explain", code});
    EXPECT_EQ(e.exit_code, 0) << code;
    EXPECT_EQ(e.out.rfind(code + " (", 0), 0u) << e.out;
  }
  EXPECT_GT(lines, 100u);
  EXPECT_NE(r.out.find("findings.omitted"), std::string::npos);
  EXPECT_EQ(run_tool({"gates", "--nope"}).exit_code, 2);
}

TEST(ExplainCli, ShortAndFullGateIdsPrintEachThingOnce) {
  auto full = run_tool({"explain", "GATE-V2-INTEGRITY-01"});
  ASSERT_EQ(full.exit_code, 0);
  EXPECT_EQ(run_tool({"explain", "INTEGRITY-01"}).out, full.out);
  EXPECT_EQ(run_tool({"explain", "integrity-01"}).out, full.out);
  EXPECT_EQ(run_tool({"explain", "V2-INTEGRITY-01"}).out, full.out);
  // Every code's line appears once: the findings list is not printed twice
  // (the doc page's table is what the list restates).
  EXPECT_EQ(count_of(full.out, "  sums.unlisted ("), 1u) << full.out;
  EXPECT_EQ(count_of(full.out, "Why:"), 1u);
  EXPECT_EQ(count_of(full.out, "What it checks:"), 1u);
  EXPECT_EQ(count_of(full.out, "Findings and how to fix them:"), 1u);
  // The doc page's other sections are there.
  EXPECT_NE(full.out.find("Upstream packs:"), std::string::npos) << full.out;
  for (const char* id : {"GATE-V2-HOST-ALLOW-01", "GATE-V2-DET-01", "GATE-V2-SSOT-01", "GATE-V2-RUNNER-SMOKE-01"}) {
    auto g = run_tool({"explain", id});
    EXPECT_EQ(g.exit_code, 0);
    EXPECT_EQ(count_of(g.out, "What it checks:"), 1u) << id;
    EXPECT_EQ(g.out.find("| code |"), std::string::npos) << id << ": the doc page's findings table is left out";
  }
}

TEST(ExplainCli, UnknownNamesGetASuggestionOrNone) {
  auto typo = run_tool({"explain", "sums.unlistd"});
  EXPECT_EQ(typo.exit_code, 2);
  EXPECT_NE(typo.err.find("did you mean sums.unlisted?"), std::string::npos) << typo.err;
  EXPECT_TRUE(typo.out.empty());
  auto gate = run_tool({"explain", "GATE-V2-SSOT-1"});
  EXPECT_EQ(gate.exit_code, 2);
  EXPECT_NE(gate.err.find("did you mean GATE-V2-SSOT-01?"), std::string::npos) << gate.err;
  auto nothing = run_tool({"explain", "completely-unrelated"});
  EXPECT_EQ(nothing.exit_code, 2);
  EXPECT_EQ(nothing.err.find("did you mean"), std::string::npos) << nothing.err;
}

TEST(ExplainCli, PagedOnATerminalOnly) {
  // Not a terminal: printed directly, whatever PAGER says.
  {
    test::ScopedEnv pager("PAGER", "sed s/^/PAGED:/");
    auto r = run_tool({"explain", "sums.unlisted"});
    EXPECT_EQ(r.out.find("PAGED:"), std::string::npos) << r.out;
  }
  // A terminal (util-linux `script` gives the binary a pty): through $PAGER.
  std::string out;
  const std::string bin = test::shell_quote(test::gate_binary());
  int rc = test::run_shell("PAGER='sed s/^/PAGED:/' script -qec " +
                               test::shell_quote(bin + " explain sums.unlisted") + " /dev/null",
                           out);
  if (rc == 127 || out.find("script: not found") != std::string::npos) GTEST_SKIP() << "no `script` here: " << out;
  EXPECT_EQ(rc, 0) << out;
  EXPECT_NE(out.find("PAGED:sums.unlisted (warning"), std::string::npos) << out;
  // A pager that does not exist: the text is printed anyway.
  rc = test::run_shell("PAGER=/nonexistent/pager script -qec " + test::shell_quote(bin + " explain sums.unlisted") +
                           " /dev/null",
                       out);
  EXPECT_EQ(rc, 0) << out;
  EXPECT_NE(out.find("sums.unlisted (warning"), std::string::npos) << out;
  // PAGER=cat (or empty): no pager.
  rc = test::run_shell("PAGER=cat script -qec " + test::shell_quote(bin + " explain sums.unlisted") + " /dev/null",
                       out);
  EXPECT_EQ(rc, 0);
  EXPECT_NE(out.find("sums.unlisted (warning"), std::string::npos) << out;
}

TEST(DidYouMean, CommandsOptionsFormatsAndGateIds) {
  struct Case {
    std::vector<std::string> args;
    std::string says;      // "" = no suggestion at all
  };
  const std::string pack = test::fixture("packs/good-real");
  const std::vector<Case> cases = {
      {{"chek", pack}, "did you mean check?"},
      {{"explian", "sums.unlisted"}, "did you mean explain?"},
      {{"help", "dif"}, "did you mean diff?"},
      {{"check", "--formt", "json", pack}, "did you mean --format?"},
      {{"check", "--stirct", pack}, "did you mean --strict?"},
      {{"check", "--format", "jsno", pack}, "did you mean json?"},
      {{"check", "--format", "SARIF", pack}, "did you mean sarif?"},
      {{"check", "--report", "juint=x.xml", pack}, "did you mean junit?"},
      {{"check", "--gate", "GATE-V2-SSOT-1", pack}, "did you mean GATE-V2-SSOT-01?"},
      {{"check", "--skip", "gate-v2-det-1", pack}, "did you mean GATE-V2-DET-01?"},
      // A short id mistyped gets the short id.
      {{"check", "--gate", "INTEGRTY-01", pack}, "did you mean INTEGRITY-01?"},
      {{"check", "--skip", "ssot01", pack}, "did you mean SSOT-01?"},
      {{"--hlep"}, "did you mean --help?"},
      {{"--verison"}, "did you mean --version?"},
      // Far from everything: no suggestion rather than a wrong one.
      {{"check", "--gate", "GATE-V2-FOO", pack}, ""},
      {{"frobnicate"}, ""},
      {{"check", "--frobnicate", pack}, ""},
      {{"check", "--format", "yaml", pack}, ""},
  };
  for (const Case& c : cases) {
    auto r = run_tool(c.args);
    EXPECT_EQ(r.exit_code, 2) << c.args[0];
    if (c.says.empty())
      EXPECT_EQ(r.err.find("did you mean"), std::string::npos) << r.err;
    else
      EXPECT_NE(r.err.find(c.says), std::string::npos) << r.err;
  }
}

// -h is --help on every command that takes options.
TEST(DidYouMean, DashHIsHelpEverywhere) {
  for (const std::vector<std::string>& args :
       {std::vector<std::string>{"check", "-h"}, {"seal", "-h"}, {"diff", "-h"}, {"merge", "-h"}, {"gates", "-h"},
        {"explain", "-h"}, {"run", "-h"}, {"verify-receipt", "-h"}, {"base", "-h"}}) {
    auto r = run_tool(args);
    EXPECT_EQ(r.exit_code, 0) << args[0] << ": " << r.err;
    EXPECT_EQ(r.out.rfind("usage: mplp-gate " + args[0], 0), 0u) << args[0] << ": " << r.out;
    EXPECT_EQ(r.err, "") << args[0];
  }
}

// A suppression whose code no gate reports is most likely a typo: the
// warning that it matched nothing says so, with the closest code.
TEST(DidYouMean, ASuppressionOfAnUnknownCode) {
  TempDir t;
  test::write_file(t / "policy.yaml",
                   "suppress:\n  - code: sums.unlistd\n    reason: known\n  - code: sums.unl*\n    reason: a glob\n"
                   "  - code: sums.unlisted\n    reason: known, and matched nothing\n");
  auto r = run_tool({"check", "--policy", t / "policy.yaml", test::fixture("packs/good-real")});
  EXPECT_EQ(r.exit_code, 0) << r.out;
  EXPECT_NE(r.out.find(":2:5: suppression of sums.unlistd matched no finding of this run (remove it, or fix its code, "
                       "path or pack); no gate reports the code sums.unlistd (did you mean sums.unlisted?)"),
            std::string::npos)
      << r.out;
  // A glob, or a code some gate reports, is no typo.
  EXPECT_NE(r.out.find(":4:5: suppression of sums.unl* matched no finding of this run (remove it, or fix its code, "
                       "path or pack)\n"),
            std::string::npos)
      << r.out;
  EXPECT_NE(r.out.find(":6:5: suppression of sums.unlisted matched no finding of this run (remove it, or fix its "
                       "code, path or pack)\n"),
            std::string::npos)
      << r.out;
}

// --gate and --skip take short ids in any case, as explain does.
TEST(GateNames, ShortIdsSelectTheGate) {
  const std::string pack = test::fixture("packs/good-real");
  for (const std::string& name : {std::string("SSOT-01"), std::string("ssot-01"), std::string("GATE-V2-SSOT-01")}) {
    auto r = run_tool({"check", "--format", "json", "--gate", name, pack});
    ASSERT_EQ(r.exit_code, 0) << name << ": " << r.err;
    JsonDoc doc;
    ASSERT_TRUE(parse_json(r.out, {}, doc));
    const auto& gates = doc.value["packs"][0]["gates"];
    ASSERT_EQ(gates.Size(), 1u) << name;
    EXPECT_EQ(as_view(gates[0]["id"]), "GATE-V2-SSOT-01");
  }
  auto skip = run_tool({"check", "--format", "json", "--skip", "det-01", pack});
  ASSERT_EQ(skip.exit_code, 0) << skip.err;
  EXPECT_EQ(skip.out.find("GATE-V2-DET-01"), std::string::npos) << "DET-01 skipped by its short id";
  EXPECT_NE(skip.out.find("GATE-V2-SSOT-01"), std::string::npos);
  // "01" alone names no gate.
  EXPECT_EQ(run_tool({"check", "--gate", "01", pack}).exit_code, 2);
}

// The JSON text at a pointer finding's line:column is the value it names.
TEST(PointerLocations, FindingsByPointerCarryLineAndColumnInEveryFormat) {
  TempDir t;
  std::string p = test::copy_good_pack(t);
  // A fingerprint value that is not a real string, deep in the manifest.
  test::set_json(p + "/manifest.json", "/env_ref/environment_fingerprint/arch", "\"unknown\"");
  test::reseal(p);
  auto r = run_tool({"check", "--format", "json", "--gate", "GATE-V2-SSOT-01", p});
  EXPECT_EQ(r.exit_code, 1) << r.out;
  JsonDoc doc;
  ASSERT_TRUE(parse_json(r.out, {}, doc));
  const std::string manifest = test::read_file(p + "/manifest.json");
  std::size_t located = 0;
  std::uint64_t arch_line = 0, arch_column = 0;
  for (const auto& g : doc.value["packs"][0]["gates"].GetArray())
    for (const auto& f : g["findings"].GetArray()) {
      if (!f.HasMember("pointer") || std::string(f["file"].GetString()) != "manifest.json") continue;
      ASSERT_TRUE(f.HasMember("line")) << to_compact_json(f);
      ASSERT_TRUE(f.HasMember("column")) << to_compact_json(f);
      std::string pointer = f["pointer"].GetString();
      // The text at line:column is the value the pointer names.
      std::size_t at = 0;
      for (unsigned line = 1; line < f["line"].GetUint(); ++line) at = manifest.find('\n', at) + 1;
      at += f["column"].GetUint() - 1;
      if (pointer == "/env_ref/environment_fingerprint/arch") {
        EXPECT_EQ(manifest.compare(at, 9, "\"unknown\""), 0) << manifest.substr(at, 30);
        arch_line = f["line"].GetUint();
        arch_column = f["column"].GetUint();
        ++located;
      }
    }
  EXPECT_GE(located, 1u) << r.out;
  // Text and GitHub show file:line:col, SARIF a region with that line.
  auto text = run_tool({"check", "--gate", "GATE-V2-SSOT-01", p});
  EXPECT_NE(text.out.find("manifest.json:" + std::to_string(arch_line) + ":" + std::to_string(arch_column) +
                          "#/env_ref/environment_fingerprint/arch"),
            std::string::npos)
      << text.out;
  auto gh = run_tool({"check", "--format", "github", "--gate", "GATE-V2-SSOT-01", p});
  EXPECT_NE(gh.out.find("manifest.json,line=" + std::to_string(arch_line) + ",col=" + std::to_string(arch_column)),
            std::string::npos)
      << gh.out;
  auto sarif = run_tool({"check", "--format", "sarif", "--gate", "GATE-V2-SSOT-01", p});
  JsonDoc s;
  ASSERT_TRUE(parse_json(sarif.out, {}, s));
  bool region = false;
  for (const auto& res : s.value["runs"][0]["results"].GetArray()) {
    const auto& loc = res["locations"][0];
    if (!loc.HasMember("logicalLocations")) continue;
    std::string name = loc["logicalLocations"][0]["fullyQualifiedName"].GetString();
    if (name != "/env_ref/environment_fingerprint/arch") continue;
    region = loc["physicalLocation"]["region"]["startLine"].GetUint() == arch_line &&
             loc["physicalLocation"]["region"]["startColumn"].GetUint() == arch_column;
  }
  EXPECT_TRUE(region) << sarif.out;
}

// The README's gate table is made from the gates' pages (`gates
// --markdown`): every row it has is that output's row for its gate, in the
// same order, so its prose cannot drift from the pages. A gate it lacks (one
// just made by scripts/new-gate) is named, not failed: adding the row is the
// last step of adding a gate.
TEST(ExplainCli, ReadmeGateTableIsMadeFromThePages) {
  auto made = run_tool({"gates", "--markdown"});
  ASSERT_EQ(made.exit_code, 0) << made.err;
  std::vector<std::string> made_rows, readme_rows;
  std::istringstream made_in(made.out);
  for (std::string line; std::getline(made_in, line);) made_rows.push_back(line);
  const std::string readme = test::read_file(test::source_root() + "/README.md");
  std::size_t at = readme.find("<!-- gates: `mplp-gate gates --markdown`");
  ASSERT_NE(at, std::string::npos) << "the README's gate table lost its marker";
  std::istringstream readme_in(readme.substr(readme.find('\n', at) + 1));
  for (std::string line; std::getline(readme_in, line) && line.rfind('|', 0) == 0;) readme_rows.push_back(line);
  ASSERT_GE(made_rows.size(), 3u);
  ASSERT_GE(readme_rows.size(), 3u);
  std::size_t next = 0;  // where the next README row must be found in the made ones
  for (const std::string& row : readme_rows) {
    auto it = std::find(made_rows.begin() + static_cast<std::ptrdiff_t>(next), made_rows.end(), row);
    EXPECT_NE(it, made_rows.end()) << "README row not made from the pages (or out of order):\n" << row;
    if (it != made_rows.end()) next = static_cast<std::size_t>(it - made_rows.begin()) + 1;
  }
  for (const std::string& row : made_rows)
    if (std::find(readme_rows.begin(), readme_rows.end(), row) == readme_rows.end())
      std::cout << "note: the README's gate table has no row for " << row.substr(0, row.find(']') + 1)
                << " yet (add `mplp-gate gates --markdown`'s row)\n";
}

}  // namespace
}  // namespace mplp

namespace mplp {
namespace {

// Whatever a command quotes on stderr (an argument, a path, a policy's
// value), no control byte reaches the terminal or the CI log: ESC, CR, BEL
// and the C1 control U+009B come out as text, and exit codes do not change.
TEST(StderrGuard, NoControlByteFromAnyArgumentReachesStderr) {
  const std::string nasty = "\x1b[31m\x07\r\xc2\x9b\x7f";
  const std::string pack = test::fixture("packs/good-real");
  TempDir t;
  const std::vector<std::vector<std::string>> calls = {
      {"explain", "X" + nasty},
      {"nonsense" + nasty},
      {"help", "nonsense" + nasty},
      {"check", "--bogus" + nasty, pack},
      {"check", "--format", "x" + nasty, pack},
      {"check", "--gate", "G" + nasty, pack},
      {"check", "--policy", t / ("p" + nasty), pack},
      {"check", "--report", "json" + nasty + "=x", pack},
      {"check", "--shard", "1" + nasty + "/2", pack},
      {"check", t / ("missing" + nasty)},
      {"merge", "--format", "z" + nasty},
      {"verify-receipt", "--x" + nasty},
      {"diff", t / ("a" + nasty), pack},
  };
  for (const auto& argv : calls) {
    auto r = run_tool(argv);
    EXPECT_EQ(r.exit_code, 2) << argv[0] << " " << argv[1] << "\n" << r.err;
    EXPECT_FALSE(r.err.empty()) << argv[0];
    for (char c : r.err) {
      const auto b = static_cast<unsigned char>(c);
      EXPECT_TRUE(b >= 0x20 ? b != 0x7f : (b == '\n' || b == '\t')) << argv[0] << ": byte " << int(b) << " in\n" << r.err;
    }
    EXPECT_EQ(r.err.find("\xc2\x9b"), std::string::npos) << r.err;
  }
  // The escapes say what was there.
  auto e = run_tool({"explain", "X" + nasty});
  EXPECT_NE(e.err.find("X\\x1b[31m\\x07\\r\\u009b\\x7f"), std::string::npos) << e.err;
  // Valid UTF-8 that is not a control passes unchanged.
  EXPECT_NE(run_tool({"explain", "caf\xc3\xa9\xc2\xa9"}).err.find("caf\xc3\xa9\xc2\xa9"), std::string::npos);
}

}  // namespace
}  // namespace mplp
