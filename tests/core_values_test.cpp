// Value rules shared by the gates (core/values.h): placeholders, hex digests,
// runner ids and RFC 3339 UTC times, including hostile near-misses.
#include "core/values.h"

#include <gtest/gtest.h>

#include <string>

#include "core/json.h"

namespace mplp {
namespace {

TEST(Values, PlaceholderWordsInAnyCase) {
  for (const char* s : {"", "unknown", "UNKNOWN", "Unknown", "pending", "PeNdInG", "none", "None", "null", "NULL",
                        "placeholder", "Placeholder", "n/a", "N/A", "N/a", "tbd", "TBD"})
    EXPECT_TRUE(is_placeholder_text(s)) << '"' << s << '"';
}

// Blanks around a word, or only blanks, are a placeholder too: " " passed as
// an operating system, "Unknown " as an upstream tag (QA-39).
TEST(Values, BlanksAroundAPlaceholderOrOnlyBlanks) {
  for (const char* s : {" ", "\t", "\r\n", "unknown ", " unknown", "\tNull \n", "\u200b", "\u00a0unknown\u3000",
                        "\ufeffnone", "\u2003tbd\u200d", " \u2060 "})
    EXPECT_TRUE(is_placeholder_text(s)) << '"' << s << '"';
  EXPECT_EQ(trim_blank("\u00a0 linux\t"), "linux");
  EXPECT_EQ(trim_blank("li nux"), "li nux");
  EXPECT_EQ(trim_blank("\xe2\x80"), "\xe2\x80");  // a cut sequence is not a blank
}

TEST(Values, NearPlaceholdersAreRealValues) {
  // Only the words: a placeholder with a reason or a prefix is a value the
  // gates judge by their own rules.
  for (const char* s : {"unknownx", "un known", "n/a (npm-pinned)", "na", "n-a", "nil", "undefined",
                        "0", "false", "tbd?", "pendingx", "nonee", "NUL", "placeholders", "unkn\u043ewn"})
    EXPECT_FALSE(is_placeholder_text(s)) << '"' << s << '"';
  EXPECT_FALSE(is_placeholder_text(std::string("unknown\0", 8)));  // an embedded NUL is not the word
}

TEST(Values, PlaceholderJsonValues) {
  JsonDoc doc;
  ASSERT_TRUE(parse_json(R"({"a": null, "b": "TBD", "c": "x", "d": 0, "e": [], "f": {}, "g": false, "h": ""})", {}, doc));
  EXPECT_TRUE(is_placeholder(nullptr));  // missing
  EXPECT_TRUE(is_placeholder(member(doc.value, "a")));
  EXPECT_TRUE(is_placeholder(member(doc.value, "b")));
  EXPECT_TRUE(is_placeholder(member(doc.value, "h")));
  EXPECT_FALSE(is_placeholder(member(doc.value, "c")));
  // Non-strings are not placeholders: callers check the type separately.
  for (const char* k : {"d", "e", "f", "g"}) EXPECT_FALSE(is_placeholder(member(doc.value, k))) << k;
}

TEST(Values, Hex64AndHex40) {
  std::string h64(64, 'a'), h40(40, '0');
  EXPECT_TRUE(is_hex64(h64));
  EXPECT_TRUE(is_hex64("17036587cb26c89f79378fe6dfa7e94c0765ceab2a8fbc8e151fc98c4725dd8f"));
  EXPECT_TRUE(is_hex40(h40));
  EXPECT_TRUE(is_hex40("f845bde2ad9f38ac322d030d1bf38c67b0a98bb5"));
  EXPECT_FALSE(is_hex64(h40));
  EXPECT_FALSE(is_hex40(h64));
  EXPECT_FALSE(is_hex64(std::string(63, 'a')));
  EXPECT_FALSE(is_hex64(std::string(65, 'a')));
  EXPECT_FALSE(is_hex64(""));
  EXPECT_FALSE(is_hex64(std::string(64, 'A')));  // lowercase only
  EXPECT_FALSE(is_hex64(std::string(63, 'a') + "g"));
  EXPECT_FALSE(is_hex64(std::string(63, 'a') + " "));
  EXPECT_FALSE(is_hex64(std::string(63, 'a') + '\0'));
  EXPECT_FALSE(is_hex64("sha256:" + std::string(57, 'a')));
  EXPECT_FALSE(is_hex40(std::string(39, '0') + "\n"));
}

TEST(Values, TypedSha256) {
  std::string hex = "979040afb716e03f808aa5875df2232f0ecd2a780f8ece683941342375f3b927";
  EXPECT_TRUE(is_typed_sha256("sha256:" + hex));
  EXPECT_FALSE(is_typed_sha256(hex));                  // untyped
  EXPECT_FALSE(is_typed_sha256("SHA256:" + hex));      // prefix is lowercase
  EXPECT_FALSE(is_typed_sha256("sha512:" + hex));
  EXPECT_FALSE(is_typed_sha256("sha256:" + hex.substr(1)));
  EXPECT_FALSE(is_typed_sha256("sha256:" + hex + "0"));
  EXPECT_FALSE(is_typed_sha256("sha256: " + hex.substr(1)));
  EXPECT_FALSE(is_typed_sha256("sha256:" + std::string(64, 'F')));
  EXPECT_FALSE(is_typed_sha256("synthetic-bypass"));
  EXPECT_FALSE(is_typed_sha256(""));
  EXPECT_FALSE(is_typed_sha256("sha256:"));
}

TEST(Values, RunnerIds) {
  for (const char* s : {"node-20", "python", "python-3.11", "a", "0", "dotnet_8", "x.y-z_9"})
    EXPECT_TRUE(is_runner_id(s)) << s;
  EXPECT_TRUE(is_runner_id(std::string(64, 'a')));
  EXPECT_FALSE(is_runner_id(std::string(65, 'a')));
  for (const char* s : {"", "Node-20", "node 20", "-node", ".node", "_node", "node/20", "node:20", "ノード", "node\n",
                        "../x", "node@20"})
    EXPECT_FALSE(is_runner_id(s)) << s;
  EXPECT_FALSE(is_runner_id(std::string("node\0x", 6)));
}

TEST(Values, Rfc3339UtcAccepted) {
  for (const char* s : {"2026-01-27T05:05:42Z", "2026-01-26T10:36:14.655Z", "2026-01-27T05:05:42.123456789Z",
                        "2024-02-29T00:00:00Z", "2000-02-29T23:59:59Z", "2026-12-31T23:59:60Z", "0000-01-01T00:00:00Z"})
    EXPECT_TRUE(is_rfc3339_utc(s)) << s;
}

TEST(Values, Rfc3339UtcRejected) {
  for (const char* s : {
           "2026-01-27T05:05:42",        // no zone
           "2026-01-27T05:05:42+00:00",  // UTC, but not written with Z
           "2026-01-27T05:05:42z",       // lowercase z
           "2026-01-27 05:05:42Z",       // space separator
           "2026-01-27t05:05:42Z",
           "2026-01-27T05:05Z",          // no seconds
           "2026-1-27T05:05:42Z",
           "2026-13-01T00:00:00Z",  // month 13
           "2026-00-01T00:00:00Z",
           "2026-02-29T00:00:00Z",  // not a leap year
           "1900-02-29T00:00:00Z",  // century, not a leap year
           "2026-04-31T00:00:00Z",
           "2026-01-00T00:00:00Z",
           "2026-01-27T24:00:00Z",
           "2026-01-27T23:60:00Z",
           "2026-01-27T23:59:61Z",
           "2026-01-27T05:05:42.Z",  // empty fraction
           "2026-01-27T05:05:42ZZ",
           "2026-01-27T05:05:42Z ",
           " 2026-01-27T05:05:42Z",
           "+2026-01-27T05:05:42Z",
           "２０２６-01-27T05:05:42Z",
           "unknown",
           "",
       })
    EXPECT_FALSE(is_rfc3339_utc(s)) << s;
  EXPECT_FALSE(is_rfc3339_utc(std::string("2026-01-27T05:05:42Z\0", 21)));
  // A long fraction is fine; a huge one is still linear and still judged.
  EXPECT_TRUE(is_rfc3339_utc("2026-01-27T05:05:42." + std::string(100000, '1') + "Z"));
  EXPECT_FALSE(is_rfc3339_utc("2026-01-27T05:05:42." + std::string(100000, '1')));
}

// The runner contract's names: arm64 and x86_64; others pass unchanged.
TEST(Values, ContractArch) {
  EXPECT_EQ(contract_arch("aarch64"), "arm64");
  EXPECT_EQ(contract_arch("arm64"), "arm64");
  EXPECT_EQ(contract_arch("amd64"), "x86_64");
  EXPECT_EQ(contract_arch("x86_64"), "x86_64");
  EXPECT_EQ(contract_arch("riscv64"), "riscv64");
  EXPECT_EQ(contract_arch("AARCH64"), "AARCH64");
  EXPECT_EQ(contract_arch(""), "");
}

}  // namespace
}  // namespace mplp
