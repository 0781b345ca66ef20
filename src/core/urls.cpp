#include "core/urls.h"

#include <arpa/inet.h>
#include <re2/re2.h>

#include <algorithm>
#include <array>
#include <cstring>
#include <functional>
#include <memory>
#include <stdexcept>

#include "core/text.h"

namespace mplp {

namespace {

// Latin-1 so that every byte is one character: invalid UTF-8 and NUL are
// matched like any other byte, and nothing is skipped.
std::unique_ptr<RE2> compile(const char* pattern) {
  RE2::Options o;
  o.set_encoding(RE2::Options::EncodingLatin1);
  o.set_log_errors(false);
  o.set_max_mem(64 << 20);
  auto re = std::make_unique<RE2>(pattern, o);
  if (!re->ok()) throw std::logic_error(std::string("bad built-in pattern: ") + pattern);
  return re;
}

// Every search starts from a literal (":", "@", "HOST_ALLOW") found with
// memchr; RE2 is called at most once per candidate (each call costs ~0.5 us,
// and a pattern with no literal prefix would run RE2's DFA over every byte).
//
// The end of an authority: the spec's list of bytes (whitespace, a backtick
// and / ? # " ' < > \ { } | ^ ( ) , ;).
bool ends_authority(char c) {
  static const auto table = [] {
    std::array<bool, 256> t{};
    for (unsigned char b : std::string_view("\x09\x0a\x0b\x0c\x0d /?#\"'<>\\{}|^(),;`")) t[b] = true;
    return t;
  }();
  return table[static_cast<unsigned char>(c)];
}
std::size_t authority_end(std::string_view text, std::size_t pos) {
  while (pos < text.size() && !ends_authority(text[pos])) ++pos;
  return pos;
}
bool is_alpha(unsigned char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }
// RFC 3986: scheme = ALPHA *( ALPHA / DIGIT / "+" / "-" / "." )
bool is_scheme_char(unsigned char c) {
  return is_alpha(c) || (c >= '0' && c <= '9') || c == '+' || c == '-' || c == '.';
}
// The WHATWG URL standard's special schemes with a network host (file is
// special too, with rules of its own).
bool is_special(std::string_view scheme) {
  return scheme == "http" || scheme == "https" || scheme == "ws" || scheme == "wss" || scheme == "ftp";
}
// The rest of a URL span after its authority (path, query, ...): to the next
// byte that ends a span.
std::size_t span_rest_end(std::string_view text, std::size_t pos) {
  while (pos < text.size() && !ends_url_span(text[pos])) ++pos;
  return pos;
}
const RE2& scp_re() {
  static const auto re = compile("@(?:\\[[^\\]\\x00-\\x20]*\\]|[A-Za-z0-9._%-]+):[^\\x00-\\x20:]");
  return *re;
}
const RE2& marker_re() {
  static const auto re = compile("HOST_ALLOW");
  return *re;
}

bool is_user_char(unsigned char c) {
  return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '.' || c == '_' ||
         c == '~' || c == '+' || c == '-';
}
bool is_alnum(unsigned char c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }

// Finds the next match of `re` in text[pos, end); false when none.
bool next_match(const RE2& re, std::string_view text, std::size_t pos, std::string_view& m) {
  if (pos > text.size()) return false;
  re2::StringPiece sp;
  if (!re.Match(re2::StringPiece(text.data(), text.size()), pos, text.size(), RE2::UNANCHORED, &sp, 1)) return false;
  m = std::string_view(sp.data(), sp.size());
  return true;
}


std::string percent_decode(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '%' && i + 2 < s.size()) {
      int hi = hex_digit_value(s[i + 1]);
      int lo = hex_digit_value(s[i + 2]);
      if (hi >= 0 && lo >= 0) {
        out += static_cast<char>(hi * 16 + lo);
        i += 2;
        continue;
      }
    }
    out += s[i];
  }
  return out;
}

// Lower-cases `decoded` and re-encodes bytes that cannot be part of a host
// name; reports the first such byte in `error`.
std::string clean_host(std::string_view decoded, bool ipv6, std::string& error) {
  static const char kBad[] = "#/:<>?@[\\]^|%\"'{}` ";
  std::string out;
  out.reserve(decoded.size());
  for (char ch : decoded) {
    unsigned char c = static_cast<unsigned char>(ch);
    bool bad = c < 0x21 || c >= 0x7f || std::memchr(kBad, ch, sizeof kBad - 1) != nullptr;
    if (ipv6 && (c == ':' || c == '%')) bad = false;  // "fe80::1%eth0"
    if (!bad) {
      out += ascii_lower(ch);
      continue;
    }
    if (error.empty()) {
      error = "host contains the byte 0x";
      append_hex_byte(error, c);
      error += c >= 0x80 ? " (non-ASCII)" : "";
      error += " after percent-decoding";
    }
    out += '%';
    append_hex_byte(out, c);
  }
  return out;
}

// The host of an authority (userinfo@host:port), normalised.
void host_of(std::string_view authority, std::string& host, std::string& error) {
  std::size_t at = authority.rfind('@');
  std::string_view hp = at == std::string_view::npos ? authority : authority.substr(at + 1);
  if (!hp.empty() && hp.front() == '[') {
    std::size_t close = hp.find(']');
    if (close == std::string_view::npos) {
      error = "unterminated IPv6 literal (no ']')";
      return;
    }
    std::string inner = clean_host(percent_decode(hp.substr(1, close - 1)), true, error);
    // A zone id ("fe80::1%eth0") names a local interface, not a host: drop it.
    if (error.empty()) inner = inner.substr(0, inner.find('%'));
    host = "[" + inner + "]";
    std::string_view after = hp.substr(close + 1);
    if (!after.empty() && after.front() != ':' && error.empty()) {
      error = "unexpected characters after the IPv6 literal";
      return;
    }
    if (!error.empty()) return;
    in6_addr a6;
    if (inner.empty() || inet_pton(AF_INET6, inner.c_str(), &a6) != 1) error = "invalid IPv6 literal";
    return;
  }
  std::string_view name = hp.substr(0, hp.find(':'));
  host = clean_host(percent_decode(name), false, error);
  if (!host.empty() && host.back() == '.') host.pop_back();
  if (host.empty() && error.empty()) error = "empty host";
}

bool scp_host_counts(std::string_view raw_host, const std::string& host) {
  if (raw_host.empty()) return false;
  if (raw_host.front() == '[' || host == "localhost") return true;
  if (raw_host.find_first_of(".%") != std::string_view::npos) return true;
  // A bare number can still be an IPv4 address (2130706433 is 127.0.0.1),
  // but short ones are times ("x@12:30"), so only long or hex ones count.
  bool digits = std::all_of(raw_host.begin(), raw_host.end(), [](char c) { return c >= '0' && c <= '9'; });
  if (digits && raw_host.size() >= 8) return true;
  return raw_host.size() > 2 && raw_host[0] == '0' && (raw_host[1] == 'x' || raw_host[1] == 'X');
}

constexpr std::size_t kMaxUrlText = 2048;

// Assigns 1-based line and byte column to offsets given in ascending order.
class LineCounter {
 public:
  explicit LineCounter(std::string_view text) : text_(text) {}
  void at(std::size_t offset, std::uint64_t& line, std::uint64_t& column) {
    while (pos_ < offset) {
      const void* nl = std::memchr(text_.data() + pos_, '\n', offset - pos_);
      if (nl == nullptr) {
        pos_ = offset;
        break;
      }
      std::size_t i = static_cast<const char*>(nl) - text_.data();
      ++line_;
      line_start_ = i + 1;
      pos_ = i + 1;
    }
    line = line_;
    column = offset - line_start_ + 1;
  }

 private:
  std::string_view text_;
  std::size_t pos_ = 0;
  std::uint64_t line_ = 1;
  std::size_t line_start_ = 0;
};

}  // namespace

namespace {

// The next URL at or after `pos`: a scheme, ':', and an authority, read the
// way a browser reads it (see urls.h).
struct UrlMatch {
  bool found = false;
  bool has_host = true;  // false: a file: URL naming a local path
  std::size_t begin = 0, colon = 0, auth_begin = 0, auth_end = 0, span_end = 0;
  std::string scheme;  // lower-case
};
//
// `span_end` caches the end of the last span found: every byte of a span
// leads to the same end, so URLs nested in one span (a line of "http://a/"
// repeated) share one scan instead of each scanning to the end again.
UrlMatch next_url(std::string_view text, std::size_t pos, std::size_t& span_end) {
  UrlMatch u;
  const std::size_t n = text.size();
  auto slash = [&](std::size_t i) { return i < n && (text[i] == '/' || text[i] == '\\'); };
  for (; pos < n; ++pos) {
    const void* hit = std::memchr(text.data() + pos, ':', n - pos);
    if (hit == nullptr) break;
    const std::size_t colon = static_cast<std::size_t>(static_cast<const char*>(hit) - text.data());
    pos = colon;
    // The scheme: the run of scheme bytes before ':', from its first letter.
    // (Runs end at the previous ':', so these back-scans stay linear.)
    std::size_t begin = colon;
    while (begin > 0 && is_scheme_char(static_cast<unsigned char>(text[begin - 1]))) --begin;
    while (begin < colon && !is_alpha(static_cast<unsigned char>(text[begin]))) ++begin;
    if (begin == colon) continue;
    std::string scheme;
    for (std::size_t i = begin; i < colon; ++i) scheme += ascii_lower(text[i]);
    std::size_t auth = colon + 1;
    bool has_host = true;
    if (is_special(scheme)) {
      // A browser skips any run of '/' and '\\' here: https:/x, https:\\x
      // and https:///x all name the host x.
      while (slash(auth)) ++auth;
      if (auth == colon + 1) {
        // No slash at all ("https:example.com") is followed too, but plain
        // prose has "http:" before words, so the host must look like one.
        // Read up to a port's ':' only, so a rejected candidate costs its
        // host and not the rest of the line ("http:http:http:...").
        std::size_t e = auth;
        while (e < n && text[e] != ':' && !ends_authority(text[e])) ++e;
        std::string_view authority = text.substr(auth, e - auth);
        std::size_t at = authority.rfind('@');
        std::string_view raw_host = authority.substr(at == std::string_view::npos ? 0 : at + 1);
        if (!raw_host.empty() && raw_host.front() != '[') raw_host = raw_host.substr(0, raw_host.find(':'));
        std::string host, error;
        host_of(authority, host, error);
        if (raw_host.empty() || !scp_host_counts(raw_host, host)) continue;
      }
    } else if (scheme == "file") {
      // file://HOST/path; an empty host or localhost is this machine.
      if (!slash(auth) || !slash(auth + 1)) continue;
      auth += 2;
      std::size_t e = authority_end(text, auth);
      std::string host, error;
      host_of(text.substr(auth, e - auth), host, error);
      has_host = !(error == "empty host" || (error.empty() && host == "localhost"));
    } else {
      // Any other scheme names a host only as scheme://authority (RFC 3986).
      if (auth + 1 >= n || text[auth] != '/' || text[auth + 1] != '/') continue;
      auth += 2;
    }
    u.found = true;
    u.has_host = has_host && scheme != "mplp";  // evidence pointers are not hosts
    u.begin = begin;
    u.colon = colon;
    u.auth_begin = auth;
    u.auth_end = authority_end(text, auth);
    if (u.auth_end >= span_end) span_end = span_rest_end(text, u.auth_end);
    u.span_end = span_end;
    u.scheme = std::move(scheme);
    break;
  }
  return u;
}

// A browser reads an authority to the next / ? # or \ (and drops tabs and
// line breaks): the bytes this scanner ends an authority at in prose (quotes,
// brackets, , ; | ^ `) are userinfo to it when an '@' follows before that
// end. "https://github.com;@10.0.0.5/" connects to 10.0.0.5 (QA-33). The
// scanner keeps its prose reading and adds the browser's host when the two
// differ. Outside quotes the browser's reading stops at whitespace and at the
// bracket the URL was opened with; quoted URLs: see quoted_host_begin.
class BrowserAuthority {
 public:
  explicit BrowserAuthority(std::string_view text) : text_(text) {}

  // The offset after the '@' that ends the browser's userinfo for the URL
  // that starts at `begin`, whose prose authority is [auth, auth_end); npos
  // when the browser reads the same host.
  std::size_t host_begin(std::size_t begin, std::size_t auth, std::size_t auth_end) {
    const std::size_t n = text_.size();
    const char close = begin > 0 ? closing(text_[begin - 1]) : 0;
    if (close == '"' || close == '\'' || close == '`') return quoted_host_begin(auth_end, close);
    if (auth_end >= n || is_hard_end(static_cast<unsigned char>(text_[auth_end]))) return std::string_view::npos;
    // Each hard end and the last '@' before it serve every URL before them:
    // both are found once, so a line of URLs costs one pass.
    if (auth_end >= hard_end_) {
      hard_end_ = auth_end;
      while (hard_end_ < n && !is_hard_end(static_cast<unsigned char>(text_[hard_end_]))) ++hard_end_;
      const void* at = ::memrchr(text_.data() + auth_end, '@', hard_end_ - auth_end);
      last_at_ = at == nullptr ? std::string_view::npos : static_cast<const char*>(at) - text_.data();
    }
    if (last_at_ == std::string_view::npos || last_at_ < auth_end) return std::string_view::npos;
    if (close != 0 && std::memchr(text_.data() + auth, close, last_at_ - auth) != nullptr) return std::string_view::npos;
    return last_at_ + 1;
  }

 private:
  // In quotes (an attribute, a string) the quote ends the URL: a browser
  // drops tabs and keeps spaces as userinfo, so "https://a.io @10.0.0.5/"
  // names 10.0.0.5 (QA-35). A line end stops the reading too: a large file
  // is scanned in windows of whole lines, and the verdict must not depend
  // on where a window ends. Bounded: read at most kQuotedMax bytes on.
  std::size_t quoted_host_begin(std::size_t auth_end, char quote) const {
    constexpr std::size_t kQuotedMax = 64 * 1024;
    const std::size_t stop = std::min(text_.size(), auth_end + kQuotedMax);
    std::size_t at = std::string_view::npos;
    for (std::size_t i = auth_end; i < stop; ++i) {
      const char c = text_[i];
      if (c == quote || c == '\n' || c == '/' || c == '?' || c == '#' || c == '\\') break;
      if (c == '@') at = i;
    }
    return at == std::string_view::npos ? std::string_view::npos : at + 1;
  }

  static bool is_hard_end(unsigned char c) {
    return c <= 0x20 || c == 0x7f || c == '/' || c == '?' || c == '#' || c == '\\';
  }
  static char closing(char open) {
    switch (open) {
      case '"': case '\'': case '`': return open;
      case '<': return '>';
      case '(': return ')';
      case '[': return ']';
      case '{': return '}';
      default: return 0;
    }
  }

  std::string_view text_;
  std::size_t hard_end_ = 0;
  std::size_t last_at_ = std::string_view::npos;
};

struct ScpMatch {
  bool found = false;
  std::size_t begin = 0, colon = 0, path_end = 0;
  std::string_view m;
};
ScpMatch next_scp(std::string_view text, std::size_t pos) {
  ScpMatch s;
  std::string_view m;
  while (next_match(scp_re(), text, pos, m)) {
    std::size_t at = static_cast<std::size_t>(m.data() - text.data());
    pos = at + 1;
    // The user: the run of user bytes before '@' (it cannot hold '@', so
    // these back-scans never overlap and stay linear overall).
    std::size_t begin = at;
    while (begin > 0 && is_user_char(static_cast<unsigned char>(text[begin - 1]))) --begin;
    if (begin == at) continue;
    s.found = true;
    s.begin = begin;
    s.colon = at + m.size() - 2;  // the match ends with ':' and one path byte
    s.path_end = span_rest_end(text, s.colon + 1);
    s.m = text.substr(begin, at + m.size() - begin);
    break;
  }
  return s;
}

}  // namespace

bool is_plain_host(std::string_view host) {
  if (host.empty() || host.size() > 253) return false;
  if (host.front() == '[') {
    if (host.back() != ']') return false;
    std::string inner(host.substr(1, host.size() - 2));
    in6_addr a6;
    return inet_pton(AF_INET6, inner.c_str(), &a6) == 1;
  }
  std::size_t label = 0;
  for (std::size_t i = 0; i <= host.size(); ++i) {
    if (i == host.size() || host[i] == '.') {
      if (label == 0 || label > 63 || host[i - 1] == '-' || host[i - label] == '-') return false;
      label = 0;
      continue;
    }
    if (!is_alnum(static_cast<unsigned char>(host[i])) && host[i] != '-') return false;
    ++label;
  }
  return true;
}

bool may_hold_url(std::string_view text) {
  if (text.find('@') != std::string_view::npos || text.find("://") != std::string_view::npos) return true;
  for (std::size_t colon = text.find(':'); colon != std::string_view::npos; colon = text.find(':', colon + 1)) {
    std::size_t begin = colon;
    while (begin > 0 && colon - begin < 5 && is_alpha(static_cast<unsigned char>(text[begin - 1]))) --begin;
    for (std::size_t b = begin; b < colon; ++b) {  // the scheme may start anywhere in the letters before ':'
      std::string scheme;
      for (std::size_t i = b; i < colon; ++i) scheme += ascii_lower(text[i]);
      if (is_special(scheme) || scheme == "file") return true;  // file:\\host too
    }
  }
  return false;
}

bool ends_url_span(char c) {
  static const auto table = [] {
    std::array<bool, 256> t{};
    for (int b = 0; b <= 0x20; ++b) t[static_cast<std::size_t>(b)] = true;
    for (unsigned char b : std::string_view("\"'<>`\x7f")) t[b] = true;
    return t;
  }();
  return table[static_cast<unsigned char>(c)];
}

void scan_urls(std::string_view text, const std::function<bool(UrlOccurrence&)>& fn, ScanText kind) {
  // URL and scp matches are merged in offset order, so results stream out
  // sorted and an scp match is masked by the URLs before it (covered_end).
  const bool binary = kind == ScanText::Binary;
  LineCounter lines(text);
  BrowserAuthority browser(text);
  std::size_t span_cache = 0;
  UrlMatch url = next_url(text, 0, span_cache);
  ScpMatch scp = binary ? ScpMatch{} : next_scp(text, 0);
  std::size_t covered_end = 0;
  while (url.found || scp.found) {
    UrlOccurrence u;
    std::size_t browser_host = std::string_view::npos;  // where a browser's other host starts
    bool primary = true;  // false: only the browser's host counts (binary bytes)
    if (url.found && (!scp.found || url.begin <= scp.begin)) {
      covered_end = std::max(covered_end, url.span_end);
      UrlMatch cur = std::move(url);
      // Continue after the authority: a URL inside another's path is a URL too.
      url = next_url(text, std::max(cur.auth_end, cur.colon + 1), span_cache);
      if (!cur.has_host) continue;
      u.offset = cur.begin;
      u.authority_offset = cur.auth_begin;
      u.url.assign(text.substr(cur.begin, std::min(cur.span_end - cur.begin, kMaxUrlText)));
      u.scheme = std::move(cur.scheme);
      host_of(text.substr(cur.auth_begin, cur.auth_end - cur.auth_begin), u.host, u.error);
      browser_host = browser.host_begin(cur.begin, cur.auth_begin, cur.auth_end);
      if (binary && !(u.error.empty() && is_plain_host(u.host))) {
        if (browser_host == std::string_view::npos) continue;
        primary = false;
      }
    } else {
      ScpMatch cur = scp;
      scp = next_scp(text, std::max(cur.path_end, cur.begin + 1));
      if (covered_end > cur.begin) continue;  // inside a URL
      std::size_t at = cur.m.find('@');
      std::string_view raw_host = cur.m.substr(at + 1, cur.m.size() - 2 - (at + 1));
      host_of(raw_host, u.host, u.error);
      if (!scp_host_counts(raw_host, u.host) || !u.error.empty() || !is_plain_host(u.host)) continue;
      u.offset = cur.begin;
      u.authority_offset = cur.begin + at + 1;
      u.scheme = "scp";
      u.url.assign(text.substr(cur.begin, std::min(cur.path_end - cur.begin, kMaxUrlText)));
    }
    lines.at(u.offset, u.line, u.column);
    UrlOccurrence other;
    if (browser_host != std::string_view::npos) {
      other = u;
      other.authority_offset = browser_host;
      other.host.clear();
      other.error.clear();
      host_of(text.substr(browser_host, authority_end(text, browser_host) - browser_host), other.host, other.error);
      if ((binary && !(other.error.empty() && is_plain_host(other.host))) ||
          (other.host == u.host && other.error == u.error))
        browser_host = std::string_view::npos;
    }
    if (primary && !fn(u)) return;
    if (browser_host != std::string_view::npos && !fn(other)) return;
  }
}

std::vector<UrlOccurrence> find_urls(std::string_view text, ScanText kind) {
  std::vector<UrlOccurrence> out;
  scan_urls(
      text,
      [&](UrlOccurrence& u) {
        out.push_back(std::move(u));
        return true;
      },
      kind);
  return out;
}

void host_of_authority(std::string_view authority, std::string& host, std::string& error) {
  host.clear();
  error.clear();
  host_of(authority, host, error);
}

std::vector<ExemptMarker> find_exempt_markers(std::string_view text, bool whole_text_is_one_line) {
  std::vector<ExemptMarker> out;
  std::string_view m;
  std::size_t pos = 0;
  // The last letter or digit of the current line, found once per line
  // (scanning back from its end), so many markers on a line stay linear.
  std::size_t line_end = 0, last_alnum = std::string_view::npos;
  bool have_line = false;
  LineCounter lines(text);
  while (next_match(marker_re(), text, pos, m)) {
    // HOST_ALLOW found: the marker is "@v2-exempt", blanks, then it.
    std::size_t h = static_cast<std::size_t>(m.data() - text.data());
    std::size_t end = h + m.size();
    pos = end;
    std::size_t b = h;
    while (b > 0 && (text[b - 1] == ' ' || text[b - 1] == '\t')) --b;
    static constexpr std::string_view kAt = "@v2-exempt";
    if (b == h || b < kAt.size() || text.substr(b - kAt.size(), kAt.size()) != kAt) continue;
    std::size_t begin = b - kAt.size();
    if (end < text.size() && (is_alnum(static_cast<unsigned char>(text[end])) || text[end] == '_')) continue;
    if (!have_line || begin >= line_end) {
      // The reason ends with the line, at a CR too (a lone CR ends a line for a reader).
      line_end = whole_text_is_one_line ? text.size() : text.find_first_of("\r\n", end);
      if (line_end == std::string_view::npos) line_end = text.size();
      last_alnum = std::string_view::npos;
      for (std::size_t i = line_end; i > begin; --i)
        if (is_alnum(static_cast<unsigned char>(text[i - 1]))) {
          last_alnum = i - 1;
          break;
        }
      have_line = true;
    }
    ExemptMarker mk;
    mk.offset = begin;
    lines.at(begin, mk.line, mk.column);
    mk.has_reason = last_alnum != std::string_view::npos && last_alnum >= end;
    if (mk.has_reason) {
      std::string_view rest = text.substr(end, line_end - end);
      std::size_t b = rest.find_first_not_of(" \t\r:-#*/");
      std::size_t e = rest.find_last_not_of(" \t\r\"',;}]");  // JSON/YAML/comment tails
      if (b != std::string_view::npos && e != std::string_view::npos && e >= b)
        mk.reason = printable_ascii(rest.substr(b, e - b + 1), 120);
    }
    out.push_back(std::move(mk));
  }
  return out;
}

}  // namespace mplp
