// The strings of a JSON document with their raw byte spans, for scanners
// that look at decoded text (after unescaping) but report where it is.
//
// The document is parsed strictly, as core/json.h does (RFC 8259, UTF-8
// validated, no NUL, iterative so deep nesting cannot overflow the stack,
// nesting limited), with a RapidJSON SAX pass that keeps no DOM: only the
// strings `want` selects are copied, so a 64 MiB file costs little memory.
// `want(decoded, escaped)` is asked about every string and key, with
// `escaped` true when its raw text holds an escape sequence.
//
//   std::vector<JsonStringHit> hits;
//   JsonError err;
//   auto want = [](std::string_view s, bool) { return s.find("://") != s.npos; };
//   if (collect_json_strings(bytes, 256, want, hits, err))
//     for (const JsonStringHit& h : hits) { /* h.pointer, h.text, h.raw_begin */ }
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "core/json.h"

namespace mplp {

struct JsonStringHit {
  std::size_t raw_begin = 0;  // offset of the opening quote in the document
  std::size_t raw_end = 0;    // offset just after the closing quote
  bool is_key = false;
  std::string pointer;        // RFC 6901 pointer of the value (of the member, for a key)
  std::string text;           // the decoded string
};

// `want(decoded, escaped)`: whether a string or key is a hit.
using JsonStringWant = std::function<bool(std::string_view, bool)>;

// Returns false (with `error` set and `out` cleared) when the document does
// not parse: then nothing is reported, the caller relies on a byte scan.
bool collect_json_strings(std::string_view bytes, unsigned max_depth, const JsonStringWant& want,
                          std::vector<JsonStringHit>& out, JsonError& error);

// The same parse of a text in a file too large to hold, read from `fd`
// through a fixed buffer (see JsonFileText). Hits are handed to `on_hit` as
// they are read, before the verdict: a caller that reports only for a
// document that parses reads it twice (the first time with a null
// `on_hit`). A hit's offsets are the file's; `raw` is its text from the
// opening quote to just after the closing one, and `line` and `column`
// (1-based) place the opening quote, counted from the text's start as line
// 1, column 1.
struct JsonFileText {
  std::uint64_t begin = 0;  // where the text starts
  bool one_line = false;    // it ends at the first '\n' (one document of an NDJSON file), else at the file's end
  bool known_utf8 = false;  // the file is known to be valid UTF-8: the parse need not check it again
  std::size_t chunk_bytes = std::size_t{1} << 20;
};
struct JsonFileHit {
  const JsonStringHit& hit;
  std::string_view raw;
  std::uint64_t line, column;
};
struct JsonFileParse {
  bool parsed = false;       // as collect_json_strings would return
  bool nul = false;          // a NUL byte: collect_json_strings refuses the text before parsing it
  std::string read_error;    // the file could not be read: no verdict
};
JsonFileParse scan_json_file_strings(int fd, const JsonFileText& text, unsigned max_depth, const JsonStringWant& want,
                                     const std::function<void(const JsonFileHit&)>& on_hit);

// Converts offsets into the decoded text of a string to offsets into its raw
// text `raw_quoted` (from the opening quote): each maps to the first raw byte
// of the character or escape that produced it. `offsets` must be ascending;
// one pass over the string whatever their number. Requires a valid string.
void map_to_raw_offsets(std::string_view raw_quoted, std::vector<std::size_t>& offsets);

}  // namespace mplp
