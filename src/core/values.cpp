#include "core/values.h"

#include <array>
#include <ctime>

#include "core/digest.h"
#include "core/text.h"

namespace mplp {

namespace {

// The length of the blank character `s` starts with (ASCII whitespace, or a
// Unicode space, zero-width character or BOM in UTF-8), 0 when it does not.
std::size_t blank_prefix(std::string_view s) {
  if (s.empty()) return 0;
  if (s[0] == ' ' || (s[0] >= '\t' && s[0] <= '\r')) return 1;
  static constexpr std::array<std::string_view, 9> kMultibyte = {
      "\u00a0", "\u1680", "\u180e", "\u202f", "\u205f", "\u2060", "\u3000", "\ufeff", "\u200b"};
  for (std::string_view b : kMultibyte)
    if (s.starts_with(b)) return b.size();
  // U+2000..U+200D: E2 80 80..8D
  if (s.size() >= 3 && s[0] == '\xe2' && s[1] == '\x80' && static_cast<unsigned char>(s[2]) >= 0x80 &&
      static_cast<unsigned char>(s[2]) <= 0x8d)
    return 3;
  return 0;
}

std::size_t blank_suffix(std::string_view s) {
  for (std::size_t n = 1; n <= 3 && n <= s.size(); ++n)
    if (blank_prefix(s.substr(s.size() - n)) == n) return n;
  return 0;
}

}  // namespace

std::string_view trim_blank(std::string_view s) {
  while (std::size_t n = blank_prefix(s)) s.remove_prefix(n);
  while (std::size_t n = blank_suffix(s)) s.remove_suffix(n);
  return s;
}

bool is_placeholder_text(std::string_view s) {
  // " unknown", a tab, a zero-width space: blank around a placeholder word
  // (or nothing but blanks) is still a placeholder (QA-39).
  s = trim_blank(s);
  static constexpr std::array<std::string_view, 8> kWords = {
      "", "unknown", "pending", "none", "null", "placeholder", "n/a", "tbd"};
  for (std::string_view w : kWords)
    if (equals_ignoring_ascii_case(s, w)) return true;
  return false;
}

bool is_placeholder(const rapidjson::Value* v) {
  if (v == nullptr || v->IsNull()) return true;
  if (v->IsString()) return is_placeholder_text({v->GetString(), v->GetStringLength()});
  return false;
}

std::string_view contract_arch(std::string_view arch) {
  if (arch == "aarch64") return "arm64";
  if (arch == "amd64") return "x86_64";
  return arch;
}

bool is_hex64(std::string_view s) { return is_lower_hex(s, 64); }
bool is_hex40(std::string_view s) { return is_lower_hex(s, 40); }

bool is_typed_sha256(std::string_view s) {
  return s.size() == 71 && s.substr(0, 7) == "sha256:" && is_hex64(s.substr(7));
}

bool is_runner_id(std::string_view s) {
  if (s.empty() || s.size() > 64) return false;
  auto lower_digit = [](char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'); };
  if (!lower_digit(s[0])) return false;
  for (char c : s.substr(1))
    if (!lower_digit(c) && c != '.' && c != '_' && c != '-') return false;
  return true;
}

namespace {

bool digits(std::string_view s, std::size_t pos, std::size_t n, int& value) {
  if (pos + n > s.size()) return false;
  value = 0;
  for (std::size_t i = pos; i < pos + n; ++i) {
    if (s[i] < '0' || s[i] > '9') return false;
    value = value * 10 + (s[i] - '0');
  }
  return true;
}

bool leap(int y) { return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0; }

}  // namespace

bool is_rfc3339_utc(std::string_view s) {
  // YYYY-MM-DDTHH:MM:SS then optional .digits then Z
  int year, month, day, hour, minute, second;
  if (s.size() < 20) return false;
  if (!digits(s, 0, 4, year) || s[4] != '-' || !digits(s, 5, 2, month) || s[7] != '-' ||
      !digits(s, 8, 2, day) || s[10] != 'T' || !digits(s, 11, 2, hour) || s[13] != ':' ||
      !digits(s, 14, 2, minute) || s[16] != ':' || !digits(s, 17, 2, second))
    return false;
  static constexpr int kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  if (month < 1 || month > 12 || day < 1) return false;
  int max_day = kDays[month - 1] + (month == 2 && leap(year) ? 1 : 0);
  if (day > max_day || hour > 23 || minute > 59 || second > 60) return false;
  std::size_t pos = 19;
  if (s[pos] == '.') {
    std::size_t start = ++pos;
    while (pos < s.size() && s[pos] >= '0' && s[pos] <= '9') ++pos;
    if (pos == start) return false;
  }
  return pos + 1 == s.size() && s[pos] == 'Z';
}

std::string format_utc(std::int64_t epoch_seconds) {
  std::time_t t = static_cast<std::time_t>(epoch_seconds);
  std::tm tm{};
  ::gmtime_r(&t, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

}  // namespace mplp
