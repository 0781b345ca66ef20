#include <gtest/gtest.h>

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

}  // namespace
}  // namespace mplp
