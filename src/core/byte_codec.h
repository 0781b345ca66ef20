// Values written into a byte string and read back in the same order: the
// records a run sets aside and reads again itself (engine/pack_store.h,
// the summaries of collection gates). Never a file format: nothing outside
// one run reads these bytes.
//
//   std::string bytes;
//   ByteWriter w(bytes);
//   w.number(7);
//   w.text("name");
//   ByteReader r(bytes);
//   std::uint64_t n = r.number();     // 7
//   std::string_view t = r.text();    // "name"
//
// A reader that meets damaged bytes (a number running past the end, a length
// longer than what is left) throws std::logic_error: such bytes can only be
// a bug, since the run wrote them itself.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace mplp {

class ByteWriter {
 public:
  explicit ByteWriter(std::string& out) : out_(out) {}
  // Seven bits a byte, low first: small numbers take one byte.
  void number(std::uint64_t v);
  void flag(bool b) { number(b ? 1 : 0); }
  // Its length, then its bytes.
  void text(std::string_view s);
  // Bytes whose length the reader knows.
  void raw(std::string_view s) { out_.append(s); }

 private:
  std::string& out_;
};

class ByteReader {
 public:
  explicit ByteReader(std::string_view in) : in_(in) {}
  std::uint64_t number();
  bool flag() { return number() != 0; }
  std::string_view text() { return raw(number()); }
  std::string_view raw(std::uint64_t n);
  bool done() const { return pos_ == in_.size(); }

 private:
  std::string_view in_;
  std::size_t pos_ = 0;
};

}  // namespace mplp
