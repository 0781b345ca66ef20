// Issue 13, point 6, through the built binary: the shape of a hostile tree
// must not change a verdict. A pack of thousands of directories cannot use
// up the run's file descriptors; a pack over the entry limit never gets an
// existing file called missing; a link in the tree is reported, not skipped.
#include <gtest/gtest.h>

#include <chrono>
#include <cstdio>
#include <filesystem>

#include "core/json.h"
#include "test_util.h"

namespace mplp {
namespace {

namespace fs = std::filesystem;
using test::TempDir;

// The result of every pack of a JSON report: last path component -> "pass"/"fail".
std::map<std::string, std::string> pack_statuses(const std::string& json) {
  JsonDoc doc;
  std::map<std::string, std::string> out;
  if (!parse_json(json, {}, doc)) return out;
  const rapidjson::Value* packs = member(doc.value, "packs");
  if (packs == nullptr || !packs->IsArray()) return out;
  for (const rapidjson::Value& p : packs->GetArray()) {
    const rapidjson::Value* path = string_member(&p, "path");
    const rapidjson::Value* result = string_member(&p, "result");
    if (path == nullptr || result == nullptr) continue;
    std::string_view name = as_view(*path);
    name.remove_prefix(name.rfind('/') == std::string_view::npos ? 0 : name.rfind('/') + 1);
    out[std::string(name)] = std::string(as_view(*result));
  }
  return out;
}

// The walk held one descriptor per pending directory: a pack of 3,000 sibling
// directories under a limit of 256 descriptors ran out ("Too many open
// files") and its subtrees went unread, and packs checked at the same time
// failed too. Pending directories now hold none.
TEST(TreeShape, ThousandsOfDirectoriesDoNotExhaustDescriptors) {
  TempDir t;
  for (const char* p : {"runs/a", "runs/b", "runs/c"}) test::copy_tree(test::fixture("packs/good-real"), t / p);
  for (int i = 0; i < 3000; ++i) fs::create_directories(t / ("runs/a/artifacts/extra/d" + std::to_string(i)));
  std::string out;
  int rc = test::run_shell("ulimit -n 256 && " + test::shell_quote(test::gate_binary()) +
                               " check --jobs 2 --format json " + test::shell_quote(t / "runs") + " 2>&1",
                           out);
  EXPECT_EQ(out.find("Too many open files"), std::string::npos) << out.substr(0, 4000);
  auto statuses = pack_statuses(out);
  EXPECT_EQ(statuses["b"], "pass") << out.substr(0, 4000);
  EXPECT_EQ(statuses["c"], "pass");
  EXPECT_EQ(statuses["a"], "pass") << "empty directories are no defect";
  EXPECT_EQ(rc, 0);
}

// Over limits.max_files_per_pack the walk stops; a file it did not reach
// exists and must not be reported missing: the report says it was not read.
TEST(TreeShape, PastTheEntryLimitNoExistingFileIsCalledMissing) {
  TempDir t;
  test::copy_tree(test::fixture("packs/good-real"), t / "p");
  test::write_file(t / "policy.yaml", "limits:\n  max_files_per_pack: 9\n");
  auto r = test::run_tool({"check", "--policy", t / "policy.yaml", "--format", "json", t / "p"});
  EXPECT_EQ(r.exit_code, 1) << r.err;  // the truncation itself fails the pack
  for (const char* code : {"\"sums.absent\"", "\"file.missing\"", "\"manifest.missing\"", "\"sums.file-missing\""})
    EXPECT_EQ(r.out.find(code), std::string::npos) << code << "\n" << r.out;
  EXPECT_EQ(r.out.find("is missing"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("lies past the limit"), std::string::npos) << r.out;
}

// A link to a pack inside a checked tree was passed over without a word and
// the run passed. It is never followed, and now fails the run by name.
TEST(TreeShape, LinkInTheTreeIsReportedNotFollowed) {
  TempDir t;
  test::copy_tree(test::fixture("packs/good-real"), t / "runs/a");
  test::copy_tree(test::fixture("packs/good-real"), t / "elsewhere/p");
  test::write_file(t / "elsewhere/p/artifacts/secret.txt", "OUTSIDE-SECRET http://10.9.9.9/\n");
  fs::create_directory_symlink(t / "elsewhere/p", t / "runs/b");
  fs::create_symlink(t / "elsewhere/p/manifest.json", t / "runs/notes.json");
  auto r = test::run_tool({"check", "--format", "json", t / "runs"});
  EXPECT_EQ(r.exit_code, 1) << r.out << r.err;
  auto statuses = pack_statuses(r.out);
  EXPECT_EQ(statuses["a"], "pass") << r.out;
  EXPECT_EQ(statuses["b"], "fail") << r.out;
  EXPECT_EQ(statuses["notes.json"], "fail") << r.out;
  EXPECT_EQ(test::count_of(r.out, "\"pack.link\""), 2u) << r.out;
  EXPECT_EQ(r.out.find("OUTSIDE-SECRET"), std::string::npos);
  EXPECT_EQ(r.out.find("10.9.9.9"), std::string::npos);
  // Given as the PATH itself, a link is refused with that reason (it said
  // "Not a directory").
  auto given = test::run_tool({"check", t / "runs/b"});
  EXPECT_EQ(given.exit_code, 2);
  EXPECT_NE(given.err.find("links are never followed"), std::string::npos) << given.err;
  auto text = test::run_tool({"check", t / "runs"});
  EXPECT_EQ(text.exit_code, 1);
  EXPECT_NE(text.out.find("links are never followed"), std::string::npos) << text.out;
}

constexpr auto kSwapFor = std::chrono::seconds(3);

// A pack exchanged with a link to an outside pack, again and again, while
// the tree is checked: every run names the pack (checked, or failed as a
// link or as replaced), none reads the outside. Today's main skipped the
// pack without a word whenever discovery met the link.
TEST(TreeShape, SwapLoopOfAPackAndALinkNeverFollowsNorSkipsIt) {
  TempDir t;
  test::copy_tree(test::fixture("packs/good-real"), t / "runs/a");
  test::copy_tree(test::fixture("packs/good-real"), t / "runs/b");
  test::copy_tree(test::fixture("packs/good-real"), t / "outside");
  test::write_file(t / "outside/artifacts/secret.txt", "OUTSIDE-SECRET http://10.9.9.9/\n");
  fs::create_directory_symlink(t / "outside", t / "swap");
  test::SwapLoop swap(t / "runs/b", t / "swap");
  int runs = 0;
  std::map<std::string, int> outcomes;
  for (auto end = std::chrono::steady_clock::now() + kSwapFor; std::chrono::steady_clock::now() < end;) {
    auto r = test::run_tool({"check", "--format", "json", t / "runs"});
    ++runs;
    ASSERT_EQ(r.out.find("OUTSIDE-SECRET"), std::string::npos) << r.out;
    ASSERT_EQ(r.out.find("10.9.9.9"), std::string::npos) << r.out;
    auto statuses = pack_statuses(r.out);
    ASSERT_EQ(statuses["a"], "pass") << r.out << r.err;
    ASSERT_TRUE(statuses.count("b")) << "the pack was skipped\n" << r.out << r.err;
    std::string how = statuses["b"] == "pass"                                          ? "pass"
                      : r.out.find("\"pack.link\"") != std::string::npos             ? "link"
                      : r.out.find("\"pack.unopenable\"") != std::string::npos       ? "replaced"
                                                                                       : "other";
    ASSERT_NE(how, "other") << r.out;
    ASSERT_EQ(r.exit_code, how == "pass" ? 0 : 1) << r.out << r.err;
    ++outcomes[how];
  }
  long swaps = swap.stop();
  std::printf("%ld exchanges, %d runs: %d passed, %d as a link, %d as replaced\n", swaps, runs, outcomes["pass"],
              outcomes["link"], outcomes["replaced"]);
  EXPECT_GT(runs, 0);
}

// A file over the 16 MiB kept-bytes budget exchanged, again and again, with
// a clean copy outside the pack while it is checked. The sums are of the
// dirty file, so every run must fail: on the hash, on the host, or because
// the file changed after its hash read. Today's main passed whenever its
// scan re-read the clean file after hashing the dirty one.
TEST(TreeShape, SwapLoopOfALargeFileNeverTurnsAFailIntoAPass) {
  TempDir t;
  test::copy_tree(test::fixture("packs/good-real"), t / "p");
  std::string dirty = std::string(17u << 20, 'x') + "\nhttp://10.0.0.1/\n";
  test::write_file(t / "p/artifacts/big.log", dirty);
  test::write_file(t / "clean.log", std::string(dirty.size(), 'x'));
  ASSERT_EQ(test::run_tool({"seal", t / "p"}).exit_code, 0);
  const std::vector<std::string> check = {"check", "--gate", "INTEGRITY-01", "--gate", "HOST-ALLOW-01", t / "p"};
  ASSERT_EQ(test::run_tool(check).exit_code, 1) << "the dirty file fails on its own";
  test::SwapLoop swap(t / "p/artifacts/big.log", t / "clean.log");
  int runs = 0;
  for (auto end = std::chrono::steady_clock::now() + kSwapFor; std::chrono::steady_clock::now() < end; ++runs) {
    auto r = test::run_tool(check);
    ASSERT_EQ(r.exit_code, 1) << "run " << runs << " passed\n" << r.out << r.err;
  }
  long swaps = swap.stop();
  std::printf("%ld exchanges, %d runs, every one failed\n", swaps, runs);
  EXPECT_GT(runs, 0);
}

}  // namespace
}  // namespace mplp
