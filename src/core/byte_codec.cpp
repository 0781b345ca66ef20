#include "core/byte_codec.h"

#include <stdexcept>

namespace mplp {

void ByteWriter::number(std::uint64_t v) {
  while (v >= 0x80) {
    out_.push_back(static_cast<char>((v & 0x7f) | 0x80));
    v >>= 7;
  }
  out_.push_back(static_cast<char>(v));
}

void ByteWriter::text(std::string_view s) {
  number(s.size());
  out_.append(s);
}

std::uint64_t ByteReader::number() {
  std::uint64_t v = 0;
  for (int shift = 0;; shift += 7) {
    if (pos_ >= in_.size() || shift > 63) throw std::logic_error("set-aside bytes: a damaged number");
    const auto byte = static_cast<unsigned char>(in_[pos_++]);
    v |= static_cast<std::uint64_t>(byte & 0x7f) << shift;
    if ((byte & 0x80) == 0) return v;
  }
}

std::string_view ByteReader::raw(std::uint64_t n) {
  if (n > in_.size() - pos_) throw std::logic_error("set-aside bytes: a length past the end");
  std::string_view s = in_.substr(pos_, n);
  pos_ += n;
  return s;
}

}  // namespace mplp
