// SHA-256 digests through OpenSSL EVP (uses the CPU's SHA extensions).
//
//   std::string hex = sha256_hex("abc");           // 64 lowercase hex
//   Sha256 h; h.update(a); h.update(b); h.hex();   // streaming
//   auto r = sha256_file_fd(fd, limit);            // reads a whole open file
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace mplp {

using Digest = std::array<unsigned char, 32>;

std::string to_hex(const Digest& d);
// The digest 64 lowercase hex digits spell; none for anything else.
std::optional<Digest> digest_from_hex(std::string_view hex);

class Sha256 {
 public:
  Sha256();
  ~Sha256();
  Sha256(const Sha256&) = delete;
  Sha256& operator=(const Sha256&) = delete;
  void update(std::string_view bytes);
  Digest finish();  // may be called once

 private:
  void* ctx_;  // EVP_MD_CTX*
};

Digest sha256(std::string_view bytes);
std::string sha256_hex(std::string_view bytes);

// Reads `fd` to its end, hashing as it goes; if `keep` is non-null the bytes
// are appended to it too. Returns nullopt (errno set) on a read error.
std::optional<Digest> sha256_fd(int fd, std::string* keep = nullptr);

// True when `s` is exactly 64 (or `n`) lowercase hex characters.
bool is_lower_hex(std::string_view s, std::size_t n);

}  // namespace mplp
