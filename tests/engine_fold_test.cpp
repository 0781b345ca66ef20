// Unit tests of engine/fold: one finding per defect. A schema rule and the
// gate's own rule about one field become one finding; repeats of one code in
// one file become one finding with the count.
#include "engine/fold.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace mplp {
namespace {

Finding at(Severity s, std::string code, std::string file, std::string pointer, bool schema, std::string message) {
  Finding x = make_finding(s, std::move(code), std::move(file), std::move(message));
  x.location.pointer = std::move(pointer);
  x.schema_rule = schema;
  return x;
}

std::vector<std::string> codes(const GateResult& g) {
  std::vector<std::string> out;
  for (const Finding& f : g.findings) out.push_back(f.code + "@" + f.location.pointer);
  return out;
}

TEST(DropSchemaRestatements, GateRuleOnTheSameFieldKeepsItsFindingAndTheSchemaMessage) {
  GateResult g;
  g.findings.push_back(at(Severity::Error, "x.schema", "m.json", "/executed_at", true, "Value type not permitted"));
  g.findings.push_back(at(Severity::Error, "x.mismatch", "m.json", "/executed_at", false, "disagrees with env_ref"));
  drop_schema_restatements(g);
  ASSERT_EQ(codes(g), (std::vector<std::string>{"x.mismatch@/executed_at"}));
  EXPECT_NE(g.findings[0].detail.find("Value type not permitted"), std::string::npos) << g.findings[0].detail;
}

TEST(DropSchemaRestatements, OtherFieldsFilesAndWeakerFindingsKeepTheSchemaFinding) {
  GateResult g;
  g.findings.push_back(at(Severity::Error, "x.schema", "m.json", "/a", true, "s1"));
  g.findings.push_back(at(Severity::Error, "x.rule", "m.json", "/a/b", false, "child field"));
  g.findings.push_back(at(Severity::Error, "x.schema", "m.json", "/c", true, "s2"));
  g.findings.push_back(at(Severity::Error, "x.rule", "other.json", "/c", false, "other file"));
  g.findings.push_back(at(Severity::Error, "x.schema", "m.json", "/d", true, "s3"));
  g.findings.push_back(at(Severity::Warning, "x.rule", "m.json", "/d", false, "only a warning"));
  g.findings.push_back(at(Severity::Error, "x.schema", "m.json", "", true, "whole document"));
  g.findings.push_back(at(Severity::Error, "x.rule", "m.json", "", false, "whole document too"));
  std::vector<std::string> before = codes(g);
  drop_schema_restatements(g);
  EXPECT_EQ(codes(g), before) << "nothing here is one defect said twice";
}

TEST(DropSchemaRestatements, TwoSchemaFindingsAloneStay) {
  GateResult g;
  g.findings.push_back(at(Severity::Error, "x.schema", "m.json", "/a", true, "s1"));
  g.findings.push_back(at(Severity::Error, "x.schema", "m.json", "/a", true, "s2"));
  drop_schema_restatements(g);
  EXPECT_EQ(g.findings.size(), 2u);
}

TEST(OneFindingPerDefect, DropsThenFoldsRepeatsWithTheirPlaces) {
  GateResult g;
  for (int i = 1; i <= 7; ++i) {
    Finding f = make_finding(Severity::Error, "tl.schema", "timeline/events.ndjson", "event is not a v2 event");
    f.location.line = static_cast<std::uint64_t>(i);
    g.findings.push_back(f);
  }
  g.findings.push_back(at(Severity::Error, "x.schema", "m.json", "/a", true, "s"));
  g.findings.push_back(at(Severity::Error, "x.rule", "m.json", "/a", false, "r"));
  one_finding_per_defect(g);
  ASSERT_EQ(g.findings.size(), 2u);
  EXPECT_EQ(g.findings[0].message, "event is not a v2 event (7 times in this file)");
  EXPECT_NE(g.findings[0].detail.find("found 7 times"), std::string::npos);
  EXPECT_NE(g.findings[0].detail.find(", ..."), std::string::npos) << "at most the first places are listed";
  EXPECT_EQ(g.findings[1].code, "x.rule");
}

}  // namespace
}  // namespace mplp
