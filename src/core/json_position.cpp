#include "core/json_position.h"

#include <string>

#include "core/json.h"
#include "core/text.h"

namespace mplp {

namespace {

class Scanner {
 public:
  explicit Scanner(std::string_view t) : t_(t) {}
  std::size_t pos = 0;

  void ws() {
    while (pos < t_.size() && (t_[pos] == ' ' || t_[pos] == '\t' || t_[pos] == '\n' || t_[pos] == '\r')) ++pos;
  }
  bool at(char c) const { return pos < t_.size() && t_[pos] == c; }
  bool eat(char c) {
    ws();
    if (!at(c)) return false;
    ++pos;
    return true;
  }

  // A string at pos, decoded (escapes as UTF-8) into `out` unless it is
  // null (a string skipped); false when malformed. Runs without an escape
  // are copied whole: this scan runs for every located finding.
  bool string(std::string* out) {
    if (!at('"')) return false;
    ++pos;
    if (out != nullptr) out->clear();
    while (pos < t_.size()) {
      std::size_t run = pos;
      while (run < t_.size() && t_[run] != '"' && t_[run] != '\\') ++run;
      if (run == t_.size()) break;
      if (out != nullptr) out->append(t_.substr(pos, run - pos));
      pos = run + 1;
      if (t_[run] == '"') return true;
      if (pos >= t_.size()) return false;
      char e = t_[pos++];
      std::string ignored;
      std::string& o = out != nullptr ? *out : ignored;
      switch (e) {
        case 'b': o += '\b'; break;
        case 'f': o += '\f'; break;
        case 'n': o += '\n'; break;
        case 'r': o += '\r'; break;
        case 't': o += '\t'; break;
        case 'u': {
          unsigned cp = 0;
          if (!hex4(cp)) return false;
          if (cp >= 0xD800 && cp < 0xDC00 && pos + 1 < t_.size() && t_[pos] == '\\' && t_[pos + 1] == 'u') {
            pos += 2;
            unsigned low = 0;
            if (!hex4(low)) return false;
            cp = 0x10000 + ((cp - 0xD800) << 10) + (low - 0xDC00);
          }
          append_utf8(o, cp);
          break;
        }
        default: o += e;  // " \ /
      }
    }
    pos = t_.size();
    return false;
  }

  // Skips one value of any depth without recursion.
  bool skip_value() {
    ws();
    std::size_t depth = 0;
    do {
      ws();
      if (pos >= t_.size()) return false;
      char c = t_[pos];
      if (c == '{' || c == '[') ++depth, ++pos;
      else if (c == '}' || c == ']') {
        if (depth == 0) return false;
        --depth, ++pos;
      } else if (c == '"') {
        if (!string(nullptr)) return false;
      } else if (c == ',' || c == ':') {
        if (depth == 0) return false;
        ++pos;
      } else {
        while (pos < t_.size() && std::string_view(",:]} \t\r\n").find(t_[pos]) == std::string_view::npos) ++pos;
      }
    } while (depth > 0);
    return true;
  }

 private:
  std::string_view t_;

  bool hex4(unsigned& v) {
    if (pos + 4 > t_.size()) return false;
    v = 0;
    for (int i = 0; i < 4; ++i) {
      char c = t_[pos++];
      v <<= 4;
      const int d = hex_digit_value(c);
      if (d < 0) return false;
      v |= static_cast<unsigned>(d);
    }
    return true;
  }
};

// RFC 6901: "~1" is "/", "~0" is "~".
std::string unescape_token(std::string_view token) {
  std::string out;
  for (std::size_t i = 0; i < token.size(); ++i) {
    if (token[i] == '~' && i + 1 < token.size() && (token[i + 1] == '0' || token[i + 1] == '1')) {
      out += token[i + 1] == '0' ? '~' : '/';
      ++i;
    } else {
      out += token[i];
    }
  }
  return out;
}

bool array_index(std::string_view token, std::size_t& out) {
  if (token.empty() || token.size() > 9 || (token.size() > 1 && token[0] == '0')) return false;
  out = 0;
  for (char c : token) {
    if (c < '0' || c > '9') return false;
    out = out * 10 + static_cast<std::size_t>(c - '0');
  }
  return true;
}

// Moves s.pos from the container at s.pos to the child named `token`;
// false (pos unchanged) when there is none.
bool descend(Scanner& s, std::string_view token) {
  const std::size_t start = s.pos;
  std::string key;
  if (s.at('{')) {
    ++s.pos;
    const std::string want = unescape_token(token);
    if (s.eat('}')) return s.pos = start, false;
    for (;;) {
      s.ws();
      if (!s.string(&key) || !s.eat(':')) break;
      s.ws();
      if (key == want) return true;
      if (!s.skip_value() || !s.eat(',')) break;
    }
  } else if (s.at('[')) {
    std::size_t index = 0;
    if (!array_index(token, index)) return false;
    ++s.pos;
    s.ws();
    if (s.at(']')) return s.pos = start, false;
    for (std::size_t i = 0;; ++i) {
      s.ws();
      if (i == index) return true;
      if (!s.skip_value() || !s.eat(',')) break;
    }
  }
  s.pos = start;
  return false;
}

}  // namespace

bool json_pointer_position(std::string_view text, std::string_view pointer, std::uint64_t& line,
                           std::uint64_t& column) {
  Scanner s(text);
  if (text.substr(0, 3) == "\xEF\xBB\xBF") s.pos = 3;
  s.ws();
  if (s.pos >= text.size()) return false;
  if (!pointer.empty() && pointer[0] == '/') {
    std::size_t at = 1;
    for (;;) {
      std::size_t slash = pointer.find('/', at);
      std::string_view token = pointer.substr(at, slash == std::string_view::npos ? std::string_view::npos : slash - at);
      if (!descend(s, token)) break;
      if (slash == std::string_view::npos) break;
      at = slash + 1;
    }
  }
  line_and_column(text, s.pos, line, column);
  return true;
}

}  // namespace mplp
