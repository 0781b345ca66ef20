// GATE-V2-ATTESTATION-01 in process (the fixtures' findings are in
// fixtures/attestation/*.expected-findings.txt): the good pack, and
// packs signed and tampered at run time (seal_pack with the test keys).
#include <gtest/gtest.h>

#include <filesystem>
#include <set>

#include "core/base64.h"
#include "core/dsse.h"
#include "core/json.h"
#include "core/keys.h"
#include "core/pack_layout.h"
#include "runner/seal.h"
#include "test_util.h"

namespace mplp {
namespace {

namespace fs = std::filesystem;
using Codes = std::vector<std::string>;
using test::codes_of;
using test::status_of;

constexpr const char* kGate = "GATE-V2-ATTESTATION-01";
constexpr const char* kProvenancePath = "/integrity/provenance.intoto.jsonl";

std::string key(const std::string& name) { return test::fixture("keys/" + name); }

CheckRequest trusting(std::vector<std::string> keys) {
  CheckRequest req;
  for (auto& k : keys) req.trusted_key_paths.push_back(key(k));
  return req;
}

RunReport run(const std::string& pack, CheckRequest req) { return test::check({pack}, {kGate}, std::move(req)); }

// Seals `pack` in place, signed with fixtures/keys/<key_name> (or unsigned).
void seal(const std::string& pack, const std::string& key_name = "") {
  PrivateKey k;
  std::string err;
  runner::SealOptions o;
  if (!key_name.empty()) {
    ASSERT_TRUE(load_private_key_file(key(key_name), k, err)) << err;
    o.provenance.key = &k;
  }
  o.provenance.builder_version = "test";
  std::vector<std::string> notes;
  ASSERT_TRUE(runner::seal_pack(pack, o, notes, err)) << err;
}

TEST(Attestation, PassNamesTheKeyIdAndTheTrustedKeyFile) {
  RunReport r = run(test::fixture("packs/good-real"), trusting({"test-b.pub", "test-a.pub"}));
  ASSERT_EQ(status_of(r, kGate), GateStatus::Pass) << test::dump(r, kGate);
  auto f = test::findings_of(r, kGate, "attest.verified");
  ASSERT_EQ(f.size(), 1u);
  EXPECT_EQ(f[0].severity, Severity::Info);
  EXPECT_EQ(f[0].file, "integrity/provenance.intoto.jsonl");
  // The key file by name only: the report reads the same from any working directory.
  EXPECT_EQ(f[0].message,
            "provenance signed by trusted key 56c50dca49e272ce10907b13c4d477837447df2e00bb7a44bd43f032c80dcc8c (test-a.pub)");
}

TEST(Attestation, SkipsWithoutTrustAndFailsWhenASignatureIsRequired) {
  RunReport r = run(test::fixture("packs/good-real"), {});
  EXPECT_EQ(status_of(r, kGate), GateStatus::Skip);
  EXPECT_EQ(test::result_of(r, kGate).skip_reason, "no trusted key: provenance is self-asserted");
  CheckRequest req;
  req.options.require_signature = true;
  r = run(test::fixture("packs/good-real"), req);
  EXPECT_EQ(codes_of(r, kGate), Codes{"attest.no-trusted-key"});
  // Not INDEXABLE_REAL: skipped whatever the trust.
  r = run(test::fixture("real-qualify/pass-skip-synthetic"), trusting({"test-a.pub"}));
  EXPECT_EQ(status_of(r, kGate), GateStatus::Skip);
  EXPECT_NE(test::result_of(r, kGate).skip_reason.find("not an INDEXABLE_REAL pack"), std::string::npos);
}

TEST(Attestation, PredicateMismatchShowsBothValuesAndPlaces) {
  std::string dir = test::fixture("attestation/fail-predicate-mismatch");
  CheckRequest req = trusting({"test-a.pub"});
  auto f = test::findings_of(run(dir, req), kGate, "attest.predicate-mismatch");
  ASSERT_EQ(f.size(), 6u);
  std::set<std::string> pointers;
  for (const Finding& x : f) pointers.insert(x.location.pointer);
  EXPECT_EQ(pointers, (std::set<std::string>{
                          "/payload/predicate/buildDefinition/externalParameters/runner",
                          "/payload/predicate/buildDefinition/internalParameters/environmentFingerprint",
                          "/payload/predicate/buildDefinition/resolvedDependencies/0/digest/sha256"}));
  bool runner_seen = false;
  for (const Finding& x : f)
    if (x.location.pointer.ends_with("/runner")) {
      runner_seen = true;
      EXPECT_EQ(x.expected, "node-20");
      EXPECT_EQ(x.actual, "node-18");
      EXPECT_TRUE(x.message.find("manifest.json#/env_ref/runner_id") != std::string::npos ||
                  x.message.find("reports/runner.meta.json#/runner_id") != std::string::npos)
          << x.message;
    }
  EXPECT_TRUE(runner_seen);
}

class AttestationEdit : public ::testing::Test {
 protected:
  test::TempDir tmp;
  std::string pack = test::copy_good_pack(tmp);
  std::string envelope = pack + kProvenancePath;
  GateStatus status(CheckRequest req = trusting({"test-a.pub"})) { return status_of(run(pack, std::move(req)), kGate); }
  Codes errors(CheckRequest req = trusting({"test-a.pub"})) {
    return codes_of(run(pack, std::move(req)), kGate, Severity::Error);
  }
};

// A statement signed by the trusted key that readers could take two ways
// is a shape error: a second runner-image entry (which image ran?), or a
// subject digest that is not lowercase hex, in any algorithm.
TEST_F(AttestationEdit, AmbiguousSignedStatementsAreShapeErrors) {
  seal(pack, "test-a.key");
  JsonDoc env;
  ASSERT_TRUE(parse_json(test::read_file(envelope), {}, env));
  std::string payload;
  ASSERT_TRUE(base64_decode(as_view(env.value["payload"]), payload));
  const std::string image = "{\"name\":\"runner-image\",\"digest\":{\"sha256\":\"" + std::string(64, '1') + "\"}}";
  auto resign = [&](const std::string& statement) {
    PrivateKey k;
    std::string err;
    ASSERT_TRUE(load_private_key_file(key("test-a.key"), k, err)) << err;
    DsseEnvelope out;
    ASSERT_TRUE(dsse_sign(as_view(env.value["payloadType"]), statement, {&k}, out, err)) << err;
    test::write_file(envelope, dsse_to_json(out) + "\n");
  };
  resign(payload);
  ASSERT_EQ(status(), GateStatus::Pass) << test::dump(run(pack, trusting({"test-a.pub"})), kGate);
  const std::size_t deps = payload.find("\"resolvedDependencies\":[");
  ASSERT_NE(deps, std::string::npos) << payload;
  const std::size_t end = payload.find(']', deps);
  resign(payload.substr(0, end) + "," + image + payload.substr(end));
  EXPECT_EQ(errors(), Codes{"attest.statement-shape"}) << test::dump(run(pack, trusting({"test-a.pub"})), kGate);
  const std::size_t digest = payload.find("\"digest\":{\"sha256\"");
  ASSERT_NE(digest, std::string::npos);
  for (const char* extra : {"\"sha512\":\"not-a-digest\",", "\"sha512\":\"\",", "\"SHA384\":\"ABCDEF\","}) {
    resign(payload.substr(0, digest + 10) + extra + payload.substr(digest + 10));
    EXPECT_EQ(errors(), Codes{"attest.statement-shape"}) << extra;
  }
  // Another algorithm in lowercase hex is allowed (it is not recomputed).
  resign(payload.substr(0, digest + 10) + "\"sha512\":\"" + std::string(128, 'a') + "\"," + payload.substr(digest + 10));
  EXPECT_EQ(status(), GateStatus::Pass);
}

TEST_F(AttestationEdit, UrlSafeUnpaddedBase64IsAccepted) {
  // Re-encode payload and signature in the URL-safe alphabet without padding.
  auto url_safe = [](std::string s) {
    for (char& c : s) c = c == '+' ? '-' : c == '/' ? '_' : c;
    while (!s.empty() && s.back() == '=') s.pop_back();
    return s;
  };
  JsonDoc doc;
  ASSERT_TRUE(parse_json(test::read_file(envelope), {}, doc));
  std::string payload = url_safe(std::string(as_view(doc.value["payload"])));
  std::string sig = url_safe(std::string(as_view(doc.value["signatures"][0]["sig"])));
  ASSERT_NE((payload + sig).find_first_of("-_"), std::string::npos);  // the alphabet really differs here
  test::write_file(envelope, "{\"payloadType\":\"application/vnd.in-toto+json\",\"payload\":\"" + payload +
                                 "\",\"signatures\":[{\"sig\":\"" + sig + "\"}]}\n");
  EXPECT_EQ(status(), GateStatus::Pass) << test::dump(run(pack, trusting({"test-a.pub"})), kGate);
}

TEST_F(AttestationEdit, BlankLinesAndCrlfAroundTheEnvelopeAreFine) {
  std::string line = test::read_file(envelope);
  line.pop_back();
  test::write_file(envelope, "\n  \n" + line + "\r\n\n");
  EXPECT_EQ(status(), GateStatus::Pass);
  test::write_file(envelope, "");
  EXPECT_EQ(errors(), Codes{"attest.envelope-json"});
}

TEST_F(AttestationEdit, AScopedKeyFailsAndTheSameKeyUnscopedBesideItIsRefused) {
  test::write_file(tmp / "policy.yaml", "trust:\n  keys:\n    - path: " + key("test-a.pub") +
                                            "\n      substrates: [langchain]\n");
  CheckRequest req;
  std::string err;
  ASSERT_TRUE(load_policy_file(tmp / "policy.yaml", req.policy, err)) << err;
  auto f = test::findings_of(run(pack, req), kGate, "attest.key-scope");
  ASSERT_EQ(f.size(), 1u);
  EXPECT_EQ(f[0].expected, "substrates [langchain]");
  EXPECT_EQ(f[0].actual, "runner node-20, substrate mcp");
  // The same key also trusted without a scope would pass the pack while the
  // policy reads as a restriction (QA-37): the run stops instead, naming both.
  req.trusted_key_paths = {key("test-a.pub")};
  req.paths = {pack};
  RunReport report;
  err.clear();
  EXPECT_FALSE(run_check(req, report, err));
  EXPECT_NE(err.find("policy.yaml:3:"), std::string::npos) << err;
  EXPECT_NE(err.find("is trusted for substrates [langchain] here and for any runner and substrate by --trusted-key " +
                     key("test-a.pub")),
            std::string::npos)
      << err;
  // Listed twice with one scope is one key, not a conflict.
  test::write_file(tmp / "twice.yaml", "trust:\n  keys:\n    - path: " + key("test-a.pub") + "\n    - path: " +
                                           key("test-a.pub") + "\n");
  CheckRequest twice;
  ASSERT_TRUE(load_policy_file(tmp / "twice.yaml", twice.policy, err)) << err;
  twice.trusted_key_paths = {key("test-a.pub")};
  EXPECT_EQ(status(twice), GateStatus::Pass);
}

// A file added after signing, in no subject and no sums line, fails the
// pack beside a verified signature (QA-37); one in integrity/ is
// INTEGRITY-01's (integrity.unsealed_file), not this gate's.
TEST_F(AttestationEdit, AFileAddedAfterSigningIsUnsigned) {
  EXPECT_EQ(status(), GateStatus::Pass);
  test::write_file(pack + "/artifacts/extra.json", "{\"verdict\":\"PASS\",\"forged\":true}");
  test::write_file(pack + "/integrity/notes.txt", "not ours\n");
  RunReport r = run(pack, trusting({"test-a.pub"}));
  EXPECT_EQ(codes_of(r, kGate, Severity::Error), Codes{"attest.unsigned-file"});
  auto f = test::findings_of(r, kGate, "attest.unsigned-file");
  ASSERT_EQ(f.size(), 1u);
  EXPECT_NE(f[0].message.find("artifacts/extra.json"), std::string::npos) << f[0].message;
  EXPECT_EQ(test::findings_of(r, kGate, "attest.verified").size(), 1u) << "the signature itself still holds";
  // A seal would seal nothing in integrity/: it refuses, naming the file.
  runner::SealOptions o;
  std::vector<std::string> notes;
  std::string err;
  EXPECT_FALSE(runner::seal_pack(pack, o, notes, err));
  EXPECT_NE(err.find("integrity/notes.txt: integrity/ may hold only"), std::string::npos) << err;
  fs::remove(pack + "/integrity/notes.txt");
  seal(pack, "test-a.key");
  EXPECT_EQ(status(), GateStatus::Pass) << "signed again with it: vouched for";
}

// Past limits.max_files_per_pack the walk stops: a file added after
// signing could lie there, so the gate never says verified alone (QA-51).
TEST_F(AttestationEdit, APackReadOnlyUpToTheFileLimitIsNeverVerifiedAlone) {
  test::write_file(pack + "/zzz/evil.json", "{\"forged\":true}");
  std::size_t entries = 0;
  for (auto it = fs::recursive_directory_iterator(pack); it != fs::recursive_directory_iterator(); ++it) ++entries;
  // Every cut fails; where the envelope and the sums were read before it,
  // the finding says why.
  bool said = false;
  for (std::size_t limit = 1; limit < entries; ++limit) {
    SCOPED_TRACE(limit);
    CheckRequest cut = trusting({"test-a.pub"});
    cut.policy.limits.max_files_per_pack = limit;
    RunReport r = run(pack, cut);
    EXPECT_EQ(status_of(r, kGate), GateStatus::Fail);
    for (const Finding& f : test::findings_of(r, kGate, "attest.unsigned-file"))
      said = said || f.message.find("more entries than limits.max_files_per_pack") != std::string::npos;
  }
  EXPECT_TRUE(said);
  // Read whole, the added file itself is named.
  auto whole = test::findings_of(run(pack, trusting({"test-a.pub"})), kGate, "attest.unsigned-file");
  ASSERT_EQ(whole.size(), 1u);
  EXPECT_NE(whole[0].message.find("zzz/evil.json"), std::string::npos) << whole[0].message;
}

TEST_F(AttestationEdit, TheRelabelAttackFails) {
  // Untouched: passes. Relabelled and resealed with B: no trusted signature.
  EXPECT_EQ(status(), GateStatus::Pass);
  test::set_json(pack + "/manifest.json", "/substrate_ref/substrate_id", "\"langchain\"");
  test::set_json(pack + "/manifest.json", "/lock_ref/lock_sha256", "\"" + std::string(64, 'c') + "\"");
  seal(pack, "test-b.key");
  EXPECT_EQ(errors(), Codes{"attest.signature"});
  // ... and without a key the stale envelope is gone.
  seal(pack);
  EXPECT_FALSE(fs::exists(envelope));
  EXPECT_EQ(errors(), Codes{"attest.envelope-missing"});
  // Resealing with the trusted key makes the relabelled pack pass: the key
  // vouches for whatever it signs (which is why trust is limited by scope).
  seal(pack, "test-a.key");
  EXPECT_EQ(status(), GateStatus::Pass);
}

TEST_F(AttestationEdit, OneChangedByteInAnyListedFileFails) {
  for (const char* rel : {"artifacts/plan.json", "timeline/events.ndjson", "reports/runner.meta.json", "manifest.json"}) {
    SCOPED_TRACE(rel);
    test::TempDir t;
    std::string p = test::copy_good_pack(t);
    std::string bytes = test::read_file(p + "/" + rel);
    bytes[bytes.size() / 2] ^= 0x20;
    test::write_file(p + "/" + rel, bytes);
    RunReport r = run(p, trusting({"test-a.pub"}));
    EXPECT_EQ(status_of(r, kGate), GateStatus::Fail);
    EXPECT_TRUE(test::has_code(r, kGate, "attest.file-changed")) << test::dump(r, kGate);
  }
}

TEST_F(AttestationEdit, ResealedUnderTheOldEnvelopeFailsPerSubject) {
  // The sums now list 300 more files (and a new manifest digest) than the signed statement.
  std::string signed_envelope = test::read_file(envelope);
  for (int i = 0; i < 300; ++i) test::write_file(pack + "/artifacts/extra/" + std::to_string(i) + ".txt", "x\n");
  seal(pack);
  test::write_file(envelope, signed_envelope);
  RunReport r = run(pack, trusting({"test-a.pub"}));
  // 200 listed, then one finding counting the other 100.
  auto missing = test::findings_of(r, kGate, "attest.subject-missing");
  ASSERT_EQ(missing.size(), 201u);
  std::size_t counted = 0;
  for (const Finding& f : missing) counted += f.message == "100 more findings of this kind are not listed" ? 1 : 0;
  EXPECT_EQ(counted, 1u);
  for (const std::string& c : codes_of(r, kGate, Severity::Error)) EXPECT_EQ(c, "attest.subject-missing");
}

TEST_F(AttestationEdit, HostileEnvelopesAreFindingsNeverCrashes) {
  const std::string payload = base64_encode("{\"_type\":");
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"null\n", "attest.envelope-shape"},
      {"\"text\"\n", "attest.envelope-shape"},
      {std::string(5000, '[') + std::string(5000, ']') + "\n", "attest.envelope-json"},
      {"{\"payloadType\":\"application/vnd.in-toto+json\",\"payload\":\"" + payload + "\",\"signatures\":[]}\n",
       "attest.signature"},
      {"{\"payloadType\":\"application/vnd.in-toto+json\",\"payload\":\"" + base64_encode("\xff\xfe") +
           "\",\"signatures\":[{\"sig\":\"\"}]}\n",
       "attest.statement-json"},
      {"{\"payloadType\":\"a\",\"payload\":\"\",\"signatures\":[{\"sig\":\"AAAA\"}],\"payload\":\"AA==\"}\n",
       "attest.envelope-shape"},
  };
  for (const auto& [bytes, code] : cases) {
    SCOPED_TRACE(bytes.substr(0, 60));
    test::write_file(envelope, bytes);
    RunReport r = run(pack, trusting({"test-a.pub", "test-ecdsa.pub"}));
    EXPECT_EQ(status_of(r, kGate), GateStatus::Fail);
    EXPECT_TRUE(test::has_code(r, kGate, code)) << test::dump(r, kGate);
    EXPECT_FALSE(test::has_code(r, kGate, "internal.error"));
  }
  fs::remove(envelope);
  fs::create_directory(envelope);
  EXPECT_EQ(errors(), Codes{"attest.envelope-missing"});
}

}  // namespace
}  // namespace mplp
