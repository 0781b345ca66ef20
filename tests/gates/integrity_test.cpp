// GATE-V2-INTEGRITY-01: fixtures, upstream packs, and the defects git cannot
// hold (links, FIFOs, sockets, devices, huge files, huge packs), made here.
#include <gtest/gtest.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/un.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <set>

#include "core/digest.h"
#include "gates/gate_list.h"
#include "test_util.h"

namespace mplp {
namespace {

namespace fs = std::filesystem;
using namespace mplp::test;

const std::string kGate = "GATE-V2-INTEGRITY-01";
std::string dump(const RunReport& r) { return test::dump(r, kGate); }
std::vector<Finding> findings_with(const RunReport& r, const std::string& code) { return findings_of(r, kGate, code); }

RunReport run(const std::string& pack, CheckRequest base = {}) { return check({pack}, {kGate}, base); }


// The one finding with `code` (a default Finding, and a test failure, otherwise).
Finding only(const RunReport& r, const std::string& code) {
  auto all = findings_with(r, code);
  EXPECT_EQ(all.size(), 1u) << code;
  return all.empty() ? Finding{} : all[0];
}


std::string sums_of(const std::string& pack) { return read_file(pack + "/integrity/sha256sums.txt"); }
void set_sums(const std::string& pack, const std::string& text) { write_file(pack + "/integrity/sha256sums.txt", text); }

TEST(IntegrityFixtures, MismatchShowsBothFullDigestsAndLine) {
  std::string pack = fixture("integrity/fail-mismatch");
  RunReport r = run(pack);
  Finding f = only(r, "sums.mismatch");
  EXPECT_EQ(f.severity, Severity::Error);
  EXPECT_EQ(f.file, "integrity/sha256sums.txt");
  EXPECT_EQ(f.location.line, 3u);  // sorted sums: confirm, context, plan
  EXPECT_NE(f.message.find("artifacts/plan.json"), std::string::npos);
  EXPECT_TRUE(is_lower_hex(f.expected, 64)) << f.expected;
  EXPECT_EQ(f.actual, sha256_hex(read_file(pack + "/artifacts/plan.json")));
  EXPECT_NE(sums_of(pack).find(f.expected + "  artifacts/plan.json\n"), std::string::npos);
}

TEST(IntegrityFixtures, RootMismatchShowsBothAlgorithms) {
  std::string pack = fixture("integrity/fail-root-hash-mismatch");
  RunReport r = run(pack);
  Finding f = only(r, "root_hash.mismatch");
  EXPECT_EQ(f.file, "manifest.json");
  EXPECT_EQ(f.location.pointer, "/hashes/pack_root_hash");
  EXPECT_EQ(f.actual, sha256_hex("not the root"));
  EXPECT_NE(f.expected.find(sha256_hex(sums_of(pack))), std::string::npos) << f.expected;
  EXPECT_NE(f.expected.find("v2-producer"), std::string::npos);
}

TEST(IntegrityFixtures, LineNumbersOfSyntaxErrors) {
  RunReport r = run(fixture("integrity/fail-garbage-line"));
  EXPECT_EQ(only(r, "sums.syntax").location.line, 1u);
  RunReport d = run(fixture("integrity/fail-duplicate"));
  EXPECT_EQ(only(d, "sums.duplicate").location.line, 9u);
  EXPECT_NE(only(d, "sums.duplicate").message.find("line 3"), std::string::npos);
}

TEST(IntegrityFixtures, RootMatchNamesTheAlgorithm) {
  RunReport v2 = run(fixture("integrity/pass-good"));
  EXPECT_NE(only(v2, "root_hash.match").message.find("v2-producer"), std::string::npos);
  RunReport s = run(fixture("integrity/pass-root-is-sums-hash"));
  EXPECT_NE(only(s, "root_hash.match").message.find("sha256sums.txt"), std::string::npos);
  EXPECT_EQ(only(s, "sums.unlisted").file, "manifest.json");
}

// --- upstream packs -------------------------------------------------------

TEST(IntegrityUpstream, McpRealPassesWithUnlistedEvaluationReport) {
  RunReport r = run(corpus("upstream/real/mcp/mcp-d1-real-runner-001"));
  EXPECT_EQ(status_of(r, kGate), GateStatus::Pass) << dump(r);
  EXPECT_EQ(codes_of(r, kGate, Severity::Warning), std::vector<std::string>{"sums.unlisted"});
  EXPECT_EQ(only(r, "sums.unlisted").file, "reports/evaluation.report.json");
  EXPECT_NE(only(r, "root_hash.match").message.find("v2-producer"), std::string::npos);
  EXPECT_TRUE(has_code(r, kGate, "verify_hash.match"));
  // --strict turns the unlisted report into an error.
  CheckRequest strict;
  strict.options.strict = true;
  RunReport s = run(corpus("upstream/real/mcp/mcp-d1-real-runner-001"), strict);
  EXPECT_EQ(status_of(s, kGate), GateStatus::Fail);
  EXPECT_EQ(only(s, "sums.unlisted").severity, Severity::Error);
}

TEST(IntegrityUpstream, LangchainFailsOnMismatchesAndRootHash) {
  RunReport r = run(corpus("upstream/real/langchain/langchain-d1-real-runner-det-001"));
  EXPECT_EQ(status_of(r, kGate), GateStatus::Fail) << dump(r);
  std::set<std::string> mismatched;
  for (const Finding& f : findings_with(r, "sums.mismatch")) mismatched.insert(f.message.substr(0, f.message.find(':')));
  EXPECT_EQ(mismatched, (std::set<std::string>{"'manifest.json'", "'reports/verify.report.json'"}));
  Finding root = only(r, "root_hash.mismatch");
  EXPECT_EQ(root.actual, "65239b08b60f90d01a5be09d42c21b9ebd7100b2969d12d063af41d886be7f94");
  EXPECT_NE(root.expected.find("de51d78fafa19245528525e14bfe8951705466edb829198798c686c3545f5908"), std::string::npos);
  EXPECT_NE(root.expected.find("33a27a62a0d04bb02b34d86359fca00be55c0f47b98b426f4fadf25ef4edf02d"), std::string::npos);
  // verify_report_hash is "pending": not checked, a warning.
  EXPECT_EQ(only(r, "verify_hash.unchecked").severity, Severity::Warning);
  EXPECT_EQ(codes_of(r, kGate, Severity::Error),
            (std::vector<std::string>{"root_hash.mismatch", "sums.mismatch", "sums.mismatch"}));
  std::vector<std::string> warnings = codes_of(r, kGate, Severity::Warning);
  EXPECT_EQ(std::count(warnings.begin(), warnings.end(), "sums.unlisted"), 2);  // evaluation report, verdict.json
}

TEST(IntegrityUpstream, CrewaiFailsOnPendingRootHash) {
  RunReport r = run(corpus("upstream/real/crewai/crewai-d1-real-runner-det-001"));
  EXPECT_EQ(status_of(r, kGate), GateStatus::Fail) << dump(r);
  EXPECT_EQ(codes_of(r, kGate, Severity::Error), std::vector<std::string>{"root_hash.placeholder"});
  EXPECT_EQ(only(r, "root_hash.placeholder").actual, "\"pending\"");
  EXPECT_EQ(codes_of(r, kGate, Severity::Warning), (std::vector<std::string>{"root_hash.placeholder", "sums.unlisted"}));
}

TEST(IntegritySynthetic, McpSyntheticPassesWithUnlistedWarnings) {
  // Its sums file lists exactly the five v2 files in order, so its root hash
  // matches both algorithms; manifest.json and two reports are unlisted.
  RunReport r = run(corpus("upstream/synthetic/mcp/mcp-d1-synthetic-001"));
  EXPECT_EQ(status_of(r, kGate), GateStatus::Pass) << dump(r);
  std::set<std::string> unlisted;
  for (const Finding& f : findings_with(r, "sums.unlisted")) unlisted.insert(f.file);
  EXPECT_EQ(unlisted, (std::set<std::string>{"manifest.json", "reports/evaluation.report.json",
                                             "reports/verify.report.json"}));
  Finding m = only(r, "root_hash.match");
  EXPECT_NE(m.message.find("v2-producer"), std::string::npos);
  EXPECT_NE(m.message.find("sums file"), std::string::npos);
  EXPECT_TRUE(has_code(r, kGate, "verify_hash.match"));
  EXPECT_EQ(codes_of(r, kGate, Severity::Error), std::vector<std::string>{});
}

// --- defects made at run time ---------------------------------------------

TEST(IntegrityRuntime, SymlinkedFileIsAnErrorListedOrNot) {
  TempDir t;
  std::string pack = copy_good_pack(t);
  fs::create_symlink("/etc/passwd", pack + "/artifacts/leak.json");
  fs::create_symlink("plan.json", pack + "/artifacts/alias.json");
  reseal(pack);  // reseal skips links: neither is listed
  set_sums(pack, sums_of(pack) + sha256_hex("x") + "  artifacts/alias.json\n");
  RunReport r = run(pack);
  EXPECT_EQ(status_of(r, kGate), GateStatus::Fail);
  std::set<std::string> links;
  for (const Finding& f : findings_with(r, "integrity.symlink")) links.insert(f.file);
  EXPECT_EQ(links, (std::set<std::string>{"artifacts/alias.json", "artifacts/leak.json"}));
  Finding listed = only(r, "sums.not_regular");
  EXPECT_EQ(listed.location.line, 9u);
  EXPECT_NE(listed.message.find("symbolic link"), std::string::npos);
  EXPECT_FALSE(has_code(r, kGate, "sums.unlisted"));  // links are errors, not "unlisted files"
}

// A readable file whose name holds a backslash: its name is the problem,
// not its permissions (QA-52: "could not be hashed: unsafe path", "fix its
// permissions").
TEST(IntegrityRuntime, ABackslashInAFileNameIsNamedAsSuch) {
  TempDir t;
  std::string pack = copy_good_pack(t);
  write_file(pack + "/artifacts/a\\b.txt", "readable\n");
  RunReport r = run(pack);
  EXPECT_EQ(status_of(r, kGate), GateStatus::Fail);
  std::vector<Finding> named;
  for (const Finding& f : findings_with(r, "integrity.unreadable"))
    if (f.file == "artifacts/a\\b.txt") named.push_back(f);
  ASSERT_EQ(named.size(), 1u) << dump(r);
  EXPECT_NE(named[0].message.find("has a name no sums line can hold (a backslash): not hashed"), std::string::npos)
      << named[0].message;
  EXPECT_EQ(named[0].hint.find("permissions"), std::string::npos) << named[0].hint;
}

TEST(IntegrityRuntime, PathThroughSymlinkedDirectoryIsReportedNotFollowed) {
  TempDir t;
  std::string pack = copy_good_pack(t);
  write_file(t / "outside/secret.json", "{}");
  fs::create_symlink(t / "outside", pack + "/artifacts/more");
  reseal(pack);
  set_sums(pack, sums_of(pack) + sha256_hex("{}") + "  artifacts/more/secret.json\n");
  RunReport r = run(pack);
  EXPECT_EQ(status_of(r, kGate), GateStatus::Fail);
  Finding f = only(r, "sums.through_symlink");
  EXPECT_EQ(f.location.line, 9u);
  EXPECT_NE(f.message.find("'artifacts/more'"), std::string::npos) << f.message;
  EXPECT_EQ(only(r, "integrity.symlink").file, "artifacts/more");
  EXPECT_FALSE(has_code(r, kGate, "sums.mismatch"));
}

TEST(IntegrityRuntime, SymlinkedSumsFileIsNotRead) {
  TempDir t;
  std::string pack = copy_good_pack(t);
  write_file(t / "real-sums.txt", sums_of(pack));
  fs::remove(pack + "/integrity/sha256sums.txt");
  fs::create_symlink(t / "real-sums.txt", pack + "/integrity/sha256sums.txt");
  RunReport r = run(pack);
  EXPECT_EQ(status_of(r, kGate), GateStatus::Fail);
  EXPECT_TRUE(has_code(r, kGate, "sums.unreadable"));
  EXPECT_TRUE(has_code(r, kGate, "integrity.symlink"));
  EXPECT_FALSE(has_code(r, kGate, "sums.mismatch"));
}

TEST(IntegrityRuntime, FifoSocketAndDeviceAreErrors) {
  TempDir t;
  std::string pack = copy_good_pack(t);
  ASSERT_EQ(::mkfifo((pack + "/artifacts/pipe").c_str(), 0600), 0);
  int sock = ::socket(AF_UNIX, SOCK_STREAM, 0);
  ASSERT_GE(sock, 0);
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  std::string sp = pack + "/reports/sock";
  ASSERT_LT(sp.size(), sizeof(addr.sun_path));
  std::copy(sp.begin(), sp.end(), addr.sun_path);
  ASSERT_EQ(::bind(sock, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)), 0);
  bool device = ::mknod((pack + "/timeline/null").c_str(), S_IFCHR | 0600, makedev(1, 3)) == 0;
  reseal(pack);
  // A listed FIFO must be reported by line, never opened for reading (no hang).
  set_sums(pack, sums_of(pack) + sha256_hex("") + "  artifacts/pipe\n");
  RunReport r = run(pack);
  ::close(sock);
  EXPECT_EQ(status_of(r, kGate), GateStatus::Fail);
  std::set<std::string> special;
  for (const Finding& f : findings_with(r, "integrity.special_file")) special.insert(f.file);
  std::set<std::string> want = {"artifacts/pipe", "reports/sock"};
  if (device) want.insert("timeline/null");
  EXPECT_EQ(special, want) << dump(r);
  EXPECT_NE(only(r, "sums.not_regular").message.find("FIFO"), std::string::npos);
}

TEST(IntegrityRuntime, ListedDirectoryAndIntermediateFile) {
  TempDir t;
  std::string pack = copy_good_pack(t);
  set_sums(pack, sums_of(pack) + sha256_hex("") + "  reports\n" + sha256_hex("") + "  manifest.json/deeper/x\n");
  RunReport r = run(pack);
  EXPECT_EQ(only(r, "sums.not_regular").location.line, 9u);
  Finding m = only(r, "sums.missing");
  EXPECT_EQ(m.location.line, 10u);
  EXPECT_NE(m.message.find("'manifest.json' is a regular file"), std::string::npos) << m.message;
}

TEST(IntegrityRuntime, OddFileNamesAreEscapedInMessages) {
  TempDir t;
  std::string pack = copy_good_pack(t);
  write_file(pack + "/artifacts/new\nline.json", "{}");
  RunReport r = run(pack);
  Finding f = only(r, "sums.unlisted");
  EXPECT_EQ(f.file, "artifacts/new\nline.json");
  EXPECT_EQ(f.message.find('\n'), std::string::npos);
  EXPECT_NE(f.message.find("new\\nline.json"), std::string::npos);
  // Resealed, GNU sha256sum would escape the name; we list it raw and the
  // path with a newline cannot be written on one line: it stays unlisted.
}

TEST(IntegrityRuntime, OversizedFileIsAnErrorAndNotHashed) {
  TempDir t;
  std::string pack = copy_good_pack(t);
  write_file(pack + "/artifacts/big.bin", std::string(5000, 'x'));
  reseal(pack);
  CheckRequest base;
  base.policy.limits.max_file_size = 4096;
  RunReport r = run(pack, base);
  EXPECT_EQ(status_of(r, kGate), GateStatus::Fail);
  Finding f = only(r, "integrity.oversized_file");
  EXPECT_EQ(f.file, "artifacts/big.bin");
  EXPECT_EQ(f.actual, "5000 bytes");
  EXPECT_NE(f.expected.find("4096"), std::string::npos);
  EXPECT_FALSE(has_code(r, kGate, "sums.mismatch"));  // not hashed, so not compared
  EXPECT_EQ(codes_of(r, kGate, Severity::Warning), std::vector<std::string>{"integrity.oversized_file"});
}

TEST(IntegrityRuntime, TooManyFilesIsAnError) {
  TempDir t;
  std::string pack = copy_good_pack(t);
  CheckRequest base;
  base.policy.limits.max_files_per_pack = 8;  // the good pack has 9 files and 4 directories
  RunReport r = run(pack, base);
  EXPECT_EQ(status_of(r, kGate), GateStatus::Fail);
  EXPECT_TRUE(has_code(r, kGate, "integrity.too_many_files")) << dump(r);
}

TEST(IntegrityRuntime, SumsListingMoreFilesThanAPackMayHold) {
  TempDir t;
  std::string pack = copy_good_pack(t);
  std::string extra;
  for (int i = 0; i < 40; ++i) extra += sha256_hex("") + "  ghost/" + std::to_string(i) + "\n";
  set_sums(pack, sums_of(pack) + extra);
  CheckRequest base;
  base.policy.limits.max_files_per_pack = 30;
  RunReport r = run(pack, base);
  EXPECT_TRUE(has_code(r, kGate, "sums.too_many_lines"));
  EXPECT_EQ(findings_with(r, "sums.missing").size(), 22u);  // 30 entries read, 8 real
}

TEST(IntegrityRuntime, HostileSumsFileIsCappedNotExploded) {
  TempDir t;
  std::string pack = copy_good_pack(t);
  std::string junk;
  for (int i = 0; i < 50000; ++i) junk += "not a sums line\n";
  set_sums(pack, sums_of(pack) + junk);
  RunReport r = run(pack);
  // 1000 identical syntax errors (then the cap): one finding counting them.
  ASSERT_EQ(findings_with(r, "sums.syntax").size(), 1u);
  EXPECT_NE(findings_with(r, "sums.syntax")[0].message.find("(1000 times in this file)"), std::string::npos);
  Finding more = only(r, "sums.more_errors");
  EXPECT_NE(more.message.find("49000"), std::string::npos);
  EXPECT_FALSE(has_code(r, kGate, "sums.mismatch"));
}

TEST(IntegrityRuntime, StrictMakesUnlistedAnError) {
  TempDir t;
  std::string pack = copy_good_pack(t);
  write_file(pack + "/reports/late.json", "{}");
  RunReport loose = run(pack);
  EXPECT_EQ(status_of(loose, kGate), GateStatus::Pass);
  EXPECT_EQ(only(loose, "sums.unlisted").severity, Severity::Warning);
  CheckRequest base;
  base.options.strict = true;
  RunReport strict = run(pack, base);
  EXPECT_EQ(status_of(strict, kGate), GateStatus::Fail);
  EXPECT_EQ(only(strict, "sums.unlisted").severity, Severity::Error);
}

// The sums file lists nothing under integrity/: its own files are not
// "unlisted", and any other file there is sealed by nothing (QA-32: a
// payload in integrity/sub/ passed a signed, --strict check).
TEST(IntegrityRuntime, FilesInsideIntegrityAreNotUnlistedButOnlyItsOwnMayBeThere) {
  TempDir t;
  std::string pack = copy_good_pack(t);
  write_file(pack + "/integrity/pack.sha256", "anything\n");
  RunReport r = run(pack);
  EXPECT_FALSE(has_code(r, kGate, "sums.unlisted"));
  EXPECT_FALSE(has_code(r, kGate, "integrity.unsealed_file"));
  write_file(pack + "/integrity/notes.txt", "anything");
  write_file(pack + "/integrity/sub/install.sh", "echo payload");
  r = run(pack);
  EXPECT_EQ(status_of(r, kGate), GateStatus::Fail);
  EXPECT_FALSE(has_code(r, kGate, "sums.unlisted"));
  auto f = findings_with(r, "integrity.unsealed_file");
  ASSERT_EQ(f.size(), 2u);
  EXPECT_EQ(f[0].file, "integrity/notes.txt");
  EXPECT_EQ(f[1].file, "integrity/sub/install.sh");
}

TEST(IntegrityRuntime, MissingManifestIsReadAsIndexableReal) {
  TempDir t;
  std::string pack = copy_good_pack(t);
  fs::remove(pack + "/manifest.json");
  reseal(pack);
  RunReport r = run(pack);
  EXPECT_EQ(status_of(r, kGate), GateStatus::Fail);
  EXPECT_EQ(codes_of(r, kGate, Severity::Warning), std::vector<std::string>{"root_hash.placeholder"});
  EXPECT_EQ(only(r, "root_hash.placeholder").severity, Severity::Error);
  // The sums file was still verified: a tampered file is still caught.
  write_file(pack + "/artifacts/plan.json", "{}");
  EXPECT_TRUE(has_code(run(pack), kGate, "sums.mismatch"));
  // And a missing sums file is an error, as for INDEXABLE_REAL.
  fs::remove(pack + "/integrity/sha256sums.txt");
  EXPECT_EQ(only(run(pack), "sums.absent").severity, Severity::Error);
}

void edit_manifest(const std::string& pack, const std::string& from, const std::string& to) {
  std::string m = read_file(pack + "/manifest.json");
  std::size_t at = m.find(from);
  ASSERT_NE(at, std::string::npos) << from;
  m.replace(at, from.size(), to);
  write_file(pack + "/manifest.json", m);
}

// Updates the sums line of `rel` after an edit, leaving the manifest alone
// (reseal() would also rewrite hashes.pack_root_hash).
void relist(const std::string& pack, const std::string& rel) {
  std::string s = sums_of(pack);
  std::size_t at = s.find("  " + rel + "\n");
  ASSERT_NE(at, std::string::npos) << rel;
  s.replace(at - 64, 64, sha256_hex(read_file(pack + "/" + rel)));
  set_sums(pack, s);
}

TEST(IntegrityRuntime, SyntheticPlaceholderRootIsAWarningRealIsAnError) {
  TempDir t;
  std::string pack = copy_good_pack(t);
  edit_manifest(pack, "\"1329b9592a9b6914ab1e2aa8e48c61ea8bc48025bbf2a55dfcba056a9401316e\"", "\"TBD\"");
  relist(pack, "manifest.json");
  RunReport real = run(pack);
  EXPECT_EQ(status_of(real, kGate), GateStatus::Fail);
  EXPECT_EQ(only(real, "root_hash.placeholder").severity, Severity::Error);
  edit_manifest(pack, "\"INDEXABLE_REAL\"", "\"INDEXABLE_SYNTHETIC\"");
  relist(pack, "manifest.json");
  RunReport r = run(pack);
  EXPECT_EQ(status_of(r, kGate), GateStatus::Pass) << dump(r);
  EXPECT_EQ(only(r, "root_hash.placeholder").severity, Severity::Warning);
  EXPECT_EQ(only(r, "root_hash.placeholder").actual, "\"TBD\"");
  // An unknown status gets the strictest reading.
  edit_manifest(pack, "\"INDEXABLE_SYNTHETIC\"", "\"SOMETHING_ELSE\"");
  relist(pack, "manifest.json");
  EXPECT_EQ(only(run(pack), "root_hash.placeholder").severity, Severity::Error);
}

TEST(IntegrityRuntime, NonStringRootHashIsMalformed) {
  TempDir t;
  std::string pack = copy_good_pack(t);
  edit_manifest(pack, "\"1329b9592a9b6914ab1e2aa8e48c61ea8bc48025bbf2a55dfcba056a9401316e\"", "12345");
  RunReport r = run(pack);
  Finding f = only(r, "root_hash.malformed");
  EXPECT_EQ(f.severity, Severity::Error);
  EXPECT_EQ(f.actual, "12345");
}

TEST(IntegrityRuntime, VerifyReportHashWithoutReportIsAnError) {
  TempDir t;
  std::string pack = copy_good_pack(t);
  fs::remove(pack + "/reports/verify.report.json");
  RunReport r = run(pack);
  Finding f = only(r, "verify_hash.mismatch");
  EXPECT_EQ(f.expected, "5b60f9351dd13de9ddd0a3b19c200fa849034224eae0b2a2c5800f0fc1dc4748");
  EXPECT_NE(f.actual.find("missing"), std::string::npos);
  EXPECT_TRUE(has_code(r, kGate, "sums.missing"));
}

TEST(IntegrityRuntime, V1PackSha256EmptyIsAnError) {
  TempDir t;
  std::string pack = copy_good_pack(t);
  write_file(pack + "/integrity/pack.sha256", "  \n");
  EXPECT_TRUE(has_code(run(pack), kGate, "v1_root.unreadable"));
  // A v1 root hash followed by a file name, as `sha256sum` writes it, matches.
  std::vector<std::string> files;
  for (const auto& e : fs::recursive_directory_iterator(pack))
    if (e.is_regular_file()) {
      std::string rel = fs::relative(e.path(), pack).string();
      if (rel.rfind("integrity/", 0) != 0) files.push_back(rel);
    }
  std::sort(files.begin(), files.end());
  std::string text;
  for (const std::string& f : files) text += (text.empty() ? "" : "\n") + sha256_hex(read_file(pack + "/" + f)) + "  " + f;
  write_file(pack + "/integrity/pack.sha256", sha256_hex(text) + "  -\n");
  RunReport r = run(pack);
  EXPECT_TRUE(has_code(r, kGate, "v1_root.match")) << dump(r);
  EXPECT_EQ(status_of(r, kGate), GateStatus::Pass);
}

TEST(IntegrityRuntime, CrlfSumsNameFilesThatDoNotExist) {
  TempDir t;
  std::string pack = copy_good_pack(t);
  std::string s = sums_of(pack), crlf;
  for (char c : s) crlf += c == '\n' ? std::string("\r\n") : std::string(1, c);
  set_sums(pack, crlf);
  RunReport r = run(pack);
  EXPECT_EQ(findings_with(r, "sums.missing").size(), 8u);
  EXPECT_NE(findings_with(r, "sums.missing")[0].message.find("\\r'"), std::string::npos);
  EXPECT_NE(findings_with(r, "sums.missing")[0].hint.find("CRLF"), std::string::npos);
}

TEST(IntegrityScale, TwentyThousandFilesAndA64MiBFilePass) {
  TempDir t;
  std::string pack = copy_good_pack(t);
  // The sums lines are computed from the bytes as they are written (no
  // re-read); none of these files is one of the five v2 root files.
  std::string lines;
  for (int d = 0; d < 100; ++d) {
    std::string dir = "artifacts/bulk/d" + std::to_string(d);
    fs::create_directories(pack + "/" + dir);
    for (int f = 0; f < 200; ++f) {
      std::string rel = dir + "/f" + std::to_string(f) + ".json";
      std::string body = "{\"n\":" + std::to_string(d * 200 + f) + "}\n";
      std::ofstream(pack + "/" + rel, std::ios::binary) << body;
      lines += sha256_hex(body) + "  " + rel + "\n";
    }
  }
  {
    std::ofstream big(pack + "/artifacts/big.bin", std::ios::binary);
    std::string chunk(1 << 20, 'z');
    Sha256 h;
    for (int i = 0; i < 64; ++i) {
      big << chunk;
      h.update(chunk);
    }
    lines += to_hex(h.finish()) + "  artifacts/big.bin\n";
  }
  set_sums(pack, sums_of(pack) + lines);
  RunReport r = run(pack);
  EXPECT_EQ(status_of(r, kGate), GateStatus::Pass) << dump(r).substr(0, 2000);
  EXPECT_EQ(codes_of(r, kGate, Severity::Warning), std::vector<std::string>{});
  // One tampered file among them is still found, by its line.
  std::ofstream(pack + "/artifacts/bulk/d57/f123.json") << "{}";
  RunReport bad = run(pack);
  Finding f = only(bad, "sums.mismatch");
  EXPECT_NE(f.message.find("'artifacts/bulk/d57/f123.json'"), std::string::npos);
  EXPECT_EQ(f.location.line, 9u + 57 * 200 + 123);
}

TEST(IntegrityInfo, EveryCodeIsDocumented) {
  const GateInfo& info = find_gate(kGate)->info();
  EXPECT_EQ(info.id, kGate);
  std::string doc = read_file(source_root() + "/gates/docs/GATE-V2-INTEGRITY-01.md");
  std::set<std::string_view> seen;
  for (const FindingKind& k : info.kinds) {
    EXPECT_TRUE(seen.insert(k.code).second) << "duplicate " << k.code;
    EXPECT_NE(doc.find("`" + std::string(k.code) + "`"), std::string::npos) << k.code;
    EXPECT_FALSE(k.summary.empty()) << k.code;
    EXPECT_FALSE(k.fix.empty()) << k.code;
  }
}

}  // namespace
}  // namespace mplp
