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
  return out;
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
  std::string valid = to_valid_utf8(s);
  std::string out;
  out.reserve(valid.size());
  for (unsigned char c : valid) {
    if (c == '\n') out += "\\n";
    else if (c == '\r') out += "\\r";
    else if (c == '\t') out += "\\t";
    else if (c < 0x20 || c == 0x7f) append_x_escape(out, c);
    else out += static_cast<char>(c);
  }
  return out;
}

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
  return substituted(s, {{'<', "&lt;"}, {'>', "&gt;"}, {'&', "&amp;"}, {'"', "&quot;"}});
}

std::string json_for_script(std::string_view json) {
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
