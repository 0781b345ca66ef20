// core/keys.h: loading, ids, signing and verifying; every bad key file is
// refused with its name and what is wrong. Key ids are checked against
// OpenSSL's own command line, signatures against the DSSE spec's test vector.
#include <gtest/gtest.h>


#include "core/digest.h"
#include "core/dsse.h"
#include "core/keys.h"
#include "test_util.h"

namespace mplp {
namespace {

std::string key_file(const std::string& name) { return test::fixture("keys/" + name); }

TEST(Keys, GeneratedKeysSignAndVerifyBothTypes) {
  for (KeyType type : {KeyType::Ed25519, KeyType::EcdsaP256}) {
    SCOPED_TRACE(std::string(to_string(type)));
    PrivateKey k;
    std::string err, sig;
    ASSERT_TRUE(generate_key(type, k, err)) << err;
    EXPECT_EQ(k.type(), type);
    EXPECT_EQ(k.public_key().id(), sha256_hex(k.public_key().der()));
    ASSERT_TRUE(sign(k, "message", sig, err)) << err;
    EXPECT_TRUE(verify(k.public_key(), "message", sig));
    EXPECT_FALSE(verify(k.public_key(), "messagE", sig));
    std::string flipped = sig;
    flipped[flipped.size() / 2] ^= 0x01;
    EXPECT_FALSE(verify(k.public_key(), "message", flipped));
    EXPECT_FALSE(verify(k.public_key(), "message", ""));
    PrivateKey other;
    ASSERT_TRUE(generate_key(type, other, err));
    EXPECT_NE(other.public_key().id(), k.public_key().id());
    EXPECT_FALSE(verify(other.public_key(), "message", sig));
    // PEM round trip: PKCS#8 and SPKI labels, same id after reading back.
    EXPECT_EQ(k.pem().rfind("-----BEGIN PRIVATE KEY-----\n", 0), 0u);
    EXPECT_EQ(k.public_key().pem().rfind("-----BEGIN PUBLIC KEY-----\n", 0), 0u);
    PrivateKey again;
    PublicKey pub;
    ASSERT_TRUE(parse_private_key_pem(k.pem(), "k", again, err)) << err;
    ASSERT_TRUE(parse_public_key_pem(k.public_key().pem(), "p", pub, err)) << err;
    EXPECT_EQ(again.public_key().id(), k.public_key().id());
    EXPECT_EQ(pub.id(), k.public_key().id());
    EXPECT_TRUE(verify(pub, "message", sig));
  }
}

TEST(Keys, Ed25519SignaturesAreDeterministic) {
  PrivateKey k;
  std::string err, a, b;
  ASSERT_TRUE(load_private_key_file(key_file("test-a.key"), k, err)) << err;
  ASSERT_TRUE(sign(k, "same", a, err));
  ASSERT_TRUE(sign(k, "same", b, err));
  EXPECT_EQ(a, b);
  EXPECT_EQ(a.size(), 64u);
}

TEST(Keys, IdIsTheSha256OfTheDerSpkiAsOpensslComputesIt) {
  for (const char* name : {"test-a", "test-b", "test-ecdsa"}) {
    SCOPED_TRACE(name);
    PublicKey pub;
    PrivateKey priv;
    std::string err;
    ASSERT_TRUE(load_public_key_file(key_file(std::string(name) + ".pub"), pub, err)) << err;
    ASSERT_TRUE(load_private_key_file(key_file(std::string(name) + ".key"), priv, err)) << err;
    std::string theirs;
    // openssl, an implementation that is not ours.
    test::run_shell("openssl pkey -pubin -in " + test::shell_quote(key_file(std::string(name) + ".pub")) +
                        " -outform DER | sha256sum",
                    theirs);
    ASSERT_GE(theirs.size(), 64u) << "openssl is needed for this test";
    EXPECT_EQ(pub.id(), theirs.substr(0, 64));
    EXPECT_EQ(priv.public_key().id(), pub.id());
  }
}

// One EC key written three ways (uncompressed point and named curve as
// usual, a compressed point, explicit curve parameters) is one key with one
// id: else it could be trusted twice under two scopes (QA-38).
TEST(Keys, OneEcKeyInAnyEncodingHasOneId) {
  test::TempDir t;
  const std::string usual = key_file("test-ecdsa.pub");
  std::string out;
  ASSERT_EQ(test::run_shell("openssl pkey -pubin -in " + test::shell_quote(usual) + " -pubout -ec_conv_form compressed -out " +
                                test::shell_quote(t / "compressed.pub") + " && openssl ec -pubin -in " +
                                test::shell_quote(usual) + " -pubout -param_enc explicit -out " +
                                test::shell_quote(t / "explicit.pub") + " 2>&1",
                            out),
            0)
      << out;
  PublicKey a, b, c;
  std::string err;
  ASSERT_TRUE(load_public_key_file(usual, a, err)) << err;
  ASSERT_TRUE(load_public_key_file(t / "compressed.pub", b, err)) << err;
  ASSERT_TRUE(load_public_key_file(t / "explicit.pub", c, err)) << err;
  EXPECT_NE(test::read_file(usual), test::read_file(t / "compressed.pub")) << "not another encoding";
  EXPECT_NE(test::read_file(usual), test::read_file(t / "explicit.pub")) << "not another encoding";
  EXPECT_EQ(b.id(), a.id());
  EXPECT_EQ(c.id(), a.id());
}

TEST(Keys, EcdsaKeyFromOpensslGenpkeySignsAndVerifies) {
  PrivateKey k;
  PublicKey pub;
  std::string err, sig;
  ASSERT_TRUE(load_private_key_file(key_file("test-ecdsa.key"), k, err)) << err;
  ASSERT_TRUE(load_public_key_file(key_file("test-ecdsa.pub"), pub, err)) << err;
  EXPECT_EQ(k.type(), KeyType::EcdsaP256);
  ASSERT_TRUE(sign(k, "payload", sig, err));
  EXPECT_EQ(sig[0], 0x30);  // DER SEQUENCE, as openssl pkeyutl writes
  EXPECT_TRUE(verify(pub, "payload", sig));
}

// The DSSE protocol's own test vector: ECDSA P-256 with SHA-256, the signature
// in raw r||s form (not DER), over the PAE of "hello world".
TEST(Keys, DsseSpecTestVectorVerifies) {
  const char* pem =
      "-----BEGIN PUBLIC KEY-----\n"
      "MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAEZ805D3eqNZywjCI19lInBJOp7YMr\n"
      "CrzAH3CVTAOQ0jgMeCvVTiaRJaRPRDOv8UMs6U4SvKc6pnrIDOoSYI3fdA==\n"
      "-----END PUBLIC KEY-----\n";
  PublicKey pub;
  std::string err;
  ASSERT_TRUE(parse_public_key_pem(pem, "spec", pub, err)) << err;
  DsseRead r = read_dsse(
      R"({"payload": "aGVsbG8gd29ybGQ=", "payloadType": "http://example.com/HelloWorld",)"
      R"( "signatures": [{"sig": "A3JqsQGtVsJ2O2xqrI5IcnXip5GToJ3F+FnZ+O88SjtR6rDAajabZKciJTfUiHqJPcIAriEGAHTVeCUjW2JIZA=="}]})",
      {});
  ASSERT_TRUE(r.json_ok);
  ASSERT_TRUE(r.problems.empty());
  EXPECT_EQ(dsse_pae(r.envelope.payload_type, r.envelope.payload),
            "DSSEv1 29 http://example.com/HelloWorld 11 hello world");
  EXPECT_EQ(dsse_verified_by(r.envelope, pub), 0);
  r.envelope.payload = "hello World";
  EXPECT_EQ(dsse_verified_by(r.envelope, pub), -1);
}

// A key file holds one key: OpenSSL would read the first block and ignore
// the rest, so two public keys (or a private key behind a public one) are
// refused, naming the count, whichever kind is wanted.
TEST(Keys, AFileOfSeveralPemBlocksIsRefused) {
  const std::string a_pub = test::read_file(key_file("test-a.pub")), b_pub = test::read_file(key_file("test-b.pub"));
  const std::string a_key = test::read_file(key_file("test-a.key"));
  for (const std::string& pem : {b_pub + a_pub, a_pub + a_key, a_pub + "\n" + a_pub}) {
    PublicKey k;
    std::string err;
    EXPECT_FALSE(parse_public_key_pem(pem, "two.pub", k, err));
    EXPECT_EQ(err, "two.pub: holds 2 PEM blocks; a key file holds one key (give each key its own file)");
  }
  PrivateKey p;
  std::string err;
  EXPECT_FALSE(parse_private_key_pem(a_key + a_key, "two.key", p, err));
  EXPECT_NE(err.find("holds 2 PEM blocks"), std::string::npos) << err;
  PublicKey one;
  EXPECT_TRUE(parse_public_key_pem(a_pub, "one.pub", one, err)) << err;
}

TEST(Keys, BadKeyFilesAreRefusedNamingTheFileAndTheReason) {
  struct Case {
    const char* file;
    bool as_private;
    const char* says;
  };
  const Case cases[] = {
      {"bad-encrypted.key", true, "is encrypted"},
      {"bad-sec1.key", true, "not PKCS#8"},
      {"bad-p384.key", true, "curve secp384r1"},
      {"bad-rsa.key", true, "type RSA"},
      {"bad-rsa.pub", false, "type RSA"},
      {"bad-truncated.key", true, "not a readable PKCS#8 private key"},
      {"bad-mismatched.key", true, "its public key is not the one of its private key"},
      {"bad-garbage.key", true, "not a PEM key file"},
      {"bad-garbage.key", false, "not a PEM key file"},
      {"test-a.pub", true, "holds a public key"},
      {"test-a.key", false, "holds a private key"},
      {"does-not-exist.key", true, "does-not-exist.key"},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.file);
    std::string err;
    bool ok;
    if (c.as_private) {
      PrivateKey k;
      ok = load_private_key_file(key_file(c.file), k, err);
      EXPECT_FALSE(k.valid());
    } else {
      PublicKey k;
      ok = load_public_key_file(key_file(c.file), k, err);
      EXPECT_FALSE(k.valid());
    }
    EXPECT_FALSE(ok);
    EXPECT_NE(err.find(key_file(c.file)), std::string::npos) << err;
    EXPECT_NE(err.find(c.says), std::string::npos) << err;
  }
  std::string err;
  PrivateKey k;
  EXPECT_FALSE(load_private_key_file(test::source_root(), k, err));  // a directory
  EXPECT_FALSE(parse_private_key_pem(std::string(70000, 'A'), "huge", k, err));
  EXPECT_NE(err.find("too large"), std::string::npos) << err;
}

// `key` (PEM) written again as DER with two bytes after it, in a PEM block
// of `label` at `out`.
void with_two_bytes_after(const std::string& key, const std::string& label, const std::string& out) {
  const bool pub = label == "PUBLIC KEY";
  std::string log;
  ASSERT_EQ(test::run_shell("openssl pkey " + std::string(pub ? "-pubin " : "") + "-in " + test::shell_quote(key) +
                                " -outform DER -out " + test::shell_quote(out + ".der") + " && printf '\\0\\1' >> " +
                                test::shell_quote(out + ".der") + " && (echo '-----BEGIN " + label + "-----'; base64 " +
                                test::shell_quote(out + ".der") + "; echo '-----END " + label + "-----') > " +
                                test::shell_quote(out) + " 2>&1",
                            log),
            0)
      << log;
}

// QA-47: bytes after the DER key were skipped, so two files had one key id.
TEST(Keys, BytesAfterTheKeyAreRefused) {
  test::TempDir t;
  with_two_bytes_after(key_file("test-a.pub"), "PUBLIC KEY", t / "trailing.pub");
  PublicKey k;
  std::string err;
  EXPECT_FALSE(load_public_key_file(t / "trailing.pub", k, err));
  EXPECT_NE(err.find("trailing.pub: 2 bytes after the SubjectPublicKeyInfo (damaged DER)"), std::string::npos) << err;
  ASSERT_TRUE(load_public_key_file(key_file("test-a.pub"), k, err)) << err;
  with_two_bytes_after(key_file("test-a.key"), "PRIVATE KEY", t / "trailing.key");
  PrivateKey priv;
  EXPECT_FALSE(load_private_key_file(t / "trailing.key", priv, err));
  EXPECT_NE(err.find("trailing.key: 2 bytes after the PKCS#8 key (damaged DER)"), std::string::npos) << err;
  ASSERT_TRUE(load_private_key_file(key_file("test-a.key"), priv, err)) << err;
}

}  // namespace
}  // namespace mplp
