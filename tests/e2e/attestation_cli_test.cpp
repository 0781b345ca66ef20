// Issue 12 through the built binary: `key generate` / `key id`, `seal
// --sign-key`, `check --trusted-key`; the envelope verified by
// implementations that are not ours (openssl pkeyutl, securesystemslib);
// and the relabel attack.
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <filesystem>

#include "core/base64.h"
#include "core/json.h"
#include "core/pack_layout.h"
#include "core/sums.h"
#include "test_util.h"

namespace mplp {
namespace {

namespace fs = std::filesystem;
using test::run_tool;
using test::TempDir;

constexpr const char* kProvenancePath = "/integrity/provenance.intoto.jsonl";
constexpr const char* kIdA = "56c50dca49e272ce10907b13c4d477837447df2e00bb7a44bd43f032c80dcc8c";
constexpr const char* kIdEcdsa = "01629dd13776b7aeb201ddbfcb8456d803f38b73bd1890f8a84c19778b832966";

std::string key(const std::string& name) { return test::fixture("keys/" + name); }

int sh(const std::string& cmd, std::string& out) { return test::run_shell(cmd, out); }
std::string q(const std::string& s) { return test::shell_quote(s); }

mode_t mode_of(const std::string& path) {
  struct stat st {};
  ::stat(path.c_str(), &st);
  return st.st_mode & 07777;
}

// A writable copy of the good pack, sealed (and signed with `key_name`, if any).
std::string sealed_copy(const TempDir& t, const std::string& key_name, const std::string& name = "pack") {
  std::string p = test::copy_good_pack(t, name);
  std::vector<std::string> args = {"seal", p};
  if (!key_name.empty()) args.insert(args.end(), {"--sign-key", key(key_name)});
  auto r = run_tool(args);
  EXPECT_EQ(r.exit_code, 0) << r.err;
  return p;
}

// Writes the envelope's PAE and first signature next to it, for openssl.
void split_envelope(const std::string& pack, const std::string& pae_path, const std::string& sig_path) {
  test::split_dsse_envelope(pack + kProvenancePath, pae_path, sig_path);
}

TEST(KeyCli, GenerateWritesPkcs8AndSpkiWithModesAndNeverOverwrites) {
  TempDir t;
  auto r = run_tool({"key", "generate", "--out", t / "keys"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  std::string priv = t / "keys/mplp-gate.key", pub = t / "keys/mplp-gate.pub";
  EXPECT_EQ(mode_of(priv), 0600u);
  EXPECT_EQ(mode_of(pub), 0644u);
  EXPECT_EQ(mode_of(t / "keys"), 0700u);
  EXPECT_EQ(test::read_file(priv).rfind("-----BEGIN PRIVATE KEY-----\n", 0), 0u);
  EXPECT_EQ(test::read_file(pub).rfind("-----BEGIN PUBLIC KEY-----\n", 0), 0u);
  std::string out;
  ASSERT_EQ(sh("openssl pkey -in " + q(priv) + " -noout -text", out), 0) << out;
  EXPECT_NE(out.find("ED25519 Private-Key"), std::string::npos) << out;
  ASSERT_EQ(sh("openssl pkey -pubin -in " + q(pub) + " -outform DER | sha256sum", out), 0);
  auto id = run_tool({"key", "id", pub});
  ASSERT_EQ(id.exit_code, 0);
  EXPECT_EQ(id.out, out.substr(0, 64) + "\n");
  EXPECT_NE(r.out.find("key id: " + out.substr(0, 64)), std::string::npos) << r.out;
  EXPECT_EQ(run_tool({"key", "id", priv}).out, id.out);
  // Never overwrites: exit 2 naming the file, both files as they were.
  std::string before = test::read_file(priv);
  auto again = run_tool({"key", "generate", "--out", t / "keys"});
  EXPECT_EQ(again.exit_code, 2);
  EXPECT_NE(again.err.find(priv + ": already exists"), std::string::npos) << again.err;
  EXPECT_EQ(test::read_file(priv), before);
  fs::remove(priv);  // only the public half left: still refused
  again = run_tool({"key", "generate", "--out", t / "keys"});
  EXPECT_EQ(again.exit_code, 2);
  EXPECT_NE(again.err.find(pub + ": already exists"), std::string::npos) << again.err;
  EXPECT_FALSE(fs::exists(priv));
  fs::create_symlink("/nonexistent", t / "keys/mplp-gate.key");
  fs::remove(pub);
  EXPECT_EQ(run_tool({"key", "generate", "--out", t / "keys"}).exit_code, 2);  // a dangling link counts
}

// A failure after the directory was made leaves nothing: here writing the
// key fails (no file may grow under `ulimit -f 0`; mplp-gate ignores
// SIGXFSZ and sees EFBIG) (QA-34).
TEST(KeyCli, FailedGenerateLeavesNoDirectoryBehind) {
  TempDir t;
  const std::string out = t / "keys";
  auto generate = [&] {
    std::string output;
    const int status = test::run_shell("ulimit -f 0; exec " + q(test::gate_binary()) + " key generate --out " + q(out) +
                                           " 2>&1",
                                       output);
    return std::pair{status, output};
  };
  auto [status, output] = generate();
  EXPECT_EQ(status, 2) << output;
  EXPECT_NE(output.find("mplp-gate key generate: "), std::string::npos) << output;
  EXPECT_FALSE(fs::exists(out)) << "the directory made for the keys is left behind";
  fs::create_directory(out);  // one the user had stays, empty
  std::tie(status, output) = generate();
  EXPECT_EQ(status, 2) << output;
  EXPECT_TRUE(fs::is_directory(out));
  EXPECT_TRUE(fs::is_empty(out)) << "a key without its public half";
}

TEST(KeyCli, GenerateEcdsaAndUsageErrors) {
  TempDir t;
  auto r = run_tool({"key", "generate", "--type", "ecdsa-p256", "--out", t.path()});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  std::string out;
  ASSERT_EQ(sh("openssl pkey -in " + q(t / "mplp-gate.key") + " -noout -text", out), 0);
  EXPECT_NE(out.find("prime256v1"), std::string::npos) << out;
  for (const std::vector<std::string>& args :
       std::vector<std::vector<std::string>>{{"key"}, {"key", "make"}, {"key", "generate"},
                                             {"key", "generate", "--type", "rsa", "--out", t / "x"},
                                             {"key", "id"}, {"key", "id", key("bad-rsa.pub")}}) {
    auto bad = run_tool(args);
    EXPECT_EQ(bad.exit_code, 2) << args.back();
    EXPECT_FALSE(bad.err.empty());
  }
}

TEST(KeyCli, BadKeysExitTwoNamingTheFileBeforeAnyWork) {
  TempDir t;
  std::string p = test::copy_good_pack(t);
  auto before = test::read_file(p + "/manifest.json");
  for (const char* bad : {"bad-encrypted.key", "bad-sec1.key", "bad-p384.key", "bad-rsa.key", "bad-truncated.key",
                          "bad-garbage.key", "bad-mismatched.key", "test-a.pub", "missing.key"}) {
    SCOPED_TRACE(bad);
    auto seal = run_tool({"seal", p, "--sign-key", key(bad)});
    EXPECT_EQ(seal.exit_code, 2);
    EXPECT_NE(seal.err.find(key(bad)), std::string::npos) << seal.err;
    // `run` refuses the key before looking for an engine or a runner.
    auto run = run_tool({"run", "--runners", t / "no-runners", "--runner", "x", "--cmd", "true", "--out-dir", t / "o",
                         "--sign-key", key(bad)});
    EXPECT_EQ(run.exit_code, 2);
    EXPECT_NE(run.err.find("mplp-gate run: --sign-key: "), std::string::npos) << run.err;
    EXPECT_NE(run.err.find(key(bad)), std::string::npos) << run.err;
    EXPECT_FALSE(fs::exists(t / "o"));
  }
  EXPECT_EQ(test::read_file(p + "/manifest.json"), before);
  for (const char* bad : {"test-a.key", "bad-rsa.pub", "bad-garbage.key", "missing.pub"}) {
    auto c = run_tool({"check", "--trusted-key", key(bad), p});
    EXPECT_EQ(c.exit_code, 2) << bad;
    EXPECT_NE(c.err.find("--trusted-key: "), std::string::npos) << c.err;
    EXPECT_NE(c.err.find(key(bad)), std::string::npos) << c.err;
  }
  test::write_file(t / "policy.yaml", "version: 1\ntrust:\n  keys:\n    - path: nope.pub\n");
  auto c = run_tool({"check", "--policy", t / "policy.yaml", p});
  EXPECT_EQ(c.exit_code, 2);
  EXPECT_NE(c.err.find(t / "policy.yaml:4:13: trust.keys[0].path: key file " + t.path() + "/nope.pub"),
            std::string::npos)
      << c.err;
}

TEST(SignedSeal, OpensslVerifiesTheEnvelopeOverThePae) {
  for (const auto& [priv, pub, digest] :
       {std::tuple{"test-a.key", "test-a.pub", ""}, std::tuple{"test-ecdsa.key", "test-ecdsa.pub", " -digest sha256"}}) {
    SCOPED_TRACE(priv);
    TempDir t;
    std::string p = sealed_copy(t, priv);
    split_envelope(p, t / "pae.bin", t / "sig.bin");
    std::string out;
    const bool ecdsa = *digest != '\0';
    EXPECT_EQ(test::openssl_verify(key(pub), ecdsa, t / "pae.bin", t / "sig.bin", out), 0) << out;
    EXPECT_NE(out.find("Signature Verified Successfully"), std::string::npos) << out;
    // One byte of the PAE changed: openssl refuses it.
    std::string pae = test::read_file(t / "pae.bin");
    pae[pae.size() - 3] ^= 1;
    test::write_file(t / "pae.bin", pae);
    EXPECT_NE(test::openssl_verify(key(pub), ecdsa, t / "pae.bin", t / "sig.bin", out), 0) << out;
  }
}

// securesystemslib from Debian (python3-securesystemslib, scripts/setup.sh),
// run by Debian's own interpreter.
bool sslib_available(std::string& why) {
  std::string out;
  if (sh("/usr/bin/python3 " + q(test::source_root() + "/tests/e2e/sslib_verify.py") + " probe", out) != 0) {
    why = "Debian's python3-securesystemslib is not importable by /usr/bin/python3 (scripts/setup.sh installs it): " +
          out.substr(0, 300);
    return false;
  }
  return true;
}

TEST(SignedSeal, SecuresystemslibVerifiesTheSignatureOverThePae) {
  std::string why;
  if (!sslib_available(why)) GTEST_SKIP() << "SKIPPED: " << why;
  for (const auto& [priv, pub, id] :
       {std::tuple{"test-a.key", "test-a.pub", kIdA}, std::tuple{"test-ecdsa.key", "test-ecdsa.pub", kIdEcdsa}}) {
    SCOPED_TRACE(priv);
    TempDir t;
    std::string p = sealed_copy(t, priv);
    std::string script = "/usr/bin/python3 " + q(test::source_root() + "/tests/e2e/sslib_verify.py") + " signature " +
                         q(p + kProvenancePath) + " " + q(key(pub)) + " " + id;
    std::string out;
    EXPECT_EQ(sh(script, out), 0) << out;
    EXPECT_EQ(out, "VERIFIED\n");
    // Signed by another key: securesystemslib refuses it too.
    std::string other = sealed_copy(t, "test-b.key", "other");
    script = "/usr/bin/python3 " + q(test::source_root() + "/tests/e2e/sslib_verify.py") + " signature " +
             q(other + kProvenancePath) + " " + q(key(pub)) + " " + id;
    EXPECT_EQ(sh(script, out), 1) << out;
  }
}

TEST(SignedSeal, SecuresystemslibReadsTheDsseEnvelope) {
  std::string why;
  if (!sslib_available(why)) GTEST_SKIP() << "SKIPPED: " << why;
  TempDir t;
  std::string p = sealed_copy(t, "test-a.key");
  std::string out;
  int code = sh("/usr/bin/python3 " + q(test::source_root() + "/tests/e2e/sslib_verify.py") + " dsse " +
                    q(p + kProvenancePath) + " " + q(key("test-a.pub")) + " " + kIdA,
                out);
  if (code == 3)
    GTEST_SKIP() << "SKIPPED: " << out
                 << "Debian bookworm ships securesystemslib 0.26.0, whose API has SSlibKey.verify_signature but no "
                    "DSSE Envelope; SignedSeal.SecuresystemslibVerifiesTheSignatureOverThePae verifies the signature "
                    "with it over a PAE built by the test script instead";
  EXPECT_EQ(code, 0) << out;
  EXPECT_EQ(out, "VERIFIED\n");
}

TEST(SignedSeal, StatementCoversEverySumsEntryAndRecordsTheRunner) {
  TempDir t;
  std::string p = sealed_copy(t, "test-a.key");
  JsonDoc env, st;
  ASSERT_TRUE(parse_json(test::read_file(p + kProvenancePath), {}, env));
  EXPECT_EQ(test::read_file(p + kProvenancePath).find('\n'), test::read_file(p + kProvenancePath).size() - 1);
  EXPECT_EQ(as_view(env.value["payloadType"]), "application/vnd.in-toto+json");
  EXPECT_EQ(as_view(env.value["signatures"][0]["keyid"]), kIdA);
  std::string payload;
  ASSERT_TRUE(base64_decode(as_view(env.value["payload"]), payload));
  ASSERT_TRUE(parse_json(payload, {}, st));
  EXPECT_EQ(as_view(st.value["_type"]), "https://in-toto.io/Statement/v1");
  EXPECT_EQ(as_view(st.value["predicateType"]), "https://slsa.dev/provenance/v1");
  SumsParse sums = parse_sums(test::read_file(p + "/integrity/sha256sums.txt"));
  const auto& subjects = st.value["subject"];
  ASSERT_EQ(subjects.Size(), sums.entries.size());
  for (rapidjson::SizeType i = 0; i < subjects.Size(); ++i) {
    EXPECT_EQ(as_view(subjects[i]["name"]), sums.entries[i].path);
    EXPECT_EQ(as_view(subjects[i]["digest"]["sha256"]), sums.entries[i].hex);
  }
  const auto& def = st.value["predicate"]["buildDefinition"];
  EXPECT_EQ(as_view(def["buildType"]), "https://mplp.io/mplp-gate/seal/v1");
  EXPECT_EQ(as_view(def["externalParameters"]["runner"]), "node-20");
  EXPECT_EQ(as_view(def["resolvedDependencies"][0]["digest"]["sha256"]),
            "dda10dec06324fefcdde1487c890052c21edb388eecd707d980a0765a105f8e1");
  EXPECT_EQ(to_compact_json(def["internalParameters"]["environmentFingerprint"], 10000),
            "{\"os\":\"linux\",\"arch\":\"x86_64\",\"runtime_type\":\"node\",\"runtime_version\":\"20.20.0\","
            "\"generated_at\":\"2026-01-27T05:05:41Z\"}");
  const auto& details = st.value["predicate"]["runDetails"];
  EXPECT_EQ(as_view(details["builder"]["id"]), "urn:mplp-gate:seal");
  std::string version(as_view(details["builder"]["version"]["mplp-gate"]));
  EXPECT_NE(run_tool({"--version"}).out.find(version), std::string::npos) << version;
  EXPECT_TRUE(details["metadata"].HasMember("startedOn") && details["metadata"].HasMember("finishedOn"));
}

TEST(SignedSeal, SealWithoutAKeyRemovesTheStaleEnvelopeAndSaysSo) {
  TempDir t;
  std::string p = sealed_copy(t, "test-a.key");
  auto r = run_tool({"seal", p});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.err.find("note: removed the stale integrity/provenance.intoto.jsonl"), std::string::npos) << r.err;
  EXPECT_FALSE(fs::exists(p + kProvenancePath));
  r = run_tool({"seal", p});  // nothing to remove: no note
  EXPECT_EQ(r.err.find("stale"), std::string::npos) << r.err;
}

TEST(SignedSeal, NothingToAttestWithoutRunnerMetadataAndThePackIsLeftAlone) {
  TempDir t;
  std::string p = test::copy_good_pack(t);
  fs::remove(p + "/reports/runner.meta.json");
  auto before = test::read_file(p + "/integrity/sha256sums.txt");
  auto r = run_tool({"seal", p, "--sign-key", key("test-a.key")});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("reports/runner.meta.json"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("there is no runner to attest"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("left untouched"), std::string::npos) << r.err;
  EXPECT_EQ(test::read_file(p + "/integrity/sha256sums.txt"), before);
  EXPECT_TRUE(fs::exists(p + kProvenancePath));  // the old envelope too: nothing was committed
}

// The attack of issue 12: copy a signed pack, relabel it, reseal it.
TEST(RelabelAttack, OnlyTheUntouchedSignedPackPasses) {
  TempDir t;
  auto check = [&](const std::string& pack) {
    return run_tool({"check", "--trusted-key", key("test-a.pub"), "--gate", "GATE-V2-ATTESTATION-01", pack});
  };
  auto relabel = [&](const std::string& pack) {
    test::set_json(pack + "/manifest.json", "/substrate_ref/substrate_id", "\"langchain\"");
    test::set_json(pack + "/manifest.json", "/substrate_ref/substrate_name", "\"LangChain\"");
    test::set_json(pack + "/manifest.json", "/lock_ref/lock_sha256", "\"" + std::string(64, 'e') + "\"");
  };
  std::string a = sealed_copy(t, "test-a.key", "signed-by-a");
  auto r = check(a);
  EXPECT_EQ(r.exit_code, 0) << r.out;
  EXPECT_NE(r.out.find(std::string("provenance signed by trusted key ") + kIdA + " (test-a.pub)"),
            std::string::npos)
      << r.out;

  std::string b = t / "relabelled-b";
  test::copy_tree(a, b);
  relabel(b);
  ASSERT_EQ(run_tool({"seal", b, "--sign-key", key("test-b.key")}).exit_code, 0);
  r = check(b);
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.out.find("no signature verifies under a trusted key [attest.signature]"), std::string::npos) << r.out;

  std::string unsigned_copy = t / "relabelled-unsigned";
  test::copy_tree(a, unsigned_copy);
  relabel(unsigned_copy);
  ASSERT_EQ(run_tool({"seal", unsigned_copy}).exit_code, 0);
  r = check(unsigned_copy);
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.out.find("[attest.envelope-missing]"), std::string::npos) << r.out;

  std::string byte = t / "one-byte";
  test::copy_tree(a, byte);
  std::string trace = test::read_file(byte + "/artifacts/trace.json");
  trace[trace.size() / 2] = trace[trace.size() / 2] == 'x' ? 'y' : 'x';
  test::write_file(byte + "/artifacts/trace.json", trace);
  r = check(byte);
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.out.find("artifacts/trace.json changed after it was signed [attest.file-changed]"), std::string::npos)
      << r.out;

  std::string untouched = t / "untouched";
  test::copy_tree(a, untouched);
  EXPECT_EQ(check(untouched).exit_code, 0);
  // Every gate, not only ATTESTATION-01, passes the untouched copy with a signature required.
  r = run_tool({"check", "--require-signature", "--trusted-key", key("test-a.pub"), untouched});
  EXPECT_EQ(r.exit_code, 0) << r.out;
}

// A signature required while the gate that checks signatures cannot fail
// the run (disabled or capped by the policy, or left out by --gate/--skip
// when --require-signature asked) is exit 2 naming both, never a quiet pass.
TEST(TrustCli, ARequiredSignatureIsNeverLeftUncheckedInSilence) {
  const std::string pack = test::fixture("packs/good-real");
  TempDir t;
  test::write_file(t / "off.yaml", "gates:\n  GATE-V2-ATTESTATION-01:\n    enabled: false\n");
  test::write_file(t / "info.yaml", "gates:\n  GATE-V2-ATTESTATION-01:\n    severity: info\n");
  test::write_file(t / "warn.yaml", "gates:\n  GATE-V2-ATTESTATION-01:\n    severity: warning\n");
  test::write_file(t / "self.yaml", "trust:\n  require_signature: true\ngates:\n  GATE-V2-ATTESTATION-01:\n    enabled: false\n");
  test::write_file(t / "req.yaml", "trust:\n  require_signature: true\n");
  const std::string pub = key("test-a.pub");
  struct Case {
    std::vector<std::string> args;
    const char* says;
  };
  const std::vector<Case> refused = {
      {{"--require-signature", "--trusted-key", pub, "--policy", t / "off.yaml"}, "off.yaml:2 disables"},
      {{"--require-signature", "--trusted-key", pub, "--policy", t / "info.yaml"}, "caps at severity info"},
      {{"--require-signature", "--trusted-key", pub, "--policy", t / "warn.yaml"}, "caps at severity warning"},
      {{"--require-signature", "--trusted-key", pub, "--skip", "GATE-V2-ATTESTATION-01"}, "--gate or --skip leaves"},
      {{"--require-signature", "--gate", "GATE-V2-INTEGRITY-01"}, "--gate or --skip leaves"},
      {{"--policy", t / "self.yaml"}, "trust.require_signature needs GATE-V2-ATTESTATION-01, which"},
  };
  for (const Case& c : refused) {
    std::vector<std::string> argv = {"check"};
    argv.insert(argv.end(), c.args.begin(), c.args.end());
    argv.push_back(pack);
    auto r = run_tool(argv);
    EXPECT_EQ(r.exit_code, 2) << c.says << "\n" << r.out << r.err;
    EXPECT_NE(r.err.find(c.says), std::string::npos) << r.err;
  }
  // A policy's requirement with a run narrowed on purpose runs what was asked.
  EXPECT_EQ(run_tool({"check", "-q", "--policy", t / "req.yaml", "--gate", "GATE-V2-INTEGRITY-01", pack}).exit_code, 0);
  EXPECT_EQ(run_tool({"check", "-q", "--require-signature", "--trusted-key", pub, "--gate", "GATE-V2-ATTESTATION-01", pack})
                .exit_code,
            0);
}

TEST(TrustCli, RequireSignatureAndPolicyTrust) {
  std::string good = test::fixture("packs/good-real");
  auto r = run_tool({"check", "--require-signature", good});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.out.find("[attest.no-trusted-key]"), std::string::npos) << r.out;
  r = run_tool({"check", good});
  EXPECT_EQ(r.exit_code, 0) << r.out;
  EXPECT_NE(r.out.find("SKIP  GATE-V2-ATTESTATION-01  (no trusted key: provenance is self-asserted)"),
            std::string::npos)
      << r.out;
  // The demo's command: everything passes with the test key trusted.
  r = run_tool({"check", "--require-signature", "--trusted-key", key("test-a.pub"), good});
  EXPECT_EQ(r.exit_code, 0) << r.out;
  EXPECT_NE(r.out.find("PASS  GATE-V2-ATTESTATION-01"), std::string::npos) << r.out;
  EXPECT_EQ(r.out.find("FAIL"), std::string::npos) << r.out;
  // The same trust from a policy file, relative to it.
  TempDir t;
  test::write_file(t / "policy.yaml", "trust:\n  require_signature: true\n  keys:\n    - path: " +
                                          fs::relative(key("test-a.pub"), t.path()).string() + "\n");
  r = run_tool({"check", "--policy", t / "policy.yaml", good});
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_NE(r.out.find("PASS  GATE-V2-ATTESTATION-01"), std::string::npos) << r.out;
}

// Nor can it give a runner's image build the network (QA-40: a pull
// request's own .mplp-gate.yaml listed its runner under build_network, and
// its Containerfile's RUN steps reached the network as root). Refused before
// anything is built; a check of packs, which builds nothing, is unaffected.
TEST(TrustCli, ARepositoryPolicyCannotGiveBuildsTheNetwork) {
  TempDir t;
  fs::create_directories(t / "repo/.git");
  test::copy_tree(test::corpus("upstream/runners"), t / "repo/runners");
  test::copy_tree(test::fixture("packs/good-real"), t / "repo/runs/p1");
  test::write_file(t / "repo/.mplp-gate.yaml", "version: 1\nrunners:\n  build_network: [node-20]\n");
  test::RunOptions in_repo;
  in_repo.cwd = t / "repo";
  auto r = test::run_tool_with({"check", "--format", "json", "--runners", "runners"}, in_repo);
  EXPECT_EQ(r.exit_code, 2) << r.out << r.err;
  EXPECT_NE(r.err.find(".mplp-gate.yaml: this policy was found in the repository (not given with --policy) and lists "
                       "runners.build_network"),
            std::string::npos)
      << r.err;
  EXPECT_NE(r.out.find("\"result\": \"error\""), std::string::npos) << r.out;
  auto packs = test::run_tool_with({"check", "runs"}, in_repo);
  EXPECT_NE(packs.exit_code, 2) << packs.err;
  EXPECT_EQ(packs.err.find("build_network"), std::string::npos) << packs.err;
}

// A policy found in the repository (not --policy) cannot add trusted keys
// when the command line sets the trust: a pull request can edit it, and
// would trust its own key for a relabelled pack (QA-37).
TEST(TrustCli, ARepositoryPolicyCannotWidenTheCommandLinesTrust) {
  TempDir t;
  fs::create_directories(t / "repo/.git");
  test::copy_tree(test::fixture("packs/good-real"), t / "repo/runs/p1");
  fs::copy_file(key("test-b.pub"), t / "repo/evil.pub");
  test::write_file(t / "repo/.mplp-gate.yaml", "extends: default\ntrust:\n  keys:\n    - path: evil.pub\n");
  test::RunOptions in_repo;
  in_repo.cwd = t / "repo";
  for (const std::vector<std::string>& trust :
       {std::vector<std::string>{"--trusted-key", key("test-a.pub")}, std::vector<std::string>{"--require-signature"}}) {
    std::vector<std::string> args = {"check", "--format", "json"};
    args.insert(args.end(), trust.begin(), trust.end());
    args.push_back("runs");
    auto r = test::run_tool_with(args, in_repo);
    EXPECT_EQ(r.exit_code, 2) << trust[0] << "\n" << r.out << r.err;
    EXPECT_NE(r.err.find(".mplp-gate.yaml:4:"), std::string::npos) << r.err;
    EXPECT_NE(r.err.find("this policy was found in the repository (not given with --policy) and lists trusted keys"),
              std::string::npos)
        << r.err;
    EXPECT_NE(r.out.find("\"result\": \"error\""), std::string::npos) << r.out;
  }
  // Given with --policy, it is the caller's choice: its key is trusted.
  auto chosen = test::run_tool_with({"check", "--policy", ".mplp-gate.yaml", "--trusted-key", key("test-a.pub"), "runs"},
                                    in_repo);
  EXPECT_EQ(chosen.exit_code, 0) << chosen.out << chosen.err;
  // Without trust on the command line, the repository's policy is all there is.
  auto alone = test::run_tool_with({"check", "runs"}, in_repo);
  EXPECT_EQ(alone.exit_code, 1) << alone.out << alone.err;
  EXPECT_NE(alone.out.find("[attest.signature]"), std::string::npos) << alone.out;
}

TEST(TrustCli, GatesListAndExplainTheNewGates) {
  auto r = run_tool({"gates"});
  for (const char* id : {"GATE-V2-ATTESTATION-01", "GATE-V2-CONSISTENCY-01", "GATE-V2-EVIDENCE-REUSE-01"}) {
    EXPECT_NE(r.out.find(id), std::string::npos) << id;
    auto e = run_tool({"explain", id});
    EXPECT_EQ(e.exit_code, 0);
    EXPECT_NE(e.out.find("Findings and how to fix them:"), std::string::npos);
  }
}

TEST(TrustCli, SignedChecksAreByteIdenticalAcrossRuns) {
  std::vector<std::string> args = {"check", "--format", "json", "--trusted-key", key("test-a.pub"),
                                   test::fixture("attestation")};
  auto a = run_tool(args), b = run_tool(args);
  EXPECT_EQ(a.exit_code, 1);
  EXPECT_EQ(a.out, b.out);
}

}  // namespace
}  // namespace mplp
