// "Did you mean": the known word closest to one a person typed.
//
// Used for commands, options, formats, gate ids and finding codes. Distance
// is Levenshtein's over ASCII-lowercased text; a word is suggested only when
// it is a likely typo (at most a third of the shorter word's length apart,
// at least 1; never between words of one or two letters, such as "-j" and
// "-q"), so `--gate GATE-V2-FOO` suggests nothing rather than some
// unrelated gate. A candidate that ends with "-" + the typed word (a short
// gate id such as SSOT-01) is suggested whatever the distance.
//
//   std::string s = did_you_mean("--formt", {"--format", "--report"});  // "--format"
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace mplp {

std::size_t edit_distance(std::string_view a, std::string_view b);

// The closest candidate, or "" when none is close enough. Ties go to the
// first candidate (callers pass sorted lists: the answer is stable).
std::string did_you_mean(std::string_view typed, const std::vector<std::string_view>& candidates);

// " (did you mean X?)" or "".
std::string did_you_mean_note(std::string_view typed, const std::vector<std::string_view>& candidates);

}  // namespace mplp
