// "Did you mean" (core/suggest.h): likely typos get a suggestion, unrelated
// words none.
#include <gtest/gtest.h>

#include "core/suggest.h"

namespace mplp {
namespace {

TEST(Suggest, EditDistanceCountsTranspositionsAsOneEdit) {
  EXPECT_EQ(edit_distance("", ""), 0u);
  EXPECT_EQ(edit_distance("abc", ""), 3u);
  EXPECT_EQ(edit_distance("kitten", "sitting"), 3u);
  EXPECT_EQ(edit_distance("juint", "junit"), 1u);
  EXPECT_EQ(edit_distance("ab", "ba"), 1u);
  EXPECT_EQ(edit_distance("abc", "ca"), 3u) << "optimal string alignment, not full Damerau";
}

TEST(Suggest, LikelyTyposOnly) {
  const std::vector<std::string_view> formats = {"github", "html", "json", "junit", "sarif", "text"};
  EXPECT_EQ(did_you_mean("jsno", formats), "json");
  EXPECT_EQ(did_you_mean("juint", formats), "junit");
  EXPECT_EQ(did_you_mean("SARIF", formats), "sarif");
  EXPECT_EQ(did_you_mean("yaml", formats), "");
  EXPECT_EQ(did_you_mean("", formats), "");
  // One-letter options are each one edit from the others: no guess.
  EXPECT_EQ(did_you_mean("-j", {"--format", "-q", "--quiet"}), "");
  EXPECT_EQ(did_you_mean("-v", {"-q", "--version"}), "");
  EXPECT_EQ(did_you_mean(std::string(10000, 'j'), formats), "") << "absurd input is not compared";
  const std::vector<std::string_view> gates = {"GATE-V2-DET-01", "GATE-V2-INTEGRITY-01", "GATE-V2-SSOT-01"};
  EXPECT_EQ(did_you_mean("GATE-V2-SSOT-1", gates), "GATE-V2-SSOT-01");
  EXPECT_EQ(did_you_mean("GATE-V2-FOO", gates), "") << "six edits from DET-01 is not a typo";
  EXPECT_EQ(did_you_mean("ssot-01", gates), "GATE-V2-SSOT-01") << "a short id names its gate";
  EXPECT_EQ(did_you_mean("01", gates), "") << "a bare suffix is not a short id";
  EXPECT_EQ(did_you_mean_note("GATE-V2-SSOT-1", gates), " (did you mean GATE-V2-SSOT-01?)");
  EXPECT_EQ(did_you_mean_note("zzz", gates), "");
  // Ties go to the first candidate.
  EXPECT_EQ(did_you_mean("cat", {"bat", "hat"}), "bat");
}

}  // namespace
}  // namespace mplp
