#include "cli/stderr_guard.h"

#include <cstdlib>
#include <iostream>

#include "core/text.h"

namespace mplp::cli {

namespace {

// A line longer than this is written in parts (a message quoting a huge
// value, a producer's output). Each part is judged as a line's start: where
// two streams meet in one log (2>&1, a terminal), a part of one can follow
// a line end of the other (QA-56).
constexpr std::size_t kMaxHeldLine = 64 * 1024;

bool write_all(std::streambuf* to, const std::string& s) {
  return to->sputn(s.data(), static_cast<std::streamsize>(s.size())) == static_cast<std::streamsize>(s.size());
}

// Where a line too long to hold is cut. Each part is escaped alone, so the
// cut never falls inside a "##[" (neither part would hold it, and the two
// would join into it), between two ':' (blanks and ':', then ":error::",
// joined into a command: QA-56; moved one back, the second part starts
// with "::", which its own judging escapes) nor inside a UTF-8 sequence
// (each half would pass as ill-formed bytes and join into the character: a
// bidi override, U+2028). The two bytes after the cut are known, so the
// tests see whole text.
std::size_t safe_cut(const std::string& line) {
  auto splits_marker = [&line](std::size_t cut) {
    return line.compare(cut - 2, 3, "##[") == 0 || line.compare(cut - 1, 3, "##[") == 0;
  };
  auto splits_colons = [&line](std::size_t cut) { return line[cut - 1] == ':' && line[cut] == ':'; };
  auto continues_a_character = [&line](std::size_t cut) { return (static_cast<unsigned char>(line[cut]) & 0xC0) == 0x80; };
  std::size_t cut = line.size() - 2;
  for (int step = 0; step < 8 && (splits_marker(cut) || continues_a_character(cut)); ++step) --cut;
  if (splits_colons(cut)) --cut;
  return cut;
}

}  // namespace

bool EscapingStreambuf::emit(bool line_end, std::size_t count) {
  const std::string_view part = std::string_view(line_).substr(0, count);
  // Every part as a line's start (see kMaxHeldLine): a "::" after blanks at
  // the start of a later part of a long line is escaped too, which only
  // changes how that text looks.
  std::string out = guarded_log_line(part);
  line_.erase(0, part.size());
  if (line_end) out += '\n';
  return write_all(to_, out);
}

bool EscapingStreambuf::flush_pending() {
  if (line_.empty()) return true;
  return emit(false) && to_->pubsync() == 0;
}

EscapingStreambuf::int_type EscapingStreambuf::overflow(int_type c) {
  if (traits_type::eq_int_type(c, traits_type::eof())) return traits_type::not_eof(c);
  const char ch = traits_type::to_char_type(c);
  if (ch == '\n') return emit(true) ? c : traits_type::eof();
  line_ += ch;
  if (line_.size() >= kMaxHeldLine && !emit(false, safe_cut(line_))) return traits_type::eof();
  return c;
}

std::streamsize EscapingStreambuf::xsputn(const char* s, std::streamsize n) {
  std::streamsize done = 0;
  while (done < n && !traits_type::eq_int_type(overflow(traits_type::to_int_type(s[done])), traits_type::eof())) ++done;
  return done;
}

int EscapingStreambuf::sync() {
  // std::cerr flushes after every insertion: a line is written when it ends
  // (or at exit), so that its start is judged whole.
  return to_->pubsync() == 0 ? 0 : -1;
}

namespace {

std::streambuf* original_stderr = nullptr;
EscapingStreambuf* stderr_filter = nullptr;

}  // namespace

void guard_stderr() {
  if (original_stderr != nullptr) return;
  original_stderr = std::cerr.rdbuf();
  // Never destroyed: std::cerr is flushed after static objects are gone.
  stderr_filter = new EscapingStreambuf(original_stderr);
  std::cerr.rdbuf(stderr_filter);
  std::atexit([] { stderr_filter->flush_pending(); });
}

std::ostream& stderr_terminal() {
  static std::ostream raw(original_stderr != nullptr ? original_stderr : std::cerr.rdbuf());
  return raw;
}

GuardedStream::GuardedStream(std::ostream& stream)
    : stream_(stream), original_(stream.rdbuf()), filter_(original_) {
  stream_.rdbuf(&filter_);
}

GuardedStream::~GuardedStream() {
  filter_.flush_pending();
  stream_.rdbuf(original_);
}

}  // namespace mplp::cli
