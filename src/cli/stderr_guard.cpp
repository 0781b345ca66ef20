#include "cli/stderr_guard.h"

#include <cstdlib>
#include <iostream>

#include "core/text.h"

namespace mplp::cli {

namespace {

// A line longer than this is written in parts (a message quoting a huge
// value); only its first part can start a line.
constexpr std::size_t kMaxHeldLine = 64 * 1024;

bool write_all(std::streambuf* to, const std::string& s) {
  return to->sputn(s.data(), static_cast<std::streamsize>(s.size())) == static_cast<std::streamsize>(s.size());
}

}  // namespace

bool EscapingStreambuf::emit(bool line_end) {
  // The middle of a line cannot start one: a leading "::" there is text.
  std::string out = mid_line_ ? guarded_log_line("x" + line_).substr(1) : guarded_log_line(line_);
  line_.clear();
  mid_line_ = !line_end;
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
  if (line_.size() >= kMaxHeldLine && !emit(false)) return traits_type::eof();
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
