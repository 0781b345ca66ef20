#include <gtest/gtest.h>

#include "core/json.h"

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

}  // namespace
}  // namespace mplp
