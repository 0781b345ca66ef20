#include "cli/stderr_guard.h"

#include <iostream>

namespace mplp::cli {

namespace {

bool write_text(std::streambuf* to, const char* s) {
  for (; *s != '\0'; ++s)
    if (to->sputc(*s) == std::streambuf::traits_type::eof()) return false;
  return true;
}

bool write_escape(std::streambuf* to, const char* prefix, unsigned char c) {
  static constexpr char kHex[] = "0123456789abcdef";
  const char digits[] = {kHex[c >> 4], kHex[c & 0xf], '\0'};
  return write_text(to, prefix) && write_text(to, digits);
}

}  // namespace

bool EscapingStreambuf::flush_lead() {
  if (!lead_) return true;
  lead_ = false;
  return to_->sputc(static_cast<char>(0xc2)) != traits_type::eof();
}

bool EscapingStreambuf::put(unsigned char c) {
  if (lead_) {
    lead_ = false;
    if (c >= 0x80 && c <= 0x9f) return write_escape(to_, "\\u00", c);
    if (to_->sputc(static_cast<char>(0xc2)) == traits_type::eof()) return false;
  }
  if (c == 0xc2) {
    lead_ = true;
    return true;
  }
  if ((c < 0x20 && c != '\n' && c != '\t') || c == 0x7f) return write_escape(to_, "\\x", c);
  return to_->sputc(static_cast<char>(c)) != traits_type::eof();
}

EscapingStreambuf::int_type EscapingStreambuf::overflow(int_type c) {
  if (traits_type::eq_int_type(c, traits_type::eof())) return traits_type::not_eof(c);
  return put(static_cast<unsigned char>(traits_type::to_char_type(c))) ? c : traits_type::eof();
}

std::streamsize EscapingStreambuf::xsputn(const char* s, std::streamsize n) {
  std::streamsize done = 0;
  while (done < n && put(static_cast<unsigned char>(s[done]))) ++done;
  return done;
}

int EscapingStreambuf::sync() {
  // A 0xC2 at the end of a flushed message is not followed by a C1 byte.
  return flush_lead() && to_->pubsync() == 0 ? 0 : -1;
}

namespace {

std::streambuf* original_stderr = nullptr;

}  // namespace

void guard_stderr() {
  if (original_stderr != nullptr) return;
  original_stderr = std::cerr.rdbuf();
  // Never destroyed: std::cerr is flushed after static objects are gone.
  static auto* filter = new EscapingStreambuf(original_stderr);
  std::cerr.rdbuf(filter);
}

std::ostream& stderr_terminal() {
  static std::ostream raw(original_stderr != nullptr ? original_stderr : std::cerr.rdbuf());
  return raw;
}

}  // namespace mplp::cli
