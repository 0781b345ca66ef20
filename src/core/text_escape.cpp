// The escaping contracts of core/text.h. Each loop is deliberately plain:
// these functions see every byte a stranger can put in a report.
#include "core/text.h"

#include <algorithm>
#include <initializer_list>

namespace mplp {

namespace {

struct Substitution {
  char byte;
  std::string_view with;
};

// `s` with every byte that `table` names replaced by its text.
std::string substituted(std::string_view s, std::initializer_list<Substitution> table) {
  std::string out;
  out.reserve(s.size());
  for (char c : s) {
    auto it = std::find_if(table.begin(), table.end(), [c](const Substitution& t) { return t.byte == c; });
    if (it == table.end()) out += c;
    else out += it->with;
  }
  return out;
}

void append_x_escape(std::string& out, unsigned char c) {
  out += "\\x";
  append_hex_byte(out, c);
}

// The code point of the well-formed sequence of `n` bytes at s[i], n >= 2.
unsigned code_point(std::string_view s, std::size_t i, std::size_t n) {
  unsigned cp = static_cast<unsigned char>(s[i]) & (0xff >> (n + 1));
  for (std::size_t k = 1; k < n; ++k) cp = (cp << 6) | (static_cast<unsigned char>(s[i + k]) & 0x3f);
  return cp;
}

// Characters that are valid UTF-8 but act on a terminal or hide what a line
// says: C1 controls (U+009B is a CSI on some terminals; U+0085 a line break
// to .NET, which GitHub's runner is), bidirectional controls (text that
// reads in another order than it is stored) and invisible format characters
// (zero-width, line and paragraph separators, BOM).
bool is_hidden_control(unsigned cp) {
  return (cp >= 0x80 && cp <= 0x9f) || cp == 0x061c || (cp >= 0x200b && cp <= 0x200f) ||
         (cp >= 0x2028 && cp <= 0x202e) || (cp >= 0x2060 && cp <= 0x2069) || cp == 0xfeff;
}

// Appends the well-formed sequence of `n` bytes at s[i], or \uXXXX for a hidden control.
void append_character(std::string& out, std::string_view s, std::size_t i, std::size_t n) {
  const unsigned cp = code_point(s, i, n);
  if (!is_hidden_control(cp)) {
    out.append(s.substr(i, n));
    return;
  }
  out += "\\u";
  append_hex_byte(out, static_cast<unsigned char>(cp >> 8));
  append_hex_byte(out, static_cast<unsigned char>(cp & 0xff));
}

// How escaped_controls writes line breaks and tabs.
struct ControlStyle {
  // \n \r \t as those names (a message on one line); else a tab is kept
  // and \n \r are \x0a \x0d.
  bool named_breaks;
};

// `s` with ASCII controls, DEL and hidden controls written as escapes. An
// ill-formed UTF-8 byte is copied as it is (callers that want U+FFFD repair
// first), but for 0x80..0x9F: a terminal not reading UTF-8 takes such a byte
// for a C1 control (0x9B is CSI), so it is \xHH (QA-56).
std::string escaped_controls(std::string_view s, ControlStyle style) {
  std::string out;
  out.reserve(s.size());
  for (std::size_t i = 0; i < s.size();) {
    auto c = static_cast<unsigned char>(s[i]);
    if (c >= 0x80) {
      if (const std::size_t n = utf8_sequence_length(s, i); n > 0) {
        append_character(out, s, i, n);
        i += n;
      } else if (c <= 0x9f) {
        append_x_escape(out, c);
        ++i;
      } else {
        out += s[i++];
      }
      continue;
    }
    ++i;
    if (style.named_breaks && c == '\n') out += "\\n";
    else if (style.named_breaks && c == '\r') out += "\\r";
    else if (style.named_breaks && c == '\t') out += "\\t";
    else if ((c < 0x20 && c != '\t') || c == 0x7f) append_x_escape(out, c);
    else out += static_cast<char>(c);
  }
  return out;
}

// Shared by the XML element text and attribute contracts.
std::string xml_escaped(std::string_view raw, bool attribute) {
  std::string s = to_valid_utf8(raw);
  std::string out;
  out.reserve(s.size());
  for (std::size_t i = 0; i < s.size(); ++i) {
    unsigned char c = static_cast<unsigned char>(s[i]);
    switch (c) {
      case '&': out += "&amp;"; continue;
      case '<': out += "&lt;"; continue;
      case '>': out += "&gt;"; continue;
      case '"': out += attribute ? "&quot;" : "\""; continue;
      case '\n': out += attribute ? "&#10;" : "\n"; continue;
      case '\r': out += "&#13;"; continue;
      case '\t': out += attribute ? "&#9;" : "\t"; continue;
      default: break;
    }
    if (c < 0x20) {
      append_x_escape(out, c);
    } else if (c == 0xEF && i + 2 < s.size() && s[i + 1] == '\xBF' && (s[i + 2] == '\xBE' || s[i + 2] == '\xBF')) {
      out += s[i + 2] == '\xBE' ? "\\uFFFE" : "\\uFFFF";
      i += 2;
    } else {
      out += static_cast<char>(c);
    }
  }
  return inert_markup(out);
}

}  // namespace

std::string escape_for_message(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (std::size_t i = 0; i < s.size();) {
    auto c = static_cast<unsigned char>(s[i]);
    if (c >= 0x80) {
      if (std::size_t n = utf8_sequence_length(s, i); n > 0) {
        out.append(s.substr(i, n));
        i += n;
        continue;
      }
    }
    ++i;
    switch (c) {
      case '\n': out += "\\n"; continue;
      case '\r': out += "\\r"; continue;
      case '\t': out += "\\t"; continue;
      case '\\': out += "\\\\"; continue;
      default: break;
    }
    if (c < 0x20 || c >= 0x7f) append_x_escape(out, c);
    else out += static_cast<char>(c);
  }
  return out;
}

std::string printable_utf8(std::string_view s) {
  return escaped_controls(to_valid_utf8(s), ControlStyle{.named_breaks = true});
}

namespace {

// The length of the blank at s[i] as .NET's String.Trim() sees it
// (Char.IsWhiteSpace), 0 for none: GitHub's runner trims a line before it
// looks for "::".
std::size_t blank_length(std::string_view s, std::size_t i) {
  if (s[i] == ' ' || (s[i] >= '\t' && s[i] <= '\r')) return 1;
  for (std::string_view blank : {"\u0085", "\u00a0", "\u1680", "\u2028", "\u2029", "\u202f", "\u205f", "\u3000"})
    if (s.substr(i, blank.size()) == blank) return blank.size();
  // U+2000..U+200A: E2 80 80..8A
  if (s.substr(i, 2) == "\xe2\x80" && i + 2 < s.size() && static_cast<unsigned char>(s[i + 2]) >= 0x80 &&
      static_cast<unsigned char>(s[i + 2]) <= 0x8a)
    return 3;
  return 0;
}

}  // namespace

std::string inert_log_line(std::string_view line) {
  std::string out;
  out.reserve(line.size());
  std::size_t i = 0;
  while (i < line.size()) {
    const std::size_t n = blank_length(line, i);
    if (n == 0) break;
    i += n;
  }
  out.append(line.substr(0, i));
  if (line.substr(i, 2) == "::") {
    out += "\\x3a";
    ++i;
  }
  for (; i < line.size(); ++i) {
    if (line.substr(i, 3) == "##[") {
      out += "##\\x5b";
      i += 2;
      continue;
    }
    out += line[i];
  }
  return out;
}

std::string guarded_log_line(std::string_view line) {
  // Ill-formed bytes stay as they are (a terminal shows its own mark), and a
  // tab is a tab: the line keeps its layout.
  return inert_log_line(escaped_controls(line, ControlStyle{.named_breaks = false}));
}

std::string inert_log_text(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (std::size_t start = 0; start < text.size();) {
    std::size_t nl = text.find('\n', start);
    const std::size_t end = nl == std::string_view::npos ? text.size() : nl + 1;
    out += inert_log_line(text.substr(start, end - start));
    start = end;
  }
  return out;
}

namespace {

// Appends U+cp as a character reference (&#xHHHH;) or a JSON escape (\uHHHH).
void append_code_point(std::string& out, unsigned cp, bool markup) {
  out += markup ? "&#x" : "\\u";
  append_hex_byte(out, static_cast<unsigned char>(cp >> 8));
  append_hex_byte(out, static_cast<unsigned char>(cp & 0xff));
  if (markup) out += ';';
}

// The one loop behind inert_markup and inert_json_text: "##[" anywhere, a
// hidden control and (markup only: JSON has no line break inside a string)
// a line's leading "::" are written as references or escapes, which a
// reader of the document decodes to the same text.
std::string inert_document(std::string_view s, bool markup) {
  std::string out;
  out.reserve(s.size());
  bool line_start = markup;
  for (std::size_t i = 0; i < s.size();) {
    if (line_start) {
      if (const std::size_t n = blank_length(s, i); n > 0 && s[i] != '\n') {
        const unsigned cp = n > 1 ? code_point(s, i, n) : 0;
        if (is_hidden_control(cp)) append_code_point(out, cp, markup);  // U+0085, U+2028, U+2029
        else out.append(s.substr(i, n));
        i += n;
        continue;
      }
      line_start = false;
      if (s.substr(i, 2) == "::") {
        out += "&#58;";
        ++i;
        continue;
      }
    }
    const auto c = static_cast<unsigned char>(s[i]);
    if (s.substr(i, 3) == "##[") {
      out += markup ? "##&#91;" : "##\\u005b";
      i += 3;
    } else if (c >= 0x80) {
      const std::size_t n = utf8_sequence_length(s, i);
      const unsigned cp = n > 0 ? code_point(s, i, n) : 0;
      if (is_hidden_control(cp)) append_code_point(out, cp, markup);
      else out.append(s.substr(i, std::max<std::size_t>(n, 1)));
      i += std::max<std::size_t>(n, 1);
    } else {
      if (c == 0x7f && !markup) out += "\\u007f";
      else out += static_cast<char>(c);
      line_start = markup && c == '\n';
      ++i;
    }
  }
  return out;
}

}  // namespace

std::string inert_markup(std::string_view s) { return inert_document(s, true); }
std::string inert_json_text(std::string_view json) { return inert_document(json, false); }

std::string printable_ascii(std::string_view bytes, std::size_t max) {
  std::string out;
  for (char ch : bytes) {
    if (out.size() >= max) {
      out += "...";
      break;
    }
    unsigned char c = static_cast<unsigned char>(ch);
    if (c >= 0x20 && c < 0x7f) out += ch;
    else append_x_escape(out, c);
  }
  return out;
}

std::string one_line(std::string s) {
  for (char& ch : s)
    if (ch == '\n' || ch == '\r') ch = ' ';
  return s;
}

std::string xml_text(std::string_view raw) { return xml_escaped(raw, false); }
std::string xml_attribute(std::string_view raw) { return xml_escaped(raw, true); }

std::string html_text(std::string_view s) {
  return inert_markup(substituted(s, {{'<', "&lt;"}, {'>', "&gt;"}, {'&', "&amp;"}, {'"', "&quot;"}}));
}

std::string json_for_script(std::string_view raw_json) {
  const std::string json = inert_json_text(raw_json);
  std::string out;
  out.reserve(json.size() + json.size() / 16);
  for (std::size_t i = 0; i < json.size(); ++i) {
    const char c = json[i];
    if (c == '<') out += "\\u003c";
    else if (c == '>') out += "\\u003e";
    else if (c == '&') out += "\\u0026";
    else if (c == '\xe2' && i + 2 < json.size() && json[i + 1] == '\x80' && (json[i + 2] == '\xa8' || json[i + 2] == '\xa9'))
      out += json[i + 2] == '\xa8' ? "\\u2028" : "\\u2029", i += 2;
    else out += c;
  }
  return out;
}

std::string workflow_command_data(std::string_view raw) {
  return substituted(to_valid_utf8(raw), {{'%', "%25"}, {'\r', "%0D"}, {'\n', "%0A"}});
}

std::string workflow_command_property(std::string_view raw) {
  return substituted(workflow_command_data(printable_utf8(raw)), {{':', "%3A"}, {',', "%2C"}});
}

std::string percent_encode_path(std::string_view path) {
  std::string out;
  out.reserve(path.size());
  for (unsigned char c : path) {
    bool keep = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' ||
                c == '.' || c == '_' || c == '~' || c == '/';
    if (keep) {
      out += static_cast<char>(c);
    } else {
      out += '%';
      append_hex_byte(out, c, true);
    }
  }
  return out;
}

}  // namespace mplp
