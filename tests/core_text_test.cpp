// core/text: the one UTF-8 decoder, hex, ASCII case, and every escaping
// contract, each fed the bytes a stranger would use against it: ill-formed
// and overlong UTF-8, surrogates, C0 and C1 controls, bidi overrides, NUL,
// and very long input.
#include "core/text.h"

#include <gtest/gtest.h>
#include <rapidjson/document.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <random>
#include <string>
#include <vector>

namespace mplp {
namespace {

using namespace std::string_literals;

const std::string R = "\xef\xbf\xbd";        // U+FFFD
const std::string kRlo = "\xe2\x80\xae";     // U+202E RIGHT-TO-LEFT OVERRIDE
const std::string kNel = "\xc2\x85";         // U+0085, a C1 control
const std::string kCsi = "\xc2\x9b";         // U+009B, the C1 control sequence introducer
const std::string kLs = "\xe2\x80\xa8";      // U+2028 LINE SEPARATOR

// Hostile inputs shared by the property tests below.
std::vector<std::string> hostile() {
  std::vector<std::string> out = {
      "",
      "plain/path.json",
      "a\nb\rc\td\\e",
      "\0"s,
      "x\0y\x7f"s,
      "\x1b[31mred\x1b[0m",                  // ANSI colour
      "\x07\x08\x0b\x0c\x1f",                // other C0
      kNel + kCsi + "31m",                   // C1 controls, valid UTF-8
      "\xc2\x80\xc2\x9f",                    // first and last C1
      "user" + kRlo + "txt.exe",             // bidi override
      "\xe2\x80\xaa\xe2\x80\xab\xe2\x81\xa6\xe2\x81\xa9",  // LRE RLE LRI PDI
      "\xc0\xaf",                            // overlong '/'
      "\xc0\x80",                            // overlong NUL
      "\xe0\x80\xaf",                        // overlong, 3 bytes
      "\xf0\x80\x80\xaf",                    // overlong, 4 bytes
      "\xed\xa0\x80",                        // surrogate U+D800
      "\xed\xbf\xbf",                        // surrogate U+DFFF
      "\xed\xa0\xbd\xed\xb8\x80",            // a surrogate pair spelled in UTF-8 (CESU-8)
      "\xf4\x90\x80\x80",                    // above U+10FFFF
      "\xf8\x88\x80\x80\x80",                // 5-byte form
      "\xff\xfe",                            // never valid
      "\x80\xbf",                            // stray continuation bytes
      "\xe2\x82",                            // truncated
      "\xef\xbf\xbe\xef\xbf\xbf",            // U+FFFE U+FFFF: valid UTF-8, not XML
      "caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80",
      "a&b<c>d\"e'f",
      "%0A%25:,",
      "::error::x\n::warning::y",
      "</script><!-- " + kLs + "\xe2\x80\xa9",
  };
  std::string all;
  for (int b = 0; b < 256; ++b) all += static_cast<char>(b);
  out.push_back(all);
  std::mt19937 rng(17);
  for (int i = 0; i < 200; ++i) {
    std::string s(rng() % 40, '\0');
    for (char& c : s) c = static_cast<char>(rng() % 256);
    out.push_back(s);
  }
  return out;
}

bool has_byte_below_0x20_or_del(std::string_view s, std::string_view allowed = {}) {
  for (unsigned char c : s)
    if ((c < 0x20 || c == 0x7f) && allowed.find(static_cast<char>(c)) == std::string_view::npos) return true;
  return false;
}

// ---- UTF-8

TEST(Utf8, ValidInputIsUnchanged) {
  for (std::string s : {"", "plain", "caf\xc3\xa9", "\xe2\x82\xac", "\xf0\x9f\x98\x80", "\xef\xbf\xbf"}) {
    EXPECT_TRUE(is_valid_utf8(s)) << s;
    EXPECT_EQ(to_valid_utf8(s), s);
  }
}

TEST(Utf8, IllFormedSequencesBecomeReplacementCharacters) {
  EXPECT_EQ(to_valid_utf8("a\xff" "b"), "a" + R + "b");
  EXPECT_EQ(to_valid_utf8("\xc0\xaf"), R + R);                // overlong '/'
  EXPECT_EQ(to_valid_utf8("\xe0\x80\xaf"), R + R + R);         // overlong, 3 bytes
  EXPECT_EQ(to_valid_utf8("\xed\xa0\x80"), R + R + R);         // surrogate U+D800
  EXPECT_EQ(to_valid_utf8("\xf4\x90\x80\x80"), R + R + R + R); // above U+10FFFF
  EXPECT_EQ(to_valid_utf8("\xe2\x82"), R);                     // truncated: one maximal subpart
  EXPECT_EQ(to_valid_utf8("\xe2\x82x"), R + "x");
  EXPECT_EQ(to_valid_utf8("\xf0\x9f\x98"), R);
  EXPECT_EQ(to_valid_utf8(std::string("a\0b", 3)), std::string("a\0b", 3));  // NUL is valid UTF-8
  // Every single byte and every pair of bytes comes out valid.
  for (int a = 0; a < 256; ++a)
    for (int b = 0; b < 256; b += 7) {
      std::string s{static_cast<char>(a), static_cast<char>(b)};
      ASSERT_TRUE(is_valid_utf8(to_valid_utf8(s))) << a << " " << b;
    }
}

TEST(Utf8, ShortenedCutsOnACharacterBoundary) {
  EXPECT_EQ(shortened("abc", 3), "abc");
  EXPECT_EQ(shortened("abcd", 3), "abc...");
  // "é" is two bytes: a cut inside it backs off to before it.
  EXPECT_EQ(shortened("ab\xc3\xa9z", 3), "ab...");
  EXPECT_EQ(shortened("ab\xc3\xa9z", 4), "ab\xc3\xa9...");
  EXPECT_TRUE(is_valid_utf8(shortened(std::string(500, 'x') + "\xe2\x82\xac", 501)));
  EXPECT_EQ(shortened(std::string(1000, 'y')).size(), 203u);
}

TEST(Uri, PathsArePercentEncoded) {
  EXPECT_EQ(percent_encode_path("packs/a b/ü%#?.json"), "packs/a%20b/%C3%BC%25%23%3F.json");
  EXPECT_EQ(percent_encode_path("a-b_c.d~e/F9"), "a-b_c.d~e/F9");
  EXPECT_EQ(percent_encode_path("\xff\n"), "%FF%0A");
}

TEST(Utf8, OneDecoderAgreesWithValidation) {
  // utf8_sequence_length is the only decoder: a string is valid exactly when
  // walking it sequence by sequence never stops.
  for (const std::string& s : hostile()) {
    bool ok = true;
    for (std::size_t i = 0; i < s.size();) {
      std::size_t n = utf8_sequence_length(s, i);
      if (n == 0) {
        ok = false;
        break;
      }
      ASSERT_LE(i + n, s.size());
      i += n;
    }
    EXPECT_EQ(ok, is_valid_utf8(s)) << printable_ascii(s);
    EXPECT_TRUE(is_valid_utf8(to_valid_utf8(s))) << printable_ascii(s);
  }
  EXPECT_EQ(utf8_sequence_length("a", 0), 1u);
  EXPECT_EQ(utf8_sequence_length("\xc3\xa9", 0), 2u);
  EXPECT_EQ(utf8_sequence_length("\xc3\xa9", 1), 0u);  // a continuation byte alone
  EXPECT_EQ(utf8_sequence_length("\xe2\x82\xac", 0), 3u);
  EXPECT_EQ(utf8_sequence_length("\xf0\x9f\x98\x80", 0), 4u);
  EXPECT_EQ(utf8_sequence_length("\xf4\x8f\xbf\xbf", 0), 4u);  // U+10FFFF
  EXPECT_EQ(utf8_sequence_length("\xed\x9f\xbf", 0), 3u);      // U+D7FF, just below the surrogates
  EXPECT_EQ(utf8_sequence_length("\xee\x80\x80", 0), 3u);      // U+E000, just above
  for (const char* bad : {"\xc0\xaf", "\xc1\xbf", "\xe0\x9f\xbf", "\xed\xa0\x80", "\xf0\x8f\xbf\xbf", "\xf4\x90\x80\x80",
                          "\xf5\x80\x80\x80", "\xe2\x82", "\xe2\x28\xa1"})
    EXPECT_EQ(utf8_sequence_length(bad, 0), 0u) << printable_ascii(bad);
}

TEST(Utf8, LongInputIsValidatedWhole) {
  std::string big(1 << 20, 'a');
  EXPECT_TRUE(is_valid_utf8(big));
  big[big.size() - 1] = '\xff';  // the last byte, past every 8-byte ASCII stride
  EXPECT_FALSE(is_valid_utf8(big));
  EXPECT_EQ(to_valid_utf8(big).size(), big.size() - 1 + R.size());
  big[big.size() - 1] = 'a';
  big[5] = '\xed', big[6] = '\xa0', big[7] = '\x80';  // a surrogate inside the first stride
  EXPECT_FALSE(is_valid_utf8(big));
}

TEST(Utf8, AppendUtf8EncodesWhatTheDecoderAccepts) {
  for (unsigned cp : {0x0u, 0x7Fu, 0x80u, 0x7FFu, 0x800u, 0xD7FFu, 0xE000u, 0xFFFDu, 0xFFFFu, 0x10000u, 0x10FFFFu}) {
    std::string s;
    append_utf8(s, cp);
    ASSERT_FALSE(s.empty());
    EXPECT_EQ(utf8_sequence_length(s, 0), s.size()) << cp;
  }
  std::string e;
  append_utf8(e, 0x20AC);
  EXPECT_EQ(e, "\xe2\x82\xac");
}

// ---- hex and ASCII case

TEST(Hex, EncodesEveryByteAndReadsEitherCase) {
  std::string all;
  for (int b = 0; b < 256; ++b) all += static_cast<char>(b);
  std::string hex = hex_encode(all);
  ASSERT_EQ(hex.size(), 512u);
  EXPECT_EQ(hex.substr(0, 8), "00010203");
  EXPECT_EQ(hex.substr(508), "feff");
  for (std::size_t i = 0; i < 256; ++i)
    EXPECT_EQ(hex_digit_value(hex[2 * i]) * 16 + hex_digit_value(hex[2 * i + 1]), static_cast<int>(i));
  std::string up;
  append_hex_byte(up, 0xAB, true);
  append_hex_byte(up, 0x0C);
  EXPECT_EQ(up, "AB0c");
  EXPECT_EQ(hex_digit_value('F'), 15);
  for (char c : {'g', 'G', ' ', '\0', '/', ':', '@', '`', '\xff'}) EXPECT_EQ(hex_digit_value(c), -1) << int(c);
  EXPECT_EQ(hex_encode(""), "");
}

TEST(AsciiCase, OnlyAsciiLettersChange) {
  EXPECT_EQ(ascii_lower("GATE-V2-Integrity-01 \xc3\x89\xc3\xa9"), "gate-v2-integrity-01 \xc3\x89\xc3\xa9");
  EXPECT_EQ(ascii_upper("integrity-01 \xc3\xa9[]`{}@"), "INTEGRITY-01 \xc3\xa9[]`{}@");
  for (int b = 0; b < 256; ++b) {
    char c = static_cast<char>(b);
    bool upper = b >= 'A' && b <= 'Z', lower = b >= 'a' && b <= 'z';
    EXPECT_EQ(ascii_lower(c), upper ? static_cast<char>(b + 32) : c);
    EXPECT_EQ(ascii_upper(c), lower ? static_cast<char>(b - 32) : c);
  }
  EXPECT_TRUE(equals_ignoring_ascii_case("N/A (npm)", "n/a (NPM)"));
  EXPECT_FALSE(equals_ignoring_ascii_case("n/a", "n/a "));
  EXPECT_FALSE(equals_ignoring_ascii_case("\xc3\x89", "\xc3\xa9"));  // É is not é here
  EXPECT_FALSE(equals_ignoring_ascii_case("@", "`"));                // 0x40 vs 0x60: not letters
  EXPECT_TRUE(ends_with_ignoring_ascii_case("a/B.JSON", ".json"));
  EXPECT_TRUE(ends_with_ignoring_ascii_case(".json", ".json"));
  EXPECT_FALSE(ends_with_ignoring_ascii_case("json", ".json"));
  EXPECT_FALSE(ends_with_ignoring_ascii_case("a.json\n", ".json"));
  EXPECT_EQ(ascii_lower(std::string("A\0B", 3)), std::string("a\0b", 3));
}

// ---- escaping contracts

// The inverse of escape_for_message, to show it loses nothing.
std::string unescape_message(std::string_view s) {
  std::string out;
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (s[i] != '\\') {
      out += s[i];
      continue;
    }
    char e = s[++i];
    if (e == 'n') out += '\n';
    else if (e == 'r') out += '\r';
    else if (e == 't') out += '\t';
    else if (e == '\\') out += '\\';
    else if (e == 'x') out += static_cast<char>(hex_digit_value(s[i + 1]) * 16 + hex_digit_value(s[i + 2])), i += 2;
    else ADD_FAILURE() << "unknown escape " << e;
  }
  return out;
}

TEST(EscapeForMessage, CEscapesThatCanBeReadBack) {
  EXPECT_EQ(escape_for_message("plain/path.json"), "plain/path.json");
  EXPECT_EQ(escape_for_message("a\nb\rc\td\\e"), "a\\nb\\rc\\td\\\\e");
  EXPECT_EQ(escape_for_message("x\0y\x7f"s), "x\\x00y\\x7f");
  EXPECT_EQ(escape_for_message("caf\xc3\xa9"), "caf\xc3\xa9");
  EXPECT_EQ(escape_for_message("bad\xff\xc3"), "bad\\xff\\xc3");
  EXPECT_EQ(escape_for_message("\xed\xa0\x80"), "\\xed\\xa0\\x80");  // surrogate
  EXPECT_EQ(escape_for_message("\xc0\xaf"), "\\xc0\\xaf");           // overlong
  EXPECT_EQ(escape_for_message("\xe2\x82"), "\\xe2\\x82");           // truncated
  EXPECT_EQ(escape_for_message("\x1b[2J"), "\\x1b[2J");
  // Valid UTF-8 stays as it is, C1 controls and bidi overrides included:
  // the contract is byte-exactness, terminals are printable_utf8's concern.
  EXPECT_EQ(escape_for_message(kNel + kRlo), kNel + kRlo);
  for (const std::string& s : hostile()) {
    std::string m = escape_for_message(s);
    EXPECT_EQ(unescape_message(m), s) << printable_ascii(s);
    EXPECT_TRUE(is_valid_utf8(m)) << printable_ascii(s);
    EXPECT_FALSE(has_byte_below_0x20_or_del(m)) << printable_ascii(s);
  }
  std::string big(300000, '\n');
  EXPECT_EQ(escape_for_message(big).size(), 600000u);
}

TEST(PrintableUtf8, ControlsEscapedInvalidReplacedBackslashKept) {
  EXPECT_EQ(printable_utf8("a\nb\rc\td"), "a\\nb\\rc\\td");
  EXPECT_EQ(printable_utf8("C:\\dir"), "C:\\dir");  // unlike escape_for_message
  EXPECT_EQ(printable_utf8("\0\x1b\x7f"s), "\\x00\\x1b\\x7f");
  EXPECT_EQ(printable_utf8("a\xff" "b"), "a" + R + "b");
  EXPECT_EQ(printable_utf8("\xed\xa0\x80"), R + R + R);
  EXPECT_EQ(printable_utf8("\xc0\x80"), R + R);  // overlong NUL is no NUL
  // Valid UTF-8 that acts on a terminal or hides what a line says is written \uXXXX.
  EXPECT_EQ(printable_utf8(kCsi + "31m" + kRlo + "x" + kNel + kLs), "\\u009b31m\\u202ex\\u0085\\u2028");
  EXPECT_EQ(printable_utf8("\xc2\x80\xc2\x9f\xc2\xa0"), "\\u0080\\u009f\xc2\xa0");  // NBSP is no control
  EXPECT_EQ(printable_utf8("a\xe2\x80\x8b\xef\xbb\xbf\xd8\x9c\xe2\x81\xa6" "b"), "a\\u200b\\ufeff\\u061c\\u2066b");
  EXPECT_EQ(printable_utf8("caf\xc3\xa9 \xe2\x82\xac"), "caf\xc3\xa9 \xe2\x82\xac");
  for (const std::string& s : hostile()) {
    std::string p = printable_utf8(s);
    EXPECT_TRUE(is_valid_utf8(p)) << printable_ascii(s);
    EXPECT_FALSE(has_byte_below_0x20_or_del(p)) << printable_ascii(s);
    for (const std::string& hidden : {kNel, kCsi, kRlo, kLs}) EXPECT_EQ(p.find(hidden), std::string::npos);
    if (is_valid_utf8(s) && !has_byte_below_0x20_or_del(s) && s.find("\xc2\x80") == std::string::npos &&
        s.find(kNel) == std::string::npos && s.find(kCsi) == std::string::npos && s.find("\xe2\x80") == std::string::npos &&
        s.find("\xe2\x81") == std::string::npos) {
      EXPECT_EQ(p, s);  // nothing to escape: unchanged
    }
  }
}

// A line GitHub's runner would read as a workflow command is made inert,
// whatever blank precedes it; every other line is unchanged.
TEST(InertLogLine, NoLineRunsAsAWorkflowCommand) {
  EXPECT_EQ(inert_log_line("::add-mask::x"), "\\x3a:add-mask::x");
  EXPECT_EQ(inert_log_line("   \t::error::x"), "   \t\\x3a:error::x");
  EXPECT_EQ(inert_log_line(kNel + kLs + "::x"), kNel + kLs + "\\x3a:x");
  EXPECT_EQ(inert_log_line("             ::stop-commands::t"), "             \\x3a:stop-commands::t");
  EXPECT_EQ(inert_log_line("\xc2\xa0\xe2\x80\x83\xe3\x80\x80::x"), "\xc2\xa0\xe2\x80\x83\xe3\x80\x80\\x3a:x");
  EXPECT_EQ(inert_log_line("a ##[add-mask]s and ##[error]e"), "a ##\\x5badd-mask]s and ##\\x5berror]e");
  EXPECT_EQ(inert_log_line("x::y # [z] #[ ##"), "x::y # [z] #[ ##");
  EXPECT_EQ(inert_log_line(":: "), "\\x3a: ");
  EXPECT_EQ(inert_log_line(""), "");
  EXPECT_EQ(inert_log_text("ok\n  ::warning::w\n##[group]g\n::last"),
            "ok\n  \\x3a:warning::w\n##\\x5bgroup]g\n\\x3a:last");
  for (const std::string& s : hostile()) {
    const std::string line = inert_log_line(printable_utf8(s));
    std::size_t i = 0;
    while (i < line.size() && line[i] == ' ') ++i;
    EXPECT_NE(line.substr(i, 2), "::") << printable_ascii(s);
    EXPECT_EQ(line.find("##["), std::string::npos) << printable_ascii(s);
  }
}

// A document shown whole in a CI log: every "##[", hidden control and (in
// markup) line-leading "::" becomes an escape the format reads back as the
// same text; nothing else changes.
TEST(InertDocument, MarkupAndJsonKeepTheirMeaning) {
  EXPECT_EQ(inert_markup("a ##[group]g\n  ::error::e\nx::y"), "a ##&#91;group]g\n  &#58;:error::e\nx::y");
  EXPECT_EQ(inert_markup("::x"), "&#58;:x");  // a document's first line too
  EXPECT_EQ(inert_markup(kNel + "::x" + kRlo), "&#x0085;&#58;:x&#x202e;");
  EXPECT_EQ(inert_markup("\xc2\xa0\t::x\r\n::y"), "\xc2\xa0\t&#58;:x\r\n&#58;:y");
  EXPECT_EQ(inert_markup("# [ #[ ## ok \xff"), "# [ #[ ## ok \xff");
  EXPECT_EQ(inert_json_text(R"({"a":"##[x]","b":"::y)" + kLs + "\x7f\"}"),
            R"({"a":"##\u005bx]","b":"::y\u2028\u007f"})");
  EXPECT_EQ(inert_json_text("[1,\"##\",[\"#\"]]"), "[1,\"##\",[\"#\"]]");
  for (const std::string& raw : hostile()) {
    const std::string s = to_valid_utf8(raw) + "##[" + kRlo + "\n ::z";
    // JSON: the written document parses back to the same string.
    rapidjson::StringBuffer buf;
    rapidjson::Writer<rapidjson::StringBuffer> w(buf);
    w.String(s.data(), static_cast<rapidjson::SizeType>(s.size()));
    const std::string inert = inert_json_text(std::string_view(buf.GetString(), buf.GetSize()));
    EXPECT_EQ(inert.find("##["), std::string::npos);
    EXPECT_EQ(inert.find(kRlo), std::string::npos);
    rapidjson::Document d;
    d.Parse(inert.data(), inert.size());
    ASSERT_FALSE(d.HasParseError()) << printable_ascii(inert);
    EXPECT_EQ(std::string(d.GetString(), d.GetStringLength()), s);
    // Markup: no line starts with "::" after blanks, no "##[", no raw hidden control.
    for (const std::string& m : {xml_text(s), xml_attribute(s), html_text(printable_utf8(s))}) {
      EXPECT_EQ(m.find("##["), std::string::npos) << printable_ascii(m);
      for (const std::string& hidden : {kNel, kRlo, kLs}) EXPECT_EQ(m.find(hidden), std::string::npos);
      for (std::size_t start = 0; start <= m.size();) {
        std::size_t nl = std::min(m.find('\n', start), m.size());
        const std::string line = m.substr(start, nl - start);
        const std::size_t first = line.find_first_not_of(" \t\r\v\f");
        if (first != std::string::npos) {
          EXPECT_NE(line.substr(first, 2), "::") << printable_ascii(m);
        }
        start = nl + 1;
      }
    }
  }
}

TEST(PrintableAscii, EveryByteOutsidePrintableAsciiIsHexAndLengthIsCapped) {
  EXPECT_EQ(printable_ascii("http://a.io/x y"), "http://a.io/x y");
  EXPECT_EQ(printable_ascii("caf\xc3\xa9\n\0"s), "caf\\xc3\\xa9\\x0a\\x00");
  EXPECT_EQ(printable_ascii(kRlo), "\\xe2\\x80\\xae");
  EXPECT_EQ(printable_ascii("\\"), "\\");
  EXPECT_EQ(printable_ascii("abcdef", 3), "abc...");
  EXPECT_EQ(printable_ascii("abc", 3), "abc");
  EXPECT_EQ(printable_ascii("ab\xff\xff", 3), "ab\\xff...");  // an escape is never cut
  std::string big(1 << 20, '\x85');
  std::string p = printable_ascii(big, 120);
  EXPECT_LE(p.size(), 120u + 3 + 3);
  EXPECT_EQ(p.substr(p.size() - 3), "...");
  for (const std::string& s : hostile())
    for (unsigned char c : printable_ascii(s, 1000)) ASSERT_TRUE(c >= 0x20 && c < 0x7f) << printable_ascii(s);
}

TEST(OneLine, LineBreaksBecomeSpacesOnly) {
  EXPECT_EQ(one_line("open 'a\nb\r': No such file"), "open 'a b ': No such file");
  EXPECT_EQ(one_line("\t\0\xff"s), "\t\0\xff"s);
  EXPECT_EQ(one_line(kLs), kLs);  // U+2028 is not a line break for a log line
  EXPECT_EQ(one_line(std::string(100000, '\n')), std::string(100000, ' '));
}

// Characters XML 1.0 allows: #x9 | #xA | #xD | [#x20-#xD7FF] | [#xE000-#xFFFD] | [#x10000-#x10FFFF].
bool xml_chars_only(std::string_view s) {
  if (!is_valid_utf8(s)) return false;
  for (std::size_t i = 0; i < s.size();) {
    unsigned char c = static_cast<unsigned char>(s[i]);
    if (c < 0x20 && c != '\t' && c != '\n' && c != '\r') return false;
    if (s.substr(i, 3) == "\xef\xbf\xbe" || s.substr(i, 3) == "\xef\xbf\xbf") return false;
    i += utf8_sequence_length(s, i);
  }
  return true;
}

TEST(Xml, TextAndAttributeEscaping) {
  EXPECT_EQ(xml_text("a&b<c>d\"e'f"), "a&amp;b&lt;c&gt;d\"e'f");
  EXPECT_EQ(xml_attribute("a&b<c>d\"e'f"), "a&amp;b&lt;c&gt;d&quot;e'f");
  EXPECT_EQ(xml_text("l1\nl2\tx\ry"), "l1\nl2\tx&#13;y");
  EXPECT_EQ(xml_attribute("l1\nl2\tx\ry"), "l1&#10;l2&#9;x&#13;y");
  EXPECT_EQ(xml_text("\0\x1b\x7f"s), "\\x00\\x1b\x7f");  // DEL is allowed in XML 1.0
  EXPECT_EQ(xml_text("\xef\xbf\xbe\xef\xbf\xbf\xef\xbf\xbd"), "\\uFFFE\\uFFFF" + R);
  EXPECT_EQ(xml_text("\xff]]>"), R + "]]&gt;");
  EXPECT_EQ(xml_attribute(kNel + kRlo), "&#x0085;&#x202e;");  // as references: a CI log shows them inert
  for (const std::string& s : hostile()) {
    std::string t = xml_text(s), a = xml_attribute(s);
    EXPECT_TRUE(xml_chars_only(t)) << printable_ascii(s);
    EXPECT_TRUE(xml_chars_only(a)) << printable_ascii(s);
    EXPECT_EQ(t.find('<'), std::string::npos);
    EXPECT_EQ(a.find_first_of("<\"\n\t"), std::string::npos);
  }
}

TEST(Html, TextAndScriptEmbedding) {
  EXPECT_EQ(html_text("<b a=\"1\">&</b>"), "&lt;b a=&quot;1&quot;&gt;&amp;&lt;/b&gt;");
  EXPECT_EQ(json_for_script("{\"a\":\"</script><!--&\"}"), "{\"a\":\"\\u003c/script\\u003e\\u003c!--\\u0026\"}");
  EXPECT_EQ(json_for_script("[\"" + kLs + "\xe2\x80\xa9\"]"), "[\"\\u2028\\u2029\"]");
  EXPECT_EQ(json_for_script("\xe2\x80"), "\xe2\x80");  // a cut sequence at the end is left alone
  for (const std::string& s : hostile()) {
    std::string j = json_for_script(s);
    EXPECT_EQ(j.find_first_of("<>&"), std::string::npos);
    EXPECT_EQ(j.find(kLs), std::string::npos);
    EXPECT_EQ(html_text(s).find_first_of("<>\""), std::string::npos);
  }
}

// A writer with RapidJSON's String(const char*, SizeType) shape, recording.
struct RecordingWriter {
  std::vector<std::string> strings;
  bool String(const char* s, unsigned n) {
    strings.emplace_back(s, n);
    return true;
  }
};

TEST(JsonString, ReachesTheWriterAsValidUtf8) {
  RecordingWriter w;
  for (const std::string& s : hostile()) write_json_string(w, s);
  ASSERT_EQ(w.strings.size(), hostile().size());
  for (std::size_t i = 0; i < w.strings.size(); ++i) {
    EXPECT_TRUE(is_valid_utf8(w.strings[i]));
    EXPECT_EQ(w.strings[i], to_valid_utf8(hostile()[i]));  // controls are the writer's to escape
  }
}

TEST(WorkflowCommand, DataAndPropertyFollowTheRunnersRules) {
  EXPECT_EQ(workflow_command_data("100% sure\r\n::error::x"), "100%25 sure%0D%0A::error::x");
  EXPECT_EQ(workflow_command_data("a,b:c"), "a,b:c");
  EXPECT_EQ(workflow_command_data("\xff"), R);
  EXPECT_EQ(workflow_command_data("\x1b\0"s), "\x1b\0"s);  // data is the message: controls are the caller's
  EXPECT_EQ(workflow_command_property("a,b:c%\n"), "a%2Cb%3Ac%25\\n");
  EXPECT_EQ(workflow_command_property("\x1b" + kRlo), "\\x1b\\u202e");
  for (const std::string& s : hostile()) {
    std::string d = workflow_command_data(s), p = workflow_command_property(s);
    EXPECT_TRUE(is_valid_utf8(d));
    EXPECT_TRUE(is_valid_utf8(p));
    EXPECT_EQ(d.find_first_of("\r\n"), std::string::npos);
    EXPECT_EQ(p.find_first_of("\r\n,:"), std::string::npos);
    EXPECT_FALSE(has_byte_below_0x20_or_del(p));
  }
}

}  // namespace
}  // namespace mplp
