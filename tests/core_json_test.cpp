#include <gtest/gtest.h>
#include <rapidjson/prettywriter.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <string>
#include <vector>

#include "core/json.h"
#include "core/json_position.h"
#include "core/json_strings.h"
#include "core/json_visit.h"
#include "core/rapidjson_assert.h"

namespace mplp {
namespace {

TEST(Json, ParsesObjectAndReportsDuplicateKeysWithPointer) {
  JsonDoc d;
  ASSERT_TRUE(parse_json(R"({"a":{"b":1,"b":2},"c":[{"x":1,"x":2}]})", {}, d));
  ASSERT_EQ(d.duplicates.size(), 2u);
  EXPECT_EQ(d.duplicates[0].pointer, "/a/b");
  EXPECT_EQ(d.duplicates[1].pointer, "/c/0/x");
}

// Duplicates are found in small objects (searched linearly) and large ones
// (hashed once past a few dozen keys), at every depth, and a key of an outer
// or a closed inner object is never taken for a duplicate.
TEST(Json, DuplicateKeysInSmallLargeAndNestedObjects) {
  std::string text = "{";
  std::vector<std::string> expected;
  for (int i = 0; i < 200; ++i) {
    if (i > 0) text += ",";
    text += "\"k" + std::to_string(i) + "\":";
    if (i == 10 || i == 150) {
      // Inner objects reuse the outer keys; one has its own duplicate, and a
      // large one has a duplicate past the point it is hashed.
      text += "{\"k0\":1,\"k1\":2,\"k1\":3";
      for (int j = 2; j < 60; ++j) text += ",\"k" + std::to_string(j) + "\":" + std::to_string(j);
      text += ",\"k45\":0}";
      expected.push_back("/k" + std::to_string(i) + "/k1");
      expected.push_back("/k" + std::to_string(i) + "/k45");
    } else {
      text += std::to_string(i);
    }
  }
  text += ",\"k3\":1,\"k120\":2,\"k199\":3,\"new\":4,\"new\":5}";
  for (const char* k : {"/k3", "/k120", "/k199", "/new"}) expected.push_back(k);
  JsonDoc d;
  ASSERT_TRUE(parse_json(text, {}, d)) << d.error.message;
  std::vector<std::string> found;
  for (const DuplicateKey& dup : d.duplicates) found.push_back(dup.pointer);
  EXPECT_EQ(found, expected);
  EXPECT_EQ(d.value.MemberCount(), 205u);  // duplicates are kept in the DOM, as before
  // Two objects side by side at the same depth do not share keys.
  ASSERT_TRUE(parse_json(R"([{"a":1,"b":2},{"a":1,"b":2},{"c":{"a":1},"a":{"a":2}}])", {}, d));
  EXPECT_TRUE(d.duplicates.empty());
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

// visit_json drives a writer event for event as Value::Accept does, number
// types included, so what it writes is byte for byte Accept's.
TEST(JsonVisit, WritesWhatAcceptWrites) {
  const char* texts[] = {
      "null", "true", "0", "-1", "4294967295", "4294967296", "-2147483649", "18446744073709551615", "1.5", "-0.0",
      "1e300", "\"\"", "\"a\\u0000b\\n\\u00e9\"", "[]", "{}", "[[],{},[{}]]",
      "{\"a\":[1,2,{\"b\":null,\"c\":[true,false]}],\"d\":{\"e\":\"\\\"x\"},\"f\":-3}",
  };
  for (const char* text : texts) {
    SCOPED_TRACE(text);
    rapidjson::Document d;
    ASSERT_FALSE(d.Parse(text).HasParseError());
    rapidjson::StringBuffer a, b, pa, pb;
    rapidjson::Writer<rapidjson::StringBuffer> wa(a), wb(b);
    d.Accept(wa);
    EXPECT_TRUE(visit_json(d, wb, [] { return false; }));
    EXPECT_EQ(std::string(b.GetString(), b.GetSize()), std::string(a.GetString(), a.GetSize()));
    rapidjson::PrettyWriter<rapidjson::StringBuffer> wpa(pa), wpb(pb);
    d.Accept(wpa);
    visit_json(d, wpb, [] { return false; });
    EXPECT_EQ(std::string(pb.GetString(), pb.GetSize()), std::string(pa.GetString(), pa.GetSize()));
  }
}

// A value nested as deep as the policy allows (limits.max_json_depth is at
// most 100,000): Accept recursed once a level and overflowed the stack.
TEST(JsonVisit, QuotesAValueNestedAHundredThousandDeep) {
  const std::size_t n = 100000;
  JsonDoc d;
  ASSERT_TRUE(parse_json(std::string(n, '[') + std::string(n, ']'), {100000}, d)) << d.error.message;
  EXPECT_EQ(to_compact_json(d.value, 10), std::string(10, '[') + "...");
  EXPECT_EQ(to_compact_json(d.value, SIZE_MAX), std::string(n, '[') + std::string(n, ']'));
  // The walk stops once asked: a huge value costs what is quoted of it.
  rapidjson::StringBuffer buf;
  rapidjson::Writer<rapidjson::StringBuffer> w(buf);
  EXPECT_FALSE(visit_json(d.value, w, [&] { return buf.GetSize() >= 3; }));
  EXPECT_EQ(std::string(buf.GetString(), buf.GetSize()), "[[[");
}

TEST(JsonVisit, NestingCountsOpenContainers) {
  for (auto [text, depth] : std::vector<std::pair<const char*, std::size_t>>{
           {"1", 0}, {"[]", 1}, {"{}", 1}, {"[[],[[{}]]]", 4}, {"{\"a\":[1,{\"b\":[]}],\"c\":2}", 4}}) {
    rapidjson::Document d;
    ASSERT_FALSE(d.Parse(text).HasParseError());
    EXPECT_EQ(json_nesting(d), depth) << text;
  }
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

// Strings are skipped by the same rules they are read by: a malformed
// escape in a value passed over stops the search where it stands.
TEST(JsonPosition, SkippedStringsFollowTheRulesOfReadOnes) {
  EXPECT_EQ(where("{\"a\": \"x\\u12zz\", \"b\": 1}", "/b"), (std::pair<std::uint64_t, std::uint64_t>{1, 1}));
  EXPECT_EQ(where("{\"a\": \"\\ud83d\\u12\", \"b\": 1}", "/b"), (std::pair<std::uint64_t, std::uint64_t>{1, 1}));
  EXPECT_EQ(where("{\"a\": \"\\ud83d\\ude00 \\\\ \\\" \\/ \\n\", \"b\": 1}", "/b").second, 40u);
  EXPECT_EQ(where("{\"\\ud83d\\ude00\": 5}", "/\xf0\x9f\x98\x80").second, 18u);
  EXPECT_EQ(where("{\"a\\nb\": 5}", "/a\nb").second, 10u);
  EXPECT_EQ(where("{\"a\": \"unterminated", "/a/b").second, 7u);
  EXPECT_EQ(where("{\n\n  \"a\":\n   7}", "/a"), (std::pair<std::uint64_t, std::uint64_t>{4, 4}));
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

// ---- issue 17, point 5: every failure has a status; the handler's reasons reach the user ----

namespace mplp {
namespace {

TEST(JsonStatus, LoneSurrogateIsNamedNotTheHandlersStop) {
  for (const char* text : {R"(["\ude00"])", R"({"\udc00": 1})", R"({"a": "x\udfff"})", "\"\\ude00\""}) {
    SCOPED_TRACE(text);
    JsonDoc d;
    ASSERT_FALSE(parse_json(text, {}, d));
    EXPECT_EQ(d.error.status, JsonStatus::LoneSurrogate);
    EXPECT_EQ(d.error.code, rapidjson::kParseErrorStringUnicodeSurrogateInvalid);
    EXPECT_EQ(d.error.message, "string escape decodes to invalid Unicode (lone surrogate)");
    EXPECT_TRUE(d.value.IsNull());
  }
  JsonDoc d;
  ASSERT_FALSE(parse_json("{\n  \"ok\": 1,\n  \"a\": \"\\ude00\"\n}", {}, d));
  EXPECT_EQ(d.error.line, 3u);
  // A high surrogate without its pair: RapidJSON's reader finds it and words
  // it; the status is the same.
  for (const char* text : {R"(["\ud800"])", R"(["\ud800\u0041"])", R"({"\udbff": 1})"}) {
    SCOPED_TRACE(text);
    ASSERT_FALSE(parse_json(text, {}, d));
    EXPECT_EQ(d.error.status, JsonStatus::LoneSurrogate);
    EXPECT_EQ(d.error.code, rapidjson::kParseErrorStringUnicodeSurrogateInvalid);
    EXPECT_EQ(d.error.message, "The surrogate pair in string is invalid.");
  }
}

// Too big for a double: RapidJSON's reader finds some (a long integer, a big
// exponent), our handler the rest (strtod overflows); one status, one message.
TEST(JsonStatus, NumberTooBigIsNamed) {
  for (std::string text : {std::string("[1e400]"), std::string("-1e309"), std::string("{\"n\": 1") + std::string(400, '0') + "}",
                           std::string("[1, 2, 17976931348623159e292]")}) {
    SCOPED_TRACE(text);
    JsonDoc d;
    ASSERT_FALSE(parse_json(text, {}, d));
    EXPECT_EQ(d.error.status, JsonStatus::NumberTooBig);
    EXPECT_EQ(d.error.code, rapidjson::kParseErrorNumberTooBig);
    EXPECT_EQ(d.error.message, "Number too big to be stored in double.");
    EXPECT_NE(d.error.message, "Terminate parsing due to Handler error.");
    EXPECT_EQ(d.error.line, 1u);
  }
  // Big but finite: a double, not an error.
  JsonDoc d;
  ASSERT_TRUE(parse_json("[123456789012345678901234567890, 1.7976931348623157e308]", {}, d)) << d.error.message;
  EXPECT_EQ(d.error.status, JsonStatus::Ok);
  EXPECT_TRUE(d.value[0].IsDouble());
}

TEST(JsonStatus, EveryOtherFailureHasItsStatus) {
  JsonDoc d;
  ASSERT_FALSE(parse_json(R"({"a": NaN})", {}, d));
  EXPECT_EQ(d.error.status, JsonStatus::Syntax);
  EXPECT_EQ(d.error.code, rapidjson::kParseErrorValueInvalid);
  EXPECT_EQ(d.error.message, "Invalid value.");
  ASSERT_FALSE(parse_json("{\"a\": \"\xff\"}", {}, d));
  EXPECT_EQ(d.error.status, JsonStatus::Syntax);
  EXPECT_EQ(d.error.code, rapidjson::kParseErrorStringInvalidEncoding);
  ASSERT_FALSE(parse_json(std::string(300, '['), {256}, d));
  EXPECT_EQ(d.error.status, JsonStatus::TooDeep);
  EXPECT_EQ(d.error.code, rapidjson::kParseErrorNone);
  EXPECT_EQ(d.error.message, "nesting deeper than 256 levels");
  ASSERT_FALSE(parse_json(std::string("[1,\0]", 5), {}, d));
  EXPECT_EQ(d.error.status, JsonStatus::NulByte);
  EXPECT_EQ(d.error.message, "NUL byte in JSON text");
  ASSERT_FALSE(parse_json("", {}, d));
  EXPECT_EQ(d.error.status, JsonStatus::Syntax);
  EXPECT_EQ(d.error.code, rapidjson::kParseErrorDocumentEmpty);
  // A later success clears the error.
  ASSERT_TRUE(parse_json("[]", {}, d));
  EXPECT_EQ(d.error.status, JsonStatus::Ok);
  EXPECT_TRUE(d.error.message.empty());
}

TEST(JsonStatus, TheStringCollectorSharesTheModel) {
  std::vector<JsonStringHit> hits;
  JsonError e;
  auto all = [](std::string_view, bool) { return true; };
  EXPECT_FALSE(collect_json_strings(std::string(300, '['), 256, all, hits, e));
  EXPECT_EQ(e.status, JsonStatus::TooDeep);
  EXPECT_EQ(e.message, "nesting deeper than 256 levels");
  EXPECT_FALSE(collect_json_strings("{\"a\" 1}", 256, all, hits, e));
  EXPECT_EQ(e.status, JsonStatus::Syntax);
  EXPECT_EQ(e.code, rapidjson::kParseErrorObjectMissColon);
  EXPECT_EQ(e.line, 1u);
  EXPECT_EQ(e.column, 6u);
  EXPECT_FALSE(collect_json_strings(std::string("\"a\0\"", 4), 256, all, hits, e));
  EXPECT_EQ(e.status, JsonStatus::NulByte);
  EXPECT_EQ(e.offset, 2u);
  EXPECT_TRUE(collect_json_strings("[\"x\"]", 256, all, hits, e));
  EXPECT_EQ(e.status, JsonStatus::Ok);
}

// A failed RapidJSON assertion is a std::logic_error (so every scope that
// catches std::exception catches it), with RapidJSON's condition in it.
TEST(JsonStatus, RapidJsonAssertionIsALogicError) {
  rapidjson::Value number(42);
  try {
    (void)number.GetString();
    FAIL() << "no assertion";
  } catch (const std::logic_error& e) {
    EXPECT_NE(dynamic_cast<const JsonAssertion*>(&e), nullptr);
    EXPECT_EQ(std::string(e.what()), "RapidJSON assertion failed: IsString()");
  }
}

}  // namespace
}  // namespace mplp
