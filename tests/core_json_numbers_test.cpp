// core/json_numbers: which number texts a writer gives back unchanged, and
// the first number of a document that it would not.
#include "core/json_numbers.h"

#include <gtest/gtest.h>

#include "core/json.h"

namespace mplp {
namespace {

TEST(JsonNumbers, OneValueHoweverSpelled) {
  for (auto [a, b] : std::vector<std::pair<const char*, const char*>>{
           {"100", "100.0"}, {"1e2", "100"}, {"1E+2", "100.0"}, {"0.5", "5e-1"}, {"0", "0.0"}, {"0e7", "0"},
           {"-0.0", "-0"}, {"1.50", "1.5"}, {"12300", "1.23e4"}, {"0.000", "0e-5"}, {"-7", "-7.000e0"}})
    EXPECT_TRUE(same_json_number(a, b)) << a << " " << b;
  for (auto [a, b] : std::vector<std::pair<const char*, const char*>>{
           {"-0", "0"}, {"18446744073709551616", "18446744073709553000.0"}, {"1", "-1"}, {"0.1", "0.10000000000000001"},
           {"1e400", "1e399"}, {"1", ""}, {"10", "1"}})
    EXPECT_FALSE(same_json_number(a, b)) << a << " " << b;
  // An exponent too large for any document is clamped, not overflowed (no
  // document holds such a number: the parser refuses it).
  EXPECT_FALSE(same_json_number("1e99999999999999999999", "1e5"));
  EXPECT_FALSE(same_json_number("1e-99999999999999999999", "1e-5"));
}

std::optional<ChangedNumber> changed_in(const std::string& text) {
  JsonDoc doc;
  EXPECT_TRUE(parse_json(text, {}, doc)) << text;
  return first_changed_number(text, doc.value);
}

TEST(JsonNumbers, TheFirstNumberAWriterWouldChange) {
  EXPECT_FALSE(changed_in("{\"a\": [1, 1e2, 0.5, -3, 1.5e-7, 18446744073709551615, -9223372036854775808, 1.0]}"));
  EXPECT_FALSE(changed_in("\"no numbers\""));
  for (const char* bad : {"18446744073709551616", "12345678901234567890123", "-0", "0.1000000000000000000001",
                          "1e-400"}) {
    auto c = changed_in(std::string("{\"k\": [7, \"x\", ") + bad + ", 8]}");
    ASSERT_TRUE(c.has_value()) << bad;
    EXPECT_EQ(c->written, bad);
    EXPECT_EQ(c->ordinal, 2u);
    EXPECT_FALSE(c->rewritten.empty());
  }
  // Keys that look like numbers are strings; nesting deep is walked without recursion.
  EXPECT_FALSE(changed_in("{\"18446744073709551616\": 1}"));
  std::string deep = std::string(20000, '[') + "-0" + std::string(20000, ']');
  JsonDoc doc;
  ASSERT_TRUE(parse_json(deep, {30000}, doc));
  auto c = first_changed_number(deep, doc.value);
  ASSERT_TRUE(c.has_value());
  EXPECT_EQ(c->written, "-0");
}

}  // namespace
}  // namespace mplp
