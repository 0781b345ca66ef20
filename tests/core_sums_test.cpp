// core/sums: the GNU sha256sums parser and writer.
#include "core/sums.h"

#include <gtest/gtest.h>

#include <random>
#include <set>

#include "core/digest.h"
#include "core/safe_fs.h"

namespace mplp {
namespace {

const std::string H(64, 'a');
const std::string H2 = sha256_hex("x");

std::vector<SumsErrorKind> kinds(const SumsParse& p) {
  std::vector<SumsErrorKind> out;
  for (const SumsError& e : p.errors) out.push_back(e.kind);
  return out;
}

TEST(SumsParse, AcceptsGnuLines) {
  SumsParse p = parse_sums(H + "  artifacts/plan.json\n" + H2 + " *bin/x\n");
  ASSERT_TRUE(p.errors.empty());
  ASSERT_EQ(p.entries.size(), 2u);
  EXPECT_EQ(p.entries[0].line, 1u);
  EXPECT_EQ(p.entries[0].hex, H);
  EXPECT_EQ(p.entries[0].path, "artifacts/plan.json");
  EXPECT_FALSE(p.entries[0].binary);
  EXPECT_EQ(p.entries[1].line, 2u);
  EXPECT_EQ(p.entries[1].hex, H2);
  EXPECT_EQ(p.entries[1].path, "bin/x");
  EXPECT_TRUE(p.entries[1].binary);
  EXPECT_EQ(p.lines, 2u);
}

TEST(SumsParse, EmptyTextHasNoEntries) {
  SumsParse p = parse_sums("");
  EXPECT_TRUE(p.entries.empty());
  EXPECT_TRUE(p.errors.empty());
}

TEST(SumsParse, BlankLinesAndCommentsAreIgnoredButCounted) {
  SumsParse p = parse_sums("\n# a comment  with " + H + "\n   \t\n\r\n" + H + "  a\n#\n");
  ASSERT_TRUE(p.errors.empty());
  ASSERT_EQ(p.entries.size(), 1u);
  EXPECT_EQ(p.entries[0].line, 5u);
}

TEST(SumsParse, IndentedCommentIsAnError) {
  SumsParse p = parse_sums(" # not a comment\n");
  ASSERT_EQ(p.errors.size(), 1u);
  EXPECT_EQ(p.errors[0].kind, SumsErrorKind::Syntax);
  EXPECT_EQ(p.errors[0].line, 1u);
}

TEST(SumsParse, OneLeadingDotSlashIsStripped) {
  SumsParse p = parse_sums(H + "  ./a/b\n");
  ASSERT_TRUE(p.errors.empty());
  EXPECT_EQ(p.entries.at(0).path, "a/b");
  // Only one: "././a" keeps a "." component and is unsafe.
  SumsParse q = parse_sums(H + "  ././a\n");
  EXPECT_TRUE(q.entries.empty());
  EXPECT_EQ(kinds(q), std::vector{SumsErrorKind::UnsafePath});
}

TEST(SumsParse, DotSlashAndPlainPathAreDuplicates) {
  SumsParse p = parse_sums(H + "  a\n" + H2 + "  ./a\n");
  ASSERT_EQ(p.entries.size(), 1u);
  EXPECT_EQ(p.entries[0].hex, H);
  ASSERT_EQ(p.errors.size(), 1u);
  EXPECT_EQ(p.errors[0].kind, SumsErrorKind::Duplicate);
  EXPECT_EQ(p.errors[0].line, 2u);
  EXPECT_EQ(p.errors[0].first_line, 1u);
  EXPECT_NE(p.errors[0].message.find("line 1"), std::string::npos);
}

TEST(SumsParse, ExactDuplicateLineIsAnError) {
  SumsParse p = parse_sums(H + "  a\n" + H + "  b\n" + H + "  a\n");
  EXPECT_EQ(p.entries.size(), 2u);
  ASSERT_EQ(kinds(p), std::vector{SumsErrorKind::Duplicate});
  EXPECT_EQ(p.errors[0].line, 3u);
}

TEST(SumsParse, CrBeforeLfIsPartOfThePath) {
  SumsParse p = parse_sums(H + "  manifest.json\r\n");
  ASSERT_TRUE(p.errors.empty());
  EXPECT_EQ(p.entries.at(0).path, "manifest.json\r");
}

TEST(SumsParse, UppercaseHexIsRejectedWithColumn) {
  std::string h = H;
  h[10] = 'A';
  SumsParse p = parse_sums(h + "  a\n");
  EXPECT_TRUE(p.entries.empty());
  ASSERT_EQ(p.errors.size(), 1u);
  EXPECT_EQ(p.errors[0].kind, SumsErrorKind::Syntax);
  EXPECT_EQ(p.errors[0].column, 11u);
  EXPECT_NE(p.errors[0].message.find("lowercase"), std::string::npos);
}

TEST(SumsParse, WrongDigestLengthsAreRejected) {
  for (std::size_t n : {0u, 1u, 40u, 63u, 65u, 128u}) {
    SumsParse p = parse_sums(std::string(n, 'b') + "  a\n");
    EXPECT_TRUE(p.entries.empty()) << n;
    ASSERT_EQ(kinds(p), std::vector{SumsErrorKind::Syntax}) << n;
  }
}

TEST(SumsParse, NonHexInDigestNamesColumn) {
  std::string h = H;
  h[20] = 'g';
  SumsParse p = parse_sums(h + "  a\n");
  ASSERT_EQ(p.errors.size(), 1u);
  EXPECT_EQ(p.errors[0].column, 21u);
  EXPECT_NE(p.errors[0].message.find("'g'"), std::string::npos);
}

TEST(SumsParse, SeparatorMustBeTwoSpacesOrSpaceStar) {
  for (std::string sep : {" ", "\t", " \t", "*", "** ", "\t\t", "*  "}) {
    SumsParse p = parse_sums(H + sep + "a\n");
    EXPECT_TRUE(p.entries.empty()) << "sep=[" << sep << "]";
    EXPECT_EQ(kinds(p), std::vector{SumsErrorKind::Syntax}) << "sep=[" << sep << "]";
  }
  // Three spaces: the third belongs to the path, which then starts with a space
  // (allowed: GNU keeps it, and a file " a" may well exist).
  SumsParse p = parse_sums(H + "   a\n");
  ASSERT_TRUE(p.errors.empty());
  EXPECT_EQ(p.entries.at(0).path, " a");
}

TEST(SumsParse, DigestWithoutPathIsAnError) {
  for (std::string line : {H, H + " ", H + "  ", H + " *", H + "  ./"}) {
    SumsParse p = parse_sums(line + "\n");
    EXPECT_TRUE(p.entries.empty()) << line;
    EXPECT_EQ(p.errors.size(), 1u) << line;
  }
}

TEST(SumsParse, UnsafePathsAreRejected) {
  struct Case {
    std::string path;
    std::string why;
    std::uint64_t column;
  } cases[] = {
      {"/etc/passwd", "absolute", 67},
      {"../x", "'..'", 67},
      {"a/../../x", "'..'", 69},
      {"a/..", "'..'", 69},
      {"a\\b", "backslash", 68},
      {std::string("a\0b", 3), "NUL", 68},
      {"a//b", "empty", 69},
      {"a/", "empty", 69},
      {"a/./b", "'.'", 69},
      {".", "'.'", 67},
      {"./..", "'..'", 69},
  };
  for (const Case& c : cases) {
    SumsParse p = parse_sums(H + "  " + c.path + "\n");
    EXPECT_TRUE(p.entries.empty()) << c.path;
    ASSERT_EQ(kinds(p), std::vector{SumsErrorKind::UnsafePath}) << c.path;
    EXPECT_NE(p.errors[0].message.find(c.why), std::string::npos) << c.path << ": " << p.errors[0].message;
    EXPECT_EQ(p.errors[0].column, c.column) << c.path;
  }
}

TEST(SumsParse, DotDotInsideANameIsFine) {
  SumsParse p = parse_sums(H + "  a..b/..c/d..\n");
  ASSERT_TRUE(p.errors.empty());
  EXPECT_EQ(p.entries.at(0).path, "a..b/..c/d..");
}

TEST(SumsParse, MissingFinalNewlineIsAnErrorButKeepsEntry) {
  SumsParse p = parse_sums(H + "  a\n" + H + "  b");
  ASSERT_EQ(kinds(p), std::vector{SumsErrorKind::NoFinalNewline});
  EXPECT_EQ(p.errors[0].line, 2u);
  ASSERT_EQ(p.entries.size(), 2u);
  EXPECT_EQ(p.entries[1].path, "b");
  // A trailing comment without newline is not an entry and not an error.
  EXPECT_TRUE(parse_sums(H + "  a\n# end").errors.empty());
}

TEST(SumsParse, ErrorsContinuePastBadLines) {
  SumsParse p = parse_sums("garbage\n" + H + "  ok\n" + H + "  /abs\n" + H + "  ok2\n");
  ASSERT_EQ(p.entries.size(), 2u);
  EXPECT_EQ(p.entries[0].line, 2u);
  EXPECT_EQ(p.entries[1].line, 4u);
  ASSERT_EQ(p.errors.size(), 2u);
  EXPECT_EQ(p.errors[0].line, 1u);
  EXPECT_EQ(p.errors[1].line, 3u);
}

TEST(SumsParse, ErrorListIsCapped) {
  std::string text;
  for (int i = 0; i < 50; ++i) text += "bad\n";
  SumsParse p = parse_sums(text, SumsOptions{UINT64_MAX, 10});
  EXPECT_EQ(p.errors.size(), 10u);
  EXPECT_EQ(p.errors_omitted, 40u);
  EXPECT_EQ(p.lines, 50u);
}

TEST(SumsParse, EntryListIsCapped) {
  std::string text;
  for (int i = 0; i < 20; ++i) text += H + "  f" + std::to_string(i) + "\n";
  SumsParse p = parse_sums(text, SumsOptions{5, 1000});
  EXPECT_EQ(p.entries.size(), 5u);
  EXPECT_TRUE(p.truncated);
  SumsParse all = parse_sums(text, SumsOptions{20, 1000});
  EXPECT_EQ(all.entries.size(), 20u);
  EXPECT_FALSE(all.truncated);
}

TEST(SumsParse, MessagesHaveNoRawControlBytes) {
  std::string text = H + "  a\x01\n" + H + "  a\x01\n" + "\x1b[31m\n";
  SumsParse p = parse_sums(text);
  ASSERT_EQ(p.errors.size(), 2u);
  for (const SumsError& e : p.errors)
    for (char c : e.message) EXPECT_GE(static_cast<unsigned char>(c), 0x20u) << e.message;
}

TEST(SumsParse, RandomInputNeverYieldsAnUnsafeEntry) {
  // A cheap in-test fuzz: random lines built from the interesting bytes.
  std::mt19937 rng(12345);
  const std::string alphabet = std::string("ab./\\*  \t\r\n#\0", 13) + "..";
  for (int round = 0; round < 3000; ++round) {
    std::string text;
    int lines = 1 + static_cast<int>(rng() % 4);
    for (int l = 0; l < lines; ++l) {
      if (rng() % 4 != 0) text += H;
      if (rng() % 3 != 0) text += "  ";
      int n = static_cast<int>(rng() % 12);
      for (int i = 0; i < n; ++i) text += alphabet[rng() % alphabet.size()];
      if (rng() % 5 != 0) text += '\n';
    }
    SumsParse p = parse_sums(text);
    std::set<std::string> seen;
    for (const SumsEntry& e : p.entries) {
      EXPECT_TRUE(is_safe_relative_path(e.path)) << "[" << e.path << "] from [" << text << "]";
      EXPECT_TRUE(is_lower_hex(e.hex, 64));
      EXPECT_TRUE(seen.insert(e.path).second) << "duplicate " << e.path;
      EXPECT_GE(e.line, 1u);
      EXPECT_LE(e.line, p.lines);
    }
    for (const SumsError& e : p.errors) {
      EXPECT_GE(e.line, 1u);
      EXPECT_LE(e.line, p.lines);
      EXPECT_GE(e.column, 1u);
    }
  }
}

TEST(SumsFormat, SortsByByteOrderAndRoundTrips) {
  std::vector<SumsEntry> in = {
      {1, H2, "b", false}, {2, H, "a/z", false}, {3, H, "B", false}, {4, H2, "\xc3\xa9", true}, {5, H, "a", false}};
  std::string text = format_sums(in);
  EXPECT_EQ(text, H + "  B\n" + H + "  a\n" + H + "  a/z\n" + H2 + "  b\n" + H2 + " *\xc3\xa9\n");
  SumsParse p = parse_sums(text);
  ASSERT_TRUE(p.errors.empty());
  ASSERT_EQ(p.entries.size(), 5u);
  EXPECT_EQ(p.entries[4].path, "\xc3\xa9");
  EXPECT_TRUE(p.entries[4].binary);
  EXPECT_EQ(format_sums(p.entries), text);
}

TEST(SumsFormat, EmptyListIsEmptyText) { EXPECT_EQ(format_sums({}), ""); }

}  // namespace
}  // namespace mplp
