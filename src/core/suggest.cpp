#include "core/suggest.h"

#include <algorithm>

#include "core/text.h"

namespace mplp {

// Levenshtein distance with adjacent transpositions counted as one edit
// (optimal string alignment): "juint" is one typo away from "junit".
std::size_t edit_distance(std::string_view a, std::string_view b) {
  std::vector<std::size_t> before(b.size() + 1), prev(b.size() + 1), row(b.size() + 1);
  for (std::size_t j = 0; j <= b.size(); ++j) prev[j] = j;
  for (std::size_t i = 1; i <= a.size(); ++i) {
    row[0] = i;
    for (std::size_t j = 1; j <= b.size(); ++j) {
      row[j] = std::min({prev[j] + 1, row[j - 1] + 1, prev[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1)});
      if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1]) row[j] = std::min(row[j], before[j - 2] + 1);
    }
    std::swap(before, prev);
    std::swap(prev, row);
  }
  return prev[b.size()];
}

std::string did_you_mean(std::string_view typed, const std::vector<std::string_view>& candidates) {
  // Typed words come from command lines: bound the work on absurd input.
  if (typed.empty() || typed.size() > 256) return {};
  const std::string t = ascii_lower(typed);
  for (std::string_view c : candidates) {
    const std::string lc = ascii_lower(c);
    if (lc.size() > t.size() && lc.compare(lc.size() - t.size(), t.size(), t) == 0 &&
        lc[lc.size() - t.size() - 1] == '-' && t.find('-') != std::string::npos)
      return std::string(c);
  }
  std::string best;
  std::size_t best_d = SIZE_MAX;
  for (std::string_view c : candidates) {
    const std::string lc = ascii_lower(c);
    // "-j" is one edit from every one-letter option: a guess would be noise.
    if (std::min(t.size(), lc.size()) <= 2) continue;
    std::size_t d = edit_distance(t, lc);
    std::size_t limit = std::max<std::size_t>(1, std::min(t.size(), lc.size()) / 3);
    if (d <= limit && d < best_d) best_d = d, best = std::string(c);
  }
  return best;
}

std::string did_you_mean_note(std::string_view typed, const std::vector<std::string_view>& candidates) {
  std::string s = did_you_mean(typed, candidates);
  return s.empty() ? std::string() : " (did you mean " + s + "?)";
}

}  // namespace mplp
