// GATE-V2-SSOT-01: env_ref and reports/runner.meta.json of INDEXABLE_REAL packs.
#include <gtest/gtest.h>
#include <rapidjson/pointer.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>

#include "core/json.h"
#include "test_util.h"

namespace mplp {
namespace {

namespace fs = std::filesystem;
using test::check;
using test::codes_of;
using test::has_code;
using test::status_of;

constexpr const char* kGate = "GATE-V2-SSOT-01";
using test::set_json;
std::vector<Finding> findings(const RunReport& r, const std::string& code, const std::string& pack = "") {
  return test::findings_of(r, kGate, code, pack);
}
constexpr const char* kMeta = "/reports/runner.meta.json";


// Sets the same field in env_ref and runner.meta.json (so they still agree).
void set_both(const std::string& pack, const std::string& key, const std::string& value_json) {
  set_json(pack + "/manifest.json", ("/env_ref/" + key).c_str(), value_json);
  set_json(pack + kMeta, ("/" + key).c_str(), value_json);
}


RunReport run(const std::string& pack, CheckRequest base = {}) { return check({pack}, {kGate}, std::move(base)); }

std::string upstream(const std::string& rel) { return test::corpus("upstream/" + rel); }

using Codes = std::vector<std::string>;

// ---- the upstream packs, as they are ----

TEST(Ssot, UpstreamMcpPassesWithLegacyFieldWarnings) {
  RunReport r = run(upstream("real/mcp/mcp-d1-real-runner-001"));
  EXPECT_EQ(status_of(r, kGate), GateStatus::Pass);
  // Both env_ref and runner.meta.json use image_digest, and the fingerprint
  // says aarch64 (the contract's arm64; once, on env_ref: runner.meta.json
  // must equal it); nothing else is wrong.
  EXPECT_EQ(codes_of(r, kGate),
            (Codes{"ssot.fingerprint-arch", "ssot.legacy-digest-field", "ssot.legacy-digest-field"}));
  auto arch = findings(r, "ssot.fingerprint-arch");
  ASSERT_EQ(arch.size(), 1u);
  EXPECT_EQ(arch[0].file + "#" + arch[0].location.pointer, "manifest.json#/env_ref/environment_fingerprint/arch");
  EXPECT_EQ(arch[0].expected, "\"arm64\"");
  auto w = findings(r, "ssot.legacy-digest-field");
  ASSERT_EQ(w.size(), 2u);
  for (const Finding& f : w) {
    EXPECT_EQ(f.severity, Severity::Warning);
    EXPECT_NE(f.message.find("image_digest"), std::string::npos);
  }
  EXPECT_EQ(w[0].file + "#" + w[0].location.pointer, "manifest.json#/env_ref/image_digest");
  EXPECT_EQ(w[1].file + "#" + w[1].location.pointer, "reports/runner.meta.json#/image_digest");
}

TEST(Ssot, UpstreamMcpFailsUnderStrict) {
  CheckRequest req;
  req.options.strict = true;
  EXPECT_EQ(status_of(run(upstream("real/mcp/mcp-d1-real-runner-001"), req), kGate), GateStatus::Fail);
}

TEST(Ssot, UpstreamLangchainPasses) {
  RunReport r = run(upstream("real/langchain/langchain-d1-real-runner-det-001"));
  EXPECT_EQ(status_of(r, kGate), GateStatus::Pass);
  EXPECT_EQ(codes_of(r, kGate, Severity::Error), Codes{});
}

TEST(Ssot, UpstreamCrewaiFailsOnUnknownRuntimeNotOnRunnerId) {
  RunReport r = run(upstream("real/crewai/crewai-d1-real-runner-det-001"));
  EXPECT_EQ(status_of(r, kGate), GateStatus::Fail);
  EXPECT_FALSE(has_code(r, kGate, "ssot.runner-id"));  // "python" is fine by the pattern
  auto v = findings(r, "ssot.fingerprint-value");
  ASSERT_EQ(v.size(), 2u);
  EXPECT_EQ(v[0].location.pointer, "/env_ref/environment_fingerprint/runtime_type");
  EXPECT_EQ(v[1].location.pointer, "/env_ref/environment_fingerprint/runtime_version");
  EXPECT_EQ(v[0].actual, "\"unknown\"");
  // runner.meta.json says the same "unknown"s: the schema refuses them there.
  // Both say the same of the same file: one finding, counted, both places named.
  auto s = findings(r, "ssot.runner-meta-schema");
  ASSERT_EQ(s.size(), 1u);
  EXPECT_EQ(s[0].location.pointer, "/environment_fingerprint/runtime_type");
  EXPECT_NE(s[0].message.find("(2 times in this file)"), std::string::npos) << s[0].message;
  EXPECT_NE(s[0].detail.find("#/environment_fingerprint/runtime_version"), std::string::npos) << s[0].detail;
  EXPECT_FALSE(has_code(r, kGate, "ssot.runner-meta-mismatch"));  // they agree with each other
}

TEST(Ssot, UpstreamSyntheticIsSkippedSayingWhy) {
  RunReport r = run(upstream("synthetic/mcp/mcp-d1-synthetic-001"));
  const GateResult& g = test::result_of(r, kGate);
  EXPECT_EQ(g.status, GateStatus::Skip);
  EXPECT_NE(g.skip_reason.find("INDEXABLE_SYNTHETIC"), std::string::npos) << g.skip_reason;
  EXPECT_TRUE(g.findings.empty());  // "synthetic-bypass" is not judged
}

TEST(Ssot, UpstreamRegistryKnowsNode20ButNotPython) {
  CheckRequest req;
  req.registry_path = upstream("registry/substrates.v2.yaml");
  RunReport r = check({upstream("real")}, {kGate}, req);
  EXPECT_FALSE(has_code(r, kGate, "ssot.runner-unregistered", "mcp-d1-real-runner-001"));
  EXPECT_FALSE(has_code(r, kGate, "ssot.runner-unregistered", "langchain-d1-real-runner-det-001"));
  auto f = findings(r, "ssot.runner-unregistered", "crewai-d1-real-runner-det-001");
  ASSERT_EQ(f.size(), 1u);
  EXPECT_EQ(f[0].actual, "python");
  EXPECT_NE(f[0].expected.find("python-3.11"), std::string::npos) << f[0].expected;
  EXPECT_NE(f[0].message.find("substrates.v2.yaml"), std::string::npos) << f[0].message;
}

// ---- the good pack and the fixtures ----

TEST(Ssot, GoodPackPassesWithoutFindings) {
  RunReport r = run(test::fixture("packs/good-real"));
  EXPECT_EQ(status_of(r, kGate), GateStatus::Pass);
  EXPECT_EQ(codes_of(r, kGate), Codes{});
}

TEST(Ssot, LegacyFixtureWarnsForBothFiles) {
  RunReport r = run(test::fixture("ssot/pass-legacy-image-digest"));
  EXPECT_EQ(codes_of(r, kGate), (Codes{"ssot.legacy-digest-field", "ssot.legacy-digest-field"}));
}

TEST(Ssot, MismatchShowsBothValues) {
  RunReport r = run(test::fixture("ssot/fail-runner-meta-mismatch"));
  auto m = findings(r, "ssot.runner-meta-mismatch");
  ASSERT_EQ(m.size(), 2u);
  // Sorted by place in the file (issue 14: pointers carry their line):
  // runner_id comes before executed_at in runner.meta.json.
  EXPECT_EQ(m[1].file, "reports/runner.meta.json");
  EXPECT_EQ(m[1].location.pointer, "/executed_at");
  EXPECT_EQ(m[1].expected, "env_ref.executed_at = \"2026-01-27T05:05:42Z\"");
  EXPECT_EQ(m[1].actual, "\"2026-01-27T05:05:43Z\"");
  EXPECT_EQ(m[0].location.pointer, "/runner_id");
  EXPECT_EQ(m[0].expected, "env_ref.runner_id = \"node-20\"");
  EXPECT_EQ(m[0].actual, "\"node-18\"");
  EXPECT_LT(m[0].location.line, m[1].location.line);
}

TEST(Ssot, UnusableManifestFailsWithTheRuleMessage) {
  RunReport r = run(test::fixture("ssot/fail-manifest-unusable"));
  auto f = findings(r, "ssot.manifest-unusable");
  ASSERT_EQ(f.size(), 1u);
  EXPECT_EQ(f[0].message, "manifest unusable: provenance cannot be established");
  EXPECT_EQ(f[0].actual, "manifest.json is not valid JSON");
}

// ---- edits of the good pack ----

class SsotEdit : public ::testing::Test {
 protected:
  test::TempDir tmp;
  std::string pack = test::copy_good_pack(tmp);
  std::string manifest = pack + "/manifest.json";
  std::string meta = pack + kMeta;

  RunReport run_sealed(CheckRequest base = {}) {
    test::reseal(pack);
    return run(pack, std::move(base));
  }
};

TEST_F(SsotEdit, MissingOrNonObjectManifest) {
  for (const char* bytes : {"[]", "\"x\"", "null", "{\"a\": 1,", ""}) {
    SCOPED_TRACE(bytes);
    test::write_file(manifest, bytes);
    RunReport r = run(pack);
    EXPECT_EQ(status_of(r, kGate), GateStatus::Fail);
    EXPECT_EQ(codes_of(r, kGate), Codes{"ssot.manifest-unusable"});
  }
  fs::remove(manifest);
  RunReport r = run(pack);  // still a pack: it has artifacts/, integrity/, timeline/
  EXPECT_EQ(codes_of(r, kGate), Codes{"ssot.manifest-unusable"});
  EXPECT_EQ(findings(r, "ssot.manifest-unusable")[0].actual, "manifest.json is missing");
  fs::create_directory(manifest);
  EXPECT_EQ(findings(run(pack), "ssot.manifest-unusable")[0].actual, "manifest.json is not a regular file");
}

TEST_F(SsotEdit, NonRealStatusesSkip) {
  for (const char* status : {"\"NON_INDEXABLE\"", "\"INDEXABLE_SYNTHETIC\"", "\"indexable_real\"", "7"}) {
    SCOPED_TRACE(status);
    set_json(manifest, "/indexability_status", status);
    const RunReport kept = run_sealed();  // result_of returns a reference into it
    const GateResult& g = test::result_of(kept, kGate);
    EXPECT_EQ(g.status, GateStatus::Skip);
    EXPECT_NE(g.skip_reason.find(status), std::string::npos) << g.skip_reason;
  }
}

TEST_F(SsotEdit, EnvRefOfTheWrongType) {
  for (const char* v : {"[]", "\"container\"", "null"}) {
    set_json(manifest, "/env_ref", v);
    EXPECT_EQ(codes_of(run_sealed(), kGate, Severity::Error), Codes{"ssot.env-ref-missing"}) << v;
  }
}

TEST_F(SsotEdit, RunnerType) {
  for (const char* v : {"\"Container\"", "\"container \"", "null", "1", "\"unknown\""}) {
    set_json(manifest, "/env_ref/runner_type", v);
    EXPECT_EQ(codes_of(run_sealed(), kGate, Severity::Error), Codes{"ssot.runner-type"}) << v;
  }
  set_json(manifest, "/env_ref/runner_type", "");
  EXPECT_EQ(codes_of(run_sealed(), kGate, Severity::Error), Codes{"ssot.runner-type"});
}

TEST_F(SsotEdit, RunnerIdPlaceholdersMatchThePatternButFail) {
  for (const char* v : {"\"unknown\"", "\"none\"", "\"tbd\"", "\"null\"", "\"pending\""}) {
    set_both(pack, "runner_id", v);
    RunReport r = run_sealed();
    auto f = findings(r, "ssot.runner-id");
    ASSERT_EQ(f.size(), 1u) << v;
    EXPECT_NE(f[0].message.find("placeholder"), std::string::npos) << f[0].message;
    EXPECT_TRUE(has_code(r, kGate, "ssot.runner-meta-schema")) << v;  // the schema refuses it too
  }
}

TEST_F(SsotEdit, RunnerIdShapes) {
  set_both(pack, "runner_id", "\"" + std::string(64, 'a') + "\"");
  EXPECT_EQ(status_of(run_sealed(), kGate), GateStatus::Pass);
  for (std::string v : {"\"" + std::string(65, 'a') + "\"", std::string("\"-node\""), std::string("\"node/20\""),
                        std::string("20"), std::string("[\"node-20\"]")}) {
    set_both(pack, "runner_id", v);
    RunReport r = run_sealed();
    EXPECT_TRUE(has_code(r, kGate, "ssot.runner-id")) << v;
    EXPECT_TRUE(has_code(r, kGate, "ssot.runner-meta-schema")) << v;
    EXPECT_FALSE(has_code(r, kGate, "ssot.runner-meta-mismatch")) << v;
  }
}

TEST_F(SsotEdit, HugeRunnerIdIsJudgedQuickly) {
  set_both(pack, "runner_id", "\"" + std::string(1 << 20, 'a') + "!\"");
  RunReport r = run_sealed();
  EXPECT_TRUE(has_code(r, kGate, "ssot.runner-id"));
  EXPECT_TRUE(has_code(r, kGate, "ssot.runner-meta-schema"));
  for (const Finding& f : test::result_of(r, kGate).findings) EXPECT_LT(f.actual.size(), 1000u);
}

TEST_F(SsotEdit, Digests) {
  std::string hex = "dda10dec06324fefcdde1487c890052c21edb388eecd707d980a0765a105f8e1";
  for (std::string v : {"\"SHA256:" + hex + "\"",
                        "\"sha256:" + std::string(64, 'A') + "\"", "\"sha256:" + hex.substr(1) + "\"",
                        "\"" + hex + "\"", std::string("\"synthetic-bypass\""), std::string("\"pending\""),
                        std::string("null"), std::string("{}")}) {
    set_json(manifest, "/env_ref/container_digest", v);
    set_json(meta, "/container_digest", "\"sha256:" + hex + "\"");
    RunReport r = run_sealed();
    auto f = findings(r, "ssot.container-digest");
    ASSERT_EQ(f.size(), 1u) << v;
    EXPECT_EQ(f[0].location.pointer, "/env_ref/container_digest");
    EXPECT_TRUE(has_code(r, kGate, "ssot.runner-meta-mismatch")) << v;
  }
  // No digest at all, under either name.
  set_json(manifest, "/env_ref/container_digest", "");
  set_json(meta, "/container_digest", "");
  RunReport r = run_sealed();
  EXPECT_EQ(codes_of(r, kGate, Severity::Error), (Codes{"ssot.container-digest", "ssot.runner-meta-schema"}));
}

TEST_F(SsotEdit, ContainerDigestWinsOverLegacyField) {
  // Both present with one value: container_digest is the one checked, and no legacy warning.
  set_json(manifest, "/env_ref/image_digest",
           "\"sha256:dda10dec06324fefcdde1487c890052c21edb388eecd707d980a0765a105f8e1\"");
  RunReport r = run_sealed();
  EXPECT_EQ(status_of(r, kGate), GateStatus::Pass);
  EXPECT_EQ(codes_of(r, kGate), Codes{});
  // With two values readers disagree on the image (QA-33): an error.
  set_json(manifest, "/env_ref/image_digest", "\"garbage\"");
  r = run_sealed();
  EXPECT_EQ(codes_of(r, kGate), Codes{"ssot.two-digests"});
  EXPECT_EQ(findings(r, "ssot.two-digests")[0].location.pointer, "/env_ref/image_digest");
  // Legacy only, with a bad value: the legacy value is what gets judged.
  set_json(manifest, "/env_ref/container_digest", "");
  r = run_sealed();
  EXPECT_TRUE(has_code(r, kGate, "ssot.legacy-digest-field"));
  auto f = findings(r, "ssot.container-digest");
  ASSERT_EQ(f.size(), 1u);
  EXPECT_EQ(f[0].location.pointer, "/env_ref/image_digest");
}

TEST_F(SsotEdit, LegacyFieldInOneFileStillAgreesOnTheValue) {
  std::string d = "\"sha256:dda10dec06324fefcdde1487c890052c21edb388eecd707d980a0765a105f8e1\"";
  set_json(meta, "/container_digest", "");
  set_json(meta, "/image_digest", d);
  RunReport r = run_sealed();
  EXPECT_EQ(status_of(r, kGate), GateStatus::Pass);
  EXPECT_EQ(codes_of(r, kGate), Codes{"ssot.legacy-digest-field"});
}

TEST_F(SsotEdit, FingerprintKeyOrder) {
  const char* bad[] = {
      R"({"os":"linux","arch":"x86_64","runtime_type":"node"})",  // missing key
      R"({"os":"linux","arch":"x86_64","runtime_type":"node","runtime_version":"20","extra":"x"})",
      R"({"generated_at":"2026-01-27T05:05:41Z","os":"linux","arch":"x86_64","runtime_type":"node","runtime_version":"20"})",
      R"({"os":"linux","arch":"x86_64","runtime_version":"20","runtime_type":"node"})",
      R"({"os":"linux","arch":"x86_64","runtime_type":"node","runtime_version":"20","generated_at":"x","generated_at":"y"})",
      R"({"os":"linux","os":"linux","arch":"x86_64","runtime_type":"node","runtime_version":"20"})",
      R"({})",
  };
  for (const char* fp : bad) {
    SCOPED_TRACE(fp);
    // Written as raw text so that duplicate keys survive.
    std::string m = test::read_file(manifest);
    set_json(manifest, "/env_ref/environment_fingerprint", "\"@@FP@@\"");
    std::string text = test::read_file(manifest);
    text.replace(text.find("\"@@FP@@\""), 8, fp);
    test::write_file(manifest, text);
    RunReport r = run_sealed();
    auto f = findings(r, "ssot.fingerprint-keys");
    ASSERT_EQ(f.size(), 1u);
    EXPECT_EQ(f[0].location.pointer, "/env_ref/environment_fingerprint");
    EXPECT_NE(f[0].expected.find("os, arch, runtime_type, runtime_version"), std::string::npos);
    test::write_file(manifest, m);
  }
  // generated_at is optional.
  std::string ok = R"({"os":"linux","arch":"x86_64","runtime_type":"node","runtime_version":"20.20.0"})";
  set_both(pack, "environment_fingerprint", ok);
  EXPECT_EQ(codes_of(run_sealed(), kGate), Codes{});
}

TEST_F(SsotEdit, FingerprintValues) {
  set_both(pack, "environment_fingerprint",
           R"({"os":"","arch":"TBD","runtime_type":7,"runtime_version":null,"generated_at":"N/A"})");
  RunReport r = run_sealed();
  auto f = findings(r, "ssot.fingerprint-value");
  ASSERT_EQ(f.size(), 5u);
  // In the order of the file: os, arch, runtime_type, runtime_version, generated_at.
  EXPECT_EQ(f[1].location.pointer, "/env_ref/environment_fingerprint/arch");
  EXPECT_EQ(f[1].actual, "\"TBD\"");
  EXPECT_NE(f[3].message.find("is null"), std::string::npos);
  EXPECT_FALSE(has_code(r, kGate, "ssot.fingerprint-keys"));
  EXPECT_FALSE(has_code(r, kGate, "ssot.runner-meta-mismatch"));
  EXPECT_GE(findings(r, "ssot.runner-meta-schema").size(), 4u);
}

// Blank values, and placeholders padded with blanks, are placeholders
// (QA-39: " " passed as the operating system in both files).
TEST_F(SsotEdit, BlankFingerprintValuesArePlaceholders) {
  set_both(pack, "environment_fingerprint",
           R"({"os":" ","arch":"\t","runtime_type":"Unknown ","runtime_version":"\u200b","generated_at":"2026-01-27T05:05:41Z"})");
  auto f = findings(run_sealed(), "ssot.fingerprint-value");
  ASSERT_EQ(f.size(), 4u);
  EXPECT_EQ(f[0].location.pointer, "/env_ref/environment_fingerprint/os");
  EXPECT_EQ(f[3].location.pointer, "/env_ref/environment_fingerprint/runtime_version");
}

// An arch the contract does not name is an error; its two aliases warn
// (QA-39: "potato" and "X86_64" passed).
TEST_F(SsotEdit, ArchIsOneTheContractNames) {
  for (const char* arch : {"potato", "X86_64", "x86-64", "i386", "ARM64"}) {
    set_both(pack, "environment_fingerprint",
             std::string(R"({"os":"linux","arch":")") + arch + R"(","runtime_type":"node","runtime_version":"20.11.1"})");
    RunReport r = run_sealed();
    auto f = findings(r, "ssot.fingerprint-arch-unknown");
    ASSERT_EQ(f.size(), 1u) << arch;
    EXPECT_EQ(f[0].location.pointer, "/env_ref/environment_fingerprint/arch");
    EXPECT_FALSE(has_code(r, kGate, "ssot.fingerprint-arch")) << arch;
  }
  for (const char* arch : {"aarch64", "amd64", "x86_64", "arm64"}) {
    set_both(pack, "environment_fingerprint",
             std::string(R"({"os":"linux","arch":")") + arch + R"(","runtime_type":"node","runtime_version":"20.11.1"})");
    EXPECT_TRUE(findings(run_sealed(), "ssot.fingerprint-arch-unknown").empty()) << arch;
  }
}

TEST_F(SsotEdit, FingerprintThatIsNoObject) {
  for (const char* v : {"\"synthetic-bypass\"", "[]", "null"}) {
    set_both(pack, "environment_fingerprint", v);
    RunReport r = run_sealed();
    EXPECT_EQ(findings(r, "ssot.fingerprint").size(), 1u) << v;
    EXPECT_FALSE(has_code(r, kGate, "ssot.fingerprint-keys")) << v;
  }
}

TEST_F(SsotEdit, FingerprintKeysWithSlashesGetEscapedPointers) {
  set_both(pack, "environment_fingerprint",
           R"({"os":"linux","arch":"x86_64","runtime_type":"node","runtime_version":"20","a/b~c":"unknown"})");
  auto f = findings(run_sealed(), "ssot.fingerprint-value");
  ASSERT_EQ(f.size(), 1u);
  EXPECT_EQ(f[0].location.pointer, "/env_ref/environment_fingerprint/a~1b~0c");
}

TEST_F(SsotEdit, FingerprintOrderMustAgreeNotJustValues) {
  // Same keys and values, another order in runner.meta.json.
  set_json(meta, "/environment_fingerprint",
           R"({"arch":"x86_64","os":"linux","runtime_type":"node","runtime_version":"20.20.0","generated_at":"2026-01-27T05:05:41Z"})");
  RunReport r = run_sealed();
  auto f = findings(r, "ssot.runner-meta-mismatch");
  ASSERT_EQ(f.size(), 1u);
  EXPECT_EQ(f[0].location.pointer, "/environment_fingerprint");
  EXPECT_NE(f[0].expected.find("\"os\":\"linux\",\"arch\""), std::string::npos) << f[0].expected;
  EXPECT_NE(f[0].actual.find("\"arch\":\"x86_64\",\"os\""), std::string::npos) << f[0].actual;
}

TEST_F(SsotEdit, ExecutedAtIsAWarning) {
  for (const char* v : {"\"2026-01-27T05:05:42+00:00\"", "\"2026-01-27 05:05:42\"", "\"yesterday\"", "\"unknown\"",
                        "\"\""}) {
    set_both(pack, "executed_at", v);
    RunReport r = run_sealed();
    EXPECT_EQ(status_of(r, kGate), GateStatus::Pass) << v;
    EXPECT_EQ(codes_of(r, kGate), (Codes{"ssot.executed-at", "ssot.executed-at"})) << v;
    auto w = findings(r, "ssot.executed-at");
    ASSERT_EQ(w.size(), 2u);
    EXPECT_EQ(w[0].severity, Severity::Warning);
    EXPECT_EQ(w[0].location.pointer, "/env_ref/executed_at");
    EXPECT_EQ(w[1].file, "reports/runner.meta.json");
  }
  CheckRequest strict;
  strict.options.strict = true;
  EXPECT_EQ(status_of(run_sealed(strict), kGate), GateStatus::Fail);
  // A number is no time either; runner.meta.json's schema wants a string.
  set_both(pack, "executed_at", "1706331942");
  RunReport r = run_sealed();
  EXPECT_EQ(codes_of(r, kGate), (Codes{"ssot.executed-at", "ssot.runner-meta-schema"}));
}

TEST_F(SsotEdit, ExecutedAtMissingFromTheManifestOnly) {
  set_json(manifest, "/env_ref/executed_at", "");
  RunReport r = run_sealed();
  EXPECT_EQ(codes_of(r, kGate, Severity::Warning), (Codes{"ssot.executed-at", "ssot.runner-meta-mismatch"}));
  EXPECT_EQ(findings(r, "ssot.runner-meta-mismatch")[0].expected, "env_ref.executed_at = missing");
}

TEST_F(SsotEdit, EveryDisagreementIsOneError) {
  set_json(meta, "/runner_id", "\"node-18\"");
  set_json(meta, "/container_digest", "\"sha256:" + std::string(63, '1') + "2\"");
  set_json(meta, "/environment_fingerprint/runtime_version", "\"20.20.1\"");
  set_json(meta, "/executed_at", "\"2026-01-27T05:05:42.000Z\"");  // same instant, other text
  RunReport r = run_sealed();
  auto f = findings(r, "ssot.runner-meta-mismatch");
  ASSERT_EQ(f.size(), 4u);
  // In the order of the file.
  EXPECT_EQ(f[0].location.pointer, "/runner_id");
  EXPECT_EQ(f[1].location.pointer, "/container_digest");
  EXPECT_EQ(f[2].location.pointer, "/environment_fingerprint");
  EXPECT_EQ(f[3].location.pointer, "/executed_at");
  for (const Finding& x : f) {
    EXPECT_NE(x.expected, x.actual);
    EXPECT_FALSE(x.expected.empty());
  }
}

TEST_F(SsotEdit, RunnerMetaThatIsNoRegularFile) {
  fs::remove(meta);
  fs::create_directory(meta);
  RunReport r = run(pack);
  auto f = findings(r, "ssot.runner-meta-missing");
  ASSERT_EQ(f.size(), 1u);
  EXPECT_NE(f[0].message.find("directory"), std::string::npos) << f[0].message;

  // A symlink to a perfectly good runner.meta.json outside the pack is not followed.
  fs::remove(meta);
  test::write_file(tmp / "outside.json", test::read_file(test::fixture("packs/good-real/reports/runner.meta.json")));
  fs::create_symlink(tmp / "outside.json", meta);
  r = run(pack);
  EXPECT_EQ(status_of(r, kGate), GateStatus::Fail);
  f = findings(r, "ssot.runner-meta-missing");
  ASSERT_EQ(f.size(), 1u);
  EXPECT_NE(f[0].message.find("symbolic link"), std::string::npos) << f[0].message;

  fs::remove(meta);
  ASSERT_EQ(::mkfifo(meta.c_str(), 0600), 0);
  r = run(pack);  // must not hang
  EXPECT_EQ(codes_of(r, kGate), Codes{"ssot.runner-meta-missing"});
}

TEST_F(SsotEdit, RunnerMetaThatIsNoJson) {
  test::write_file(meta, "{\n  \"runner_id\": \"node-20\",\n  oops\n}\n");
  RunReport r = run(pack);
  auto f = findings(r, "ssot.runner-meta-json");
  ASSERT_EQ(f.size(), 1u);
  EXPECT_EQ(f[0].location.line, 3u);
  EXPECT_EQ(codes_of(r, kGate, Severity::Error), Codes{"ssot.runner-meta-json"});

  test::write_file(meta, std::string(100000, '[') + std::string(100000, ']'));  // deeper than the limit
  EXPECT_EQ(codes_of(run(pack), kGate, Severity::Error), Codes{"ssot.runner-meta-json"});

  test::write_file(meta, "{\"runner_id\": \"node-\xff\"}");  // invalid UTF-8
  EXPECT_EQ(codes_of(run(pack), kGate, Severity::Error), Codes{"ssot.runner-meta-json"});
}

TEST_F(SsotEdit, RunnerMetaThatIsNoObject) {
  for (const char* v : {"[]", "\"node-20\"", "null", "42"}) {
    test::write_file(meta, v);
    RunReport r = run(pack);
    EXPECT_EQ(status_of(r, kGate), GateStatus::Fail) << v;
    EXPECT_EQ(codes_of(r, kGate, Severity::Error), Codes{"ssot.runner-meta-schema"}) << v;
  }
}

TEST_F(SsotEdit, RunnerMetaDuplicateKeys) {
  std::string text = test::read_file(meta);
  text.replace(text.find("\"workdir\""), 0, "\"workdir\": \"/elsewhere\",\n  ");
  test::write_file(meta, text);
  auto f = findings(run(pack), "ssot.runner-meta-duplicate-key");
  ASSERT_EQ(f.size(), 1u);
  EXPECT_EQ(f[0].location.pointer, "/workdir");
  EXPECT_GT(f[0].location.line, 1u);
}

TEST_F(SsotEdit, RunnerMetaOptionalFieldsMustBeStrings) {
  set_json(meta, "/image_tag", "7");
  set_json(meta, "/workdir", "null");
  auto f = findings(run_sealed(), "ssot.runner-meta-schema");
  ASSERT_EQ(f.size(), 2u);
  EXPECT_EQ(f[1].location.pointer, "/image_tag");
  EXPECT_EQ(f[0].location.pointer, "/workdir");  // earlier in the file
}

TEST_F(SsotEdit, RunnerMetaMayCarryExtraKeys) {
  set_json(meta, "/runner_version", "\"1.2.3\"");
  EXPECT_EQ(codes_of(run_sealed(), kGate), Codes{});
}

TEST_F(SsotEdit, RegistryFromRepoRoot) {
  CheckRequest req;
  req.options.repo_root = tmp / "repo";
  test::write_file(tmp / "repo/producers/real/_registry/substrates.v2.yaml",
                   "version: \"2.0.0\"\nsubstrates: []\nrunners:\n  - runner_id: \"node-18\"\n");
  RunReport r = run_sealed(req);
  auto f = findings(r, "ssot.runner-unregistered");
  ASSERT_EQ(f.size(), 1u);
  EXPECT_EQ(f[0].expected, "one of: node-18");
  EXPECT_EQ(f[0].location.pointer, "/env_ref/runner_id");
  // producers/_registry wins over producers/real/_registry. (The pack's
  // substrate must be registered with its runner too: issue 12's binding.)
  test::write_file(tmp / "repo/producers/_registry/substrates.v2.yaml", test::registry_yaml({{"mcp", "node-20"}}, {"node-20"}));
  EXPECT_EQ(status_of(run_sealed(req), kGate), GateStatus::Pass);
}

TEST_F(SsotEdit, RegistryWithoutRunners) {
  test::write_file(tmp / "reg.yaml", "version: \"2.0.0\"\nsubstrates: []\nrunners: []\n");
  CheckRequest req;
  req.registry_path = tmp / "reg.yaml";
  auto f = findings(run_sealed(req), "ssot.runner-unregistered");
  ASSERT_EQ(f.size(), 1u);
  EXPECT_NE(f[0].expected.find("lists none"), std::string::npos);
}

TEST_F(SsotEdit, NoRegistryNoRegistryCheck) {
  set_both(pack, "runner_id", "\"my-private-runner\"");
  EXPECT_EQ(status_of(run_sealed(), kGate), GateStatus::Pass);
}

// Issue 17, point 5: the schema's findings are worded by the rule broken
// (a digest missing under both names is one finding; `not` says placeholder),
// decided on valijson's structured result, and other rules keep its words.
TEST_F(SsotEdit, RunnerMetaSchemaFindingsByRule) {
  set_json(meta, "/container_digest", "");
  set_json(meta, "/executed_at", "");
  set_json(meta, "/environment_fingerprint/generated_at", "\"none\"");
  RunReport r = run_sealed();
  std::vector<std::pair<std::string, std::string>> got;
  for (const Finding& f : findings(r, "ssot.runner-meta-schema")) {
    EXPECT_EQ(f.file, "reports/runner.meta.json");
    got.emplace_back(f.location.pointer, f.message);
  }
  std::sort(got.begin(), got.end());
  const std::string lead = "not valid against schemas/runner-meta.v2.schema.json: ";
  std::vector<std::pair<std::string, std::string>> want = {
      {"", lead + "Missing required property 'executed_at'."},  // another rule: valijson's words
      {"", lead + "missing required property 'container_digest' (or the legacy 'image_digest')"},
      {"/environment_fingerprint/generated_at",
       lead + "is empty or a placeholder (unknown, pending, none, null, placeholder, n/a, tbd)"},
  };
  std::sort(want.begin(), want.end());
  EXPECT_EQ(got, want) << test::dump(r, kGate);
}

TEST_F(SsotEdit, FindingsAreLocatedAndOneLine) {
  set_both(pack, "environment_fingerprint", R"({"arch":"unknown\nsecond line","os":null})");
  set_json(manifest, "/env_ref/runner_type", "\"vm\"");
  RunReport r = run_sealed();
  const GateResult& g = test::result_of(r, kGate);
  ASSERT_FALSE(g.findings.empty());
  for (const Finding& f : g.findings) {
    EXPECT_FALSE(f.file.empty()) << f.code;
    EXPECT_FALSE(f.message.empty()) << f.code;
    EXPECT_EQ(f.message.find('\n'), std::string::npos) << f.message;
    EXPECT_EQ(f.actual.find('\n'), std::string::npos) << f.actual;
    EXPECT_EQ(f.gate_id, kGate);
  }
}

}  // namespace
}  // namespace mplp
