#include <gtest/gtest.h>

#include "core/json.h"
#include "core/json_position.h"

namespace mplp {
namespace {

TEST(Json, ParsesObjectAndReportsDuplicateKeysWithPointer) {
  JsonDoc d;
  ASSERT_TRUE(parse_json(R"({"a":{"b":1,"b":2},"c":[{"x":1,"x":2}]})", {}, d));
  ASSERT_EQ(d.duplicates.size(), 2u);
  EXPECT_EQ(d.duplicates[0].pointer, "/a/b");
  EXPECT_EQ(d.duplicates[1].pointer, "/c/0/x");
}

TEST(Json, RejectsNaNAndTrailingGarbage) {
  JsonDoc d;
  EXPECT_FALSE(parse_json(R"({"a": NaN})", {}, d));
  EXPECT_FALSE(parse_json(R"({"a": 1} x)", {}, d));
  EXPECT_FALSE(parse_json(R"({"a": Infinity})", {}, d));
}

TEST(Json, RejectsInvalidUtf8InStrings) {
  JsonDoc d;
  EXPECT_FALSE(parse_json("{\"a\": \"\xff\xfe\"}", {}, d));
  EXPECT_FALSE(parse_json("{\"a\": \"\xc0\xaf\"}", {}, d));  // overlong
  EXPECT_TRUE(parse_json("{\"a\": \"\xc3\xa9\"}", {}, d));
}

TEST(Json, RejectsLoneSurrogateEscape) {
  JsonDoc d;
  EXPECT_FALSE(parse_json(R"({"a": "\ud800"})", {}, d));
}

TEST(Json, DepthLimitIsEnforcedWithoutRecursion) {
  JsonDoc d;
  std::string deep(100000, '[');
  EXPECT_FALSE(parse_json(deep, {256}, d));
  EXPECT_NE(d.error.message.find("nesting deeper than 256"), std::string::npos);
  std::string ok = std::string(256, '[') + std::string(256, ']');
  EXPECT_TRUE(parse_json(ok, {256}, d));
  std::string over = std::string(257, '[') + std::string(257, ']');
  EXPECT_FALSE(parse_json(over, {256}, d));
}

TEST(Json, ErrorHasLineAndColumn) {
  JsonDoc d;
  EXPECT_FALSE(parse_json("{\n  \"a\": 1,\n  \"b\" 2\n}", {}, d));
  EXPECT_EQ(d.error.line, 3u);
  EXPECT_GT(d.error.column, 1u);
}

TEST(Json, NulByteIsAnErrorWithOffset) {
  JsonDoc d;
  EXPECT_FALSE(parse_json(std::string("{\"a\":1}\0", 8), {}, d));
  EXPECT_EQ(d.error.offset, 7u);
}

TEST(Json, PointerTokenEscaping) {
  EXPECT_EQ(json_pointer_token("a/b~c"), "a~1b~0c");
}

// Line and column of a JSON pointer's value (issue 14, point 2).
std::pair<std::uint64_t, std::uint64_t> where(std::string_view text, std::string_view pointer) {
  std::uint64_t line = 0, column = 0;
  if (!json_pointer_position(text, pointer, line, column)) return {0, 0};
  return {line, column};
}

TEST(JsonPosition, PointsAtTheValueOfNestedMembersAndArrayItems) {
  const std::string text =
      "{\n  \"a\": {\"b\": [10, {\"c\": \"x\"}, [1, 2]]},\n  \"d\": \"y\",\n  \"e~/f\": true\n}\n";
  EXPECT_EQ(where(text, ""), (std::pair<std::uint64_t, std::uint64_t>{1, 1}));
  EXPECT_EQ(where(text, "/a"), (std::pair<std::uint64_t, std::uint64_t>{2, 8}));
  EXPECT_EQ(where(text, "/a/b"), (std::pair<std::uint64_t, std::uint64_t>{2, 14}));
  EXPECT_EQ(where(text, "/a/b/0"), (std::pair<std::uint64_t, std::uint64_t>{2, 15}));
  EXPECT_EQ(where(text, "/a/b/1/c"), (std::pair<std::uint64_t, std::uint64_t>{2, 25}));
  EXPECT_EQ(where(text, "/a/b/2/1"), (std::pair<std::uint64_t, std::uint64_t>{2, 35}));
  EXPECT_EQ(where(text, "/d"), (std::pair<std::uint64_t, std::uint64_t>{3, 8}));
  EXPECT_EQ(where(text, "/e~0~1f"), (std::pair<std::uint64_t, std::uint64_t>{4, 11}));
}

TEST(JsonPosition, MissingMembersPointAtTheDeepestExistingValue) {
  const std::string text = "{\"a\": {\"b\": 1}, \"l\": [1]}";
  EXPECT_EQ(where(text, "/a/zzz"), (std::pair<std::uint64_t, std::uint64_t>{1, 7}));
  EXPECT_EQ(where(text, "/nope/deeper"), (std::pair<std::uint64_t, std::uint64_t>{1, 1}));
  EXPECT_EQ(where(text, "/l/5"), (std::pair<std::uint64_t, std::uint64_t>{1, 22}));
  EXPECT_EQ(where(text, "/l/01"), (std::pair<std::uint64_t, std::uint64_t>{1, 22}));
  EXPECT_EQ(where(text, "/a/b/c"), (std::pair<std::uint64_t, std::uint64_t>{1, 13})) << "a scalar has no members";
}

TEST(JsonPosition, KeysAreComparedDecodedAndTheFirstDuplicateWins) {
  const std::string text = "{\"x\": 0, \"\\u00e9t\\u00e9\": 1, \"k\": 2, \"k\": 3, \"s\": \"a\\\"}b\"}";
  EXPECT_EQ(where(text, "/\xc3\xa9t\xc3\xa9").second, 27u);
  EXPECT_EQ(where(text, "/k").second, 35u);
  EXPECT_EQ(where(text, "/s").second, 51u) << "a brace inside a string is not structure";
}

TEST(JsonPosition, BrokenOrEmptyTextNeverCrashes) {
  EXPECT_EQ(where("", "/a"), (std::pair<std::uint64_t, std::uint64_t>{0, 0}));
  EXPECT_EQ(where("   ", ""), (std::pair<std::uint64_t, std::uint64_t>{0, 0}));
  for (std::string_view broken : {"{", "{\"a\"", "{\"a\":", "[1,", "{\"a\": [1, {\"b\": }", "\"\\u12",
                                  "{\"a\\", "]]]]", "{\"a\": 1 \"b\": 2}"}) {
    std::uint64_t line = 0, column = 0;
    json_pointer_position(broken, "/a/b/0", line, column);
    EXPECT_LE(column, broken.size() + 1) << broken;
  }
  // Deep nesting is skipped without recursion.
  std::string deep = "{\"a\": " + std::string(200000, '[') + std::string(200000, ']') + ", \"b\": 1}";
  EXPECT_EQ(where(deep, "/b").second, 400014u);
  // A BOM is skipped (columns count bytes, the BOM's too).
  EXPECT_EQ(where("\xEF\xBB\xBF{\"a\": 1}", "/a").second, 10u);
}

}  // namespace
}  // namespace mplp
