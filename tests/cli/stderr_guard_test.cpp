// The filter in front of stderr (and of diff's and verify-receipt's stdout):
// a line too long to hold is written in parts, and no part boundary may
// split what the filter escapes (QA-49: a "##[" cut after "##" reached a CI
// log whole).
#include "cli/stderr_guard.h"

#include <gtest/gtest.h>

#include <sstream>
#include <string>

namespace mplp::cli {
namespace {

// What the filter writes for `text`, written in one call.
std::string filtered(const std::string& text) {
  std::stringbuf sink;
  {
    EscapingStreambuf filter(&sink);
    std::ostream out(&filter);
    out << text;
    out.flush();
    filter.flush_pending();
  }
  return sink.str();
}

constexpr std::size_t kHeld = 64 * 1024;  // the filter's longest held line

TEST(EscapingStreambuf, AWorkflowMarkerIsEscapedWhereverALongLineIsCut) {
  for (std::size_t at = kHeld - 12; at <= kHeld + 4; ++at) {
    SCOPED_TRACE(at);
    const std::string out = filtered(std::string(at, 'a') + "##[error]forged\n");
    EXPECT_EQ(out.find("##["), std::string::npos);
    EXPECT_NE(out.find("##\\x5berror]forged\n"), std::string::npos);
    EXPECT_EQ(out.size(), at + std::string("##\\x5berror]forged\n").size()) << "nothing lost, nothing added";
  }
  // A run of '#' before the cut: still one marker, escaped once.
  const std::string hashes = filtered(std::string(kHeld - 20, 'a') + std::string(30, '#') + "[x\n");
  EXPECT_EQ(hashes.find("##["), std::string::npos);
}

TEST(EscapingStreambuf, AHiddenCharacterIsEscapedWhereverALongLineIsCut) {
  for (const std::string ch : {"\xe2\x80\xae", "\xe2\x80\xa8", "\xc2\x9b", "\xf0\x9f\x98\x80"}) {
    for (std::size_t at = kHeld - 8; at <= kHeld + 2; ++at) {
      SCOPED_TRACE(at);
      const std::string out = filtered(std::string(at, 'a') + ch + "b\n");
      if (ch == "\xf0\x9f\x98\x80") {  // printable: kept whole, never split into two ill-formed halves
        EXPECT_NE(out.find(ch + "b\n"), std::string::npos);
        continue;
      }
      EXPECT_EQ(out.find(ch), std::string::npos) << "raw hidden control in the output";
      EXPECT_NE(out.find("\\u"), std::string::npos);
    }
  }
}

TEST(EscapingStreambuf, NoPartOfALongLineCanStartACommand) {
  EXPECT_EQ(filtered("::error::x\n"), "\\x3a:error::x\n");
  // Text in the middle of a line is left as it is.
  const std::string mid = filtered(std::string(kHeld, 'a') + "::error::x\n");
  EXPECT_NE(mid.find("a::error::x\n"), std::string::npos) << "mid-line text is left as it is";
  // Blanks before it, wherever the cut falls (QA-56: 65533 blanks, then
  // "::error::", was cut between the colons and reached the log raw): the
  // runner trims a line before it looks for "::" (spaces, tabs, U+3000 as
  // .NET's Trim sees them).
  for (const std::string blank : {" ", "\t", "\xe3\x80\x80"}) {
    for (std::size_t extra = 0; extra < 12; ++extra) {
      std::string lead;
      while (lead.size() < kHeld - 8 + extra) lead += blank;
      const std::string out = filtered(lead + "::error::x\n");
      EXPECT_EQ(out.find("::error"), std::string::npos) << blank.size() << " " << extra;
      EXPECT_NE(out.find("\\x3a:error::x\n"), std::string::npos) << out.substr(out.size() - 20);
      EXPECT_EQ(out.find('\n'), out.size() - 1);
    }
  }
}

// Two streams in one log (2>&1, a terminal): a long line's later part on one
// can follow a line end of the other, so each part is judged as a line's
// start (QA-56: "  ::error::" after a long stderr part went out raw).
TEST(EscapingStreambuf, PartsOfTwoStreamsInOneLogStartNoCommand) {
  std::stringbuf log;
  EscapingStreambuf err(&log), out(&log);
  std::ostream e(&err), o(&out);
  e << std::string(kHeld - 2, 'a') << "  " << std::flush;  // a part written, the blanks held
  o << "done\n" << std::flush;
  e << "::error::x\n" << std::flush;
  err.flush_pending();
  out.flush_pending();
  std::istringstream lines(log.str());
  for (std::string line; std::getline(lines, line);) {
    const std::size_t start = line.find_first_not_of(" \t");
    EXPECT_NE(line.compare(start == std::string::npos ? line.size() : start, 2, "::"), 0) << line.substr(0, 40);
  }
}

// An ill-formed byte 0x80..0x9F is a C1 control to a terminal not reading
// UTF-8 (0x9B: CSI): escaped; other ill-formed bytes are kept as they are.
TEST(EscapingStreambuf, IllFormedC1BytesAreEscaped) {
  EXPECT_EQ(filtered("a\x9b" "31mb\x80\xff\xc0\n"), "a\\x9b31mb\\x80\xff\xc0\n");
  EXPECT_EQ(filtered("\xc2\x9b\n"), "\\u009b\n");  // well formed: U+009B
}

}  // namespace
}  // namespace mplp::cli
