// Properties every renderer must keep whatever the findings hold: valid
// UTF-8, well-formed documents, escaping that stops injection, counts that
// match the findings, and one exit-code contract.
#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <set>

#include "core/json.h"
#include "core/schema.h"
#include "core/text.h"
#include "report/common.h"
#include "report_cases.h"
#include "test_util.h"

namespace mplp::test {
namespace {

TEST(ReportCommon, ArtifactPathsAreRelativeToTheCheckedRoot) {
  EXPECT_EQ(report::artifact_path("runs/p1", "manifest.json"), "runs/p1/manifest.json");
  EXPECT_EQ(report::artifact_path(".", "manifest.json"), "manifest.json");
  EXPECT_EQ(report::artifact_path("runs/p1/", "a.json"), "runs/p1/a.json");
  EXPECT_EQ(report::artifact_path("runs/p1", ""), "runs/p1");
  // A runners check names the registry beside the runners directory once.
  EXPECT_EQ(report::artifact_path("runners", "../producers/_registry/substrates.v2.yaml"),
            "producers/_registry/substrates.v2.yaml");
  EXPECT_EQ(report::artifact_path("repo/runners", "node-20/Containerfile"), "repo/runners/node-20/Containerfile");
  EXPECT_EQ(report::artifact_path("/abs/runners", "../producers/x.yaml"), "/abs/producers/x.yaml");
}

// ---- every format

const char* kFormats[] = {"github", "html", "json", "junit", "sarif", "text"};

TEST(Renderers, TableListsEveryFormatSorted) {
  std::vector<std::string> names;
  for (const Renderer& r : all_renderers()) names.emplace_back(r.name);
  EXPECT_EQ(names, (std::vector<std::string>{"github", "html", "json", "junit", "sarif", "text"}));
  EXPECT_EQ(find_renderer("xml"), nullptr);
}

TEST(Renderers, HostileStringsGiveValidUtf8InEveryFormat) {
  RunReport r = internal_error_report();
  for (const char* format : kFormats) {
    std::string out = render(r, format);
    EXPECT_TRUE(is_valid_utf8(out)) << format;
    EXPECT_EQ(out.find('\x01'), std::string::npos) << format;
    EXPECT_EQ(out.find('\x0b'), std::string::npos) << format;
  }
}

TEST(Renderers, ExitCodeDoesNotDependOnFormat) {
  // The contract lives in one function; every format reports the same verdict.
  RunReport r = internal_error_report();
  EXPECT_EQ(exit_code(r), 1);
  EXPECT_NE(render(r, "json").find("\"result\": \"fail\""), std::string::npos);
  EXPECT_NE(render(r, "text").find("RESULT: FAIL"), std::string::npos);
  EXPECT_NE(render(r, "github").find(": FAIL\n"), std::string::npos);
  EXPECT_NE(render(r, "sarif").find("\"exitCode\": 1"), std::string::npos);
}

// ---- JSON

TEST(JsonReport, HostileReportParsesStrictlyAndValidatesAgainstItsSchema) {
  for (const RunReport& r : {internal_error_report(), empty_report(), fail_mixed_report()}) {
    JsonDoc doc;
    ASSERT_TRUE(parse_json(render(r, "json"), {}, doc)) << doc.error.message;
    std::vector<SchemaError> errors = validate_with_schema("gate-report", doc.value);
    for (const SchemaError& e : errors) ADD_FAILURE() << e.pointer << ": " << e.message;
  }
}

// ---- SARIF (structure; the real consumers are in consumers_test.cpp)

TEST(SarifReport, ResultsMatchFindingsAndRules) {
  RunReport r = fail_mixed_report();
  JsonDoc doc;
  ASSERT_TRUE(parse_json(render(r, "sarif"), {}, doc)) << doc.error.message;
  const rapidjson::Value& run = doc.value["runs"][0];
  const rapidjson::Value& rules = run["tool"]["driver"]["rules"];
  ASSERT_EQ(rules.Size(), r.gates.size());
  for (rapidjson::SizeType i = 0; i < rules.Size(); ++i) {
    EXPECT_EQ(std::string(rules[i]["id"].GetString()), r.gates[i]->info().id);
    EXPECT_TRUE(rules[i].HasMember("shortDescription"));
    EXPECT_TRUE(rules[i].HasMember("fullDescription"));
    EXPECT_TRUE(rules[i].HasMember("help"));
    EXPECT_TRUE(rules[i]["defaultConfiguration"].HasMember("level"));
  }
  const rapidjson::Value& results = run["results"];
  RunReport::Counts c = r.counts();
  ASSERT_EQ(results.Size(), c.errors + c.warnings + c.infos);
  std::map<std::string, std::size_t> levels;
  std::set<std::string> fingerprints;
  for (const rapidjson::Value& res : results.GetArray()) {
    std::size_t index = res["ruleIndex"].GetUint();
    ASSERT_LT(index, rules.Size());
    EXPECT_STREQ(res["ruleId"].GetString(), rules[static_cast<rapidjson::SizeType>(index)]["id"].GetString());
    ++levels[res["level"].GetString()];
    std::string uri = res["locations"][0]["physicalLocation"]["artifactLocation"]["uri"].GetString();
    EXPECT_EQ(uri.rfind("fail-mixed/", 0), 0u) << uri;
    EXPECT_STREQ(res["locations"][0]["physicalLocation"]["artifactLocation"]["uriBaseId"].GetString(), "%SRCROOT%");
    std::string text = res["message"]["text"].GetString();
    EXPECT_EQ(text.back(), '.');
    EXPECT_TRUE(fingerprints.insert(res["partialFingerprints"]["mplpFindingHash/v1"].GetString()).second)
        << "fingerprints must tell results apart";
  }
  EXPECT_EQ(levels["error"], c.errors);
  EXPECT_EQ(levels["warning"], c.warnings);
  EXPECT_EQ(levels["note"], c.infos);
  EXPECT_EQ(run["invocations"][0]["exitCode"].GetInt(), 1);
}

TEST(SarifReport, HostileNamesArePercentEncodedAndRegionsKept) {
  JsonDoc doc;
  ASSERT_TRUE(parse_json(render(internal_error_report(), "sarif"), {}, doc));
  const rapidjson::Value& results = doc.value["runs"][0]["results"];
  ASSERT_EQ(results.Size(), 3u);
  const rapidjson::Value& loc = results[0]["locations"][0]["physicalLocation"];
  EXPECT_STREQ(loc["artifactLocation"]["uri"].GetString(),
               "packs/odd%20name%2C%20100%25%3A%20%3Ca%26b%3E%20%FF%7Cx/artifacts/we%C3%28ird%01.json");
  EXPECT_EQ(loc["region"]["startLine"].GetUint(), 3u);
  EXPECT_EQ(loc["region"]["startColumn"].GetUint(), 7u);
  EXPECT_FALSE(doc.value["runs"][0]["invocations"][0]["executionSuccessful"].GetBool());
  // A JSON pointer is a logical location (on line 1 of the file); a byte offset is a region.
  EXPECT_STREQ(results[1]["locations"][0]["logicalLocations"][0]["fullyQualifiedName"].GetString(), "/a~1b/0");
  EXPECT_EQ(results[1]["locations"][0]["physicalLocation"]["region"]["startLine"].GetUint(), 1u)
      << "a finding about a place the gate gave no line for is anchored at line 1";
  EXPECT_EQ(results[2]["locations"][0]["physicalLocation"]["region"]["byteOffset"].GetUint(), 42u);
}

// "[text](target)" in a result message is an embedded link (SARIF 3.11.6):
// a stranger's brackets are escaped, so no viewer links them.
TEST(SarifReport, BracketsInMessagesAreNoEmbeddedLinks) {
  RunReport r = internal_error_report();
  r.packs.update(0, [](PackResult& p) {
    p.gates[1].findings[0].message = "see [click](https://evil.example/x) or [0](1), a\\[b\\]";
  });
  JsonDoc doc;
  ASSERT_TRUE(parse_json(render(r, "sarif"), {}, doc));
  const std::string text = doc.value["runs"][0]["results"][1]["message"]["text"].GetString();
  EXPECT_EQ(text.rfind("see \\[click\\](https://evil.example/x) or \\[0\\](1), a\\\\\\[b\\\\\\]", 0), 0u) << text;
  // Every backslash is escaped: "\\[" (two of them, as escape_for_message
  // writes one) must not pair up and leave the bracket a link's.
  r.packs.update(0, [](PackResult& p) { p.gates[1].findings[0].message = "C:\\dir a\\\\[x\\\\](1)"; });
  ASSERT_TRUE(parse_json(render(r, "sarif"), {}, doc));
  EXPECT_EQ(std::string(doc.value["runs"][0]["results"][1]["message"]["text"].GetString())
                .rfind("C:\\\\dir a\\\\\\\\\\[x\\\\\\\\\\](1)", 0),
            0u);
}

TEST(SarifReport, AbsolutePackPathsBecomeFileUris) {
  RunReport r = internal_error_report();
  r.packs.update(0, [](PackResult& p) { p.path = "/srv/runs/p 1"; });
  JsonDoc doc;
  ASSERT_TRUE(parse_json(render(r, "sarif"), {}, doc));
  const rapidjson::Value& art =
      doc.value["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["artifactLocation"];
  EXPECT_EQ(std::string(art["uri"].GetString()).rfind("file:///srv/runs/p%201/artifacts/", 0), 0u);
  EXPECT_FALSE(art.HasMember("uriBaseId"));
}

TEST(SarifReport, FingerprintsAreStableAndDistinguishDuplicates) {
  RunReport r = internal_error_report();
  r.packs.update(0, [](PackResult& p) { p.gates[1].findings.push_back(p.gates[1].findings[0]); });  // an exact duplicate
  JsonDoc a, b;
  ASSERT_TRUE(parse_json(render(r, "sarif"), {}, a));
  ASSERT_TRUE(parse_json(render(internal_error_report(), "sarif"), {}, b));
  std::set<std::string> seen;
  for (const rapidjson::Value& res : a.value["runs"][0]["results"].GetArray())
    EXPECT_TRUE(seen.insert(res["partialFingerprints"]["mplpFindingHash/v1"].GetString()).second);
  // Adding a finding does not change the fingerprints of the others.
  for (const rapidjson::Value& res : b.value["runs"][0]["results"].GetArray())
    EXPECT_TRUE(seen.count(res["partialFingerprints"]["mplpFindingHash/v1"].GetString())) << "fingerprint moved";
}

// ---- GitHub

TEST(GithubReport, OneCommandPerFindingAndNoInjection) {
  RunReport r = internal_error_report();
  RenderOptions every;
  every.annotate_info = true;  // the info finding is annotated only when asked
  std::string out = render(r, "github", every);
  std::vector<std::string> lines;
  std::size_t start = 0;
  for (std::size_t nl; (nl = out.find('\n', start)) != std::string::npos; start = nl + 1)
    lines.push_back(out.substr(start, nl - start));
  ASSERT_EQ(lines.size(), 4u) << out;  // 3 findings + summary line: no raw newline got through
  EXPECT_EQ(lines[0].rfind("::error file=packs/odd name%2C 100%25%3A <a&b> \xef\xbf\xbd|x/artifacts/we", 0), 0u)
      << lines[0];
  EXPECT_NE(lines[0].find(",line=3,col=7,title=GATE-V2-HOST-ALLOW-01 internal.error::"), std::string::npos);
  EXPECT_NE(lines[0].find("boom\\r\\n::error::injected"), std::string::npos) << lines[0];
  EXPECT_EQ(lines[1].rfind("::warning file=", 0), 0u);
  EXPECT_NE(lines[1].find("50%25 sure, a,b:c"), std::string::npos) << "data keeps : and , but escapes %";
  EXPECT_EQ(lines[2].rfind("::notice file=", 0), 0u);
  EXPECT_EQ(lines[2].find(",line="), std::string::npos) << "no line for a byte offset";
  EXPECT_EQ(lines[3].rfind("mplp-gate: 1 pack checked, 1 failed;", 0), 0u);
}

// Whatever a stranger put in a pack, no format shown whole in a CI log
// (stdout) carries a line the runner reads as a workflow command ("::" first
// after blanks, "##[" anywhere) or a hidden control.
TEST(EveryReport, IsInertInACiLog) {
  // Appended to the pack name, a finding's message and its hint.
  RunReport r = internal_error_report("##[group]g \xe2\x80\xae rlo\n  ::warning::w\n::error::e \xc2\x85 nel");
  for (const Renderer& renderer : all_renderers()) {
    RenderOptions every;
    every.annotate_info = true;
    const std::string out = render(r, std::string(renderer.name), every);
    for (const char* hidden : {"\xe2\x80\xae", "\xc2\x85"}) EXPECT_EQ(out.find(hidden), std::string::npos) << renderer.name;
    for (std::size_t start = 0; start < out.size();) {
      std::size_t nl = std::min(out.find('\n', start), out.size());
      const std::string line = out.substr(start, nl - start);
      start = nl + 1;
      // The github format's annotations are ours: the runner reads such a
      // line as the one command it starts with, never the legacy "##[" in its data.
      if (renderer.name == "github" && (line.rfind("::error ", 0) == 0 || line.rfind("::warning ", 0) == 0 ||
                                        line.rfind("::notice ", 0) == 0)) {
        continue;
      }
      EXPECT_EQ(line.find("##["), std::string::npos) << renderer.name << ": " << printable_ascii(line, 400);
      const std::size_t first = line.find_first_not_of(" \t\r\v\f");
      if (first != std::string::npos) {
        EXPECT_NE(line.substr(first, 2), "::") << renderer.name << ": " << printable_ascii(line, 400);
      }
    }
  }
}

// Errors first, then warnings, then notices (only when asked), at most
// max_annotations of each, then one notice counting the rest.
TEST(GithubReport, AnnotationsAreCappedPerKindAndTheRestCounted) {
  RunReport r = internal_error_report();
  std::string plain = render(r, "github");
  EXPECT_EQ(plain.find("::notice file="), std::string::npos) << plain;
  EXPECT_NE(plain.find("::notice title=mplp-gate::1 more finding is not annotated (0 errors, 0 warnings, 1 info)"),
            std::string::npos)
      << plain;
  RenderOptions none;
  none.max_annotations = 0;
  std::string capped = render(r, "github", none);
  EXPECT_EQ(capped.find("::error file="), std::string::npos) << capped;
  EXPECT_NE(capped.find("3 more findings are not annotated (1 error, 1 warning, 1 info)"), std::string::npos)
      << capped;
}

TEST(GithubReport, EscapingOfRawNewlinesInData) {
  RunReport r = internal_error_report();
  r.packs.update(0, [](PackResult& p) { p.gates[0].findings[0].message = "line1\nline2\r100%"; });
  std::string out = render(r, "github");
  // finding_sentence shows control characters as \n; the escaper still
  // handles % and would handle raw CR/LF.
  EXPECT_NE(out.find("line1\\nline2\\r100%25"), std::string::npos) << out;
}

TEST(GithubReport, StepSummaryTableHasOneRowPerPackAndOneColumnPerGate) {
  RunReport r = internal_error_report();
  std::ostringstream summary;
  RenderOptions o;
  o.step_summary = &summary;
  render(r, "github", o);
  std::string md = summary.str();
  EXPECT_NE(md.find("| Pack | GATE-V2-HOST-ALLOW-01 | GATE-V2-INTEGRITY-01 | GATE-V2-SSOT-01 |"), std::string::npos)
      << md;
  EXPECT_NE(md.find("| --- | --- | --- | --- |"), std::string::npos);
  EXPECT_NE(md.find("\\<a&b\\> \xef\xbf\xbd\\|x |"), std::string::npos) << "pipes in names must not split cells";
  EXPECT_NE(md.find("❌ FAIL (1 error)"), std::string::npos);
  EXPECT_NE(md.find("⏭️ SKIP"), std::string::npos);
  EXPECT_NE(md.find("✅ PASS (1 warning)"), std::string::npos);
}

// ---- JUnit (xmllint is the consumer)

std::string write_temp(const TempDir& dir, const std::string& name, const std::string& bytes) {
  std::string path = dir / name;
  write_file(path, bytes);
  return path;
}

std::string xpath(const std::string& file, const std::string& expr) {
  std::string out;
  int rc = run_shell("xmllint --xpath " + shell_quote(expr) + " " + shell_quote(file), out);
  EXPECT_EQ(rc, 0) << out;
  while (!out.empty() && (out.back() == '\n' || out.back() == ' ')) out.pop_back();
  return out;
}

TEST(JunitReport, WellFormedWithCountsThatMatch) {
  TempDir dir;
  for (const auto& [name, report] : std::vector<std::pair<std::string, RunReport>>{
           {"fail-mixed", fail_mixed_report()}, {"empty", empty_report()}, {"internal", internal_error_report()}}) {
    SCOPED_TRACE(name);
    std::string file = write_temp(dir, name + ".xml", render(report, "junit"));
    std::string out;
    ASSERT_EQ(run_shell("xmllint --noout " + shell_quote(file), out), 0) << out;
    for (const char* what : {"tests", "failures", "errors", "skipped"}) {
      std::string sum_suites = xpath(file, std::string("sum(//testsuite/@") + what + ")");
      std::string total = xpath(file, std::string("string(/testsuites/@") + what + ")");
      EXPECT_EQ(sum_suites, total) << what;
    }
    EXPECT_EQ(xpath(file, "count(//testcase)"), xpath(file, "string(/testsuites/@tests)"));
    EXPECT_EQ(xpath(file, "count(//testcase/failure)"), xpath(file, "string(/testsuites/@failures)"));
    EXPECT_EQ(xpath(file, "count(//testcase/error)"), xpath(file, "string(/testsuites/@errors)"));
    EXPECT_EQ(xpath(file, "count(//testcase/skipped)"), xpath(file, "string(/testsuites/@skipped)"));
    EXPECT_EQ(xpath(file, "count(//testsuite)"), std::to_string(report.gates.size()));
  }
}

TEST(JunitReport, UpstreamCorpusIsWellFormedWithMatchingCounts) {
  TempDir dir;
  RunResult r;
  {
    ScopedCwd cwd(corpus("upstream"));
    r = run_tool({"check", "--format", "junit", "real", "synthetic"});
  }
  ASSERT_EQ(r.exit_code, 1) << r.err;
  std::string file = write_temp(dir, "corpus.xml", r.out);
  std::string out;
  ASSERT_EQ(run_shell("xmllint --noout " + shell_quote(file), out), 0) << out;
  EXPECT_EQ(xpath(file, "count(//testcase)"), xpath(file, "string(/testsuites/@tests)"));
  EXPECT_EQ(xpath(file, "count(//testcase/failure)"), xpath(file, "string(/testsuites/@failures)"));
  EXPECT_EQ(xpath(file, "count(//testcase/skipped)"), xpath(file, "string(/testsuites/@skipped)"));
  // The verdicts issue 2 expects of the corpus show up as JUnit failures and skips.
  EXPECT_EQ(xpath(file, "count(//testsuite[@name='GATE-V2-SSOT-01']/testcase[contains(@name,'crewai')]/failure)"), "1");
  EXPECT_EQ(xpath(file, "count(//testsuite[@name='GATE-V2-SSOT-01']/testcase[contains(@name,'synthetic')]/skipped)"),
            "1");
  EXPECT_EQ(xpath(file, "count(//testcase[contains(@name,'mcp-d1-real-runner-001')]/failure)"), "0");
}

TEST(JunitReport, InternalErrorIsAnErrorElementAndHostileTextSurvives) {
  TempDir dir;
  std::string file = write_temp(dir, "i.xml", render(internal_error_report(), "junit"));
  EXPECT_EQ(xpath(file, "count(//testsuite[@name='GATE-V2-HOST-ALLOW-01']/testcase/error)"), "1");
  EXPECT_EQ(xpath(file, "string(//testsuite[@name='GATE-V2-SSOT-01']/testcase/skipped/@message)"),
            "not an INDEXABLE_REAL pack (INDEXABLE_SYNTHETIC)");
  EXPECT_EQ(xpath(file, "string(//testcase[@classname='GATE-V2-HOST-ALLOW-01']/@name)"),
            "packs/odd name, 100%: <a&b> \xef\xbf\xbd|x");
}

}  // namespace
}  // namespace mplp::test
