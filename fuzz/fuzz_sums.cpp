// Fuzzes the sha256sums parser (core/sums.h). Invariants: every accepted
// entry has a safe relative path (core/safe_fs.h), 64 lowercase hex and a path
// no other entry has; errors name a real line and column and a one-line
// message without control bytes; format_sums of the entries parses back to the
// same entries with no error; the entry cap holds.
#include <set>
#include <string>
#include <tuple>

#include "core/safe_fs.h"
#include "core/sums.h"
#include "fuzz_util.h"

using mplp::fuzz::as_text;

namespace {

bool has_control(std::string_view s) {
  for (char c : s)
    if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) return true;
  return false;
}

void check_parse(const mplp::SumsParse& p, const mplp::SumsOptions& o) {
  std::set<std::string> paths;
  for (const mplp::SumsEntry& e : p.entries) {
    FUZZ_CHECK(mplp::is_safe_relative_path(e.path), mplp::escape_for_message(e.path));
    FUZZ_CHECK(e.hex.size() == 64 && mplp::fuzz::is_lower_hex(e.hex), e.hex);
    FUZZ_CHECK(paths.insert(e.path).second, "duplicate entry: " + mplp::escape_for_message(e.path));
    FUZZ_CHECK(e.line >= 1 && e.line <= p.lines, std::to_string(e.line));
  }
  FUZZ_CHECK(p.entries.size() <= o.max_entries, "max_entries not enforced");
  FUZZ_CHECK(p.errors.size() <= o.max_errors, "max_errors not enforced");
  for (const mplp::SumsError& e : p.errors) {
    FUZZ_CHECK(e.line >= 1 && e.line <= p.lines && e.column >= 1, e.message);
    FUZZ_CHECK(!e.message.empty() && !has_control(e.message), e.message);
    if (e.kind == mplp::SumsErrorKind::Duplicate) FUZZ_CHECK(e.first_line >= 1 && e.first_line < e.line, e.message);
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view in = as_text(data, size);
  const mplp::SumsOptions defaults;
  mplp::SumsParse p = mplp::parse_sums(in, defaults);
  check_parse(p, defaults);
  FUZZ_CHECK(!p.truncated, "truncated without a cap");

  // Round trip: the writer's text holds exactly the same entries.
  std::string text = mplp::format_sums(p.entries);
  mplp::SumsParse back = mplp::parse_sums(text, defaults);
  FUZZ_CHECK(back.errors.empty(), back.errors.empty() ? "" : back.errors[0].message);
  FUZZ_CHECK(back.entries.size() == p.entries.size(), text);
  std::set<std::tuple<std::string, std::string, bool>> a, b;
  for (const mplp::SumsEntry& e : p.entries) a.emplace(e.path, e.hex, e.binary);
  for (const mplp::SumsEntry& e : back.entries) b.emplace(e.path, e.hex, e.binary);
  FUZZ_CHECK(a == b, text);
  FUZZ_CHECK(mplp::format_sums(back.entries) == text, text);

  // Caps: a hostile file cannot make either list unbounded.
  const mplp::SumsOptions small{.max_entries = 3, .max_errors = 2};
  mplp::SumsParse capped = mplp::parse_sums(in, small);
  check_parse(capped, small);
  if (p.entries.size() > 3) FUZZ_CHECK(capped.truncated && capped.entries.size() == 3, "cap not applied");
  if (p.entries.size() < 3) FUZZ_CHECK(!capped.truncated && capped.entries.size() == p.entries.size(), "cap misapplied");

  FUZZ_CHECK(!has_control(mplp::escape_for_message(in)), "escape_for_message left a control byte");
  return 0;
}
