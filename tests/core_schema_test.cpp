#include <gtest/gtest.h>

#include <algorithm>
#include <ostream>
#include <tuple>

#include "core/json.h"
#include "core/schema.h"

namespace mplp {
namespace {

rapidjson::Document parse(const std::string& text) {
  JsonDoc d;
  EXPECT_TRUE(parse_json(text, {}, d)) << d.error.message;
  rapidjson::Document out;
  out.CopyFrom(d.value, out.GetAllocator());
  return out;
}

TEST(Schema, PatternUsesRe2AndSurvivesHugeInput) {
  const char* schema = R"({"type":"string","pattern":"^(a+)+$"})";
  std::string big(100000, 'a');
  auto ok = parse("\"" + big + "\"");
  EXPECT_TRUE(validate_with_schema_text(schema, ok).empty());
  auto bad = parse("\"" + big + "b\"");  // catastrophic for backtracking engines
  EXPECT_EQ(validate_with_schema_text(schema, bad).size(), 1u);
}

TEST(Schema, KeyOrderKeyword) {
  const char* schema =
      R"({"type":"object","x-mplp-key-order":{"keys":["os","arch"],"optional_last":["generated_at"]}})";
  EXPECT_TRUE(validate_with_schema_text(schema, parse(R"({"os":"l","arch":"x"})")).empty());
  EXPECT_TRUE(validate_with_schema_text(schema, parse(R"({"os":"l","arch":"x","generated_at":"t"})")).empty());
  EXPECT_FALSE(validate_with_schema_text(schema, parse(R"({"arch":"x","os":"l"})")).empty());
  EXPECT_FALSE(validate_with_schema_text(schema, parse(R"({"os":"l"})")).empty());
  EXPECT_FALSE(validate_with_schema_text(schema, parse(R"({"os":"l","arch":"x","extra":"t"})")).empty());
  EXPECT_FALSE(validate_with_schema_text(schema, parse(R"({"generated_at":"t","os":"l","arch":"x"})")).empty());
}

TEST(Schema, TypedDigestKeyword) {
  const char* schema = R"({"type":"string","x-mplp-typed-digest":"sha256"})";
  EXPECT_TRUE(validate_with_schema_text(schema, parse("\"sha256:" + std::string(64, 'a') + "\"")).empty());
  EXPECT_FALSE(validate_with_schema_text(schema, parse("\"sha256:" + std::string(64, 'A') + "\"")).empty());
  EXPECT_FALSE(validate_with_schema_text(schema, parse("\"sha256:\"")).empty());
  EXPECT_FALSE(validate_with_schema_text(schema, parse("\"\"")).empty());
  EXPECT_FALSE(validate_with_schema_text(schema, parse("\"sha512:" + std::string(64, 'a') + "\"")).empty());
}

TEST(Schema, ErrorsCarryJsonPointers) {
  auto doc = parse(R"({"pack_id":"p","pack_layout_version":2,"indexability_status":"INDEXABLE_REAL"})");
  auto errors = validate_with_schema("manifest.v2", doc);
  ASSERT_FALSE(errors.empty());
  bool found = false;
  for (const auto& e : errors) found = found || e.pointer == "/pack_layout_version";
  EXPECT_TRUE(found);
}

TEST(Schema, PatternPropertiesIsRefused) {
  EXPECT_THROW(validate_with_schema_text(R"({"patternProperties":{"a":{}}})", parse("{}")), std::logic_error);
}

TEST(Schema, PatternAsPropertyNameIsNotRewritten) {
  const char* schema = R"({"type":"object","properties":{"pattern":{"type":"string"}}})";
  EXPECT_TRUE(validate_with_schema_text(schema, parse(R"({"pattern":"x"})")).empty());
  EXPECT_FALSE(validate_with_schema_text(schema, parse(R"({"pattern":1})")).empty());
}

// Best match (issue 14, point 1): a failed oneOf gives the most specific leaf,
// not the trail; distinct defects stay distinct; only roll-ups: kept.
TEST(Schema, OneOfFailureGivesTheBestBranchOnly) {
  const std::string schema =
      R"({"type":"object","properties":{"v":{"oneOf":[{"type":"string"},{"type":"object","required":["a","b"]}]}}})";
  auto errors = validate_with_schema_text(schema, parse(R"({"v":{}})"));
  ASSERT_EQ(errors.size(), 2u);
  for (const SchemaError& e : errors) {
    EXPECT_EQ(e.pointer, "/v");
    EXPECT_EQ(e.message.rfind("Missing required property", 0), 0u) << e.message;
  }
  // Neither branch fits better: the type error is the finding.
  auto type = validate_with_schema_text(schema, parse(R"({"v":7})"));
  ASSERT_FALSE(type.empty());
  for (const SchemaError& e : type) EXPECT_EQ(e.message.find("child schema"), std::string::npos) << e.message;
  // Inside an array, one per item.
  auto items = validate_with_schema_text(R"({"type":"array","items":{"type":"integer"}})", parse(R"([1,"a","b"])"));
  ASSERT_EQ(items.size(), 2u);
  EXPECT_EQ(items[0].pointer, "/1");
  EXPECT_EQ(items[1].pointer, "/2");
}


// ---- issue 17, point 5: errors carry the rule they broke, not only English ----

using Rule = SchemaRule;
struct Broken {
  std::string pointer;
  SchemaRule rule;
  std::string property;
  bool operator<(const Broken& o) const {
    return std::tie(pointer, rule, property) < std::tie(o.pointer, o.rule, o.property);
  }
  bool operator==(const Broken&) const = default;
};
std::ostream& operator<<(std::ostream& out, const Broken& b) {
  return out << "{" << b.pointer << ", rule " << static_cast<int>(b.rule) << ", '" << b.property << "'}";
}

std::vector<Broken> broken(const std::vector<SchemaError>& errors) {
  std::vector<Broken> out;
  for (const SchemaError& e : errors) {
    EXPECT_NE(e.rule, SchemaRule::Other) << e.pointer << ": " << e.message;
    out.push_back({e.pointer, e.rule, e.property});
  }
  std::sort(out.begin(), out.end());
  return out;
}

TEST(SchemaRules, EachErrorNamesItsRuleAndMember) {
  const char* schema = R"({
    "type": "object", "required": ["a", "it's", "sub"], "additionalProperties": false,
    "dependencies": {"b": ["needed"]},
    "properties": {
      "a": {"type": "string", "minLength": 2}, "b": {"enum": [1, 2]}, "c": {"const": "x"},
      "d": {"not": {"type": "string"}}, "e": {"type": "string", "pattern": "^x+$"}, "f": {"type": "integer"},
      "g": {"type": "string", "x-mplp-typed-digest": "sha256"},
      "h": {"type": "object", "x-mplp-key-order": {"keys": ["p", "q"]}},
      "it's": {}, "needed": {},
      "sub": {"type": "object", "required": ["deep/er"], "properties": {"list": {"type": "array", "maxItems": 1}}}
    }})";
  auto doc = parse(R"({"a": "x", "b": 3, "c": "y", "d": "s", "e": "y", "f": "1", "g": "nope",
                       "h": {"q": 1, "p": 2}, "sub": {"list": [1, 2]}, "zz'.": 1})");
  std::vector<Broken> want = {
      {"", Rule::Required, "it's"},
      {"", Rule::AdditionalProperties, "zz'."},
      {"", Rule::Dependency, "needed"},
      {"/a", Rule::Bounds, ""},
      {"/b", Rule::Enum, ""},
      {"/c", Rule::Const, ""},
      {"/d", Rule::Not, ""},
      {"/e", Rule::Pattern, ""},
      {"/f", Rule::Type, ""},
      {"/g", Rule::TypedDigest, ""},
      {"/h", Rule::KeyOrder, ""},
      {"/sub", Rule::Required, "deep/er"},
      {"/sub/list", Rule::Bounds, ""},
  };
  std::sort(want.begin(), want.end());
  EXPECT_EQ(broken(validate_with_schema_text(schema, doc)), want);
}

TEST(SchemaRules, MessagesStayValijsonsWords) {
  auto errors = validate_with_schema_text(R"({"type":"object","required":["x"]})", parse("{}"));
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_EQ(errors[0].rule, SchemaRule::Required);
  EXPECT_EQ(errors[0].property, "x");
  EXPECT_EQ(errors[0].message, "Missing required property 'x'.");
}

TEST(SchemaRules, RollUpsAreNamedAndDroppedBesideTheirLeaves) {
  for (const char* d : {"Failed to validate against child schema #0.",
                        "Failed to validate against any child schemas allowed by oneOf constraint.",
                        "Failed to validate against any schemas allowed by anyOf constraint.",
                        "Failed to validate item #3 in array.",
                        "Failed to validate against additional properties schema"}) {
    SchemaError e = classify_schema_error("/x", d);
    EXPECT_EQ(e.rule, SchemaRule::Subschema) << d;
    EXPECT_TRUE(e.roll_up()) << d;
    EXPECT_EQ(e.message, d);
    EXPECT_EQ(e.pointer, "/x");
  }
  SchemaError m = classify_schema_error("", "Failed to validate against schema associated with property name 'a'.");
  EXPECT_EQ(m.rule, SchemaRule::Member);
  EXPECT_TRUE(m.roll_up());
  SchemaError other = classify_schema_error("", "Something valijson 2 might say.");
  EXPECT_EQ(other.rule, SchemaRule::Other);
  EXPECT_FALSE(other.roll_up());
  EXPECT_TRUE(other.property.empty());
  // A member name that looks like the end of the description stays whole.
  EXPECT_EQ(classify_schema_error("", "Missing required property ''.'.").property, "'.");
  EXPECT_EQ(classify_schema_error("", "Missing required property ''.").property, "");
  // No roll-up survives beside a leaf.
  const std::string schema = R"({"anyOf":[{"required":["a"]},{"required":["b"]}]})";
  std::vector<Broken> want = {{"", Rule::Required, "a"}, {"", Rule::Required, "b"}};
  EXPECT_EQ(broken(validate_with_schema_text(schema, parse("{}"))), want);
}

// The runner metadata schema, as GATE-V2-SSOT-01 reads it: where each
// failure is and which rule it broke.
TEST(SchemaRules, RunnerMetaFailuresByPath) {
  auto doc = parse(R"({"runner_id": "Bad ID", "environment_fingerprint":
                         {"arch": "x86_64", "os": "linux", "runtime_type": "node", "runtime_version": "unknown"},
                       "executed_at": 5})");
  std::vector<Broken> want = {
      {"", Rule::Required, "container_digest"},
      {"", Rule::Required, "image_digest"},
      {"/environment_fingerprint", Rule::KeyOrder, ""},
      {"/environment_fingerprint/runtime_version", Rule::Not, ""},
      {"/executed_at", Rule::Type, ""},
      {"/runner_id", Rule::Pattern, ""},
  };
  std::sort(want.begin(), want.end());
  EXPECT_EQ(broken(validate_with_schema("runner-meta.v2", doc)), want);
}

}  // namespace
}  // namespace mplp
