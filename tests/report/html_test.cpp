// The HTML report's bytes (issue 15): self-contained, every pack string kept
// inside the JSON blob as text, the blob complete. The page itself is opened
// in headless Chromium by scripts/test-stages/35-html.sh.
#include <gtest/gtest.h>

#include <algorithm>
#include <optional>
#include <string>
#include <vector>

#include "core/json.h"
#include "core/text.h"
#include "report/common.h"
#include "report_cases.h"
#include "test_util.h"

namespace mplp::test {
namespace {

std::size_t count(const std::string& haystack, const std::string& needle) {
  const std::string lower = ascii_lower(haystack);
  std::size_t n = 0;
  for (std::size_t at = lower.find(needle); at != std::string::npos; at = lower.find(needle, at + 1)) ++n;
  return n;
}

// The JSON blob of a page, parsed.
void blob_of(const std::string& html, JsonDoc& doc) {
  const std::string open = "<script type=\"application/json\" id=\"report-data\">";
  std::size_t begin = html.find(open);
  ASSERT_NE(begin, std::string::npos);
  begin += open.size();
  std::size_t end = html.find("</script>", begin);
  ASSERT_NE(end, std::string::npos);
  ASSERT_TRUE(parse_json(html.substr(begin, end - begin), {}, doc)) << doc.error.message;
}

// The hostile report, plus strings aimed at an HTML page: ending the script
// element, markup, comments, quotes, JavaScript's line terminators.
RunReport hostile_html_report() {
  RunReport r = internal_error_report();
  Finding markup;
  markup.gate_id = r.packs[0].gates[0].gate_id;
  markup.severity = Severity::Error;
  markup.code = "host.forbidden";
  markup.file = "artifacts/</script><script>window.__pwned=1</script>.json";
  markup.location.pointer = "/\"><img src=x onerror=window.__pwned=2>";
  markup.message = "</script><script>window.__pwned=3</script> <!-- \xe2\x80\xa8 \xe2\x80\xa9 -->";
  markup.expected = "<b>bold</b> & 'single' \"double\" `back`";
  markup.actual = "]]></x><![CDATA[ \\u003c/script> gpj.\xe2\x80\xae" "exe";
  markup.detail = "line one\nline \x1b[31mtwo";
  markup.hint = "<style>*{display:none}</style>";
  r.packs.update(0, [&](PackResult& p) { p.gates[0].findings.push_back(markup); });
  return r;
}

TEST(HtmlReport, HostileStringsStayTextInsideTheBlob) {
  RunReport r = hostile_html_report();
  std::string html = render(r, "html");
  EXPECT_TRUE(is_valid_utf8(html));
  // Only our two script elements open and close; no comment, CDATA or style from the data.
  EXPECT_EQ(count(html, "<script"), 2u);
  EXPECT_EQ(count(html, "</script"), 2u);
  EXPECT_EQ(count(html, "<style"), 1u);
  EXPECT_EQ(html.find("<!--"), std::string::npos);
  EXPECT_EQ(html.find("<img"), std::string::npos);
  EXPECT_EQ(html.find("<b>"), std::string::npos);
  // JavaScript line terminators never appear raw (older engines ended strings at them).
  EXPECT_EQ(html.find("\xe2\x80\xa8"), std::string::npos);
  EXPECT_EQ(html.find("\xe2\x80\xa9"), std::string::npos);
  // Yet every string arrives, as text, as the text report shows it: markup
  // intact, hidden controls (a line separator, a bidi override that would
  // reorder a name) as \uXXXX, invalid UTF-8 as U+FFFD.
  JsonDoc doc;
  blob_of(html, doc);
  const auto& pack = doc.value["packs"][0];
  EXPECT_EQ(as_view(pack["p"]), printable_utf8(r.packs[0].path));
  const Finding markup = r.packs[0].gates[0].findings[1];
  const auto& f = pack["f"][1];
  EXPECT_EQ(as_view(f[2]), markup.code);
  EXPECT_EQ(as_view(f[3]), markup.file);
  EXPECT_EQ(as_view(f[4]), "JSON pointer " + markup.location.pointer);
  EXPECT_EQ(as_view(f[5]), "</script><script>window.__pwned=3</script> <!-- \\u2028 \\u2029 -->");
  EXPECT_EQ(as_view(f[7]), markup.expected);
  EXPECT_EQ(as_view(f[6]), "line one\nline \\x1b[31mtwo") << "a detail keeps its lines";
  EXPECT_EQ(as_view(f[8]), "]]></x><![CDATA[ \\u003c/script> gpj.\\u202eexe");
  EXPECT_EQ(as_view(f[9]), markup.hint);
  EXPECT_EQ(as_view(pack["f"][0][3]), "artifacts/we\xef\xbf\xbd(ird\\x01.json") << "invalid UTF-8 as U+FFFD";
  EXPECT_EQ(as_view(pack["f"][0][4]), "line 3, column 7");
}

TEST(HtmlReport, SelfContainedWithAPolicyThatForbidsLoading) {
  for (const RunReport& r : {empty_report(), fail_mixed_report()}) {
    std::string html = render(r, "html");
    EXPECT_EQ(html.rfind("<!DOCTYPE html>\n", 0), 0u);
    EXPECT_NE(html.find("content=\"default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'\""),
              std::string::npos);
    // Outside the data blob: no reference to anything outside the file.
    std::size_t begin = html.find("id=\"report-data\">"), end = html.find("</script>", begin);
    std::string page = html.substr(0, begin) + html.substr(end);
    for (const char* ref : {"://", " src=", "href", "@import", "url(", "<link", "<iframe", "fetch(", "XMLHttpRequest",
                            "innerHTML", "eval("})
      EXPECT_EQ(page.find(ref), std::string::npos) << ref;
  }
}

TEST(HtmlReport, BlobHoldsTheMatrixAndEveryFinding) {
  RunReport r = fail_mixed_report();
  JsonDoc doc;
  blob_of(render(r, "html"), doc);
  const auto& gates = doc.value["gates"];
  ASSERT_EQ(gates.Size(), r.gates.size());
  const auto& pack = doc.value["packs"][0];
  EXPECT_EQ(pack["r"].GetInt(), 1);
  std::size_t findings = 0;
  for (rapidjson::SizeType k = 0; k < gates.Size(); ++k) {
    const GateResult* g = nullptr;
    for (const GateResult& x : r.packs[0].gates)
      if (x.gate_id == as_view(gates[k]["id"])) g = &x;
    ASSERT_NE(g, nullptr);
    EXPECT_EQ(as_view(gates[k]["id"]), r.gates[k]->info().id);
    const char* status[] = {"PASS", "FAIL", "SKIP"};
    EXPECT_EQ(status[pack["g"][k][0].GetInt()], to_string(g->status)) << g->gate_id;
    findings += g->findings.size();
  }
  EXPECT_EQ(pack["f"].Size(), findings);
  EXPECT_EQ(as_view(doc.value["result"]), "fail");
  EXPECT_EQ(as_view(doc.value["run"]["policy"]), "builtin");
  EXPECT_TRUE(is_lower_hex(as_view(doc.value["run"]["policy_sha256"]), 64));
}

// Suppressed and baseline findings stay on the page, marked with why they
// were accepted, and leave the verdict counts of their gate's cell.
TEST(HtmlReport, AcceptedFindingsAreMarkedAndNotCounted) {
  RunReport r = fail_mixed_report();
  std::optional<GateResult> with_findings;  // as marked
  r.packs.update(0, [&](PackResult& p) {
    for (GateResult& g : p.gates)
      if (g.findings.size() >= 2 && !with_findings) {
        g.findings[0].suppressed = "known upstream file, issue #12";
        g.findings[1].baseline = true;
        with_findings = g;
      }
  });
  ASSERT_TRUE(with_findings) << "the fail-mixed case has a gate with two findings";
  JsonDoc doc;
  blob_of(render(r, "html"), doc);
  const auto& gates = doc.value["gates"];
  rapidjson::SizeType k = 0;
  while (k < gates.Size() && as_view(gates[k]["id"]) != with_findings->gate_id) ++k;
  ASSERT_LT(k, gates.Size());
  const auto& cell = doc.value["packs"][0]["g"][k];
  ASSERT_EQ(cell.Size(), 6u) << "an accepted count is added only when there is one";
  EXPECT_EQ(cell[5].GetInt(), 2);
  int counted = 0;
  for (const Finding& f : with_findings->findings) counted += f.counts() ? 1 : 0;
  EXPECT_EQ(cell[1].GetInt() + cell[2].GetInt() + cell[3].GetInt(), counted);
  std::vector<std::string> marks;
  for (const auto& f : doc.value["packs"][0]["f"].GetArray()) {
    if (f.Size() == 12) marks.emplace_back(as_view(f[11]));
    else EXPECT_EQ(f.Size(), 11u);
  }
  ASSERT_EQ(marks.size(), 2u);
  EXPECT_NE(std::find(marks.begin(), marks.end(), "suppressed: known upstream file, issue #12"), marks.end());
  EXPECT_NE(std::find(marks.begin(), marks.end(), "in the baseline (--baseline)"), marks.end());
}

TEST(HtmlReport, TenThousandPacksGrowLinearly) {
  RunReport small = internal_error_report(), big = internal_error_report();
  PackResult p = big.packs[0];
  big.packs.clear();
  for (int i = 0; i < 10000; ++i) {
    p.path = p.name = "runs/pack-" + std::to_string(i);
    big.packs.push_back(p);
  }
  std::string one = render(small, "html"), many = render(big, "html");
  JsonDoc doc;
  blob_of(many, doc);
  EXPECT_EQ(doc.value["packs"].Size(), 10000u);
  // The page is the template plus data: each pack adds about its own findings' bytes.
  EXPECT_LT(many.size() - one.size(), 10000u * 1600u) << many.size();
}

TEST(ReportCommon, DiffCommandQuotesPathsForTheShell) {
  RunReport r;
  PackResult a, b;
  a.path = "runs/a b", a.name = "a b";
  b.path = "-runs/it's", b.name = "it's";
  r.packs = {a, b};
  Finding f;
  f.diff_with = "it's";
  auto paths = report::paths_by_name(r);
  EXPECT_EQ(report::diff_command(paths, a.path, f), "mplp-gate diff 'runs/a b' './-runs/it'\\''s'");
  f.diff_with = "a b";
  EXPECT_EQ(report::diff_command(paths, "runs/plain-1.0", f), "mplp-gate diff runs/plain-1.0 'runs/a b'");
  f.diff_with = "nobody";
  EXPECT_EQ(report::diff_command(paths, a.path, f), "");
  f.diff_with.clear();
  EXPECT_EQ(report::diff_command(paths, a.path, f), "");
  EXPECT_EQ(report::shell_word("$(rm -rf ~)"), "'$(rm -rf ~)'");
  EXPECT_EQ(report::shell_word(""), "''");
  EXPECT_EQ(report::shell_word("\xc3\xbc b"), "'\xc3\xbc b'") << "printable UTF-8 stays as it is";
  // Bytes a renderer would escape: $'...', which bash reads back to the same bytes.
  for (const std::string& word : {std::string("x\ny"), std::string("a\x1b[31m'\\b"), std::string("r\xe2\x80\xaes"),
                                 std::string("bad\xff"), std::string("\x7f")}) {
    const std::string quoted = report::shell_word(word);
    EXPECT_EQ(quoted.rfind("$'", 0), 0u) << quoted;
    EXPECT_EQ(printable_utf8(quoted), quoted) << "survives every renderer";
    std::string out;
    ASSERT_EQ(test::run_shell("bash -c " + test::shell_quote("printf %s " + quoted), out), 0) << quoted;
    EXPECT_EQ(out, word) << quoted;
  }
}

}  // namespace
}  // namespace mplp::test
