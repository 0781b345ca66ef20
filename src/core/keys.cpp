#include "core/keys.h"

#include <openssl/bio.h>
#include <openssl/core_names.h>
#include <openssl/ec.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include "core/digest.h"
#include "core/safe_fs.h"

namespace mplp {

namespace {

constexpr std::uint64_t kMaxKeyFile = 64 * 1024;  // a PEM key is a few hundred bytes

using Bio = std::unique_ptr<BIO, decltype(&BIO_free)>;
using MdCtx = std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)>;

std::shared_ptr<void> own(EVP_PKEY* k) {
  return std::shared_ptr<void>(k, [](void* p) { EVP_PKEY_free(static_cast<EVP_PKEY*>(p)); });
}

// The label of the first PEM block ("PRIVATE KEY", "PUBLIC KEY", ...), or "".
std::string pem_label(std::string_view pem) {
  constexpr std::string_view kBegin = "-----BEGIN ";
  std::size_t b = pem.find(kBegin);
  if (b == std::string_view::npos) return "";
  std::size_t start = b + kBegin.size();
  std::size_t end = pem.find("-----", start);
  if (end == std::string_view::npos || end - start > 64) return "";
  return std::string(pem.substr(start, end - start));
}

// How many PEM blocks (-----BEGIN lines) `pem` holds.
std::size_t pem_blocks(std::string_view pem) {
  std::size_t n = 0;
  for (std::size_t at = pem.find("-----BEGIN "); at != std::string_view::npos; at = pem.find("-----BEGIN ", at + 1)) ++n;
  return n;
}

// Why a PEM block is not the kind we want, in words (empty when it is).
std::string wrong_kind(const std::string& label, bool want_private) {
  if (label.empty()) return "not a PEM key file (no -----BEGIN line)";
  if (label == "ENCRYPTED PRIVATE KEY")
    return "is encrypted (passphrase-protected); mplp-gate needs an unencrypted PKCS#8 key "
           "(`openssl pkcs8 -topk8 -nocrypt -in KEY -out PLAIN`)";
  if (want_private && label == "PRIVATE KEY") return "";
  if (!want_private && label == "PUBLIC KEY") return "";
  if (want_private && label == "PUBLIC KEY") return "holds a public key; a private key (PKCS#8 PEM) is needed to sign";
  if (!want_private && (label == "PRIVATE KEY" || label.find("PRIVATE KEY") != std::string::npos))
    return "holds a private key; trust the public key (SubjectPublicKeyInfo PEM, e.g. mplp-gate.pub) instead";
  if (label == "EC PRIVATE KEY" || label == "RSA PRIVATE KEY")
    return "is a traditional \"" + label + "\" file, not PKCS#8; convert it with "
           "`openssl pkcs8 -topk8 -nocrypt -in KEY -out KEY.pk8`";
  return "holds a PEM \"" + label + "\" block, not a " +
         std::string(want_private ? "PKCS#8 private key" : "SubjectPublicKeyInfo public key");
}

// Ed25519 or ECDSA over P-256; anything else is named.
bool key_type_of(EVP_PKEY* k, KeyType& type, std::string& why) {
  int id = EVP_PKEY_get_base_id(k);
  if (id == EVP_PKEY_ED25519) {
    type = KeyType::Ed25519;
    return true;
  }
  if (id == EVP_PKEY_EC) {
    char group[64] = {0};
    std::size_t len = 0;
    if (EVP_PKEY_get_utf8_string_param(k, OSSL_PKEY_PARAM_GROUP_NAME, group, sizeof group, &len) == 1 &&
        (std::string_view(group) == "prime256v1" || std::string_view(group) == "P-256")) {
      type = KeyType::EcdsaP256;
      return true;
    }
    why = "is an EC key on curve " + std::string(*group != 0 ? group : "(unnamed)") +
          "; mplp-gate signs with Ed25519 or ECDSA P-256 (prime256v1)";
    return false;
  }
  const char* name = EVP_PKEY_get0_type_name(k);
  why = "is a key of type " + std::string(name != nullptr ? name : "unknown") +
        "; mplp-gate signs with Ed25519 or ECDSA P-256";
  return false;
}

// One key, one encoding: an EC public key written with a compressed point
// or explicit curve parameters is the same key as the usual form, and must
// get the same id, or the one key could be trusted twice under two scopes
// and reports would name another id than the envelope's (QA-38).
bool spki_der(EVP_PKEY* k, std::string& der) {
  if (EVP_PKEY_is_a(k, "EC") == 1 &&
      (EVP_PKEY_set_utf8_string_param(k, OSSL_PKEY_PARAM_EC_POINT_CONVERSION_FORMAT,
                                      OSSL_PKEY_EC_POINT_CONVERSION_FORMAT_UNCOMPRESSED) != 1 ||
       EVP_PKEY_set_utf8_string_param(k, OSSL_PKEY_PARAM_EC_ENCODING, OSSL_PKEY_EC_ENCODING_GROUP) != 1))
    return false;
  unsigned char* buf = nullptr;
  int n = i2d_PUBKEY(k, &buf);
  if (n <= 0) return false;
  der.assign(reinterpret_cast<char*>(buf), static_cast<std::size_t>(n));
  OPENSSL_free(buf);
  return true;
}

std::string bio_text(BIO* b) {
  char* data = nullptr;
  long n = BIO_get_mem_data(b, &data);
  return n > 0 ? std::string(data, static_cast<std::size_t>(n)) : std::string();
}

// OpenSSL must not ask for a passphrase (nor read the terminal).
int no_passphrase(char*, int, int, void*) { return -1; }

// ECDSA: raw r||s (64 bytes) to DER, for verifiers of either form.
std::string raw_to_der(std::string_view raw) {
  ECDSA_SIG* s = ECDSA_SIG_new();
  BIGNUM* r = BN_bin2bn(reinterpret_cast<const unsigned char*>(raw.data()), 32, nullptr);
  BIGNUM* t = BN_bin2bn(reinterpret_cast<const unsigned char*>(raw.data()) + 32, 32, nullptr);
  std::string out;
  if (s != nullptr && r != nullptr && t != nullptr && ECDSA_SIG_set0(s, r, t) == 1) {
    r = t = nullptr;  // owned by s now
    unsigned char* buf = nullptr;
    int n = i2d_ECDSA_SIG(s, &buf);
    if (n > 0) out.assign(reinterpret_cast<char*>(buf), static_cast<std::size_t>(n));
    OPENSSL_free(buf);
  }
  BN_free(r);
  BN_free(t);
  ECDSA_SIG_free(s);
  return out;
}

}  // namespace

// Builds key objects (the classes' only friend).
class KeyFactory {
 public:
  static bool make_public(EVP_PKEY* k, PublicKey& out, std::string& why) {
    auto owned = own(k);
    PublicKey p;
    if (!key_type_of(k, p.type_, why)) return false;
    if (!spki_der(k, p.der_)) return why = "its public key cannot be encoded", false;
    p.id_ = sha256_hex(p.der_);
    p.key_ = std::move(owned);
    out = std::move(p);
    return true;
  }
  static bool make_private(EVP_PKEY* k, PrivateKey& out, std::string& why) {
    auto owned = own(k);
    PrivateKey p;
    std::string der;
    KeyType type{};
    if (!key_type_of(k, type, why)) return false;
    // PKCS#8 carries the public half beside the private one and nothing
    // ties them: another key's public point would name (and have verifiers
    // trust) a key that never signs (QA-51).
    EVP_PKEY_CTX* check = EVP_PKEY_CTX_new_from_pkey(nullptr, k, nullptr);
    const bool pair = check != nullptr && EVP_PKEY_pairwise_check(check) == 1;
    EVP_PKEY_CTX_free(check);
    ERR_clear_error();
    if (!pair) return why = "its public key is not the one of its private key (a damaged or forged file)", false;
    if (!spki_der(k, der)) return why = "its public key cannot be encoded", false;
    const unsigned char* q = reinterpret_cast<const unsigned char*>(der.data());
    EVP_PKEY* pub = d2i_PUBKEY(nullptr, &q, static_cast<long>(der.size()));
    if (pub == nullptr || !make_public(pub, p.pub_, why)) return false;
    p.key_ = std::move(owned);
    out = std::move(p);
    return true;
  }
};

std::string_view to_string(KeyType t) { return t == KeyType::Ed25519 ? "ed25519" : "ecdsa-p256"; }

std::string PublicKey::pem() const {
  Bio b(BIO_new(BIO_s_mem()), BIO_free);
  if (!b || PEM_write_bio_PUBKEY(b.get(), static_cast<EVP_PKEY*>(evp())) != 1) return "";
  return bio_text(b.get());
}

std::string PrivateKey::pem() const {
  Bio b(BIO_new(BIO_s_mem()), BIO_free);
  // PKCS#8, unencrypted (OpenSSL 3 writes "BEGIN PRIVATE KEY").
  if (!b || PEM_write_bio_PrivateKey(b.get(), static_cast<EVP_PKEY*>(evp()), nullptr, nullptr, 0, nullptr, nullptr) != 1)
    return "";
  return bio_text(b.get());
}

namespace {

// The DER a PEM block holds (its base64 body decoded), or "".
std::string pem_body(std::string_view pem) {
  Bio b(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())), BIO_free);
  char* name = nullptr;
  char* header = nullptr;
  unsigned char* data = nullptr;
  long len = 0;
  std::string der;
  if (b && PEM_read_bio(b.get(), &name, &header, &data, &len) == 1 && len > 0)
    der.assign(reinterpret_cast<char*>(data), static_cast<std::size_t>(len));
  OPENSSL_free(name);
  OPENSSL_free(header);
  OPENSSL_free(data);
  ERR_clear_error();
  return der;
}

// A key is named by the SHA-256 of its public key's DER: bytes the decoder
// skipped after the key would give two files one key id. (Another encoding
// of one key, compressed or with explicit parameters, is the same key: its
// id is that of the key re-encoded.) Returns why the key is refused, or "".
std::string bytes_after_key(std::string_view pem, bool want_private) {
  const std::string der = pem_body(pem);
  const auto* start = reinterpret_cast<const unsigned char*>(der.data());
  const unsigned char* q = start;
  const long size = static_cast<long>(der.size());
  bool read = false;
  if (want_private) {
    PKCS8_PRIV_KEY_INFO* info = d2i_PKCS8_PRIV_KEY_INFO(nullptr, &q, size);
    read = info != nullptr;
    PKCS8_PRIV_KEY_INFO_free(info);
  } else {
    EVP_PKEY* k = d2i_PUBKEY(nullptr, &q, size);
    read = k != nullptr;
    EVP_PKEY_free(k);
  }
  ERR_clear_error();
  const auto used = static_cast<std::size_t>(q - start);
  if (!read || used == der.size()) return "";  // unread: the PEM reader's own error stands
  return std::to_string(der.size() - used) + " bytes after the " +
         (want_private ? "PKCS#8 key" : "SubjectPublicKeyInfo") + " (damaged DER)";
}

// The PEM block read by `read` (PEM_read_bio_PrivateKey or _PUBKEY) and made
// into a key by `make`; `error` names `source` and what is wrong.
template <typename Key, typename Read, typename Make>
bool parse_pem(std::string_view pem, const std::string& source, bool want_private, Read read, Make make, Key& out,
               std::string& error) {
  std::string why = pem.size() > kMaxKeyFile ? "is too large for a key file" : wrong_kind(pem_label(pem), want_private);
  // One key per file: OpenSSL reads the first block and ignores the rest, so
  // a second key (or a private key behind a public one) would pass unseen.
  if (why.empty() && pem_blocks(pem) > 1)
    why = "holds " + std::to_string(pem_blocks(pem)) + " PEM blocks; a key file holds one key (give each key its own file)";
  if (why.empty()) {
    Bio b(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())), BIO_free);
    EVP_PKEY* k = b ? read(b.get(), nullptr, no_passphrase, nullptr) : nullptr;
    ERR_clear_error();
    if (k == nullptr)
      why = want_private ? "is not a readable PKCS#8 private key (damaged PEM or DER)"
                         : "is not a readable SubjectPublicKeyInfo public key (damaged PEM or DER)";
    else if (why = bytes_after_key(pem, want_private); !why.empty())
      EVP_PKEY_free(k);
    else if (make(k, out, why))
      return true;
  }
  error = source + ": " + why;
  return false;
}

}  // namespace

bool parse_private_key_pem(std::string_view pem, const std::string& source, PrivateKey& out, std::string& error) {
  return parse_pem(pem, source, true, PEM_read_bio_PrivateKey, KeyFactory::make_private, out, error);
}

bool parse_public_key_pem(std::string_view pem, const std::string& source, PublicKey& out, std::string& error) {
  return parse_pem(pem, source, false, PEM_read_bio_PUBKEY, KeyFactory::make_public, out, error);
}

bool load_private_key_file(const std::string& path, PrivateKey& out, std::string& error) {
  std::string text;
  if (!read_file(path, kMaxKeyFile, text, error)) return error = "key file " + error, false;
  return parse_private_key_pem(text, path, out, error);
}

bool load_public_key_file(const std::string& path, PublicKey& out, std::string& error) {
  std::string text;
  if (!read_file(path, kMaxKeyFile, text, error)) return error = "key file " + error, false;
  return parse_public_key_pem(text, path, out, error);
}

bool generate_key(KeyType type, PrivateKey& out, std::string& error) {
  EVP_PKEY* k = type == KeyType::Ed25519 ? EVP_PKEY_Q_keygen(nullptr, nullptr, "ED25519")
                                         : EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", "P-256");
  ERR_clear_error();
  std::string why;
  if (k == nullptr) return error = "key generation failed in OpenSSL", false;
  if (!KeyFactory::make_private(k, out, why)) return error = "generated key: " + why, false;
  return true;
}

bool sign(const PrivateKey& key, std::string_view message, std::string& signature, std::string& error) {
  MdCtx ctx(EVP_MD_CTX_new(), EVP_MD_CTX_free);
  const EVP_MD* md = key.type() == KeyType::Ed25519 ? nullptr : EVP_sha256();
  auto msg = reinterpret_cast<const unsigned char*>(message.data());
  std::size_t len = 0;
  bool ok = ctx && EVP_DigestSignInit(ctx.get(), nullptr, md, nullptr, static_cast<EVP_PKEY*>(key.evp())) == 1 &&
            EVP_DigestSign(ctx.get(), nullptr, &len, msg, message.size()) == 1;
  if (ok) {
    signature.assign(len, '\0');
    ok = EVP_DigestSign(ctx.get(), reinterpret_cast<unsigned char*>(signature.data()), &len, msg, message.size()) == 1;
    signature.resize(len);
  }
  ERR_clear_error();
  if (!ok) error = "signing failed in OpenSSL";
  return ok;
}

bool verify(const PublicKey& key, std::string_view message, std::string_view signature) {
  if (!key.valid()) return false;
  auto attempt = [&](std::string_view sig) {
    MdCtx ctx(EVP_MD_CTX_new(), EVP_MD_CTX_free);
    const EVP_MD* md = key.type() == KeyType::Ed25519 ? nullptr : EVP_sha256();
    bool ok = ctx && EVP_DigestVerifyInit(ctx.get(), nullptr, md, nullptr, static_cast<EVP_PKEY*>(key.evp())) == 1 &&
              EVP_DigestVerify(ctx.get(), reinterpret_cast<const unsigned char*>(sig.data()), sig.size(),
                               reinterpret_cast<const unsigned char*>(message.data()), message.size()) == 1;
    ERR_clear_error();
    return ok;
  };
  if (attempt(signature)) return true;
  if (key.type() == KeyType::EcdsaP256 && signature.size() == 64) {
    std::string der = raw_to_der(signature);
    return !der.empty() && attempt(der);
  }
  return false;
}

}  // namespace mplp
