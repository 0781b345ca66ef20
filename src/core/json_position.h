// Where in a JSON text a JSON pointer lands, as line and column, so that
// findings located by pointer can be shown at file:line:col (SARIF regions,
// GitHub annotations) like any other.
//
// The text is scanned, not parsed into a DOM: only the path to the pointer is
// followed and everything else skipped, so it costs one pass over at most
// the bytes before the target and keeps no copy. Member lookup is by exact
// key (escapes decoded); the first of duplicate keys wins, as in member().
// When the pointer names something that does not exist (a missing member),
// the position is that of the deepest existing value on its path: the object
// the member is missing from. Malformed text gives what was reached.
//
//   std::uint64_t line = 0, col = 0;
//   json_pointer_position(text, "/env_ref/runner_id", line, col);
#pragma once

#include <cstdint>
#include <string_view>

namespace mplp {

// False when the text does not start with a JSON value (nothing to point at);
// line and column are 1-based, the column in bytes.
bool json_pointer_position(std::string_view text, std::string_view pointer, std::uint64_t& line,
                           std::uint64_t& column);

}  // namespace mplp
