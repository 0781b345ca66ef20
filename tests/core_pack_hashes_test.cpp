// core/pack_hashes: the upstream root-hash algorithms, checked against
// independent computations and against upstream's real packs.
#include "core/pack_hashes.h"

#include <gtest/gtest.h>

#include <map>

#include "core/pack.h"
#include "core/thread_pool.h"
#include "test_util.h"

namespace mplp {
namespace {

using test::corpus;

// Digests keyed by path, for the lookup callback.
struct Files {
  std::map<std::string, Digest, std::less<>> digests;
  void add(const std::string& path, const std::string& bytes) { digests[path] = sha256(bytes); }
  DigestLookup lookup() const {
    return [this](std::string_view p) -> const Digest* {
      auto it = digests.find(p);
      return it == digests.end() ? nullptr : &it->second;
    };
  }
};

TEST(PackHashes, V2FilesAreTheFiveInOrder) {
  std::vector<std::string_view> want = {"artifacts/context.json", "artifacts/plan.json", "artifacts/confirm.json",
                                        "artifacts/trace.json", "timeline/events.ndjson"};
  EXPECT_EQ(v2_root_files(), want);
}

TEST(PackHashes, V2IsSha256sumOfTheFiveThenSha256sum) {
  Files f;
  f.add("artifacts/context.json", "ctx");
  f.add("artifacts/plan.json", "plan");
  f.add("artifacts/confirm.json", "confirm");
  f.add("artifacts/trace.json", "trace");
  f.add("timeline/events.ndjson", "ev\n");
  f.add("manifest.json", "ignored");  // not one of the five
  std::string text = sha256_hex("ctx") + "  artifacts/context.json\n" + sha256_hex("plan") + "  artifacts/plan.json\n" +
                     sha256_hex("confirm") + "  artifacts/confirm.json\n" + sha256_hex("trace") +
                     "  artifacts/trace.json\n" + sha256_hex("ev\n") + "  timeline/events.ndjson\n";
  EXPECT_EQ(v2_pack_root_hash(f.lookup()), sha256_hex(text));
}

TEST(PackHashes, V2LeavesOutMissingFiles) {
  Files f;
  f.add("artifacts/context.json", "ctx");
  f.add("artifacts/trace.json", "trace");
  std::string text = sha256_hex("ctx") + "  artifacts/context.json\n" + sha256_hex("trace") + "  artifacts/trace.json\n";
  EXPECT_EQ(v2_pack_root_hash(f.lookup()), sha256_hex(text));
  EXPECT_EQ(v2_pack_root_hash(Files{}.lookup()), sha256_hex(""));
}

TEST(PackHashes, V2DependsOnEveryFile) {
  Files f;
  for (std::string_view p : v2_root_files()) f.add(std::string(p), std::string(p));
  std::string base = v2_pack_root_hash(f.lookup());
  for (std::string_view p : v2_root_files()) {
    Files g = f;
    g.add(std::string(p), "changed");
    EXPECT_NE(v2_pack_root_hash(g.lookup()), base) << p;
  }
}

TEST(PackHashes, V1SortsJoinsWithoutTrailingNewline) {
  Digest a = sha256("A"), b = sha256("B");
  std::string text = to_hex(a) + "  a.json\n" + to_hex(b) + "  b/c.json";
  EXPECT_EQ(v1_pack_root_hash({{"b/c.json", b}, {"a.json", a}}), sha256_hex(text));
  EXPECT_EQ(v1_pack_root_hash({{"a.json", a}, {"b/c.json", b}}), sha256_hex(text));
  EXPECT_EQ(v1_pack_root_hash({}), sha256_hex(""));
  EXPECT_EQ(v1_pack_root_hash({{"x", a}}), sha256_hex(to_hex(a) + "  x"));
}

TEST(PackHashes, V1SortsByBytes) {
  Digest d = sha256("");
  // 'B' (0x42) < 'a' (0x61) < 0xc3: byte order, not locale order.
  std::string text = to_hex(d) + "  B\n" + to_hex(d) + "  a\n" + to_hex(d) + "  \xc3\xa9";
  EXPECT_EQ(v1_pack_root_hash({{"\xc3\xa9", d}, {"a", d}, {"B", d}}), sha256_hex(text));
}

std::unique_ptr<Pack> load(const std::string& dir) {
  std::string err;
  auto pack = Pack::open(dir, dir, Limits{}, err);
  if (!pack) ADD_FAILURE() << err;
  ThreadPool pool(2);
  if (pack) pack->load_files(pool);
  return pack;
}

TEST(PackHashes, V2ReproducesUpstreamRealPack) {
  auto pack = load(corpus("upstream/real/mcp/mcp-d1-real-runner-001"));
  ASSERT_TRUE(pack);
  EXPECT_EQ(v2_pack_root_hash([&](std::string_view f) { return pack->digest(f); }),
            "1329b9592a9b6914ab1e2aa8e48c61ea8bc48025bbf2a55dfcba056a9401316e");
}

TEST(PackHashes, V2ReproducesUpstreamSyntheticPack) {
  auto pack = load(corpus("upstream/synthetic/mcp/mcp-d1-synthetic-001"));
  ASSERT_TRUE(pack);
  EXPECT_EQ(v2_pack_root_hash([&](std::string_view f) { return pack->digest(f); }),
            "e056417ca16291b4553df13d12bc39c97fcaa0daafa2aae8c40eb63fbe7ec55b");
}

}  // namespace
}  // namespace mplp
