#include "core/base64.h"

#include <array>
#include <cstdint>

namespace mplp {

namespace {

constexpr std::string_view kStd = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

// Value of a base64 character in the standard (+/) or URL-safe (-_)
// alphabet; -1 for anything else. `alphabet` becomes '+' or '-' at the first
// character that belongs to only one of them.
int value_of(char c, char& alphabet) {
  if (c >= 'A' && c <= 'Z') return c - 'A';
  if (c >= 'a' && c <= 'z') return c - 'a' + 26;
  if (c >= '0' && c <= '9') return c - '0' + 52;
  char family = (c == '+' || c == '/') ? '+' : (c == '-' || c == '_') ? '-' : 0;
  if (family == 0 || (alphabet != 0 && alphabet != family)) return -1;
  alphabet = family;
  return (c == '+' || c == '-') ? 62 : 63;
}

}  // namespace

std::string base64_encode(std::string_view bytes) {
  std::string out;
  out.reserve((bytes.size() + 2) / 3 * 4);
  std::size_t i = 0;
  for (; i + 3 <= bytes.size(); i += 3) {
    std::uint32_t v = (static_cast<unsigned char>(bytes[i]) << 16) | (static_cast<unsigned char>(bytes[i + 1]) << 8) |
                      static_cast<unsigned char>(bytes[i + 2]);
    for (int s = 18; s >= 0; s -= 6) out += kStd[(v >> s) & 63];
  }
  std::size_t rest = bytes.size() - i;
  if (rest > 0) {
    std::uint32_t v = static_cast<unsigned char>(bytes[i]) << 16;
    if (rest == 2) v |= static_cast<unsigned char>(bytes[i + 1]) << 8;
    out += kStd[(v >> 18) & 63];
    out += kStd[(v >> 12) & 63];
    out += rest == 2 ? kStd[(v >> 6) & 63] : '=';
    out += '=';
  }
  return out;
}

bool base64_decode(std::string_view text, std::string& out) {
  out.clear();
  std::size_t pad = 0;
  while (pad < 2 && pad < text.size() && text[text.size() - 1 - pad] == '=') ++pad;
  std::string_view body = text.substr(0, text.size() - pad);
  // With padding the length is a multiple of 4; without, a remainder of 1 is impossible.
  if (pad > 0 && text.size() % 4 != 0) return false;
  if (body.size() % 4 == 1) return false;
  out.reserve(body.size() / 4 * 3 + 2);
  char alphabet = 0;
  std::uint32_t acc = 0;
  int bits = 0;
  for (char c : body) {
    int v = value_of(c, alphabet);
    if (v < 0) return false;
    acc = (acc << 6) | static_cast<std::uint32_t>(v);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out += static_cast<char>((acc >> bits) & 0xff);
    }
  }
  // Leftover bits must be zero (canonical encoding).
  return (acc & ((1u << bits) - 1)) == 0;
}

}  // namespace mplp
