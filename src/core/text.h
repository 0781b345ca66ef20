// Text safety: the one place that decodes UTF-8, spells bytes in hex, folds
// ASCII case and makes strings from strangers safe for each kind of output.
//
// Findings quote pack contents (paths, JSON values, URLs), so they may hold
// any bytes. Every output must stay valid and on its lines whatever they
// hold. Each output has its own escaping contract below; they differ on
// purpose (a JUnit attribute is not a workflow command), and each says who
// uses it and why. Report bytes depend on them: change one only with the
// goldens under tests/.
//
//   std::string s = to_valid_utf8("caf\xe9");          // "caf\xEF\xBF\xBD" (U+FFFD)
//   std::string u = percent_encode_path("a b/ü");      // "a%20b/%C3%BC"
//   std::string m = escape_for_message("a\nb\xff");    // "a\\nb\\xff"
//   std::string t = printable_utf8("a\nb\xff");        // "a\\nb\xEF\xBF\xBD"
//   std::string a = printable_ascii("caf\xc3\xa9");    // "caf\\xc3\\xa9"
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace mplp {

// ---- UTF-8 -----------------------------------------------------------------

// Length of the well-formed UTF-8 sequence starting at s[i] (1 for ASCII),
// or 0 when the bytes there are ill-formed: overlong forms, surrogates
// (U+D800..U+DFFF), code points above U+10FFFF, stray continuation bytes and
// truncated sequences. Requires i < s.size(). The one UTF-8 decoder.
std::size_t utf8_sequence_length(std::string_view s, std::size_t i);

// True when `s` is well-formed UTF-8.
bool is_valid_utf8(std::string_view s);

// Replaces every ill-formed UTF-8 sequence with U+FFFD (one replacement per
// maximal invalid subpart, as the Unicode standard recommends). Valid input
// is returned unchanged.
std::string to_valid_utf8(std::string_view s);

// Appends the UTF-8 encoding of code point `cp` (at most U+10FFFF; the caller
// has rejected lone surrogates when it must).
void append_utf8(std::string& out, unsigned cp);

// `s` cut to at most `max` bytes (on a UTF-8 character boundary) plus "..."
// when longer: a value quoted from a pack cannot make a finding huge.
std::string shortened(std::string_view s, std::size_t max = 200);

// ---- hex -------------------------------------------------------------------

// Appends the two hex digits of `byte` (lowercase unless `upper`).
void append_hex_byte(std::string& out, unsigned char byte, bool upper = false);

// Every byte of `bytes` as two lowercase hex digits (digests, ids).
std::string hex_encode(std::string_view bytes);

// The value of one hex digit (either case), or -1 when `c` is none.
int hex_digit_value(char c);

// ---- ASCII case --------------------------------------------------------------
// Only A-Z and a-z change: never the locale's rules, never a non-ASCII byte.

char ascii_lower(char c);
char ascii_upper(char c);
std::string ascii_lower(std::string_view s);
std::string ascii_upper(std::string_view s);
bool equals_ignoring_ascii_case(std::string_view a, std::string_view b);
bool ends_with_ignoring_ascii_case(std::string_view s, std::string_view suffix);

// ---- escaping contracts ------------------------------------------------------

// Messages and errors that quote a path or token (sums, integrity, discover,
// seal): reversible C escapes. Valid UTF-8 stays as it is; \n \r \t and the
// backslash become \n \r \t \\; other C0 bytes, DEL and every byte of an
// ill-formed UTF-8 sequence become \xHH. The exact bytes of a bad file name
// can be read back from the message. (A terminal is printable_utf8's
// concern: every renderer, and stderr, pass messages through it.)
std::string escape_for_message(std::string_view s);

// Text meant for people on a terminal or in a CI log (the text, GitHub,
// SARIF and JUnit renderers, `diff`, `verify-receipt`): ill-formed UTF-8
// becomes U+FFFD, \n \r \t become \n \r \t, other C0 bytes and DEL \xHH,
// hidden controls \uXXXX (C1 controls, bidirectional and invisible format
// characters: U+0085, U+009B, U+202E, U+200B, U+2028, ...), so a value never starts a
// line, moves the cursor or reorders what a reader sees. Backslashes stay (a
// Windows path reads as written, and a message escape_for_message wrote is
// not escaped twice), so the JSON report is the exact record.
std::string printable_utf8(std::string_view s);

// A line for a CI log (the text report, the GitHub summary line, stderr).
// GitHub's runner reads a line whose first non-blank characters are "::" as
// a workflow command, and "##[" anywhere in a line as its legacy form: such
// a line's first ':' becomes \x3a and every "##[" becomes ##\x5b, so no
// stranger's text in a line we print runs as a command (::add-mask::,
// ::stop-commands::, a forged ::error). Other lines are unchanged. Give it
// printable_utf8 text.
std::string inert_log_line(std::string_view line);
// Every line of `text` (split after each '\n') through inert_log_line.
std::string inert_log_text(std::string_view text);

// The same for documents a CI log may show whole (a report on stdout),
// without changing what they say to a reader: every "##[" and every hidden
// control (as printable_utf8 names them) is written as an escape the
// format decodes to the same text, and so is the first ':' of a line whose
// first non-blank characters are "::" (markup only: a JSON string holds no
// line break). inert_markup writes &#91; &#58; &#xHHHH; (XML, HTML text);
// inert_json_text \u005b \uHHHH and DEL as \u007f, and expects bytes a
// JSON writer wrote (such bytes only occur inside its strings).
std::string inert_markup(std::string_view s);
std::string inert_json_text(std::string_view json);

// One line (no '\n') that mplp-gate writes to stderr, or to stdout as plain
// text (diff, verify-receipt), whatever its parts forgot to escape: C0
// controls but \t, and DEL, become \xHH; C1 and hidden controls \uXXXX (as
// printable_utf8); other bytes stay as they are; then inert_log_line.
std::string guarded_log_line(std::string_view line);

// Raw bytes for messages that must stay ASCII (URLs and hosts found in
// files, exemption reasons): bytes 0x20..0x7E stay, every other byte becomes
// \xHH, non-ASCII letters included; once the result reaches `max` bytes, the
// rest is dropped and "..." appended.
std::string printable_ascii(std::string_view bytes, std::size_t max = 200);

// File-system error texts quoted inside one finding line (REAL-QUALIFY's lock
// file): \n and \r become spaces, nothing else changes.
std::string one_line(std::string s);

// XML 1.0 element text (JUnit): valid UTF-8; & < > escaped; characters XML
// forbids even as references (C0 controls but \t \n \r, U+FFFE, U+FFFF) are
// shown as \xHH, \uFFFE, \uFFFF; \r as &#13; (a parser would fold it).
std::string xml_text(std::string_view raw);
// XML 1.0 attribute value (JUnit): as xml_text, and " \t \n as &quot; &#9;
// &#10; (attribute normalisation would turn them into spaces).
std::string xml_attribute(std::string_view raw);

// HTML element text (the HTML error page): & < > " as entities; the caller
// gives it printable_utf8 text.
std::string html_text(std::string_view s);

// A JSON document put inside an HTML <script> element: < > & and U+2028,
// U+2029 as \u escapes, so no string in it can close the element or break a
// JavaScript line. The document's meaning is unchanged.
std::string json_for_script(std::string_view json);

// JSON strings are written by RapidJSON's writers, which escape quotes and
// controls but copy ill-formed UTF-8 as it is: every writer of a report
// string (JSON, SARIF, HTML data, `diff --format json`) goes through here.
template <class JsonWriter>
bool write_json_string(JsonWriter& w, std::string_view s) {
  const std::string valid = to_valid_utf8(s);
  return w.String(valid.data(), static_cast<unsigned>(valid.size()));
}

// GitHub workflow command message ("::error ...::DATA"): valid UTF-8 and the
// runner's own rules (actions/toolkit command.ts): % \r \n as %25 %0D %0A.
std::string workflow_command_data(std::string_view raw);
// GitHub workflow command property value (file=, title=): printable_utf8 (a
// property is one token), then the data rules, then : and , as %3A %2C.
std::string workflow_command_property(std::string_view raw);

// Percent-encodes a '/'-separated path for use as a URI reference (RFC 3986):
// unreserved characters and '/' stay, every other byte becomes %XX
// (uppercase hex). Non-UTF-8 bytes are encoded as they are. (SARIF's URIs.)
std::string percent_encode_path(std::string_view path);

}  // namespace mplp
