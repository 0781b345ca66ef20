// What mplp-gate writes to stderr quotes its arguments, paths and values from
// packs, registries and policies, all of them possibly a stranger's. A control
// byte among them (ESC, CR, BEL, a C1 control such as U+009B) would move a
// terminal's cursor, recolour it, or rewrite a line of a CI log; a line
// starting "::" (after blanks) or holding "##[" is a GitHub Actions workflow
// command. So stderr passes through a filter, installed once by main(),
// whatever message forgets to escape its parts: it holds each line until its
// '\n' and writes it through guarded_log_line (core/text.h). The commands
// whose stdout is plain text quoting packs (diff, verify-receipt) put the
// same filter in front of stdout while they write (GuardedStream). The one
// writer that means its control bytes, the progress line on a terminal,
// writes through stderr_terminal().
#pragma once

#include <ostream>
#include <streambuf>
#include <string>

namespace mplp::cli {

class EscapingStreambuf : public std::streambuf {
 public:
  explicit EscapingStreambuf(std::streambuf* to) : to_(to) {}
  // Writes a line not ended yet (at exit, or when the stream is restored).
  bool flush_pending();

 protected:
  int_type overflow(int_type c) override;
  std::streamsize xsputn(const char* s, std::streamsize n) override;
  int sync() override;

 private:
  // Writes the first `count` bytes of the current line (all of it by default).
  bool emit(bool line_end, std::size_t count = std::string::npos);

  std::streambuf* to_;
  std::string line_;  // the current line, not written yet
};

// Puts the filter in front of std::cerr (once; later calls do nothing).
void guard_stderr();

// The stream std::cerr wrote to before guard_stderr(): for output that is
// made of control bytes on purpose and quotes nothing.
std::ostream& stderr_terminal();

// The filter in front of `stream` (std::cout) while this lives.
class GuardedStream {
 public:
  explicit GuardedStream(std::ostream& stream);
  ~GuardedStream();
  GuardedStream(const GuardedStream&) = delete;
  GuardedStream& operator=(const GuardedStream&) = delete;

 private:
  std::ostream& stream_;
  std::streambuf* original_;
  EscapingStreambuf filter_;
};

}  // namespace mplp::cli
