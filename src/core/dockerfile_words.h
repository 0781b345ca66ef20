// The word-level syntax of Dockerfiles, as BuildKit's parser reads it
// (moby/buildkit frontend/dockerfile/parser and shell): whitespace, builder
// flags, quoted words, and variable substitution. Used by core/dockerfile.h;
// separate so each piece can be tested on its own.
//
// Whitespace is Go's unicode.IsSpace, which BuildKit applies in two ways:
// per decoded character (U+00A0, U+2000.., U+3000 count) when trimming lines
// and splitting words, and per byte (the bytes 0x85 and 0xA0 count) when
// splitting builder flags. Both are reproduced, so a file cannot hide an
// instruction or a flag in a character one reader sees as a space and the
// other does not.
//
//   auto [flags, rest] = dockerfile::extract_flags("--from=builder /a /b", '\\');
//   dockerfile::Scope args{{"REG", {true, "docker.io"}}};
//   dockerfile::Word w = dockerfile::expand_word("${REG}/library/node", '\\', args);
//   if (!w.unresolved.empty()) ...   // a value the build decides, not the file
#pragma once

#include <cstddef>
#include <map>
#include <string>
#include <string_view>
#include <vector>

namespace mplp::dockerfile {

// Bytes of the unicode.IsSpace character (UTF-8) at `i`, or 0.
std::size_t space_at(std::string_view s, std::size_t i);
// strings.TrimSpace / bytes.TrimLeftFunc(unicode.IsSpace).
std::string_view trim_space(std::string_view s);
std::string_view trim_left_space(std::string_view s);
// unicode.IsSpace(rune(b)) for one byte, as the flag splitter tests it.
bool is_space_byte(unsigned char b);

struct Flags {
  std::vector<std::string> flags;  // "--name=value" words, quotes and escapes removed
  std::string_view rest;           // the arguments after the flags (not trimmed)
};
// The leading `--flag` words of an instruction's arguments (extractBuilderFlags).
Flags extract_flags(std::string_view args, char escape);

// Whitespace-separated words with quotes and escapes kept (parseWords).
std::vector<std::string> parse_words(std::string_view rest, char escape);

// Words of a line split the way heredoc markers are searched for (the shell
// lexer with raw quotes and escapes, escape '\'); empty on an unterminated quote.
std::vector<std::string> raw_shell_words(std::string_view line);

// A build variable as the file declares it: `known` with its value (an ARG
// default), or not known (an ARG without a default, a platform argument:
// the build decides), with `why` saying so.
struct Variable {
  bool known = false;
  std::string value;
  std::string why;
};
using Scope = std::map<std::string, Variable, std::less<>>;

struct Word {
  std::string value;       // quotes removed, escapes and variables processed
  std::string unresolved;  // non-empty: the value cannot be known from the file, and why
};

// Processes one word as BuildKit's shell lexer does (quotes, the escape
// character, $NAME, ${NAME}, ${NAME:-w}, ${NAME-w}, ${NAME:+w}, ${NAME+w},
// ${NAME:?w}, ${NAME?w}). A variable that is not known, a plain $NAME that
// no ARG declares, a form the gate does not evaluate (${NAME#p}, ${NAME%p},
// ${NAME/p/r}, $1, $@, non-ASCII names), a syntax error, or a value over
// 64 KiB make the word unresolved.
Word expand_word(std::string_view word, char escape, const Scope& scope);

}  // namespace mplp::dockerfile
