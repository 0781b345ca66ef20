#include "core/sums.h"

#include <algorithm>
#include <unordered_map>

#include "core/safe_fs.h"
#include "core/text.h"

namespace mplp {

namespace {

constexpr std::size_t kHexLen = 64;

bool is_hex_digit(char c) { return hex_digit_value(c) >= 0; }
bool is_blank(std::string_view line) {
  return line.find_first_not_of(" \t\r") == std::string_view::npos;
}

std::string byte_text(char c) {
  auto u = static_cast<unsigned char>(c);
  if (u >= 0x21 && u < 0x7f) return std::string("'") + c + "'";
  std::string out = "0x";
  append_hex_byte(out, u);
  return out;
}

class Parser {
 public:
  Parser(const SumsOptions& options, SumsParse& out) : options_(options), out_(out) {}

  void error(SumsErrorKind kind, std::uint64_t line, std::uint64_t column, std::string message,
             std::uint64_t first_line = 0) {
    if (out_.errors.size() >= options_.max_errors) {
      ++out_.errors_omitted;
      return;
    }
    out_.errors.push_back(SumsError{kind, line, column, std::move(message), first_line});
  }

  // Returns false when the line was rejected.
  bool digest(std::string_view text, std::uint64_t line) {
    std::size_t n = 0;
    while (n < text.size() && is_hex_digit(text[n])) ++n;
    if (n < kHexLen) {
      if (n == text.size() || text[n] == ' ' || text[n] == '\t' || text[n] == '*')
        error(SumsErrorKind::Syntax, line, 1,
              "digest is " + std::to_string(n) + " hex characters; expected 64 lowercase hex");
      else
        error(SumsErrorKind::Syntax, line, n + 1,
              "unexpected " + byte_text(text[n]) + "; expected a 64-character lowercase hex digest");
      return false;
    }
    if (n > kHexLen) {
      error(SumsErrorKind::Syntax, line, kHexLen + 1, "digest is longer than 64 hex characters");
      return false;
    }
    for (std::size_t i = 0; i < kHexLen; ++i)
      if (text[i] >= 'A' && text[i] <= 'F') {
        error(SumsErrorKind::Syntax, line, i + 1, "uppercase hex digit in the digest; digests are lowercase");
        return false;
      }
    return true;
  }

  // Reports why `path` (starting at byte column `col` of the line) is unsafe.
  void unsafe(std::string_view path, std::uint64_t line, std::uint64_t col) {
    if (std::size_t p = path.find('\0'); p != path.npos)
      return error(SumsErrorKind::UnsafePath, line, col + p, "path contains a NUL byte");
    if (std::size_t p = path.find('\\'); p != path.npos)
      return error(SumsErrorKind::UnsafePath, line, col + p, "path contains a backslash");
    if (path.front() == '/') return error(SumsErrorKind::UnsafePath, line, col, "absolute path");
    std::size_t start = 0;
    for (;;) {
      std::size_t slash = path.find('/', start);
      std::string_view comp = path.substr(start, slash == path.npos ? path.npos : slash - start);
      if (comp == "..")
        return error(SumsErrorKind::UnsafePath, line, col + start, "path has a '..' component");
      if (comp == ".") return error(SumsErrorKind::UnsafePath, line, col + start, "path has a '.' component");
      if (comp.empty())
        return error(SumsErrorKind::UnsafePath, line, col + start, "path has an empty component ('//' or a trailing '/')");
      if (slash == path.npos) break;
      start = slash + 1;
    }
    error(SumsErrorKind::UnsafePath, line, col, "unsafe path");  // not reached with the rules above
  }

  void parse_line(std::string_view text, std::uint64_t line, bool has_lf) {
    if (is_blank(text) || text.front() == '#') return;
    if (!digest(text, line)) return;
    if (text.size() < kHexLen + 2 || text[kHexLen] != ' ' || (text[kHexLen + 1] != ' ' && text[kHexLen + 1] != '*')) {
      std::size_t bad = text.size() > kHexLen && text[kHexLen] == ' ' ? kHexLen + 1 : kHexLen;
      std::string found = bad < text.size() ? "found " + byte_text(text[bad]) : "the line ends";
      error(SumsErrorKind::Syntax, line, bad + 1,
            "expected two spaces (or a space and '*') after the digest; " + found);
      return;
    }
    std::string_view path = text.substr(kHexLen + 2);
    std::uint64_t col = kHexLen + 3;
    if (path.size() >= 2 && path[0] == '.' && path[1] == '/') {
      path.remove_prefix(2);
      col += 2;
    }
    if (path.empty()) {
      error(SumsErrorKind::Syntax, line, col, "no path after the digest");
      return;
    }
    if (!is_safe_relative_path(path)) {
      unsafe(path, line, col);
      return;
    }
    auto [it, inserted] = seen_.emplace(std::string(path), line);
    if (!inserted) {
      error(SumsErrorKind::Duplicate, line, col,
            "duplicate entry for '" + escape_for_message(path) + "' (first listed on line " +
                std::to_string(it->second) + ")",
            it->second);
      return;
    }
    if (!has_lf)
      error(SumsErrorKind::NoFinalNewline, line, text.size() + 1, "the last line is not ended by a newline (LF)");
    out_.entries.push_back(SumsEntry{line, std::string(text.substr(0, kHexLen)), std::string(path),
                                     text[kHexLen + 1] == '*'});
  }

 private:
  const SumsOptions& options_;
  SumsParse& out_;
  std::unordered_map<std::string, std::uint64_t> seen_;
};

}  // namespace

SumsParse parse_sums(std::string_view text, const SumsOptions& options) {
  SumsParse out;
  Parser parser(options, out);
  std::size_t pos = 0;
  while (pos < text.size()) {
    if (out.entries.size() >= options.max_entries) {
      out.truncated = true;
      break;
    }
    std::size_t lf = text.find('\n', pos);
    bool has_lf = lf != std::string_view::npos;
    std::string_view line = text.substr(pos, has_lf ? lf - pos : std::string_view::npos);
    parser.parse_line(line, ++out.lines, has_lf);
    pos = has_lf ? lf + 1 : text.size();
  }
  return out;
}

std::string format_sums(std::vector<SumsEntry> entries) {
  std::sort(entries.begin(), entries.end(), [](const SumsEntry& a, const SumsEntry& b) { return a.path < b.path; });
  std::string out;
  for (const SumsEntry& e : entries) {
    out += e.hex;
    out += e.binary ? " *" : "  ";
    out += e.path;
    out += '\n';
  }
  return out;
}

}  // namespace mplp
