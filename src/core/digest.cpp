#include "core/digest.h"

#include <openssl/evp.h>
#include <unistd.h>

#include <cerrno>
#include <memory>
#include <new>
#include <vector>

#include "core/fd_io.h"
#include "core/text.h"

namespace mplp {

std::string to_hex(const Digest& d) { return hex_encode({reinterpret_cast<const char*>(d.data()), d.size()}); }

std::optional<Digest> digest_from_hex(std::string_view hex) {
  if (!is_lower_hex(hex, 64)) return std::nullopt;
  Digest d{};
  for (std::size_t i = 0; i < d.size(); ++i)
    d[i] = static_cast<unsigned char>(hex_digit_value(hex[2 * i]) << 4 | hex_digit_value(hex[2 * i + 1]));
  return d;
}

namespace {

// SHA-256 fetched from its provider once: EVP_sha256() makes every
// EVP_DigestInit_ex look the algorithm up again (a lock and a table search,
// about 3 % of a check of many small files).
const EVP_MD* sha256_md() {
  static EVP_MD* const md = EVP_MD_fetch(nullptr, "SHA256", nullptr);
  return md != nullptr ? md : EVP_sha256();
}

}  // namespace

Sha256::Sha256() : ctx_(EVP_MD_CTX_new()) {
  if (ctx_ == nullptr || EVP_DigestInit_ex(static_cast<EVP_MD_CTX*>(ctx_), sha256_md(), nullptr) != 1)
    throw std::bad_alloc();
}

Sha256::~Sha256() { EVP_MD_CTX_free(static_cast<EVP_MD_CTX*>(ctx_)); }

void Sha256::update(std::string_view bytes) {
  EVP_DigestUpdate(static_cast<EVP_MD_CTX*>(ctx_), bytes.data(), bytes.size());
}

Digest Sha256::finish() {
  Digest d{};
  unsigned int len = 0;
  EVP_DigestFinal_ex(static_cast<EVP_MD_CTX*>(ctx_), d.data(), &len);
  return d;
}

Digest sha256(std::string_view bytes) {
  Sha256 h;
  h.update(bytes);
  return h.finish();
}

std::string sha256_hex(std::string_view bytes) { return to_hex(sha256(bytes)); }

std::optional<Digest> sha256_fd(int fd, std::string* keep) {
  Sha256 h;
  // One buffer per thread, reused and never cleared: a fresh zero-filled
  // megabyte per file (memset and page faults) cost more than the hashing
  // of a pack of small files.
  constexpr std::size_t kBuf = 1 << 20;
  thread_local const std::unique_ptr<char[]> buf(new char[kBuf]);
  for (;;) {
    const ssize_t n = read_some(fd, buf.get(), kBuf);
    if (n < 0) return std::nullopt;
    if (n == 0) break;
    std::string_view chunk(buf.get(), static_cast<std::size_t>(n));
    h.update(chunk);
    if (keep != nullptr) keep->append(chunk);
  }
  return h.finish();
}

bool is_lower_hex(std::string_view s, std::size_t n) {
  if (s.size() != n) return false;
  for (char c : s)
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
  return true;
}

}  // namespace mplp
