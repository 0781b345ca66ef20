// End-to-end tests of issue 14, point 5 on the built binary: policy
// suppressions (with a reason, marked in every report, never counting, an
// unmatched one a warning), --baseline by fingerprint, `extends: default`,
// .mplp-gate.yaml discovery, and every report naming the policy and its SHA-256.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "core/json.h"
#include "core/schema.h"
#include "test_util.h"

namespace mplp {
namespace {

namespace fs = std::filesystem;
using test::run_tool;
using test::run_tool_with;
using test::TempDir;

std::string mcp() { return test::corpus("upstream/real/mcp/mcp-d1-real-runner-001"); }

JsonDoc json_of(const std::string& text) {
  JsonDoc doc;
  EXPECT_TRUE(parse_json(text, {}, doc)) << text;
  for (const auto& e : validate_with_schema("gate-report", doc.value)) ADD_FAILURE() << e.pointer << ": " << e.message;
  return doc;
}

std::string sha256_of(const std::string& file) {
  std::string out;
  EXPECT_EQ(test::run_shell("sha256sum " + test::shell_quote(file) + " | cut -c1-64 | tr -d '\\n'", out), 0);
  return out;
}

// Upstream's mcp pack warns for sums.unlisted (its evaluation report), the
// legacy image_digest and the arch aarch64 (the contract's arm64): --strict fails it. Suppressed with reasons, it
// passes, and every report still shows both findings, marked.
TEST(Suppress, KnownUpstreamWarningsAreAcceptedButStillReported) {
  TempDir t;
  EXPECT_EQ(run_tool({"check", "--strict", mcp()}).exit_code, 1);
  test::write_file(t / "policy.yaml",
                   "extends: default\n"
                   "suppress:\n"
                   "  - code: sums.unlisted\n"
                   "    path: reports/evaluation.report.json\n"
                   "    pack: 'mcp-*'\n"
                   "    reason: upstream adds the evaluation report after sealing\n"
                   "  - code: ssot.legacy-digest-field\n"
                   "    reason: upstream's shell runner writes image_digest\n"
                   "  - code: ssot.fingerprint-arch\n"
                   "    reason: upstream's shell runner writes uname -m\n");
  auto r = run_tool({"check", "--strict", "--policy", t / "policy.yaml", "--format", "json", "--report",
                     "sarif=" + t / "r.sarif", "--report", "text=" + t / "r.txt", "--report", "junit=" + t / "r.xml",
                     mcp()});
  EXPECT_EQ(r.exit_code, 0) << r.out;
  JsonDoc doc = json_of(r.out);
  EXPECT_EQ(doc.value["summary"]["warnings"].GetUint(), 0u);
  EXPECT_EQ(doc.value["summary"]["suppressed"].GetUint(), 4u)
      << "sums.unlisted, two legacy-digest warnings and the arch";
  EXPECT_EQ(doc.value["warnings"].Size(), 0u);
  EXPECT_NE(r.out.find("\"suppressed\": \"upstream adds the evaluation report after sealing\""), std::string::npos);
  std::string sarif = test::read_file(t / "r.sarif");
  EXPECT_NE(sarif.find("\"justification\": \"upstream adds the evaluation report after sealing\""), std::string::npos)
      << sarif;
  EXPECT_NE(sarif.find("\"status\": \"accepted\""), std::string::npos);
  EXPECT_NE(test::read_file(t / "r.txt").find("[sums.unlisted] (suppressed: upstream adds the evaluation report"),
            std::string::npos);
  EXPECT_NE(test::read_file(t / "r.xml").find("(suppressed: upstream adds"), std::string::npos);
  // GitHub does not annotate accepted findings.
  auto gh = run_tool({"check", "--strict", "--policy", t / "policy.yaml", "--format", "github", mcp()});
  EXPECT_EQ(gh.out.find("::warning file="), std::string::npos) << gh.out;
}

TEST(Suppress, AnEntryThatMatchesNothingIsAWarningThatStrictFails) {
  TempDir t;
  test::write_file(t / "policy.yaml",
                   "suppress:\n  - code: sums.unlisted\n    pack: 'other-*'\n    reason: not this pack\n");
  std::string p = test::copy_good_pack(t);
  auto r = run_tool({"check", "--policy", t / "policy.yaml", p});
  EXPECT_EQ(r.exit_code, 0) << r.out;
  EXPECT_NE(r.out.find("warning: " + t / "policy.yaml" + ":2:5: suppression of sums.unlisted matched no finding"),
            std::string::npos)
      << r.out;
  EXPECT_EQ(run_tool({"check", "--strict", "--policy", t / "policy.yaml", p}).exit_code, 1);
  auto json = run_tool({"check", "--format", "json", "--policy", t / "policy.yaml", p});
  EXPECT_EQ(json_of(json.out).value["warnings"].Size(), 1u);
  auto sarif = run_tool({"check", "--format", "sarif", "--policy", t / "policy.yaml", p});
  EXPECT_NE(sarif.out.find("\"toolConfigurationNotifications\""), std::string::npos) << sarif.out;
  // QA-45: JUnit and HTML said nothing of it, even when it alone failed the
  // run (--strict: a JUnit of 0 failures beside exit 1).
  for (const bool strict : {false, true}) {
    std::vector<std::string> args = {"check", "--format", "junit", "--policy", t / "policy.yaml", p};
    if (strict) args.insert(args.begin() + 1, "--strict");
    auto junit = run_tool(args);
    EXPECT_EQ(junit.exit_code, strict ? 1 : 0);
    EXPECT_NE(junit.out.find("<testcase name=\"run\" classname=\"mplp-gate\">"), std::string::npos) << junit.out;
    EXPECT_NE(junit.out.find("suppression of sums.unlisted matched no finding"), std::string::npos) << junit.out;
    const std::size_t top = junit.out.find("<testsuites ");
    ASSERT_NE(top, std::string::npos) << junit.out;
    const std::string top_line = junit.out.substr(top, junit.out.find('\n', top) - top);
    EXPECT_NE(top_line.find(strict ? "failures=\"1\"" : "failures=\"0\""), std::string::npos) << top_line;
  }
  auto html = run_tool({"check", "--format", "html", "--policy", t / "policy.yaml", p});
  EXPECT_NE(html.out.find("\"warnings\":[\""), std::string::npos);
  EXPECT_NE(html.out.find("suppression of sums.unlisted matched no finding"), std::string::npos);
  // A suppression without a reason is an invalid policy.
  test::write_file(t / "bad.yaml", "suppress:\n  - code: sums.unlisted\n");
  auto bad = run_tool({"check", "--policy", t / "bad.yaml", p});
  EXPECT_EQ(bad.exit_code, 2);
  EXPECT_NE(bad.err.find("bad.yaml:2:5: key 'suppress[0].reason'"), std::string::npos) << bad.err;
}

// A tampered pack fails; with its own report as the baseline it passes; a new
// defect fails again, and only the new finding counts.
TEST(Baseline, OnlyNewFindingsFail) {
  TempDir t;
  std::string p = test::copy_good_pack(t);
  test::write_file(p + "/artifacts/plan.json", "{\"tampered\": true}\n");
  auto old = run_tool({"check", "--format", "json", "--report", "json=" + t / "old.json", p});
  EXPECT_EQ(old.exit_code, 1);
  auto same = run_tool({"check", "--format", "json", "--baseline", t / "old.json", p});
  EXPECT_EQ(same.exit_code, 0) << same.out;
  JsonDoc doc = json_of(same.out);
  EXPECT_EQ(doc.value["summary"]["errors"].GetUint(), 0u);
  EXPECT_GT(doc.value["summary"]["suppressed"].GetUint(), 0u);
  EXPECT_NE(same.out.find("\"baseline\": true"), std::string::npos);
  auto sarif = run_tool({"check", "--format", "sarif", "--baseline", t / "old.json", p});
  EXPECT_NE(sarif.out.find("present in the baseline report"), std::string::npos);
  // From another working directory, with the pack named otherwise: the same.
  auto elsewhere = run_tool_with({"check", "--baseline", t / "old.json", "./good"}, test::RunOptions{"", t.path(), 0});
  EXPECT_EQ(elsewhere.exit_code, 0) << elsewhere.out;
  // A new defect.
  test::write_file(p + "/artifacts/trace.json", "{\"also\": true}\n");
  auto more = run_tool({"check", "--format", "json", "--baseline", t / "old.json", p});
  EXPECT_EQ(more.exit_code, 1);
  JsonDoc m = json_of(more.out);
  // What counts is new: the trace.json digest (and the root hash, whose
  // computed value changed with it); plan.json's digest is in the baseline.
  bool trace_counted = false;
  for (const auto& g : m.value["packs"][0]["gates"].GetArray())
    for (const auto& f : g["findings"].GetArray()) {
      const std::string line = to_compact_json(f, 2000);
      if (line.find("artifacts/plan.json") != std::string::npos) {
        EXPECT_TRUE(f.HasMember("baseline")) << line;
      }
      if (std::string(f["severity"].GetString()) == "error" && !f.HasMember("baseline"))
        trace_counted = trace_counted || line.find("artifacts/trace.json") != std::string::npos;
    }
  EXPECT_TRUE(trace_counted) << more.out;
}

// Findings the per-pack cap left out are not in any report, so no baseline
// can accept them: the note standing for them always counts. (Its
// fingerprint holds only the counts: a left-out error swapped for another
// would otherwise pass.)
TEST(Baseline, FindingsTheCapLeftOutAreNeverAccepted) {
  TempDir t;
  std::string p = test::copy_good_pack(t);
  test::write_file(t / "cap.yaml", "extends: default\nlimits:\n  max_findings_per_pack: 1\n");
  test::write_file(p + "/artifacts/context.json", "{\"tampered\": true}\n");
  test::write_file(p + "/artifacts/plan.json", "{\"tampered\": true}\n");
  auto old = run_tool({"check", "--policy", t / "cap.yaml", "--report", "json=" + t / "old.json", p});
  ASSERT_EQ(old.exit_code, 1);
  ASSERT_NE(test::read_file(t / "old.json").find("findings.omitted"), std::string::npos);
  // plan.json restored, trace.json tampered: the finding shown is the same,
  // and as many are left out, one of them new.
  fs::copy_file(test::fixture("packs/good-real/artifacts/plan.json"), p + "/artifacts/plan.json",
                fs::copy_options::overwrite_existing);
  test::write_file(p + "/artifacts/trace.json", "{\"tampered\": true}\n");
  for (const std::string& policy : {t / "cap.yaml", std::string()}) {
    std::vector<std::string> args = {"check", "--format", "json", "--baseline", t / "old.json", p};
    if (!policy.empty()) args.insert(args.begin() + 1, {"--policy", policy});
    auto r = run_tool(args);
    JsonDoc doc = json_of(r.out);
    EXPECT_EQ(r.exit_code, 1) << r.out;
    EXPECT_GT(doc.value["summary"]["errors"].GetUint(), 0u) << r.out;
  }
}

// QA-54: a pack over limits.max_findings_per_pack whose every finding a
// suppression accepts passes, as it does without the cap: the
// findings.omitted note stands for accepted findings and is accepted with
// them. A suppression of some of the codes leaves the note counting.
TEST(Suppress, FindingsTheCapLeftOutAreAcceptedBySuppressions) {
  TempDir t;
  std::string p = test::copy_good_pack(t);
  for (const char* f : {"context", "plan", "trace"})
    test::write_file(p + "/artifacts/" + f + ".json", "{\"tampered\": true}\n");
  const std::string all = "suppress:\n  - code: '*'\n    reason: a known broken pack\n";
  test::write_file(t / "cap.yaml", "extends: default\nlimits:\n  max_findings_per_pack: 1\n" + all);
  test::write_file(t / "nocap.yaml", "extends: default\n" + all);
  test::write_file(t / "some.yaml", "extends: default\nlimits:\n  max_findings_per_pack: 1\n"
                                    "suppress:\n  - code: sums.mismatch\n    path: integrity/*\n    reason: one\n");
  EXPECT_EQ(run_tool({"check", "--policy", t / "nocap.yaml", p}).exit_code, 0);
  auto capped = run_tool({"check", "--format", "json", "--policy", t / "cap.yaml", p});
  EXPECT_EQ(capped.exit_code, 0) << capped.out;
  JsonDoc doc = json_of(capped.out);
  std::size_t notes = 0;
  for (const auto& g : doc.value["packs"][0]["gates"].GetArray()) {
    EXPECT_STRNE(g["status"].GetString(), "FAIL") << g["id"].GetString();
    for (const auto& f : g["findings"].GetArray())
      if (std::string(f["code"].GetString()) == "findings.omitted") {
        ++notes;
        EXPECT_TRUE(f.HasMember("suppressed")) << to_compact_json(f, 2000);
      }
  }
  EXPECT_GT(notes, 0u) << "the cap left nothing out: the test proves nothing";
  // The file mismatches the suppression does not name still count, though
  // the cap left them out of the report.
  auto some = run_tool({"check", "--format", "json", "--policy", t / "some.yaml", p});
  EXPECT_EQ(some.exit_code, 1) << some.out;
  EXPECT_NE(some.out.find("more findings of this gate left out"), std::string::npos) << some.out;
}

// QA-54: a suppression that accepts only findings the cap left out was
// called unused ("remove it"), and its removal failed the run. It is used;
// one that matches nothing is still named, sharded and merged alike.
TEST(Suppress, ASuppressionOfFindingsTheCapLeftOutIsUsed) {
  TempDir t;
  std::string p = test::copy_good_pack(t);
  for (const char* f : {"context", "plan", "trace"})
    test::write_file(p + "/artifacts/" + f + ".json", "{\"tampered\": true}\n");
  test::write_file(t / "cap.yaml", "extends: default\nlimits:\n  max_findings_per_pack: 1\n");
  // The pack's root hash no longer matches either: an error the cap leaves
  // out (it keeps the first mismatch of the sums file).
  auto all = run_tool({"check", "--format", "json", p});
  auto shown = run_tool({"check", "--format", "json", "--policy", t / "cap.yaml", p});
  ASSERT_EQ(shown.exit_code, 1) << shown.out;
  ASSERT_NE(all.out.find("\"code\": \"root_hash.mismatch\""), std::string::npos) << all.out;
  ASSERT_EQ(shown.out.find("\"code\": \"root_hash.mismatch\""), std::string::npos) << shown.out;
  test::write_file(t / "policy.yaml", "extends: default\nlimits:\n  max_findings_per_pack: 1\nsuppress:\n"
                                      "  - code: root_hash.mismatch\n    reason: known\n"
                                      "  - code: no.such-code\n    reason: matches nothing\n");
  auto whole = run_tool({"check", "--policy", t / "policy.yaml", p});
  EXPECT_EQ(whole.exit_code, 1) << whole.out;
  EXPECT_EQ(whole.out.find("suppression of root_hash.mismatch matched no finding"), std::string::npos) << whole.out;
  EXPECT_NE(whole.out.find("suppression of no.such-code matched no finding"), std::string::npos) << whole.out;
  EXPECT_NE(whole.out.find("a suppression of the policy accepts 1 of them"), std::string::npos) << whole.out;
  auto shard = run_tool({"check", "--policy", t / "policy.yaml", "--shard", "0/1", "--report",
                         "json=" + t / "shard.json", p});
  EXPECT_EQ(shard.exit_code, 1) << shard.err;
  EXPECT_NE(test::read_file(t / "shard.json").find("\"omitted_suppressions\": [\n"), std::string::npos);
  auto merged = run_tool({"merge", t / "shard.json"});
  EXPECT_EQ(merged.exit_code, 1) << merged.err;
  EXPECT_EQ(merged.out, whole.out);
}

// While a signature is required, neither a suppression (which a pull
// request can add in .mplp-gate.yaml) nor a baseline accepts a finding of
// GATE-V2-ATTESTATION-01: a pack signed by an untrusted key fails.
TEST(Suppress, NothingAcceptsASignatureFindingWhileOneIsRequired) {
  TempDir t;
  std::string p = test::copy_good_pack(t);
  ASSERT_EQ(run_tool({"seal", p, "--sign-key", test::fixture("keys/test-b.key")}).exit_code, 0);
  const std::string trusted = test::fixture("keys/test-a.pub");
  test::write_file(t / "policy.yaml", "extends: default\nsuppress:\n  - code: 'attest.*'\n    reason: pr says so\n");
  // Without the requirement the suppression applies (and the pack passes).
  auto loose = run_tool({"check", "--policy", t / "policy.yaml", "--trusted-key", trusted, p});
  EXPECT_EQ(loose.exit_code, 0) << loose.out;
  for (const char* how : {"--require-signature", "policy"}) {
    std::vector<std::string> args = {"check", "--format", "json", "--trusted-key", trusted, "--policy"};
    if (std::string(how) == "policy") {
      test::write_file(t / "req.yaml", "extends: default\ntrust:\n  require_signature: true\n"
                                       "suppress:\n  - code: 'attest.*'\n    reason: pr says so\n");
      args.insert(args.end(), {t / "req.yaml", p});
    } else {
      args.insert(args.end(), {t / "policy.yaml", how, p});
    }
    auto r = run_tool(args);
    EXPECT_EQ(r.exit_code, 1) << how << "\n" << r.out;
    JsonDoc doc = json_of(r.out);
    EXPECT_GT(doc.value["summary"]["errors"].GetUint(), 0u) << r.out;
    EXPECT_NE(r.out.find("was not applied: it matched only findings of GATE-V2-ATTESTATION-01"), std::string::npos)
        << r.out;
  }
  // A baseline holding the finding does not accept it either.
  auto old = run_tool({"check", "--trusted-key", trusted, "--report", "json=" + t / "old.json", p});
  ASSERT_EQ(old.exit_code, 1) << old.out;
  EXPECT_EQ(run_tool({"check", "--trusted-key", trusted, "--baseline", t / "old.json", p}).exit_code, 0);
  auto r = run_tool({"check", "--trusted-key", trusted, "--baseline", t / "old.json", "--require-signature", p});
  EXPECT_EQ(r.exit_code, 1) << r.out;
}

TEST(Baseline, AFileThatIsNoReportIsAnError) {
  TempDir t;
  test::write_file(t / "x.json", "{\"not\": \"a report\"}");
  test::write_file(t / "y.json", "{broken");
  // The JSON report of a run that could not run lists no finding: as a
  // baseline it would accept nothing while looking like one.
  auto failed = run_tool({"check", "--format", "json", "--policy", t / "missing.yaml", test::fixture("packs/good-real")});
  ASSERT_EQ(failed.exit_code, 2);
  test::write_file(t / "z.json", failed.out);
  for (const char* f : {"x.json", "y.json", "missing.json", "z.json"}) {
    auto r = run_tool({"check", "--baseline", t / f, test::fixture("packs/good-real")});
    EXPECT_EQ(r.exit_code, 2) << f;
    EXPECT_NE(r.err.find("baseline " + t / f), std::string::npos) << r.err;
  }
  auto r = run_tool({"check", "--baseline", t / "z.json", test::fixture("packs/good-real")});
  EXPECT_NE(r.err.find(": the report of a run that could not run (\"invalid policy: "), std::string::npos) << r.err;
  // A member of another type than check writes would match no finding
  // without a word: refused, with its pointer.
  auto good = run_tool({"check", "--format", "json", test::fixture("packs/good-real")});
  test::write_file(t / "typed.json", good.out);
  test::set_json(t / "typed.json", "/packs/0/gates/0/findings", "[{\"severity\": \"error\", \"code\": \"x\", "
                                                                  "\"file\": 42, \"message\": \"m\"}]");
  auto typed = run_tool({"check", "--baseline", t / "typed.json", test::fixture("packs/good-real")});
  EXPECT_EQ(typed.exit_code, 2);
  EXPECT_NE(typed.err.find("baseline " + (t / "typed.json") + ": at /packs/0/gates/0/findings/0/file: found a number"),
            std::string::npos)
      << typed.err;
}

// QA-47: a report of gigabytes of zeros was read whole (3 GB, 33 s) before
// its first byte was refused; now its first bytes are looked at first, by
// --baseline and merge alike.
TEST(Baseline, AFileThatCannotBeAReportIsRefusedByItsFirstBytes) {
  TempDir t;
  const std::string sparse = t / "zeros.json";
  { std::ofstream f(sparse); }
  std::filesystem::resize_file(sparse, 3ull << 30);  // sparse: nothing written
  test::write_file(t / "bom.json", "\xef\xbb\xbf{}");
  test::write_file(t / "blanks.json", std::string(70000, ' ') + "{}");
  const std::vector<std::pair<std::string, std::string>> files = {
      {sparse, "not a JSON object: it starts with byte 0x00"},
      {t / "bom.json", "not a JSON object: it starts with byte 0xef (a UTF-8 byte-order mark: write the file without it)"},
      {t / "blanks.json", "no JSON text in its first 65536 bytes (only blanks)"}};
  for (const auto& [file, says] : files) {
    SCOPED_TRACE(file);
    for (const std::vector<std::string>& args :
         {std::vector<std::string>{"check", "--baseline", file, test::fixture("packs/good-real")},
          std::vector<std::string>{"merge", file}}) {
      auto r = test::run_tool_with(args, test::RunOptions{});
      EXPECT_EQ(r.exit_code, 2) << args[0];
      EXPECT_NE(r.err.find(file + ": "), std::string::npos) << args[0] << ": " << r.err;
      EXPECT_EQ(r.err.find(file + ": " + file), std::string::npos) << args[0] << ": the file named twice: " << r.err;
      EXPECT_NE(r.err.find(says), std::string::npos) << args[0] << ": " << r.err;
      EXPECT_LT(r.max_rss_kib, 64 * 1024) << args[0] << ": the file was not read whole";
    }
  }
}

// .mplp-gate.yaml: the working directory's, else the one at the nearest
// ancestor holding .git; never one above the repository.
TEST(PolicyDiscovery, WorkingDirectoryThenRepositoryRoot) {
  TempDir t;
  fs::create_directories(t / "repo/.git");
  fs::create_directories(t / "repo/sub/dir");
  std::string p = test::copy_good_pack(t);
  test::write_file(t / "repo/.mplp-gate.yaml", "extends: default\nlimits:\n  max_json_depth: 64\n");
  test::write_file(t / ".mplp-gate.yaml", "limits:\n  max_json_depth: 32\n");  // above the repository: never read
  auto r = run_tool_with({"check", "--format", "json", p}, test::RunOptions{"", t / "repo/sub/dir", 0});
  JsonDoc doc = json_of(r.out);
  EXPECT_EQ(std::string(doc.value["policy"]["name"].GetString()), ".mplp-gate.yaml");
  EXPECT_EQ(std::string(doc.value["policy"]["sha256"].GetString()), sha256_of(t / "repo/.mplp-gate.yaml"));
  // The working directory's own wins.
  test::write_file(t / "repo/sub/dir/.mplp-gate.yaml", "limits:\n  max_json_depth: 100\n");
  auto own = run_tool_with({"check", "--format", "json", p}, test::RunOptions{"", t / "repo/sub/dir", 0});
  EXPECT_EQ(std::string(json_of(own.out).value["policy"]["sha256"].GetString()), sha256_of(t / "repo/sub/dir/.mplp-gate.yaml"));
  // --policy wins over both; a broken discovered file is an error naming it.
  test::write_file(t / "repo/sub/dir/.mplp-gate.yaml", "nope: 1\n");
  auto broken = run_tool_with({"check", p}, test::RunOptions{"", t / "repo/sub/dir", 0});
  EXPECT_EQ(broken.exit_code, 2);
  EXPECT_NE(broken.err.find(".mplp-gate.yaml:1:1"), std::string::npos) << broken.err;
  // Outside any repository and without a file: the built-in policy.
  fs::create_directories(t / "plain");
  auto plain = run_tool_with({"check", "--format", "json", p}, test::RunOptions{"", t / "plain", 0});
  EXPECT_EQ(std::string(json_of(plain.out).value["policy"]["name"].GetString()), "builtin");
}

TEST(PolicyNamed, EveryReportNamesThePolicyAndItsDigest) {
  TempDir t;
  test::write_file(t / "mine.yaml", "extends: default\n");
  const std::string digest = sha256_of(t / "mine.yaml");
  std::vector<std::string> args = {"check", "--policy", t / "mine.yaml"};
  for (const char* f : {"json", "sarif", "junit", "github", "html", "text"})
    args.push_back("--report=" + std::string(f) + "=" + t / ("r." + std::string(f)));
  args.push_back(test::fixture("packs/good-real"));
  std::string summary = t / "summary.md";
  test::ScopedEnv env("GITHUB_STEP_SUMMARY", summary.c_str());
  auto r = run_tool(args);
  EXPECT_EQ(r.exit_code, 0) << r.err;
  for (const char* f : {"json", "sarif", "junit", "github", "html", "text"}) {
    std::string bytes = test::read_file(t / ("r." + std::string(f)));
    EXPECT_NE(bytes.find(digest), std::string::npos) << f;
    EXPECT_NE(bytes.find("mine.yaml"), std::string::npos) << f;
  }
  EXPECT_NE(r.out.find("policy: mine.yaml (sha256 " + digest + ")"), std::string::npos) << r.out;
  EXPECT_NE(test::read_file(summary).find(digest), std::string::npos);
}

}  // namespace
}  // namespace mplp
