// core/base64.h, core/dsse.h and core/intoto.h: the encodings, the envelope
// reader on hostile input, and the statement writer's stable bytes.
#include <gtest/gtest.h>

#include "core/base64.h"
#include "core/dsse.h"
#include "core/intoto.h"
#include "core/keys.h"

namespace mplp {
namespace {

TEST(Base64, Rfc4648TestVectors) {
  const std::pair<const char*, const char*> vectors[] = {
      {"", ""}, {"f", "Zg=="}, {"fo", "Zm8="}, {"foo", "Zm9v"}, {"foob", "Zm9vYg=="}, {"fooba", "Zm9vYmE="},
      {"foobar", "Zm9vYmFy"}};
  for (const auto& [raw, b64] : vectors) {
    EXPECT_EQ(base64_encode(raw), b64);
    std::string out;
    ASSERT_TRUE(base64_decode(b64, out)) << b64;
    EXPECT_EQ(out, raw);
  }
}

TEST(Base64, AcceptsUrlSafeAndUnpaddedRefusesTheRest) {
  const std::string bytes("\xfb\xff\xbf\x00\x01", 5);
  std::string out;
  EXPECT_EQ(base64_encode(bytes), "+/+/AAE=");
  ASSERT_TRUE(base64_decode("-_-_AAE=", out));
  EXPECT_EQ(out, bytes);
  ASSERT_TRUE(base64_decode("-_-_AAE", out));
  EXPECT_EQ(out, bytes);
  ASSERT_TRUE(base64_decode("Zm9vYg", out));
  EXPECT_EQ(out, "foob");
  for (const char* bad : {"Zm9vY", "Zm9vYg=", "Zm9vYg===", "Zm 9v", "Zm9v\n", "Zm9v!", "+/-_", "====", "Zh==",
                          "Zm9=Yg==", "=Zm9"})
    EXPECT_FALSE(base64_decode(bad, out)) << bad;
}

TEST(Dsse, PaeIsTheSpecsEncoding) {
  EXPECT_EQ(dsse_pae("http://example.com/HelloWorld", "hello world"),
            "DSSEv1 29 http://example.com/HelloWorld 11 hello world");
  EXPECT_EQ(dsse_pae("", ""), "DSSEv1 0  0 ");
  EXPECT_EQ(dsse_pae("t", std::string("a\0b", 3)), std::string("DSSEv1 1 t 3 a\0b", 16));
}

TEST(Dsse, SignedEnvelopeHasTheDocumentedShapeAndVerifies) {
  PrivateKey a, b;
  std::string err;
  ASSERT_TRUE(generate_key(KeyType::Ed25519, a, err));
  ASSERT_TRUE(generate_key(KeyType::EcdsaP256, b, err));
  DsseEnvelope env;
  ASSERT_TRUE(dsse_sign(kInTotoPayloadType, "{\"x\":1}", {&a, &b}, env, err)) << err;
  std::string json = dsse_to_json(env);
  EXPECT_EQ(json.rfind("{\"payloadType\":\"application/vnd.in-toto+json\",\"payload\":\"eyJ4IjoxfQ==\","
                       "\"signatures\":[{\"keyid\":\"" + a.public_key().id() + "\",\"sig\":\"",
                       0),
            0u)
      << json;
  EXPECT_EQ(json.find('\n'), std::string::npos);
  DsseRead r = read_dsse(json, {});
  ASSERT_TRUE(r.json_ok && r.payload_ok);
  EXPECT_TRUE(r.problems.empty());
  ASSERT_EQ(r.envelope.signatures.size(), 2u);
  EXPECT_EQ(dsse_verified_by(r.envelope, a.public_key()), 0);
  EXPECT_EQ(dsse_verified_by(r.envelope, b.public_key()), 1);
  // The type is authenticated: the same signatures under another type fail.
  r.envelope.payload_type = "application/json";
  EXPECT_EQ(dsse_verified_by(r.envelope, a.public_key()), -1);
}

TEST(Dsse, ReaderNamesEveryProblemByPointer) {
  struct Case {
    const char* json;
    std::vector<std::string> pointers;
  };
  const Case cases[] = {
      {"[]", {""}},
      {"{}", {"/payloadType", "/payload", "/signatures"}},
      {R"({"payloadType":1,"payload":"!","signatures":{}})", {"/payloadType", "/payload", "/signatures"}},
      {R"({"payloadType":"t","payload":"","signatures":[1,{"keyid":2},{"sig":"%%"},{"sig":"AA=="}]})",
       {"/signatures/0", "/signatures/1/keyid", "/signatures/1/sig", "/signatures/2/sig"}},
      {R"({"payloadType":"t","payloadType":"u","payload":"","signatures":[]})", {"/payloadType"}},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.json);
    DsseRead r = read_dsse(c.json, {});
    ASSERT_TRUE(r.json_ok);
    std::vector<std::string> got;
    for (const DsseProblem& p : r.problems) got.push_back(p.pointer);
    EXPECT_EQ(got, c.pointers);
  }
  DsseRead r = read_dsse("{\"payloadType\":", {});
  EXPECT_FALSE(r.json_ok);
  EXPECT_GT(r.json_error.column, 0u);
  // Unknown fields are ignored (the envelope spec says consumers must).
  r = read_dsse(R"({"payloadType":"t","payload":"","signatures":[],"extra":{"a":[1]}})", {});
  EXPECT_TRUE(r.problems.empty());
  EXPECT_TRUE(r.payload_ok);
}

TEST(Dsse, TooManySignaturesIsAProblemAndOnlyTheFirstAreKept) {
  std::string json = R"({"payloadType":"t","payload":"","signatures":[)";
  for (int i = 0; i < 100; ++i) json += std::string(i ? "," : "") + R"({"sig":"AA=="})";
  json += "]}";
  DsseRead r = read_dsse(json, {});
  ASSERT_EQ(r.problems.size(), 1u);
  EXPECT_EQ(r.problems[0].actual, "100");
  EXPECT_EQ(r.envelope.signatures.size(), kMaxDsseSignatures);
}

TEST(InToto, StatementIsStableSortedAndReadsBack) {
  rapidjson::Document pred;
  pred.Parse(R"({"b":1,"a":{"z":true}})");
  std::vector<Subject> subjects = {{"z.json", {{"sha256", std::string(64, 'b')}}, {}},
                                   {"a b/\"q\".json", {{"sha256", std::string(64, 'a')}, {"md5", "00"}}, {}}};
  std::string s1 = statement_json(subjects, kSlsaProvenanceV1, pred);
  std::reverse(subjects.begin(), subjects.end());
  EXPECT_EQ(statement_json(subjects, kSlsaProvenanceV1, pred), s1);
  EXPECT_EQ(s1, "{\"_type\":\"https://in-toto.io/Statement/v1\",\"subject\":["
                "{\"name\":\"a b/\\\"q\\\".json\",\"digest\":{\"md5\":\"00\",\"sha256\":\"" + std::string(64, 'a') +
                "\"}},{\"name\":\"z.json\",\"digest\":{\"sha256\":\"" + std::string(64, 'b') +
                "\"}}],\"predicateType\":\"https://slsa.dev/provenance/v1\",\"predicate\":{\"b\":1,\"a\":{\"z\":true}}}");
  StatementRead r;
  read_statement(s1, {}, r);
  ASSERT_TRUE(r.json_ok);
  EXPECT_TRUE(r.problems.empty());
  ASSERT_EQ(r.subjects.size(), 2u);
  EXPECT_EQ(r.subjects[0].name, "a b/\"q\".json");
  EXPECT_EQ(r.subject_pointers[1], "/subject/1");
  ASSERT_NE(r.predicate_type, nullptr);
  EXPECT_EQ(as_view(*r.predicate_type), kSlsaProvenanceV1);
}

TEST(InToto, AnnotationsAreWrittenSortedAndReadBackAsStrings) {
  rapidjson::Document pred(rapidjson::kObjectType);
  std::vector<Subject> subjects = {{"p", {{"sha256", std::string(64, 'c')}}, {{"z", "1"}, {"a", "<\u2028>"}}}};
  std::string s = statement_json(subjects, "https://example.org/p", pred);
  EXPECT_NE(s.find("\"digest\":{\"sha256\":\"" + std::string(64, 'c') + "\"},\"annotations\":{\"a\":"), std::string::npos)
      << s;
  StatementRead r;
  read_statement(s, {}, r);
  ASSERT_EQ(r.subjects.size(), 1u);
  EXPECT_EQ(r.subjects[0].annotations, subjects[0].annotations);
  // Annotations that are not strings are left out, not an error.
  StatementRead odd;
  read_statement(R"({"subject":[{"name":"n","digest":{"sha256":"ab"},"annotations":{"k":1,"s":"v"}}]})", {}, odd);
  ASSERT_EQ(odd.subjects.size(), 1u);
  EXPECT_EQ(odd.subjects[0].annotations, (std::map<std::string, std::string>{{"s", "v"}}));
  EXPECT_TRUE(odd.problems.empty());
}

TEST(InToto, ReaderReportsMalformedSubjects) {
  StatementRead r;
  read_statement(R"({"_type":"x","subject":[1,{"name":2,"digest":{}},{"digest":[]},{"name":"n","digest":{"sha256":5}},)"
                 R"({"name":"ok","digest":{"sha256":"ab"}}],"predicate":[]})",
                 {}, r);
  std::vector<std::string> got;
  for (const DsseProblem& p : r.problems) got.push_back(p.pointer);
  EXPECT_EQ(got, (std::vector<std::string>{"/predicate", "/subject/0", "/subject/1/name", "/subject/2/digest",
                                           "/subject/3/digest/sha256"}));
  ASSERT_EQ(r.subjects.size(), 1u);
  EXPECT_EQ(r.subjects[0].name, "ok");
  EXPECT_EQ(r.subject_pointers[0], "/subject/4");
  StatementRead none;
  read_statement(R"({"_type":"x"})", {}, none);
  ASSERT_EQ(none.problems.size(), 1u);
  EXPECT_EQ(none.problems[0].pointer, "/subject");
}

TEST(InToto, SignStatementWritesOneVerifiableLine) {
  PrivateKey k;
  std::string err, line;
  ASSERT_TRUE(generate_key(KeyType::Ed25519, k, err));
  rapidjson::Document pred(rapidjson::kObjectType);
  ASSERT_TRUE(sign_statement(statement_json({}, "https://example.com/p", pred), {&k}, line, err)) << err;
  ASSERT_EQ(line.back(), '\n');
  EXPECT_EQ(line.find('\n'), line.size() - 1);
  DsseRead r = read_dsse(line, {});
  ASSERT_TRUE(r.payload_ok);
  EXPECT_EQ(r.envelope.payload_type, kInTotoPayloadType);
  EXPECT_EQ(dsse_verified_by(r.envelope, k.public_key()), 0);
  EXPECT_EQ(r.envelope.signatures[0].keyid, k.public_key().id());
}

}  // namespace
}  // namespace mplp
