// GATE-V2-REAL-QUALIFY-01: substrate_ref, lock_ref (and the lock file under
// --repo-root) and the canonical hash of INDEXABLE_REAL packs.
#include <gtest/gtest.h>
#include <rapidjson/pointer.h>
#include <sys/stat.h>

#include <filesystem>

#include "core/digest.h"
#include "core/json.h"
#include "test_util.h"

namespace mplp {
namespace {

namespace fs = std::filesystem;
using test::check;
using test::codes_of;
using test::has_code;
using test::status_of;
using Codes = std::vector<std::string>;

constexpr const char* kGate = "GATE-V2-REAL-QUALIFY-01";
using test::set_json;
std::vector<Finding> findings(const RunReport& r, const std::string& code, const std::string& pack = "") {
  return test::findings_of(r, kGate, code, pack);
}
constexpr const char* kLockPath = "producers/mcp/package-lock.json";


std::string q(const std::string& s) { return "\"" + s + "\""; }


RunReport run(const std::string& pack, CheckRequest base = {}) { return check({pack}, {kGate}, std::move(base)); }
std::string upstream(const std::string& rel) { return test::corpus("upstream/" + rel); }

// ---- the upstream packs, as they are ----

TEST(RealQualify, UpstreamMcpPassesWithPinnedNaCommit) {
  RunReport r = run(upstream("real/mcp/mcp-d1-real-runner-001"));
  EXPECT_EQ(status_of(r, kGate), GateStatus::Pass);
  EXPECT_EQ(codes_of(r, kGate), Codes{"real-qualify.commit-na-pinned"});
  auto f = findings(r, "real-qualify.commit-na-pinned");
  EXPECT_EQ(f[0].severity, Severity::Info);
  EXPECT_EQ(f[0].location.pointer, "/substrate_ref/upstream_commit_sha");
  EXPECT_EQ(f[0].actual, "\"n/a (npm-pinned)\"");
}

TEST(RealQualify, UpstreamLangchainFailsOnPlaceholderLock) {
  RunReport r = run(upstream("real/langchain/langchain-d1-real-runner-det-001"));
  EXPECT_EQ(status_of(r, kGate), GateStatus::Fail);
  // lock_sha256 "placeholder", so its "n/a (npm-pinned)" commit is pinned by nothing.
  EXPECT_EQ(codes_of(r, kGate), (Codes{"real-qualify.commit-na-unpinned", "real-qualify.lock-sha256"}));
  auto f = findings(r, "real-qualify.lock-sha256");
  EXPECT_EQ(f[0].location.pointer, "/lock_ref/lock_sha256");
  EXPECT_EQ(f[0].actual, "\"placeholder\"");
  EXPECT_NE(f[0].message.find("placeholder"), std::string::npos);
}

TEST(RealQualify, UpstreamCrewaiPasses) {
  RunReport r = run(upstream("real/crewai/crewai-d1-real-runner-det-001"));
  EXPECT_EQ(status_of(r, kGate), GateStatus::Pass);
  EXPECT_EQ(codes_of(r, kGate), Codes{});
}

TEST(RealQualify, UpstreamSyntheticIsSkippedSayingWhy) {
  const RunReport kept = run(upstream("synthetic/mcp/mcp-d1-synthetic-001"));  // result_of returns a reference into it
  const GateResult& g = test::result_of(kept, kGate);
  EXPECT_EQ(g.status, GateStatus::Skip);
  EXPECT_NE(g.skip_reason.find("INDEXABLE_SYNTHETIC"), std::string::npos) << g.skip_reason;
  EXPECT_TRUE(g.findings.empty());
}

TEST(RealQualify, UpstreamMcpWithARepoRootMissingTheLockWarns) {
  test::TempDir repo;
  CheckRequest req;
  req.options.repo_root = repo.path();
  RunReport r = run(upstream("real/mcp/mcp-d1-real-runner-001"), req);
  EXPECT_EQ(status_of(r, kGate), GateStatus::Pass);
  EXPECT_EQ(codes_of(r, kGate), (Codes{"real-qualify.commit-na-pinned", "real-qualify.lock-file-missing"}));
  EXPECT_EQ(findings(r, "real-qualify.lock-file-missing")[0].severity, Severity::Warning);
}

// ---- the good pack and the fixtures ----

TEST(RealQualify, GoodPackPassesWithoutFindings) {
  RunReport r = run(test::fixture("packs/good-real"));
  EXPECT_EQ(status_of(r, kGate), GateStatus::Pass);
  EXPECT_EQ(codes_of(r, kGate), Codes{});
}

TEST(RealQualify, UnusableManifestFailsWithTheRuleMessage) {
  auto f = findings(run(test::fixture("real-qualify/fail-manifest-unusable")), "real-qualify.manifest-unusable");
  ASSERT_EQ(f.size(), 1u);
  EXPECT_EQ(f[0].message, "manifest unusable: provenance cannot be established");
  EXPECT_EQ(f[0].actual, "manifest.json is not a JSON object");
  EXPECT_EQ(f[0].file, "manifest.json");
}

// ---- edits of the good pack ----

class RealQualifyEdit : public ::testing::Test {
 protected:
  test::TempDir tmp;
  std::string pack = test::copy_good_pack(tmp);
  std::string manifest = pack + "/manifest.json";
  std::string repo = tmp / "repo";

  RunReport run_sealed(CheckRequest base = {}) {
    test::reseal(pack);
    return run(pack, std::move(base));
  }
  CheckRequest with_repo() const {
    CheckRequest req;
    req.options.repo_root = repo;
    return req;
  }
  // Writes the lock file under the repo and pins it in the manifest.
  std::string write_pinned_lock(const std::string& bytes) {
    test::write_file(repo + "/" + kLockPath, bytes);
    std::string digest = sha256_hex(bytes);
    set_json(manifest, "/lock_ref/lock_sha256", q(digest));
    return digest;
  }
};

TEST_F(RealQualifyEdit, MissingManifestFails) {
  fs::remove(manifest);
  RunReport r = run(pack);
  EXPECT_EQ(status_of(r, kGate), GateStatus::Fail);
  EXPECT_EQ(codes_of(r, kGate), Codes{"real-qualify.manifest-unusable"});
  EXPECT_EQ(findings(r, "real-qualify.manifest-unusable")[0].actual, "manifest.json is missing");
}

TEST_F(RealQualifyEdit, NonRealStatusesSkip) {
  for (const char* status : {"\"NON_INDEXABLE\"", "\"INDEXABLE_SYNTHETIC\"", "\"REAL\"", "null"}) {
    set_json(manifest, "/indexability_status", status);
    const RunReport kept = run_sealed();  // result_of returns a reference into it
    const GateResult& g = test::result_of(kept, kGate);
    EXPECT_EQ(g.status, GateStatus::Skip) << status;
    EXPECT_FALSE(g.skip_reason.empty());
  }
  set_json(manifest, "/indexability_status", "");
  const RunReport kept = run_sealed();  // result_of returns a reference into it
  const GateResult& g = test::result_of(kept, kGate);
  EXPECT_EQ(g.status, GateStatus::Skip);
  EXPECT_NE(g.skip_reason.find("missing"), std::string::npos) << g.skip_reason;
}

TEST_F(RealQualifyEdit, SubstrateFields) {
  for (const char* key : {"substrate_id", "upstream_repo", "upstream_tag"}) {
    for (const char* v : {"\"\"", "\"Unknown\"", "\"n/a\"", "null", "3", "[\"x\"]", ""}) {
      std::string p = std::string("/substrate_ref/") + key;
      set_json(manifest, p.c_str(), v);
      RunReport r = run_sealed();
      auto f = findings(r, "real-qualify.substrate-field");
      ASSERT_EQ(f.size(), 1u) << key << " " << v;
      EXPECT_EQ(f[0].location.pointer, p);
      EXPECT_EQ(codes_of(r, kGate), Codes{"real-qualify.substrate-field"});
      test::copy_tree(test::fixture("packs/good-real"), pack);
    }
  }
}

TEST_F(RealQualifyEdit, SubstrateRefOfTheWrongTypeIsOneFinding) {
  for (const char* v : {"\"mcp\"", "[]", "null", ""}) {
    set_json(manifest, "/substrate_ref", v);
    EXPECT_EQ(codes_of(run_sealed(), kGate), Codes{"real-qualify.substrate-ref-missing"}) << v;
  }
}

TEST_F(RealQualifyEdit, CommitShapes) {
  for (std::string v : {std::string(40, 'A'),
                        std::string("0123456789ABCDEF0123456789abcdef01234567"), std::string(64, 'a'),
                        std::string(39, 'a'), std::string("n/a ()"), std::string("n/a (  )"), std::string("n/a"),
                        std::string("n/a(npm)"), std::string("n/a (npm"), std::string("none"),
                        std::string("v0.5.0")}) {
    set_json(manifest, "/substrate_ref/upstream_commit_sha", q(v));
    RunReport r = run_sealed();
    EXPECT_EQ(codes_of(r, kGate), Codes{"real-qualify.upstream-commit"}) << v;
  }
  // Any 40 lowercase hex digits are a commit, as the spec says (even all zeros).
  for (std::string v : {std::string(40, '0'), std::string(40, 'f')}) {
    set_json(manifest, "/substrate_ref/upstream_commit_sha", q(v));
    EXPECT_EQ(codes_of(run_sealed(), kGate, Severity::Warning), Codes{}) << v;
  }
  set_json(manifest, "/substrate_ref/upstream_commit_sha", "null");
  EXPECT_EQ(codes_of(run_sealed(), kGate), Codes{"real-qualify.upstream-commit"});
  set_json(manifest, "/substrate_ref/upstream_commit_sha", "");
  auto f = findings(run_sealed(), "real-qualify.upstream-commit");
  ASSERT_EQ(f.size(), 1u);
  EXPECT_NE(f[0].message.find("missing"), std::string::npos);
}

TEST_F(RealQualifyEdit, NaCommitNeedsARealPin) {
  for (const char* na : {"n/a (npm-pinned)", "N/A (pinned by lock)", "N/a (x)"}) {
    set_json(manifest, "/substrate_ref/upstream_commit_sha", q(na));
    EXPECT_EQ(codes_of(run_sealed(), kGate), Codes{"real-qualify.commit-na-pinned"}) << na;
  }
  for (std::string pin : {std::string(64, 'A'), std::string("pending"), std::string(63, 'a')}) {
    set_json(manifest, "/lock_ref/lock_sha256", q(pin));
    EXPECT_EQ(codes_of(run_sealed(), kGate), (Codes{"real-qualify.commit-na-unpinned", "real-qualify.lock-sha256"}))
        << pin;
  }
}

TEST_F(RealQualifyEdit, LockRefFields) {
  set_json(manifest, "/lock_ref/lock_kind", "null");
  set_json(manifest, "/lock_ref/lock_path", "5");
  RunReport r = run_sealed();
  auto f = findings(r, "real-qualify.lock-field");
  ASSERT_EQ(f.size(), 2u);
  EXPECT_EQ(f[0].location.pointer, "/lock_ref/lock_kind");
  EXPECT_EQ(f[1].location.pointer, "/lock_ref/lock_path");
  for (const char* v : {"[]", "\"npm\"", ""}) {
    set_json(manifest, "/lock_ref", v);
    EXPECT_EQ(codes_of(run_sealed(), kGate), Codes{"real-qualify.lock-ref-missing"}) << v;
  }
}

// The kind in any case is the kind: "NPM" over a poetry.lock was read as a
// kind of its own, and its path went unchecked (QA-39).
TEST_F(RealQualifyEdit, LockKindInAnyCaseNamesItsLockFile) {
  set_json(manifest, "/lock_ref/lock_kind", "\"NPM\"");
  set_json(manifest, "/lock_ref/lock_path", "\"producers/mcp/poetry.lock\"");
  auto f = findings(run_sealed(), "real-qualify.lock-kind-path");
  ASSERT_EQ(f.size(), 1u);
  EXPECT_EQ(f[0].expected, "a path ending in package-lock.json (lock_kind NPM)");
  set_json(manifest, "/lock_ref/lock_path", "\"producers/mcp/package-lock.json\"");
  EXPECT_TRUE(findings(run_sealed(), "real-qualify.lock-kind-path").empty());
  // And with blanks around, as the placeholder rules read them (QA-52).
  set_json(manifest, "/lock_ref/lock_path", "\"producers/mcp/poetry.lock\"");
  for (const char* kind : {"\"npm \"", "\"\\u00a0npm\"", "\"\\u200bnpm\\t\""}) {
    set_json(manifest, "/lock_ref/lock_kind", kind);
    EXPECT_EQ(findings(run_sealed(), "real-qualify.lock-kind-path").size(), 1u) << kind;
  }
}

// A reason made of blanks is no reason, zero-width ones included (QA-52).
TEST_F(RealQualifyEdit, ANaReasonOfBlanksIsNone) {
  set_json(manifest, "/substrate_ref/upstream_commit_sha", q("n/a ( )"));
  const Codes blank = codes_of(run_sealed(), kGate);
  EXPECT_EQ(std::count(blank.begin(), blank.end(), "real-qualify.commit-na-pinned"), 0) << "no reason: not n/a (reason)";
  for (const char* na : {"\"n/a (\\u200b)\"", "\"n/a (\\u00a0\\u3000)\"", "\"n/a (\\ufeff)\""}) {
    set_json(manifest, "/substrate_ref/upstream_commit_sha", na);
    EXPECT_EQ(codes_of(run_sealed(), kGate), blank) << na;
  }
}

TEST_F(RealQualifyEdit, CanonicalHash) {
  for (std::string v : {q(std::string(64, 'E')), q("pending"), q(""),
                        std::string("null"), q(std::string(63, 'a')), q("sha256:" + std::string(64, 'a')),
                        std::string("42")}) {
    set_json(manifest, "/hashes/canonical_pack_root_hash", v);
    auto f = findings(run_sealed(), "real-qualify.canonical-hash");
    ASSERT_EQ(f.size(), 1u) << v;
    EXPECT_EQ(f[0].location.pointer, "/hashes/canonical_pack_root_hash");
  }
  set_json(manifest, "/hashes", "[]");
  EXPECT_EQ(codes_of(run(pack), kGate), Codes{"real-qualify.canonical-hash"});
}

TEST_F(RealQualifyEdit, LockFileVerifiedUnderRepoRoot) {
  std::string digest = write_pinned_lock("{\"lockfileVersion\": 3}\n");
  RunReport r = run_sealed(with_repo());
  EXPECT_EQ(status_of(r, kGate), GateStatus::Pass);
  auto f = findings(r, "real-qualify.lock-file-verified");
  ASSERT_EQ(f.size(), 1u);
  EXPECT_EQ(f[0].actual, digest);
  // "./" names the same file.
  set_json(manifest, "/lock_ref/lock_path", q(std::string("./") + kLockPath));
  EXPECT_TRUE(has_code(run_sealed(with_repo()), kGate, "real-qualify.lock-file-verified"));
}

TEST_F(RealQualifyEdit, LockFileMismatchShowsBothDigests) {
  std::string digest = write_pinned_lock("original\n");
  test::write_file(repo + "/" + kLockPath, "changed\n");
  RunReport r = run_sealed(with_repo());
  EXPECT_EQ(status_of(r, kGate), GateStatus::Fail);
  auto f = findings(r, "real-qualify.lock-file-mismatch");
  ASSERT_EQ(f.size(), 1u);
  EXPECT_EQ(f[0].expected, digest);
  EXPECT_EQ(f[0].actual, sha256_hex("changed\n"));
}

TEST_F(RealQualifyEdit, BadPinHintShowsTheLockFileDigest) {
  test::write_file(repo + "/" + kLockPath, "lock\n");
  set_json(manifest, "/lock_ref/lock_sha256", "\"TBD\"");
  auto f = findings(run_sealed(with_repo()), "real-qualify.lock-sha256");
  ASSERT_EQ(f.size(), 1u);
  EXPECT_NE(f[0].hint.find(sha256_hex("lock\n")), std::string::npos) << f[0].hint;
}

TEST_F(RealQualifyEdit, LockFileWithoutRepoRootIsNotLookedFor) {
  write_pinned_lock("x");
  EXPECT_EQ(codes_of(run_sealed(), kGate), Codes{});
}

TEST_F(RealQualifyEdit, UnsafeLockPathsAreRefusedAndNeverRead) {
  // A file outside the repository whose digest matches the pin: reading it
  // would "verify" the lock. It must never be opened.
  test::write_file(tmp / "secret", "outside\n");
  set_json(manifest, "/lock_ref/lock_sha256", q(sha256_hex("outside\n")));
  fs::create_directories(repo + "/producers");
  for (std::string p : {std::string("../secret"), std::string("producers/../../secret"), tmp / "secret",
                        std::string("/etc/passwd"), std::string("producers//mcp/package-lock.json"),
                        std::string("producers\\\\mcp\\\\package-lock.json"), std::string("producers/./x"),
                        std::string("producers/mcp/"), std::string("./../secret")}) {
    set_json(manifest, "/lock_ref/lock_path", q(p));
    for (bool with_root : {false, true}) {
      RunReport r = run_sealed(with_root ? with_repo() : CheckRequest{});
      EXPECT_EQ(status_of(r, kGate), GateStatus::Fail) << p;
      EXPECT_EQ(codes_of(r, kGate), Codes{"real-qualify.lock-path-unsafe"}) << p;
    }
  }
}

TEST_F(RealQualifyEdit, LockFileThroughASymlinkIsNotFollowed) {
  std::string digest = write_pinned_lock("lock\n");
  test::write_file(tmp / "elsewhere/package-lock.json", "lock\n");
  // The file itself is a link.
  fs::remove(repo + "/" + kLockPath);
  fs::create_symlink(tmp / "elsewhere/package-lock.json", repo + "/" + kLockPath);
  RunReport r = run_sealed(with_repo());
  EXPECT_EQ(status_of(r, kGate), GateStatus::Fail);
  EXPECT_EQ(codes_of(r, kGate), Codes{"real-qualify.lock-file-unreadable"});
  // A directory on the way is a link.
  fs::remove_all(repo + "/producers");
  fs::create_directories(repo + "/producers");
  fs::create_directory_symlink(tmp / "elsewhere", repo + "/producers/mcp");
  r = run_sealed(with_repo());
  EXPECT_EQ(codes_of(r, kGate), Codes{"real-qualify.lock-file-unreadable"});
  EXPECT_FALSE(has_code(r, kGate, "real-qualify.lock-file-verified"));
}

TEST_F(RealQualifyEdit, LockFileThatIsNoRegularFile) {
  write_pinned_lock("lock\n");
  fs::remove(repo + "/" + kLockPath);
  fs::create_directory(repo + "/" + kLockPath);
  EXPECT_EQ(codes_of(run_sealed(with_repo()), kGate), Codes{"real-qualify.lock-file-unreadable"});
  fs::remove(repo + "/" + kLockPath);
  ASSERT_EQ(::mkfifo((repo + "/" + kLockPath).c_str(), 0600), 0);
  EXPECT_EQ(codes_of(run_sealed(with_repo()), kGate), Codes{"real-qualify.lock-file-unreadable"});  // no hang
}

TEST_F(RealQualifyEdit, LockFileOverTheSizeLimit) {
  write_pinned_lock(std::string(100000, 'x'));
  CheckRequest req = with_repo();
  req.policy.limits.max_file_size = 50000;  // above every file of the pack
  auto f = findings(run_sealed(req), "real-qualify.lock-file-unreadable");
  ASSERT_EQ(f.size(), 1u);
  EXPECT_NE(f[0].message.find("limit"), std::string::npos) << f[0].message;
}

TEST_F(RealQualifyEdit, MissingLockFileIsAWarning) {
  write_pinned_lock("lock\n");
  fs::remove(repo + "/" + kLockPath);
  RunReport r = run_sealed(with_repo());
  EXPECT_EQ(status_of(r, kGate), GateStatus::Pass);
  EXPECT_EQ(codes_of(r, kGate), Codes{"real-qualify.lock-file-missing"});
  fs::remove_all(repo + "/producers");  // a missing directory on the way too
  EXPECT_EQ(codes_of(run_sealed(with_repo()), kGate), Codes{"real-qualify.lock-file-missing"});
  CheckRequest strict = with_repo();
  strict.options.strict = true;
  EXPECT_EQ(status_of(run_sealed(strict), kGate), GateStatus::Fail);
}

TEST_F(RealQualifyEdit, RepoRootThatCannotBeOpenedIsAnError) {
  CheckRequest req;
  req.options.repo_root = tmp / "no-such-repo";
  auto f = findings(run_sealed(req), "real-qualify.lock-file-unreadable");
  ASSERT_EQ(f.size(), 1u);
  EXPECT_NE(f[0].message.find("--repo-root"), std::string::npos) << f[0].message;
}

TEST_F(RealQualifyEdit, FindingsAreLocatedAndOneLine) {
  set_json(manifest, "/substrate_ref/upstream_tag", "\"tbd\"");
  set_json(manifest, "/lock_ref/lock_path", "\"../x\\ny\"");
  set_json(manifest, "/hashes/canonical_pack_root_hash", "\"line\\nbreak\"");
  const RunReport kept = run_sealed(with_repo());  // result_of returns a reference into it
  const GateResult& g = test::result_of(kept, kGate);
  ASSERT_EQ(g.findings.size(), 3u);
  for (const Finding& f : g.findings) {
    EXPECT_EQ(f.file, "manifest.json");
    EXPECT_FALSE(f.location.pointer.empty()) << f.code;
    EXPECT_EQ(f.message.find('\n'), std::string::npos) << f.message;
    EXPECT_EQ(f.actual.find('\n'), std::string::npos) << f.actual;
  }
}

}  // namespace
}  // namespace mplp
