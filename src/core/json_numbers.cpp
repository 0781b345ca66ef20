#include "core/json_numbers.h"

#include <rapidjson/memorystream.h>
#include <rapidjson/reader.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <vector>

#include "core/json_visit.h"

namespace mplp {

namespace {

// A JSON number's exact value: its sign, its significant digits (no leading
// or trailing zeros; none for zero) and the power of ten of the last one.
struct Decimal {
  bool negative = false;
  std::string digits;
  long long exponent = 0;
  bool operator==(const Decimal& o) const {
    return negative == o.negative && digits == o.digits && exponent == o.exponent;
  }
};

bool is_digit(char c) { return c >= '0' && c <= '9'; }

Decimal decimal_of(std::string_view t) {
  Decimal d;
  std::size_t i = 0;
  if (i < t.size() && t[i] == '-') d.negative = true, ++i;
  long long fraction = 0;
  for (; i < t.size() && is_digit(t[i]); ++i) d.digits += t[i];
  if (i < t.size() && t[i] == '.')
    for (++i; i < t.size() && is_digit(t[i]); ++i) d.digits += t[i], ++fraction;
  long long e = 0;
  if (i < t.size() && (t[i] == 'e' || t[i] == 'E')) {
    ++i;
    const bool minus = i < t.size() && t[i] == '-';
    if (i < t.size() && (t[i] == '-' || t[i] == '+')) ++i;
    // Clamped: past a billion the value is far out of any double's range,
    // which a parsed document could not hold anyway.
    for (; i < t.size() && is_digit(t[i]); ++i) e = e > 1000000000 ? e : e * 10 + (t[i] - '0');
    if (minus) e = -e;
  }
  const std::size_t first = d.digits.find_first_not_of('0');
  if (first == std::string::npos) return d.digits.clear(), d.exponent = 0, d;  // zero (its sign kept)
  d.digits.erase(0, first);
  const std::size_t last = d.digits.find_last_not_of('0');
  e += static_cast<long long>(d.digits.size() - 1 - last);
  d.digits.erase(last + 1);
  d.exponent = e - fraction;
  return d;
}

// Every number of a document as a writer writes it, in document order.
struct RewrittenNumbers : rapidjson::BaseReaderHandler<rapidjson::UTF8<>, RewrittenNumbers> {
  std::vector<std::string> texts;
  template <class Write>
  bool put(Write write) {
    rapidjson::StringBuffer b;
    rapidjson::Writer<rapidjson::StringBuffer> w(b);
    write(w);
    texts.emplace_back(b.GetString(), b.GetSize());
    return true;
  }
  bool Int(int i) { return put([&](auto& w) { w.Int(i); }); }
  bool Uint(unsigned u) { return put([&](auto& w) { w.Uint(u); }); }
  bool Int64(std::int64_t i) { return put([&](auto& w) { w.Int64(i); }); }
  bool Uint64(std::uint64_t u) { return put([&](auto& w) { w.Uint64(u); }); }
  bool Double(double d) { return put([&](auto& w) { w.Double(d); }); }
  bool Default() { return true; }
};

// Compares each number of the text, as written there, with its rewrite;
// stops at the first that differs.
struct CompareNumbers : rapidjson::BaseReaderHandler<rapidjson::UTF8<>, CompareNumbers> {
  const std::vector<std::string>& rewritten;
  std::size_t next = 0;
  std::optional<ChangedNumber> changed;
  explicit CompareNumbers(const std::vector<std::string>& r) : rewritten(r) {}
  bool RawNumber(const char* s, rapidjson::SizeType n, bool) {
    const std::string_view raw(s, n);
    const std::string_view redone = next < rewritten.size() ? std::string_view(rewritten[next]) : std::string_view();
    ++next;
    if (same_json_number(raw, redone)) return true;
    changed = ChangedNumber{std::string(raw), std::string(redone), next};
    return false;
  }
  bool Default() { return true; }
};

}  // namespace

bool same_json_number(std::string_view a, std::string_view b) {
  if (a.empty() || b.empty()) return a == b;
  return decimal_of(a) == decimal_of(b);
}

std::optional<ChangedNumber> first_changed_number(std::string_view text, const rapidjson::Value& doc) {
  RewrittenNumbers all;
  visit_json(doc, all, [] { return false; });
  CompareNumbers compare(all.texts);
  rapidjson::MemoryStream in(text.data(), text.size());
  rapidjson::Reader reader;  // iterative: a document may nest as deep as a policy allows
  reader.Parse<rapidjson::kParseNumbersAsStringsFlag | rapidjson::kParseIterativeFlag>(in, compare);
  return compare.changed;
}

}  // namespace mplp
