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

// Returns false (with `error` set and `out` cleared) when the document does
// not parse: then nothing is reported, the caller relies on a byte scan.
bool collect_json_strings(std::string_view bytes, unsigned max_depth,
                          const std::function<bool(std::string_view, bool)>& want, std::vector<JsonStringHit>& out,
                          JsonError& error);

// Converts offsets into the decoded text of a string to offsets into its raw
// text `raw_quoted` (from the opening quote): each maps to the first raw byte
// of the character or escape that produced it. `offsets` must be ascending;
// one pass over the string whatever their number. Requires a valid string.
void map_to_raw_offsets(std::string_view raw_quoted, std::vector<std::size_t>& offsets);

}  // namespace mplp
