// Issue 12 with real containers: the example producer run by `mplp-gate run
// --sign-key` (test key A) carries provenance that openssl verifies and that
// passes every gate with A trusted; the relabel attack on that run fails.
// Sealing with a key is all-or-nothing like the rest of the seal (SIGKILL).
#include <gtest/gtest.h>

#include <filesystem>

#include "core/base64.h"
#include "core/json.h"
#include "core/pack_layout.h"
#include "runner_test_util.h"
#include "test_util.h"

namespace mplp::test {
namespace {

namespace fs = std::filesystem;

constexpr const char* kProvenancePath = "/integrity/provenance.intoto.jsonl";
constexpr const char* kProducer = "node producers/example/produce.js";

std::string key(const std::string& name) { return fixture("keys/" + name); }

std::vector<std::string> signed_run(const std::string& out, const std::string& key_name) {
  std::vector<std::string> args = {"run", "--engine", test_engine(), "--runners", source_root() + "/runners", "--runner", "node-20-local",
                                   "--cmd", kProducer, "--out-dir", out};
  if (!key_name.empty()) args.insert(args.end(), {"--sign-key", key(key_name)});
  return args;
}

RunResult check_trusting_a(const std::string& pack, bool only_attestation = false) {
  std::vector<std::string> args = {"check", "--require-signature", "--trusted-key", key("test-a.pub"),
                                   "--repo-root", source_root()};
  if (only_attestation) args.insert(args.end(), {"--gate", "GATE-V2-ATTESTATION-01"});
  args.push_back(pack);
  return run_tool(args);
}

// One signed producer run shared by the tests of this file (a run costs seconds).
class SignedRun : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    std::string why;
    if (!engine_available(why)) return;
    dir_ = new TempDir();
    result_ = new RunResult(run_tool(signed_run(*dir_ / "runs/example-001", "test-a.key")));
  }
  static void TearDownTestSuite() {
    delete result_;
    delete dir_;
  }
  void SetUp() override {
    REQUIRE_ENGINE();
    ASSERT_NE(result_, nullptr);
    ASSERT_EQ(result_->exit_code, 0) << result_->err;
  }
  static std::string pack() { return *dir_ / "runs/example-001"; }
  static TempDir* dir_;
  static RunResult* result_;
};
TempDir* SignedRun::dir_ = nullptr;
RunResult* SignedRun::result_ = nullptr;

TEST_F(SignedRun, PredicateRecordsTheRunAndOpensslVerifiesIt) {
  EXPECT_NE(result_->err.find("provenance signed by key 56c50dca49e272ce"), std::string::npos) << result_->err;
  JsonDoc env, st, meta;
  ASSERT_TRUE(parse_json(read_file(pack() + kProvenancePath), {}, env));
  ASSERT_TRUE(parse_json(read_file(pack() + "/reports/runner.meta.json"), {}, meta));
  std::string payload, sig;
  ASSERT_TRUE(base64_decode(as_view(env.value["payload"]), payload));
  ASSERT_TRUE(base64_decode(as_view(env.value["signatures"][0]["sig"]), sig));
  ASSERT_TRUE(parse_json(payload, {}, st));
  const auto& def = st.value["predicate"]["buildDefinition"];
  EXPECT_EQ(as_view(def["buildType"]), "https://mplp.io/mplp-gate/run/v1");
  EXPECT_EQ(as_view(def["externalParameters"]["runner"]), "node-20-local");
  EXPECT_EQ(as_view(def["externalParameters"]["command"]), kProducer);
  EXPECT_EQ(as_view(def["externalParameters"]["network"]), "none");
  EXPECT_EQ("sha256:" + std::string(as_view(def["resolvedDependencies"][0]["digest"]["sha256"])),
            as_view(meta.value["container_digest"]));
  EXPECT_EQ(as_view(def["resolvedDependencies"][0]["annotations"]["imageRef"]), as_view(meta.value["image_ref"]));
  EXPECT_EQ(to_compact_json(def["internalParameters"]["environmentFingerprint"], 10000),
            to_compact_json(meta.value["environment_fingerprint"], 10000));
  const auto& details = st.value["predicate"]["runDetails"];
  EXPECT_EQ(as_view(details["builder"]["id"]), "urn:mplp-gate:run");
  EXPECT_EQ(as_view(details["metadata"]["startedOn"]), as_view(meta.value["executed_at"]));
  EXPECT_EQ(as_view(details["metadata"]["invocationId"]).rfind("mplp-run-", 0), 0u);
  EXPECT_GE(as_view(details["metadata"]["finishedOn"]), as_view(details["metadata"]["startedOn"]));

  TempDir t;
  std::string type(as_view(env.value["payloadType"]));
  write_file(t / "pae.bin", "DSSEv1 " + std::to_string(type.size()) + " " + type + " " +
                                std::to_string(payload.size()) + " " + payload);
  write_file(t / "sig.bin", sig);
  std::string out;
  EXPECT_EQ(run_shell("openssl pkeyutl -verify -pubin -inkey '" + key("test-a.pub") + "' -rawin -in '" + t / "pae.bin" +
                   "' -sigfile '" + t / "sig.bin" + "'",
               out),
            0)
      << out;
  if (run_shell("/usr/bin/python3 '" + source_root() + "/tests/e2e/sslib_verify.py' signature '" + pack() + kProvenancePath +
             "' '" + key("test-a.pub") + "' 56c50dca49e272ce10907b13c4d477837447df2e00bb7a44bd43f032c80dcc8c",
         out) != 0)
    ADD_FAILURE() << "securesystemslib: " << out;
}

TEST_F(SignedRun, ExampleProducerPassesEveryGateWithTheTestKeyTrusted) {
  RunResult c = check_trusting_a(pack());
  EXPECT_EQ(c.exit_code, 0) << c.out;
  EXPECT_NE(c.out.find("PASS  GATE-V2-ATTESTATION-01"), std::string::npos) << c.out;
  EXPECT_EQ(c.out.find("FAIL"), std::string::npos) << c.out;
}

TEST_F(SignedRun, RelabelAttackOnAProducerRunFails) {
  auto relabel = [](const std::string& p) {
    set_json(p + "/manifest.json", "/pack_id", "\"relabelled-001\"");
    set_json(p + "/manifest.json", "/lock_ref/lock_sha256", "\"" + std::string(64, 'd') + "\"");
    set_json(p + "/manifest.json", "/substrate_ref/upstream_tag", "\"v9.9.9\"");
  };
  TempDir t;
  std::string b = t / "relabelled-b", none = t / "relabelled-unsigned", byte = t / "one-byte", same = t / "untouched";
  for (const std::string& p : {b, none, byte, same}) copy_tree(pack(), p);
  relabel(b);
  ASSERT_EQ(run_tool({"seal", b, "--sign-key", key("test-b.key")}).exit_code, 0);
  RunResult r = check_trusting_a(b, true);
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.out.find("[attest.signature]"), std::string::npos) << r.out;
  relabel(none);
  ASSERT_EQ(run_tool({"seal", none}).exit_code, 0);
  r = check_trusting_a(none, true);
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.out.find("[attest.envelope-missing]"), std::string::npos) << r.out;
  std::string plan = read_file(byte + "/artifacts/plan.json");
  plan[plan.find("add")] = 'A';
  write_file(byte + "/artifacts/plan.json", plan);
  r = check_trusting_a(byte, true);
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.out.find("[attest.file-changed]"), std::string::npos) << r.out;
  r = check_trusting_a(same);
  EXPECT_EQ(r.exit_code, 0) << r.out;
}

TEST_F(SignedRun, RunWithoutAKeyOverASignedPackLeavesItUnsigned) {
  TempDir t;
  std::string p = t / "pack";
  copy_tree(pack(), p);
  RunResult r = run_tool(signed_run(p, ""));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.err.find("removed the stale integrity/provenance.intoto.jsonl"), std::string::npos) << r.err;
  EXPECT_FALSE(fs::exists(p + kProvenancePath));
}

// No engine needed: `seal --sign-key` killed at each step leaves the pack as
// it was, or (once committed) sealed and signed.
TEST(SealSigned, KilledAtAnyStepLeavesPackUntouchedOrSignedAndSealed) {
  for (const char* step : {"staged", "sealed-manifest", "sealed-sums", "sealed-provenance", "committed"}) {
    SCOPED_TRACE(step);
    TempDir tmp;
    std::string p = copy_good_pack(tmp);
    fs::remove(p + kProvenancePath);
    set_json(p + "/manifest.json", "/pack_id", "\"mcp-d1-real-runner-001\"");
    auto before = snapshot(p);
    Paused paused = run_and_kill_at({"seal", p, "--sign-key", key("test-a.key")}, step);
    ASSERT_TRUE(paused.reached) << paused.err;
    if (std::string(step) != "committed") {
      EXPECT_EQ(snapshot(p), before);
    } else {
      RunResult c = run_tool({"check", "--require-signature", "--trusted-key", key("test-a.pub"), p});
      EXPECT_EQ(c.exit_code, 0) << c.out;
    }
  }
}

}  // namespace
}  // namespace mplp::test
