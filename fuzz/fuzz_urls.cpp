// Fuzzes the URL and host extractor of HOST-ALLOW-01 (core/urls.h).
// Invariants: every host returned is lower-case and has no port (':' only
// inside [...]); an error-free host is non-empty and has no byte that cannot
// be part of a host; occurrences are in offset order, their `url` is the text
// at `offset` and their line/column match the offset; scan_urls streams the
// same occurrences and stops when asked; printable_ascii() output is one line;
// may_hold_url() is true for every text with an occurrence.
#include <algorithm>
#include <vector>

#include "core/text.h"
#include "core/urls.h"
#include "fuzz_util.h"

using mplp::fuzz::as_text;

namespace {

bool port_free(std::string_view h) {
  bool in_brackets = false;
  for (char c : h) {
    if (c == '[') in_brackets = true;
    else if (c == ']') in_brackets = false;
    else if (c == ':' && !in_brackets) return false;
  }
  return true;
}

bool lower_case(std::string_view h) {
  for (char c : h)
    if (c >= 'A' && c <= 'Z') return false;
  return true;
}

bool clean_host(std::string_view h) {
  for (char c : h) {
    auto u = static_cast<unsigned char>(c);
    if (u <= 0x20 || u >= 0x7f) return false;
    if (std::string_view("/?#@\\%").find(c) != std::string_view::npos) return false;
  }
  return true;
}

// Line and column of `offset` from a table of newline offsets built once per
// input: an independent check of the library's incremental counter that stays
// linear (calling line_and_column per occurrence made this target quadratic).
void line_column_of(const std::vector<std::size_t>& newlines, std::size_t offset, std::uint64_t& line,
                    std::uint64_t& column) {
  auto it = std::lower_bound(newlines.begin(), newlines.end(), offset);
  line = static_cast<std::uint64_t>(it - newlines.begin()) + 1;
  std::size_t line_start = it == newlines.begin() ? 0 : *(it - 1) + 1;
  column = offset - line_start + 1;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view in = as_text(data, size);
  std::vector<mplp::UrlOccurrence> urls = mplp::find_urls(in);
  std::vector<std::size_t> newlines;
  for (std::size_t i = 0; i < size; ++i)
    if (in[i] == '\n') newlines.push_back(i);
  std::size_t last = 0;
  for (std::size_t i = 0; i < urls.size(); ++i) {
    const mplp::UrlOccurrence& u = urls[i];
    std::string what = mplp::printable_ascii(u.url) + " -> " + mplp::printable_ascii(u.host);
    FUZZ_CHECK(lower_case(u.host), "host not lower-case: " + what);
    FUZZ_CHECK(port_free(u.host), "host keeps a port: " + what);
    if (u.error.empty()) {
      FUZZ_CHECK(!u.host.empty(), "empty host without error: " + what);
      FUZZ_CHECK(clean_host(u.host), "bad byte in an error-free host: " + what);
    }
    FUZZ_CHECK(u.offset < size && (i == 0 || u.offset >= last), what);
    last = u.offset;
    FUZZ_CHECK(in.substr(u.offset, u.url.size()) == u.url, what);
    std::uint64_t line = 0, column = 0;
    line_column_of(newlines, u.offset, line, column);
    FUZZ_CHECK(line == u.line && column == u.column, what);
    FUZZ_CHECK(!u.scheme.empty() && lower_case(u.scheme), what);
  }

  // may_hold_url is HOST-ALLOW-01's pre-filter for decoded JSON strings: it
  // must let through every text in which find_urls finds something.
  FUZZ_CHECK(urls.empty() || mplp::may_hold_url(in), "may_hold_url refused a text holding a URL");

  std::size_t streamed = 0;
  mplp::scan_urls(in, [&](mplp::UrlOccurrence& u) {
    FUZZ_CHECK(streamed < urls.size() && urls[streamed].offset == u.offset && urls[streamed].host == u.host,
               "scan_urls differs from find_urls");
    ++streamed;
    return true;
  });
  FUZZ_CHECK(streamed == urls.size(), "scan_urls missed occurrences");
  std::size_t calls = 0;
  mplp::scan_urls(in, [&](mplp::UrlOccurrence&) { return ++calls < 1; });
  FUZZ_CHECK(calls == (urls.empty() ? 0 : 1), "scan_urls did not stop");

  std::string host, error;
  mplp::host_of_authority(in, host, error);
  FUZZ_CHECK(lower_case(host) && port_free(host), "host_of_authority: " + mplp::printable_ascii(host));

  std::string shown = mplp::printable_ascii(in);
  for (char c : shown) FUZZ_CHECK(static_cast<unsigned char>(c) >= 0x20 && c != 0x7f, "printable_ascii() kept a control");
  for (const mplp::ExemptMarker& m : mplp::find_exempt_markers(in)) FUZZ_CHECK(m.offset < size, "marker offset");
  return 0;
}
