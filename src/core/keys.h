// Signing keys: Ed25519 (the default) and ECDSA P-256, through OpenSSL EVP.
//
// Files are PEM: a private key is unencrypted PKCS#8 ("BEGIN PRIVATE KEY"),
// a public key is SubjectPublicKeyInfo ("BEGIN PUBLIC KEY"). A key's id is
// the lowercase hex SHA-256 of its DER SubjectPublicKeyInfo, so anyone can
// recompute it with `openssl pkey -pubin -outform DER | sha256sum`.
// Signatures: Ed25519 over the message itself (PureEdDSA); ECDSA with
// SHA-256, DER-encoded (as `openssl pkeyutl -sign -rawin -digest sha256`
// writes). verify() also takes the raw 64-byte r||s form for ECDSA, which
// some DSSE implementations write.
//
// Every loading error names the file and says what is wrong with it: not
// PEM, encrypted, a public key where a private one is needed (or the other
// way round), another algorithm or curve.
//
//   PrivateKey k;
//   if (!load_private_key_file("keys/mplp-gate.key", k, err)) ...  // err names the file
//   std::string sig;
//   if (!sign(k, message, sig, err)) ...
//   bool ok = verify(k.public_key(), message, sig);
//   std::string id = k.public_key().id();
#pragma once

#include <memory>
#include <string>
#include <string_view>

namespace mplp {

enum class KeyType { Ed25519, EcdsaP256 };
std::string_view to_string(KeyType t);  // "ed25519", "ecdsa-p256"

class PublicKey {
 public:
  PublicKey() = default;
  bool valid() const { return key_ != nullptr; }
  KeyType type() const { return type_; }
  const std::string& id() const { return id_; }          // hex SHA-256 of the DER SPKI
  const std::string& der() const { return der_; }        // DER SubjectPublicKeyInfo
  std::string pem() const;
  void* evp() const { return key_.get(); }              // EVP_PKEY*

 private:
  friend class KeyFactory;
  std::shared_ptr<void> key_;
  KeyType type_ = KeyType::Ed25519;
  std::string id_, der_;
};

class PrivateKey {
 public:
  PrivateKey() = default;
  bool valid() const { return key_ != nullptr; }
  KeyType type() const { return pub_.type(); }
  const PublicKey& public_key() const { return pub_; }
  std::string pem() const;                               // unencrypted PKCS#8
  void* evp() const { return key_.get(); }

 private:
  friend class KeyFactory;
  std::shared_ptr<void> key_;
  PublicKey pub_;
};

// `source` names the text in errors (a file name).
bool parse_private_key_pem(std::string_view pem, const std::string& source, PrivateKey& out, std::string& error);
bool parse_public_key_pem(std::string_view pem, const std::string& source, PublicKey& out, std::string& error);
bool load_private_key_file(const std::string& path, PrivateKey& out, std::string& error);
bool load_public_key_file(const std::string& path, PublicKey& out, std::string& error);

bool generate_key(KeyType type, PrivateKey& out, std::string& error);

bool sign(const PrivateKey& key, std::string_view message, std::string& signature, std::string& error);
bool verify(const PublicKey& key, std::string_view message, std::string_view signature);

}  // namespace mplp
