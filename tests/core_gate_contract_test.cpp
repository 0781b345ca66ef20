// Issue 17, point 1: the gate contract. A gate's page is the one home of its
// prose (core/gate_doc.h), its spec names its scopes and kinds, every finding
// is built from the kinds table, prepare() runs once per run and reaches every
// later call, and a scan keeps no file bytes when no gate reads them.
#include <gtest/gtest.h>

#include <stdexcept>

#include "core/gate.h"
#include "core/gate_doc.h"
#include "core/pack.h"
#include "core/thread_pool.h"
#include "engine/preparations.h"
#include "test_util.h"

namespace mplp {
namespace {

constexpr std::string_view kPage =
    "# GATE-V2-EXAMPLE-01\n"
    "\n"
    "**Packs have an example**\n"
    "\n"
    "Without an example nobody can\n"
    "tell what the gate wants.\n"
    "\n"
    "A second paragraph of why.\n"
    "\n"
    "## What it checks\n"
    "\n"
    "The example file exists;\n"
    "it is not empty.\n"
    "\n"
    "1. Details the summary leaves out.\n"
    "\n"
    "## Findings\n"
    "\n"
    "| code | meaning |\n"
    "|---|---|\n"
    "| `example.missing` | the example is missing |\n"
    "| `example.pipe` | a \\| b |\n"
    "\n"
    "## Examples\n"
    "\n"
    "Some.\n";

TEST(GateDoc, ReadsTitleWhyRulesAndMeanings) {
  GateDoc d;
  std::string error;
  ASSERT_TRUE(parse_gate_doc(kPage, d, error)) << error;
  EXPECT_EQ(d.id, "GATE-V2-EXAMPLE-01");
  EXPECT_EQ(d.title, "Packs have an example");
  EXPECT_EQ(d.rationale, "Without an example nobody can tell what the gate wants.");  // lines joined
  EXPECT_EQ(d.why, "Without an example nobody can\ntell what the gate wants.\n\nA second paragraph of why.");
  EXPECT_EQ(d.checks, "The example file exists;\nit is not empty.");  // line breaks kept (SARIF help)
  ASSERT_EQ(d.meanings.size(), 2u);
  EXPECT_EQ(d.meanings.at("example.missing"), "the example is missing");
  EXPECT_EQ(d.meanings.at("example.pipe"), "a | b");
  ASSERT_EQ(d.sections.size(), 3u);
  EXPECT_EQ(d.sections[0].first, "What it checks");
  EXPECT_EQ(d.sections[2].first, "Examples");
  EXPECT_EQ(d.sections[2].second, "Some.");
}

TEST(GateDoc, SaysWhatIsMissingAndWhere) {
  auto error_of = [](std::string page) {
    GateDoc d;
    std::string error;
    EXPECT_FALSE(parse_gate_doc(page, d, error)) << page;
    return error;
  };
  const std::string page(kPage);
  EXPECT_EQ(error_of("GATE-V2-X-01\n"), "line 1: the page starts with `# GATE-ID`");
  EXPECT_NE(error_of("# GATE-V2-X-01\n\nno bold title\n").find("the title follows the id"), std::string::npos);
  EXPECT_NE(error_of("# GATE-V2-X-01\n\n**Title**\n\n## What it checks\n\nx\n").find("why the gate exists"),
            std::string::npos);
  std::string no_checks = page.substr(0, page.find("## What it checks"));
  EXPECT_NE(error_of(no_checks).find("What it checks"), std::string::npos);
  std::string twice = page;
  twice.replace(twice.find("`example.pipe`"), 14, "`example.missing`");
  EXPECT_NE(error_of(twice).find("example.missing is listed twice"), std::string::npos);
  std::string no_meaning = page;
  no_meaning.replace(no_meaning.find("| a \\| b |"), 10, "|");
  EXPECT_NE(error_of(no_meaning).find("line 22: a findings row"), std::string::npos) << error_of(no_meaning);
}

TEST(GateSpec, AGateWithoutAPageOrWithAnUnlistedCodeIsABug) {
  EXPECT_THROW(documented({"GATE-V2-NO-SUCH-PAGE-01", {GateScope::Pack}, {}}), std::logic_error);
  // INTEGRITY-01's page lists codes this spec lacks, and the reverse.
  try {
    documented({"GATE-V2-INTEGRITY-01", {GateScope::Pack}, {{"integrity.nonsense", Severity::Error, "fix"}}});
    ADD_FAILURE() << "documented() accepted a code its page does not list";
  } catch (const std::logic_error& e) {
    EXPECT_NE(std::string(e.what()).find("gates/docs/GATE-V2-INTEGRITY-01.md"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("integrity.nonsense"), std::string::npos) << e.what();
  }
}

TEST(GateSpec, FindingsTakeTheirKindsSeverity) {
  GateInfo info{"GATE-V2-X-01", {GateScope::Pack},
                {{"x.bad", Severity::Error, "fix it"}, {"x.odd", Severity::Warning, "look"}}};
  Finding f = info.finding("x.odd", "manifest.json", "odd");
  EXPECT_EQ(f.severity, Severity::Warning);
  EXPECT_EQ(f.code, "x.odd");
  EXPECT_EQ(f.file, "manifest.json");
  EXPECT_EQ(f.message, "odd");
  EXPECT_EQ(info.finding("x.bad", "", "bad").severity, Severity::Error);
  EXPECT_THROW(info.finding("x.undocumented", "", "?"), std::logic_error);
}

TEST(GateSpec, ScopesAreASet) {
  GateScopes both{GateScope::Pack, GateScope::Runners};
  EXPECT_TRUE(both.has(GateScope::Pack));
  EXPECT_TRUE(both.has(GateScope::Runners));
  EXPECT_FALSE(both.has(GateScope::Collection));
  EXPECT_EQ(both.primary(), GateScope::Pack);
  EXPECT_EQ(to_string(both), "pack+runners");
  EXPECT_EQ(to_string(GateScopes{GateScope::Collection}), "collection");
  EXPECT_EQ(GateScopes{GateScope::Runners}.primary(), GateScope::Runners);
}

// A gate counting its prepare() calls, handing its state on, or failing.
struct Counted : PreparedRun {
  int value = 0;
};
class PreparingGate : public Gate {
 public:
  explicit PreparingGate(bool fail) : fail_(fail) {}
  const GateInfo& info() const override { return info_; }
  std::unique_ptr<PreparedRun> prepare(const GateContext&) const override {
    ++calls;
    if (fail_) throw std::runtime_error("bad policy list");
    auto c = std::make_unique<Counted>();
    c->value = 42;
    return c;
  }
  mutable int calls = 0;

 private:
  bool fail_;
  GateInfo info_{"GATE-V2-PREP-01", {GateScope::Pack}, {}};
};

TEST(Preparations, OncePerRunAndHandedToEveryCall) {
  Policy policy;
  CheckOptions options;
  GateContext ctx{policy, options, nullptr, "", nullptr};
  PreparingGate ok(false), unprepared(false);
  PreparingGate failing(true);
  Preparations prep({&ok, &failing}, ctx);
  EXPECT_EQ(ok.calls, 1);
  EXPECT_EQ(failing.calls, 1);
  for (int i = 0; i < 3; ++i) {
    GateContext c = prep.context(&ok, ctx);
    ASSERT_NE(c.prepared, nullptr);
    EXPECT_EQ(dynamic_cast<const Counted&>(*c.prepared).value, 42);
  }
  EXPECT_EQ(ok.calls, 1) << "prepare() runs once per run, not per call";
  try {
    (void)prep.context(&failing, ctx);
    ADD_FAILURE() << "a failed prepare() must make the gate's calls fail";
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find("bad policy list"), std::string::npos) << e.what();
  }
  EXPECT_EQ(prep.context(&unprepared, ctx).prepared, nullptr) << "a gate not prepared gets the run's context";
}

TEST(ScanNeeds, WithoutContentsNoBytesAreKeptAndReadsStillWork) {
  test::TempDir t;
  test::write_file(t / "manifest.json", "{}");
  test::write_file(t / "artifacts/a.txt", "hello");
  for (bool keep : {true, false}) {
    std::string err;
    auto p = Pack::open(t.path(), "p", Limits{}, err);
    ASSERT_TRUE(p) << err;
    ThreadPool pool(2);
    p->load_files(pool, nullptr, keep);
    const FileState* f = p->file("artifacts/a.txt");
    ASSERT_NE(f, nullptr);
    EXPECT_TRUE(f->hashed);
    EXPECT_EQ(f->bytes != nullptr, keep);
    std::string bytes;
    ASSERT_TRUE(p->read("artifacts/a.txt", bytes, err)) << err;
    EXPECT_EQ(bytes, "hello");
  }
}

}  // namespace
}  // namespace mplp
