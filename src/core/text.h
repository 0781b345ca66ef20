// Text helpers for renderers: strings from strangers made safe to print.
//
// Findings quote pack contents (paths, JSON values, URLs), so they may hold
// any bytes. Every output format must stay valid whatever they hold:
//
//   std::string s = to_valid_utf8("caf\xe9");   // "caf\xEF\xBF\xBD" (U+FFFD)
//   std::string u = percent_encode_path("a b/ü"); // "a%20b/%C3%BC"
#pragma once

#include <string>
#include <string_view>

namespace mplp {

// Replaces every ill-formed UTF-8 sequence with U+FFFD (one replacement per
// maximal invalid subpart, as the Unicode standard recommends). Overlong
// forms, surrogates (U+D800..U+DFFF) and code points above U+10FFFF are
// ill-formed. Valid input is returned unchanged.
std::string to_valid_utf8(std::string_view s);

// True when `s` is well-formed UTF-8.
bool is_valid_utf8(std::string_view s);

// `s` cut to at most `max` bytes (on a UTF-8 character boundary) plus "..."
// when longer: a value quoted from a pack cannot make a finding huge.
std::string shortened(std::string_view s, std::size_t max = 200);

// Percent-encodes a '/'-separated path for use as a URI reference (RFC 3986):
// unreserved characters and '/' stay, every other byte becomes %XX
// (uppercase hex). Non-UTF-8 bytes are encoded as they are.
std::string percent_encode_path(std::string_view path);

}  // namespace mplp
