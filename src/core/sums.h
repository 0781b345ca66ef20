// GNU sha256sums text ("integrity/sha256sums.txt"): a strict parser and a
// writer. Independent of Pack and of the file system, so it can be fuzzed.
//
// Accepted line: <64 lowercase hex> ' ' (' ' | '*') <path> '\n'.
//  - Lines end at LF only: a CR before the LF is part of the path (a CRLF file
//    therefore names files that do not exist).
//  - One leading "./" is stripped ("./a" and "a" are the same entry).
//  - Empty lines, lines of only spaces/tabs/CRs, and lines starting with '#'
//    are ignored.
//  - The path must then be a safe relative path (is_safe_relative_path in
//    core/safe_fs.h): no "..", "." or empty component, not absolute, no
//    backslash, no NUL. Anything else is an error naming line and column.
//  - The second and later entries for one (normalised) path are errors.
//  - A last line without LF is an error, but its entry is still kept (its
//    content is well-formed; only the ending is wrong).
// Guarantee: every entry in `SumsParse::entries` has is_safe_relative_path(path)
// true, a 64-lowercase-hex digest, and a path no other entry has.
//
//   SumsParse p = parse_sums(bytes);
//   for (const SumsError& e : p.errors) ... e.line, e.column, e.message
//   for (const SumsEntry& e : p.entries) ... e.line, e.hex, e.path
//   std::string text = format_sums(entries);   // sorted, "<hex>  <path>\n"
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

// Sums messages quote paths with escape_for_message; the executor's sealing
// code (src/runner) knows it from this header.
#include "core/text.h"

namespace mplp {

struct SumsEntry {
  std::uint64_t line = 0;  // 1-based line in the sums file
  std::string hex;         // 64 lowercase hex
  std::string path;        // normalised: leading "./" stripped
  bool binary = false;     // "<hex> *<path>" form
};

enum class SumsErrorKind {
  Syntax,         // not "<64 lowercase hex>" + two spaces/space-star + path
  UnsafePath,     // absolute, "..", ".", empty component, backslash, NUL
  Duplicate,      // a path listed before (see `first_line`)
  NoFinalNewline, // the last line is not ended by LF
};

struct SumsError {
  SumsErrorKind kind = SumsErrorKind::Syntax;
  std::uint64_t line = 0;    // 1-based
  std::uint64_t column = 0;  // 1-based byte column of the problem
  std::string message;       // one line, no raw control bytes
  std::uint64_t first_line = 0;  // Duplicate: the line of the first entry
};

struct SumsOptions {
  // Parsing stops (and `truncated` is set) once this many entries were kept:
  // a hostile file cannot make the entry list unbounded.
  std::uint64_t max_entries = UINT64_MAX;
  // Errors beyond this many are counted in `errors_omitted`, not stored.
  std::uint64_t max_errors = 1000;
};

struct SumsParse {
  std::vector<SumsEntry> entries;  // in file order
  std::vector<SumsError> errors;   // in file order
  std::uint64_t errors_omitted = 0;
  bool truncated = false;          // stopped at max_entries
  std::uint64_t lines = 0;         // lines seen (a final line without LF counts)
};

SumsParse parse_sums(std::string_view text, const SumsOptions& options = {});

// GNU text for `entries`, sorted by path in byte order: "<hex>  <path>\n" per
// entry ("<hex> *<path>\n" when binary). Requires safe paths and 64-hex digests
// (as parse_sums produces); paths are written as they are.
std::string format_sums(std::vector<SumsEntry> entries);

}  // namespace mplp
