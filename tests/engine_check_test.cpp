// The check run's handling of the tree (issue 13, points 4 and 5): discovery
// that does not lose packs, and a pack that cannot be opened after discovery
// failing alone instead of ending the run.
#include <gtest/gtest.h>

#include <filesystem>

#include "engine/check.h"
#include "test_util.h"

namespace mplp {
namespace {

namespace fs = std::filesystem;
using test::TempDir;

bool has_pack(const RunReport& r, const std::string& name) {
  for (const PackResult& p : r.packs)
    if (p.name == name) return true;
  return false;
}

// Upstream's data/runs/v2 holds stray artifacts/, integrity/ and timeline/
// folders beside the directories of its packs: the stray folders make v2 a
// failing pack, and every pack below it is still found and checked.
TEST(CheckDiscovery, ManifestLessPackDirIsFailingAndPacksBelowItAreChecked) {
  TempDir t;
  const std::string v2 = t / "runs/v2";
  test::write_file(v2 + "/artifacts/context.json", "{}\n");
  fs::create_directories(v2 + "/integrity");
  test::write_file(v2 + "/timeline/events.ndjson", "{}\n");
  test::copy_tree(test::corpus("upstream/real/mcp/mcp-d1-real-runner-001"), v2 + "/real/mcp/mcp-d1-real-runner-001");
  test::copy_tree(test::corpus("upstream/synthetic/mcp/mcp-d1-synthetic-001"),
                  v2 + "/synthetic/mcp/mcp-d1-synthetic-001");
  test::copy_tree(test::fixture("packs/good-real"), v2 + "/good");
  RunReport r = test::check({t / "runs"}, {"GATE-V2-PACK-STRUCTURE-01", "GATE-V2-INTEGRITY-01"});
  ASSERT_EQ(r.packs.size(), 4u) << test::dump(r, "GATE-V2-PACK-STRUCTURE-01", "v2");
  EXPECT_TRUE(has_pack(r, "v2"));
  EXPECT_TRUE(has_pack(r, "v2/real/mcp/mcp-d1-real-runner-001"));
  EXPECT_TRUE(has_pack(r, "v2/synthetic/mcp/mcp-d1-synthetic-001"));
  EXPECT_TRUE(has_pack(r, "v2/good"));
  EXPECT_TRUE(test::has_code(r, "GATE-V2-PACK-STRUCTURE-01", "manifest.missing", "runs/v2"));
  EXPECT_EQ(test::status_of(r, "GATE-V2-PACK-STRUCTURE-01", "runs/v2"), GateStatus::Fail);
  // The packs below are checked as themselves: the good one passes.
  EXPECT_EQ(test::status_of(r, "GATE-V2-INTEGRITY-01", "v2/good"), GateStatus::Pass)
      << test::dump(r, "GATE-V2-INTEGRITY-01", "v2/good");
  EXPECT_EQ(test::status_of(r, "GATE-V2-PACK-STRUCTURE-01", "v2/good"), GateStatus::Pass);
  EXPECT_EQ(exit_code(r), 1);
}

// A pack folder inside the stray one (v2/artifacts/p) is found too: no
// directory below a manifest-less pack is left unsearched.
TEST(CheckDiscovery, PackNestedInsideStrayFolderIsFound) {
  TempDir t;
  test::write_file(t / "tree/timeline/events.ndjson", "{}\n");
  test::copy_tree(test::fixture("packs/good-real"), t / "tree/timeline/inner");
  RunReport r = test::check({t / "tree"}, {"GATE-V2-PACK-STRUCTURE-01"});
  ASSERT_EQ(r.packs.size(), 2u);
  // The checked directory, a pack without a manifest, is "." (the root the
  // names below it are relative to), not "tree" (QA-36).
  EXPECT_TRUE(has_pack(r, "."));
  EXPECT_TRUE(has_pack(r, "timeline/inner"));
}

// A pack removed between discovery and its turn fails alone; the other
// packs are still checked and the run reports (exit 1, not 2).
TEST(CheckScopes, PackGoneAfterDiscoveryIsAFailingPack) {
  TempDir t;
  test::copy_tree(test::fixture("packs/good-real"), t / "runs/a");
  test::copy_tree(test::fixture("packs/good-real"), t / "runs/b");
  CheckRequest req;
  req.jobs = 1;  // packs in name order: a is done before b is opened
  req.on_pack_done = [&](std::size_t done, std::size_t) {
    if (done == 1) fs::rename(t / "runs/b", t / "moved-b");
  };
  RunReport r = test::check({t / "runs"}, {"GATE-V2-INTEGRITY-01", "GATE-V2-PACK-STRUCTURE-01"}, req);
  ASSERT_EQ(r.packs.size(), 2u);
  EXPECT_EQ(test::status_of(r, "GATE-V2-INTEGRITY-01", "runs/a"), GateStatus::Pass);
  EXPECT_EQ(test::status_of(r, "GATE-V2-INTEGRITY-01", "runs/b"), GateStatus::Fail);
  std::vector<Finding> f = test::findings_of(r, "GATE-V2-INTEGRITY-01", "pack.unopenable", "runs/b");
  ASSERT_EQ(f.size(), 1u) << test::dump(r, "GATE-V2-INTEGRITY-01", "runs/b");
  EXPECT_NE(f[0].message.find("could not be opened"), std::string::npos) << f[0].message;
  EXPECT_FALSE(f[0].hint.empty());
  EXPECT_EQ(test::status_of(r, "GATE-V2-PACK-STRUCTURE-01", "runs/b"), GateStatus::Skip);
  EXPECT_EQ(exit_code(r), 1);
}

// Without INTEGRITY-01 selected, the first pack gate that runs says it.
TEST(CheckScopes, UnopenablePackFailsWhicheverGatesRun) {
  TempDir t;
  test::copy_tree(test::fixture("packs/good-real"), t / "runs/a");
  test::copy_tree(test::fixture("packs/good-real"), t / "runs/b");
  CheckRequest req;
  req.jobs = 1;
  req.on_pack_done = [&](std::size_t done, std::size_t) {
    if (done == 1) fs::remove_all(t / "runs/b");
  };
  RunReport r = test::check({t / "runs"}, {"GATE-V2-PACK-STRUCTURE-01"}, req);
  ASSERT_EQ(r.packs.size(), 2u);
  EXPECT_TRUE(test::has_code(r, "GATE-V2-PACK-STRUCTURE-01", "pack.unopenable", "runs/b"))
      << test::dump(r, "GATE-V2-PACK-STRUCTURE-01", "runs/b");
  EXPECT_EQ(exit_code(r), 1);
}

// Issue 13, point 6: a pack directory exchanged for a link (or another
// directory) after discovery is not followed: the pack fails as replaced,
// and nothing of what the link points at is read. Today's main reopened the
// pack by name and checked the outside directory (and quoted it).
TEST(CheckScopes, PackSwappedAfterDiscoveryIsNotFollowed) {
  for (bool link : {true, false}) {
    TempDir t;
    test::copy_tree(test::fixture("packs/good-real"), t / "runs/a");
    test::copy_tree(test::fixture("packs/good-real"), t / "runs/b");
    test::copy_tree(test::fixture("packs/good-real"), t / "outside");
    test::write_file(t / "outside/artifacts/secret.txt", "OUTSIDE-SECRET http://10.9.9.9/\n");
    CheckRequest req;
    req.jobs = 1;
    req.on_pack_done = [&](std::size_t done, std::size_t) {
      if (done != 1) return;
      fs::rename(t / "runs/b", t / "old-b");
      if (link) fs::create_directory_symlink(t / "outside", t / "runs/b");
      else fs::rename(t / "outside", t / "runs/b");
    };
    RunReport r = test::check({t / "runs"}, {"GATE-V2-INTEGRITY-01", "GATE-V2-HOST-ALLOW-01"}, req);
    ASSERT_EQ(r.packs.size(), 2u);
    std::vector<Finding> f = test::findings_of(r, "GATE-V2-INTEGRITY-01", "pack.unopenable", "runs/b");
    ASSERT_EQ(f.size(), 1u) << (link ? "link: " : "dir: ") << test::dump(r, "GATE-V2-INTEGRITY-01", "runs/b");
    EXPECT_NE(f[0].message.find("replaced since it was found"), std::string::npos) << f[0].message;
    EXPECT_TRUE(test::findings_of(r, "GATE-V2-HOST-ALLOW-01", "", "runs/b").empty())
        << test::dump(r, "GATE-V2-HOST-ALLOW-01", "runs/b");
    EXPECT_EQ(exit_code(r), 1);
  }
}

}  // namespace
}  // namespace mplp
