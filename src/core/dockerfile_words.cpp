#include "core/dockerfile_words.h"

namespace mplp::dockerfile {

namespace {

constexpr std::size_t kMaxValue = 64 * 1024;
constexpr int kMaxNesting = 32;

bool is_name_start(unsigned char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_'; }
bool is_digit(unsigned char c) { return c >= '0' && c <= '9'; }

// Bytes of the unicode.IsSpace character that ends at `end` (exclusive), or 0.
std::size_t space_before(std::string_view s, std::size_t end) {
  for (std::size_t len = 1; len <= 3 && len <= end; ++len)
    if (space_at(s, end - len) == len) return len;
  return 0;
}

// The shell lexer of one word (lex.go processStopOn and friends). An error,
// or a value the file does not fix, sets why() and ends the word (no
// exceptions: a hostile file may hold a million such words).
class Expander {
 public:
  Expander(std::string_view s, char escape, const Scope& scope) : s_(s), esc_(escape), scope_(scope) {}

  const std::string& why() const { return why_; }

  // Reads up to `stop` (consumed) or, with stop == 0, to the end.
  std::string run(char stop, int depth) {
    if (depth > kMaxNesting) return fail("substitutions nested too deep");
    std::string out;
    while (i_ < s_.size() && why_.empty()) {
      char c = s_[i_];
      if (stop != 0 && c == stop) {
        ++i_;
        return out;
      }
      if (c == '$') {
        out += dollar(depth);
      } else if (c == '\'') {
        out += single_quoted();
      } else if (c == '"') {
        out += double_quoted(depth);
      } else {
        ++i_;
        if (c == esc_) {
          if (i_ >= s_.size()) break;  // an escape at the end is dropped
          c = s_[i_++];
        }
        out += c;
      }
      if (out.size() > kMaxValue) return fail("the value is longer than 64 KiB");
    }
    if (stop != 0 && why_.empty()) return fail(std::string("no closing '") + stop + "'");
    return out;
  }

 private:
  // Records the first reason; the caller's result no longer matters.
  std::string fail(std::string why) {
    if (why_.empty()) why_ = std::move(why);
    i_ = s_.size();
    return {};
  }

  std::string single_quoted() {
    std::size_t close = s_.find('\'', i_ + 1);
    if (close == std::string_view::npos) return fail("no closing single quote");
    std::string out(s_.substr(i_ + 1, close - i_ - 1));
    i_ = close + 1;
    return out;
  }

  std::string double_quoted(int depth) {
    std::string out;
    ++i_;
    while (why_.empty()) {
      if (i_ >= s_.size()) return fail("no closing double quote");
      char c = s_[i_];
      if (c == '"') {
        ++i_;
        return out;
      }
      if (c == '$') {
        out += dollar(depth);
        continue;
      }
      ++i_;
      if (c == esc_ && i_ < s_.size() && (s_[i_] == '"' || s_[i_] == '$' || s_[i_] == esc_)) c = s_[i_++];
      if (c == esc_ && i_ >= s_.size()) continue;  // an escape at the end is ignored
      out += c;
    }
    return {};
  }

  // A name after '$' or "${": letters, digits and '_' (ASCII only: a
  // non-ASCII letter would continue the name for BuildKit).
  std::string name() {
    std::size_t b = i_;
    while (i_ < s_.size() && (is_name_start(static_cast<unsigned char>(s_[i_])) ||
                              is_digit(static_cast<unsigned char>(s_[i_]))))
      ++i_;
    if (i_ < s_.size() && static_cast<unsigned char>(s_[i_]) >= 0x80)
      return fail("a variable name with non-ASCII characters");
    return std::string(s_.substr(b, i_ - b));
  }

  // The declared variable `n` (null when no ARG declares it); fails when its
  // value is not known.
  const Variable* lookup(const std::string& n) {
    auto it = scope_.find(n);
    if (it == scope_.end()) return nullptr;
    if (!it->second.known) fail("$" + n + ": " + it->second.why);
    return &it->second;
  }

  std::string dollar(int depth) {
    ++i_;  // '$'
    if (i_ >= s_.size() || s_[i_] != '{') {
      if (i_ < s_.size() && (is_digit(static_cast<unsigned char>(s_[i_])) ||
                             std::string_view("@*#?-$!").find(s_[i_]) != std::string_view::npos))
        return fail(std::string("the special parameter $") + s_[i_]);
      std::string n = name();
      if (!why_.empty()) return {};
      if (n.empty()) return "$";
      const Variable* v = lookup(n);
      if (v == nullptr) return fail("$" + n + " is not declared by an ARG before the first FROM");
      return why_.empty() ? v->value : std::string();
    }
    ++i_;  // '{'
    if (i_ >= s_.size()) return fail("no closing '}'");
    if (s_[i_] == '{' || s_[i_] == '}' || s_[i_] == ':') return fail("bad substitution");
    if (!is_name_start(static_cast<unsigned char>(s_[i_]))) return fail("a substitution the gate does not evaluate");
    std::string n = name();
    if (!why_.empty()) return {};
    if (i_ >= s_.size()) return fail("no closing '}'");
    char op = s_[i_++];
    if (op == '}') {
      const Variable* v = lookup(n);
      if (v == nullptr) return fail("${" + n + "} is not declared by an ARG before the first FROM");
      return why_.empty() ? v->value : std::string();
    }
    bool null_is_unset = false;
    if (op == ':') {
      null_is_unset = true;
      if (i_ >= s_.size()) return fail("no closing '}'");
      op = s_[i_++];
      if (op != '-' && op != '+' && op != '?') return fail(std::string("the modifier :") + op + " in ${" + n + "}");
    }
    if (op != '-' && op != '+' && op != '?') return fail(std::string("the modifier ") + op + " in ${" + n + "}");
    std::string word = run('}', depth + 1);
    const Variable* v = lookup(n);
    if (!why_.empty()) return {};
    bool empty = v == nullptr || (null_is_unset && v->value.empty());
    if (op == '-') return empty ? word : v->value;
    if (op == '+') return empty ? std::string() : word;
    if (empty) return fail("${" + n + "} is unset or empty, which fails the build");
    return v->value;
  }

  std::string_view s_;
  char esc_;
  const Scope& scope_;
  std::size_t i_ = 0;
  std::string why_;
};

}  // namespace

std::size_t space_at(std::string_view s, std::size_t i) {
  if (i >= s.size()) return 0;
  auto b = [&](std::size_t k) { return i + k < s.size() ? static_cast<unsigned char>(s[i + k]) : 0; };
  unsigned char c = b(0);
  if (c == ' ' || (c >= '\t' && c <= '\r')) return 1;
  if (c == 0xC2 && (b(1) == 0x85 || b(1) == 0xA0)) return 2;  // U+0085, U+00A0
  if (c == 0xE1 && b(1) == 0x9A && b(2) == 0x80) return 3;    // U+1680
  if (c == 0xE2 && b(1) == 0x80 && (b(2) <= 0x8A || b(2) == 0xA8 || b(2) == 0xA9 || b(2) == 0xAF) && b(2) >= 0x80)
    return 3;  // U+2000..U+200A, U+2028, U+2029, U+202F
  if (c == 0xE2 && b(1) == 0x81 && b(2) == 0x9F) return 3;  // U+205F
  if (c == 0xE3 && b(1) == 0x80 && b(2) == 0x80) return 3;  // U+3000
  return 0;
}

std::string_view trim_left_space(std::string_view s) {
  std::size_t i = 0;
  while (std::size_t n = space_at(s, i)) i += n;
  return s.substr(i);
}

std::string_view trim_space(std::string_view s) {
  s = trim_left_space(s);
  std::size_t end = s.size();
  while (std::size_t n = space_before(s, end)) end -= n;
  return s.substr(0, end);
}

bool is_space_byte(unsigned char b) { return b == ' ' || (b >= '\t' && b <= '\r') || b == 0x85 || b == 0xA0; }

Flags extract_flags(std::string_view line, char escape) {
  enum { kSpaces, kWord, kQuote } phase = kSpaces;
  Flags out;
  std::string word;
  char quote = 0;
  bool blank_ok = false;
  for (std::size_t pos = 0; pos <= line.size(); ++pos) {
    char ch = pos < line.size() ? line[pos] : '\0';
    if (phase == kSpaces) {
      if (pos == line.size()) break;
      if (is_space_byte(static_cast<unsigned char>(ch))) continue;
      if (ch != '-' || pos + 1 == line.size() || line[pos + 1] != '-') {
        out.rest = line.substr(pos);
        return out;
      }
      phase = kWord;
    }
    if (pos == line.size()) {  // in a word or a quote
      if (word != "--" && (blank_ok || !word.empty())) out.flags.push_back(word);
      break;
    }
    if (phase == kWord) {
      if (is_space_byte(static_cast<unsigned char>(ch))) {
        phase = kSpaces;
        if (word == "--") {
          out.rest = line.substr(pos);
          return out;
        }
        if (blank_ok || !word.empty()) out.flags.push_back(word);
        word.clear();
        blank_ok = false;
        continue;
      }
      if (ch == '\'' || ch == '"') {
        quote = ch;
        blank_ok = true;
        phase = kQuote;
        continue;
      }
      if (ch == escape) {
        if (pos + 1 == line.size()) continue;
        ch = line[++pos];
      }
      word += ch;
      continue;
    }
    if (ch == quote) {  // kQuote
      phase = kWord;
      continue;
    }
    if (ch == escape) {
      if (pos + 1 == line.size()) {
        phase = kWord;
        continue;
      }
      ch = line[++pos];
    }
    word += ch;
  }
  out.rest = std::string_view();
  return out;
}

std::vector<std::string> parse_words(std::string_view rest, char escape) {
  std::vector<std::string> words;
  std::string word;
  bool in_word = false, blank_ok = false;
  char quote = 0;
  auto finish = [&] {
    if (blank_ok || !word.empty()) words.push_back(word);
    word.clear();
    in_word = false;
    blank_ok = false;
  };
  for (std::size_t pos = 0; pos < rest.size();) {
    if (quote == 0) {
      if (std::size_t n = space_at(rest, pos)) {
        if (in_word) finish();
        pos += n;
        continue;
      }
      in_word = true;
      char ch = rest[pos++];
      if (ch == '\'' || ch == '"') quote = ch, blank_ok = true;
      if (ch == escape) {
        if (pos == rest.size()) continue;  // an escape at the end is skipped
        word += ch;
        ch = rest[pos++];
      }
      word += ch;
      continue;
    }
    char ch = rest[pos++];
    if (ch == quote) {
      quote = 0;
    } else if (ch == escape && quote != '\'') {
      if (pos == rest.size()) continue;
      word += ch;
      ch = rest[pos++];
    }
    word += ch;
  }
  if (in_word) finish();
  return words;
}

std::vector<std::string> raw_shell_words(std::string_view line) {
  std::vector<std::string> words;
  std::string word;
  for (std::size_t i = 0; i < line.size();) {
    if (std::size_t n = space_at(line, i)) {
      if (!word.empty()) words.push_back(std::move(word)), word.clear();
      i += n;
      continue;
    }
    char c = line[i];
    if (c == '\'' || c == '"') {
      std::size_t j = i + 1;
      while (j < line.size() && line[j] != c) j += (c == '"' && line[j] == '\\' && j + 1 < line.size()) ? 2 : 1;
      if (j >= line.size()) return {};  // unterminated: the lexer fails, no heredoc
      word.append(line.substr(i, j + 1 - i));
      i = j + 1;
    } else if (c == '\\' && i + 1 < line.size()) {
      word.append(line.substr(i, 2));
      i += 2;
    } else if (c == '<' && i + 1 < line.size() && line[i + 1] == '<') {
      // "<<" and the blanks after it stay in the word: "<< EOF" is one.
      word += "<<";
      i += 2;
      while (i < line.size() && (line[i] == ' ' || line[i] == '\t')) word += line[i++];
    } else {
      word += c;
      ++i;
    }
  }
  if (!word.empty()) words.push_back(std::move(word));
  return words;
}

Word expand_word(std::string_view word, char escape, const Scope& scope) {
  Expander e(word, escape, scope);
  Word w;
  w.value = e.run(0, 0);
  if (!e.why().empty()) {
    w.value.clear();
    w.unresolved = e.why();
  }
  return w;
}

}  // namespace mplp::dockerfile
