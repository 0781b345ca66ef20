// URL and host extraction for GATE-V2-HOST-ALLOW-01: a pure function over
// bytes (any bytes: invalid UTF-8 and NUL are scanned like anything else).
//
// Recognised, the way a browser's URL parser (WHATWG) reads them:
//  - `scheme:` then an authority, where the scheme is the run of RFC 3986
//    scheme bytes (ALPHA *( ALPHA / DIGIT / "+" / "-" / "." ), any case)
//    before ':', from its first letter: `git+https://x` has the scheme
//    git+https, `1http://x` http.
//    * For the special schemes http, https, ws, wss and ftp any run of '/'
//      and '\' after ':' is skipped, as browsers do: `https:/x`,
//      `https:\\x`, `https:\/\/x` and `https:///x` all name the host x. With
//      no slash at all (`https:x.io`), the host must look like one (a dot,
//      brackets, localhost, a long or 0x number), so prose is not read as URLs.
//    * file: needs two slashes (or backslashes); an empty host or localhost
//      is this machine and not reported.
//    * Every other scheme needs `//` (RFC 3986): `sftp://x`, `s3://bucket`,
//      `jdbc:mysql://x`. `mplp://` evidence pointers are URL spans (they
//      mask scp matches) but are never reported: they are not hosts.
//    The authority ends at whitespace, a backtick or one of
//    / ? # " ' < > \ { } | ^ ( ) , ;
//    A browser reads on to / ? # \ (or whitespace): when an '@' comes before
//    that, the host after it is reported too (`https://a.io;@10.0.0.5/`
//    names a.io and 10.0.0.5), unless the quote or bracket the URL was
//    opened with comes first.
//  - scp-style `user@host:path` outside any URL span (a URL span runs from
//    its scheme to the next whitespace, quote, < > or backtick). To keep
//    `image@sha256:...` and `run@2024-01-01T10:00` from being hosts, the scp
//    host must be bracketed, contain a dot, or be `localhost`; and it must be
//    a plain host (is_plain_host), so that `d@.:g` and other punctuation
//    runs are not hosts.
//  - In bytes that are not valid UTF-8 (ScanText::Binary) noise looks like
//    anything: scp-style matches are not read at all, and a scheme URL
//    counts only when its host is a plain host.
//
// The host is what follows the last '@' of the authority; brackets delimit
// an IPv6 literal (its zone id, "%25eth0", is dropped); the port is dropped; %XX is decoded; ASCII case is folded;
// one trailing dot is dropped. Every host returned is lower-case and has no
// port: it contains ':' only inside `[...]`; bytes that cannot be part of a
// host (controls, space, / ? # @ : \ % and non-ASCII, after decoding) are
// re-encoded as lower-case `%xx` and make the occurrence an error.
//
//   for (const UrlOccurrence& u : find_urls(bytes)) {
//     if (!u.error.empty()) ...            // e.g. "empty host"
//     judge(u.host);                       // "github.com", "[::1]", "0x7f.1"
//   }
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

namespace mplp {

struct UrlOccurrence {
  std::size_t offset = 0;  // byte offset of the scheme (scp: of the user)
  std::size_t authority_offset = 0;  // byte offset where the authority (scp: the host) starts
  std::uint64_t line = 1;  // 1-based
  std::uint64_t column = 1;  // 1-based, in bytes
  std::string url;     // the URL as written, to the end of its span (raw bytes)
  std::string scheme;  // lower-case "http", "https", ..., or "scp"
  std::string host;    // normalised (see above); may be partial when error is set
  std::string error;   // empty, or why no usable host could be extracted
};

// What the scanned bytes are: valid UTF-8 text, or anything else.
enum class ScanText { Text, Binary };

// Every URL occurrence in `text`, ordered by offset.
std::vector<UrlOccurrence> find_urls(std::string_view text, ScanText kind = ScanText::Text);
// The same, streamed in offset order to `fn` (which may move from its
// argument); stops early when `fn` returns false. Memory stays constant
// however many URLs a hostile file holds.
void scan_urls(std::string_view text, const std::function<bool(UrlOccurrence&)>& fn,
               ScanText kind = ScanText::Text);

// Whether byte `c` ends a URL span (and so any URL or scp reference): a byte
// <= 0x20, a quote, < > or backtick, or DEL. Text cut just after one splits
// none of them.
bool ends_url_span(char c);

// Whether `text` may hold a URL or scp reference find_urls reports: it has
// "://", an '@', or before a ':' a scheme that names a host without "//"
// (http:x.io, https:/x, file:\\host). A cheap test for text worth scanning;
// fuzz/fuzz_urls.cpp checks it lets through whatever find_urls finds.
bool may_hold_url(std::string_view text);

// A normalised host (as UrlOccurrence::host) that is syntactically a host:
// a valid bracketed IPv6 literal, or dot-separated LDH labels (letters,
// digits and '-', 1 to 63 bytes, no '-' at either end; 253 bytes at most),
// which covers IPv4 literals in every spelling browsers accept.
bool is_plain_host(std::string_view host);

// The normalised host of one authority (`user@host:port`), by the rules
// above; `error` is set when there is no usable host. For callers with an
// authority of their own, e.g. the registry part of an image reference.
void host_of_authority(std::string_view authority, std::string& host, std::string& error);

// `@v2-exempt HOST_ALLOW` markers. A marker has a reason when a letter or
// digit follows it on the same line (or, with `whole_text_is_one_line`,
// anywhere after it in `text`: used for decoded JSON strings).
struct ExemptMarker {
  std::size_t offset = 0;
  std::uint64_t line = 1;
  std::uint64_t column = 1;
  bool has_reason = false;
  std::string reason;  // the rest of the line after the marker, trimmed (capped)
};
std::vector<ExemptMarker> find_exempt_markers(std::string_view text, bool whole_text_is_one_line = false);

}  // namespace mplp
