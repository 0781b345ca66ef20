// End-to-end tests of issue 14, points 3 and 8 on the built binary: each
// pack's result says what could not be verified (one line in text, a
// `not_verified` list in JSON), and DET-01's mismatch says which files differ.
#include <gtest/gtest.h>

#include <map>
#include <set>
#include <string>
#include <vector>

#include "core/json.h"
#include "core/schema.h"
#include "test_util.h"

namespace mplp {
namespace {

using test::run_tool;
using test::TempDir;

std::set<std::string> unverified_checks(const std::string& json, std::size_t pack = 0) {
  JsonDoc doc;
  EXPECT_TRUE(parse_json(json, {}, doc)) << json;
  for (const auto& e : validate_with_schema("gate-report", doc.value)) ADD_FAILURE() << e.pointer << ": " << e.message;
  std::set<std::string> out;
  for (const auto& u : doc.value["packs"][static_cast<rapidjson::SizeType>(pack)]["not_verified"].GetArray()) {
    EXPECT_GT(u["reason"].GetStringLength(), 10u);
    out.insert(u["check"].GetString());
  }
  return out;
}

TEST(NotVerified, APlainCheckSaysWhatItCouldNotVerify) {
  TempDir t;
  // A copy outside the repository: no registry above it.
  std::string p = test::copy_good_pack(t);
  auto r = run_tool({"check", "--format", "json", p});
  EXPECT_EQ(r.exit_code, 0) << r.out;
  EXPECT_EQ(unverified_checks(r.out),
            (std::set<std::string>{"determinism", "lock file", "registry membership", "signature"}));
  auto text = run_tool({"check", p});
  EXPECT_EQ(text.exit_code, 0);
  std::size_t at = text.out.find("  NOT VERIFIED  ");
  ASSERT_NE(at, std::string::npos) << text.out;
  std::string line = text.out.substr(at, text.out.find('\n', at) - at);
  for (const char* part : {"lock file (not checked without --repo-root", "signature (no trusted key",
                           "registry membership (no substrate registry found", "determinism (no rerun"})
    EXPECT_NE(line.find(part), std::string::npos) << line;
  EXPECT_EQ(text.out.find("NOT VERIFIED", at + 3), std::string::npos) << "one line per pack";
}

TEST(NotVerified, EachOptionThatVerifiesMoreRemovesItsEntry) {
  TempDir t;
  std::string repo = t / "repo";
  test::copy_tree(test::fixture("producers"), repo + "/producers");
  test::copy_tree(test::fixture("packs/good-real"), repo + "/runs/a");
  test::copy_tree(test::fixture("packs/good-real"), repo + "/runs/b");
  // A rerun has a pack_id of its own (a copy of one run is no rerun: DET-01).
  std::string replaced;
  ASSERT_EQ(test::run_shell("grep -rlZ mcp-d1-real-runner-001 " + test::shell_quote(repo + "/runs/b") +
                                " | xargs -0 sed -i s/mcp-d1-real-runner-001/mcp-d1-real-runner-002/g",
                            replaced),
            0)
      << replaced;
  auto sealed = run_tool({"seal", "--sign-key", test::fixture("keys/test-a.key"), repo + "/runs/b"});
  ASSERT_EQ(sealed.exit_code, 0) << sealed.err;
  // Registry, key and a rerun: only the lock file is left, which is not in this repository.
  auto r = run_tool({"check", "--format", "json", "--repo-root", repo, "--trusted-key",
                     test::fixture("keys/test-a.pub"), repo + "/runs"});
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_EQ(unverified_checks(r.out, 0), std::set<std::string>{"lock file"}) << r.out;
  EXPECT_NE(r.out.find("not under --repo-root"), std::string::npos) << r.out;
  // The lock file present and pinned: nothing is left unverified.
  std::string lock = "{\"lockfileVersion\": 3}\n";
  test::write_file(repo + "/producers/mcp/package-lock.json", lock);
  std::string digest;
  ASSERT_EQ(test::run_shell("sha256sum " + test::shell_quote(repo + "/producers/mcp/package-lock.json") +
                                " | cut -c1-64 | tr -d '\\n'",
                            digest),
            0);
  std::string p = repo + "/runs/c";
  test::copy_tree(test::fixture("packs/good-real"), p);
  test::set_json(p + "/manifest.json", "/lock_ref/lock_sha256", "\"" + digest + "\"");
  test::reseal(p);
  auto pinned = run_tool({"check", "--format", "json", "--repo-root", repo, "--gate", "REAL-QUALIFY-01", p});
  EXPECT_EQ(pinned.exit_code, 0) << pinned.out;
  // Only the gates --gate left out remain.
  auto left = unverified_checks(pinned.out);
  ASSERT_EQ(left.size(), 1u) << pinned.out;
  EXPECT_EQ(left.begin()->rfind("gates ATTESTATION-01, ", 0), 0u) << pinned.out;
  auto text = run_tool({"check", "--repo-root", repo, "--gate", "REAL-QUALIFY-01", p});
  EXPECT_EQ(text.out.find("lock file ("), std::string::npos) << text.out;
  // A required signature with no key is a failure, not "unverified".
  auto required = run_tool({"check", "--format", "json", "--require-signature", repo + "/runs/a"});
  EXPECT_EQ(required.exit_code, 1);
  EXPECT_EQ(unverified_checks(required.out).count("signature"), 0u) << required.out;
  // A pack with no registry above it: an explicit one removes "registry membership".
  std::string alone = test::copy_good_pack(t, "alone");
  auto none = run_tool({"check", "--format", "json", alone});
  EXPECT_EQ(unverified_checks(none.out).count("registry membership"), 1u) << none.out;
  auto registry = run_tool({"check", "--format", "json", "--registry", repo + "/producers/_registry/substrates.v2.yaml",
                            alone});
  EXPECT_EQ(unverified_checks(registry.out).count("registry membership"), 0u) << registry.out;
}

TEST(NotVerified, NonRealPacksListNothing) {
  // The synthetic upstream pack: the REAL checks do not apply, so nothing is "unverified".
  auto r = run_tool({"check", "--format", "json", test::corpus("upstream/synthetic/mcp/mcp-d1-synthetic-001")});
  JsonDoc doc;
  ASSERT_TRUE(parse_json(r.out, {}, doc)) << r.out;
  EXPECT_EQ(doc.value["packs"][0]["not_verified"].Size(), 0u) << r.out;
  auto only = run_tool({"check", "--format", "json", "--gate", "INTEGRITY-01",
                        test::corpus("upstream/synthetic/mcp/mcp-d1-synthetic-001")});
  EXPECT_TRUE(unverified_checks(only.out).empty()) << only.out;
}

// The reasons of each entry, by check.
std::map<std::string, std::string> unverified_reasons(const std::string& json) {
  JsonDoc doc;
  EXPECT_TRUE(parse_json(json, {}, doc)) << json;
  std::map<std::string, std::string> out;
  for (const auto& u : doc.value["packs"][0]["not_verified"].GetArray()) out[u["check"].GetString()] = u["reason"].GetString();
  return out;
}

TEST(NotVerified, GatesLeftOutOfTheRunAreNamedWithWhatLeftThemOut) {
  TempDir t;
  const std::string p = test::fixture("packs/good-real");
  // One gate run over an INDEXABLE_REAL pack is no full verdict: the others are named.
  auto only = run_tool({"check", "--format", "json", "--gate", "INTEGRITY-01", p});
  EXPECT_EQ(only.exit_code, 0) << only.out << only.err;
  EXPECT_EQ(unverified_reasons(only.out),
            (std::map<std::string, std::string>{
                {"gates ATTESTATION-01, CONSISTENCY-01, DET-01, EVIDENCE-REUSE-01, HOST-ALLOW-01, PACK-STRUCTURE-01, "
                 "REAL-QUALIFY-01, SSOT-01",
                 "left out by --gate"}}))
      << only.out;
  // A policy that asks for a signature, the signature gate skipped: the run
  // may pass, but never without saying the signature was not checked.
  test::write_file(t / "policy.yaml", "trust:\n  require_signature: true\ngates:\n  GATE-V2-HOST-ALLOW-01:\n"
                                      "    enabled: false\n");
  auto skipped = run_tool({"check", "--format", "json", "--policy", t / "policy.yaml", "--skip", "attestation-01",
                           "--skip", "GATE-V2-DET-01", p});
  EXPECT_EQ(skipped.exit_code, 0) << skipped.out << skipped.err;
  auto reasons = unverified_reasons(skipped.out);
  EXPECT_EQ(reasons["gates ATTESTATION-01, DET-01"], "left out by --skip") << skipped.out;
  EXPECT_EQ(reasons["gates HOST-ALLOW-01"], "disabled by policy.yaml:4") << skipped.out;
  EXPECT_EQ(reasons.count("determinism"), 0u) << "DET-01 did not run: its own entry is not made";
  auto text = run_tool({"check", "--policy", t / "policy.yaml", "--skip", "ATTESTATION-01", p});
  EXPECT_EQ(text.exit_code, 0);
  EXPECT_NE(text.out.find("gates ATTESTATION-01 (left out by --skip)"), std::string::npos) << text.out;
}

TEST(NotVerified, AChecksEntryOutlivesTheFindingLimit) {
  // det.single is an info finding, the first the per-pack limit leaves out;
  // "determinism" stays in the list all the same.
  TempDir t;
  test::write_file(t / "policy.yaml", "limits:\n  max_findings_per_pack: 1\n");
  std::string p = test::copy_good_pack(t);
  test::write_file(p + "/artifacts/stray.txt", "not sealed\n");
  auto r = run_tool({"check", "--format", "json", "--policy", t / "policy.yaml", p});
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;  // sums.unlisted is a warning
  EXPECT_NE(r.out.find("\"sums.unlisted\""), std::string::npos) << r.out;
  EXPECT_EQ(r.out.find("\"det.single\""), std::string::npos) << "the limit left it out: " << r.out;
  EXPECT_EQ(unverified_checks(r.out).count("determinism"), 1u) << r.out;
}

TEST(DetDetail, MismatchNamesTheDifferingFilesInEveryFormat) {
  TempDir t;
  for (const char* name : {"a", "b", "c"}) test::copy_tree(test::fixture("packs/good-real"), t / ("runs/" + std::string(name)));
  test::write_file(t / "runs/c/artifacts/plan.json", "{\"changed\": true}\n");
  test::set_json(t / "runs/c/manifest.json", "/hashes/canonical_pack_root_hash",
                 "\"65239b08b60f90d01a5be09d42c21b9ebd7100b2969d12d063af41d886be7f94\"");
  test::reseal(t / "runs/c");
  auto text = run_tool({"check", "--gate", "GATE-V2-DET-01", t / "runs"});
  EXPECT_EQ(text.exit_code, 1);
  EXPECT_NE(text.out.find("files differ from the group's majority: artifacts/plan.json, manifest.json; artifacts/ "
                          "differ"),
            std::string::npos)
      << text.out;
  EXPECT_NE(text.out.find("no file differs from the group's majority"), std::string::npos) << text.out;
  auto json = run_tool({"check", "--format", "json", "--gate", "GATE-V2-DET-01", t / "runs"});
  EXPECT_NE(json.out.find("artifacts/plan.json, manifest.json; artifacts/ differ"), std::string::npos) << json.out;
}

// Issue 14, point 1 on upstream's four packs: no valijson trail, no repeated
// finding, and at most the 42 findings left after folding (the two identical
// runner.meta.json schema errors of crewai are one; issue 16 adds one
// ssot.fingerprint-arch warning to each of the three REAL packs, whose
// fingerprints say aarch64), verdicts as before
// (tests/e2e/corpus_test.cpp holds each pack's verdicts).
TEST(OneFindingPerDefect, UpstreamPacks) {
  auto r = run_tool({"check", "--format", "json", test::corpus("upstream")});
  EXPECT_EQ(r.exit_code, 1);
  JsonDoc doc;
  ASSERT_TRUE(parse_json(r.out, {}, doc));
  std::size_t total = 0;
  std::set<std::string> seen;
  for (const auto& p : doc.value["packs"].GetArray())
    for (const auto& g : p["gates"].GetArray())
      for (const auto& f : g["findings"].GetArray()) {
        ++total;
        const std::string text = to_compact_json(f, 4000);
        EXPECT_EQ(text.find("child schema"), std::string::npos) << text;
        EXPECT_EQ(text.find("Failed to validate"), std::string::npos) << text;
        // No two findings of one pack, gate, code and file say the same thing.
        std::string key = std::string(p["path"].GetString()) + "|" + g["id"].GetString() + "|" + f["code"].GetString() +
                          "|" + f["file"].GetString() + "|" + f["message"].GetString();
        EXPECT_TRUE(seen.insert(key).second) << key;
      }
  EXPECT_LE(total, 42u);
  EXPECT_NE(r.out.find("(2 times in this file)"), std::string::npos) << "crewai's two placeholder runtimes fold";
}

// A field that breaks a schema rule and a rule of the gate (here executed_at
// in runner.meta.json: not a string, and not what env_ref says) is one
// finding of that gate, which keeps the schema's words in its detail.
TEST(OneFindingPerDefect, SchemaAndGateRuleOnOneFieldReportOnce) {
  TempDir t;
  std::string p = test::copy_good_pack(t);
  test::set_json(p + "/reports/runner.meta.json", "/executed_at", "17");
  test::reseal(p);
  auto r = run_tool({"check", "--format", "json", "--gate", "GATE-V2-SSOT-01", p});
  EXPECT_EQ(r.exit_code, 1) << r.out << r.err;
  JsonDoc doc;
  ASSERT_TRUE(parse_json(r.out, {}, doc)) << r.out;
  const auto& findings = doc.value["packs"][0]["gates"][0]["findings"];
  std::vector<std::string> at_field;
  for (const auto& f : findings.GetArray())
    if (f.HasMember("pointer") && as_view(f["pointer"]) == "/executed_at") at_field.emplace_back(as_view(f["code"]));
  ASSERT_EQ(at_field, std::vector<std::string>{"ssot.runner-meta-mismatch"}) << r.out;
  EXPECT_NE(r.out.find("the schema also says"), std::string::npos) << r.out;
  // The schema alone (a type error the gate has no rule of its own for) is still reported.
  test::set_json(p + "/reports/runner.meta.json", "/workdir", "17");
  test::reseal(p);
  auto r2 = run_tool({"check", "--format", "json", "--gate", "GATE-V2-SSOT-01", p});
  EXPECT_NE(r2.out.find("ssot.runner-meta-schema"), std::string::npos) << r2.out;
}

}  // namespace
}  // namespace mplp
