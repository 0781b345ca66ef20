// What mplp-gate writes to stderr quotes its arguments, paths and values from
// packs, registries and policies, all of them possibly a stranger's. A control
// byte among them (ESC, CR, BEL, a C1 control such as U+009B) would move a
// terminal's cursor, recolour it, or rewrite a line of a CI log. So stderr
// passes through a filter, installed once by main(), whatever message forgets
// to escape its parts: such bytes come out as \xHH (\u00HH for C1), while \n
// and \t pass. The one writer that means its control bytes, the progress line
// on a terminal, writes through stderr_terminal().
#pragma once

#include <ostream>
#include <streambuf>

namespace mplp::cli {

class EscapingStreambuf : public std::streambuf {
 public:
  explicit EscapingStreambuf(std::streambuf* to) : to_(to) {}

 protected:
  int_type overflow(int_type c) override;
  std::streamsize xsputn(const char* s, std::streamsize n) override;
  int sync() override;

 private:
  bool put(unsigned char c);
  bool flush_lead();

  std::streambuf* to_;
  bool lead_ = false;  // a 0xC2 held back: with 0x80..0x9F after it, a C1 control
};

// Puts the filter in front of std::cerr (once; later calls do nothing).
void guard_stderr();

// The stream std::cerr wrote to before guard_stderr(): for output that is
// made of control bytes on purpose and quotes nothing.
std::ostream& stderr_terminal();

}  // namespace mplp::cli
