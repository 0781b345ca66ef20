// engine/shard.h: the K/N syntax, the stable hash (SHA-256's first 8 bytes,
// big-endian: the same on every machine and build) and the shard key.
#include <gtest/gtest.h>

#include "engine/shard.h"
#include "core/pack.h"
#include "core/thread_pool.h"
#include <sys/stat.h>

#include <filesystem>

#include "test_util.h"

namespace mplp {
namespace {

TEST(Shard, ParsesKOfNCountedFromZero) {
  ShardSpec s;
  std::string err;
  ASSERT_TRUE(parse_shard("0/1", s, err)) << err;
  EXPECT_EQ(s.index, 0u);
  EXPECT_EQ(s.count, 1u);
  ASSERT_TRUE(parse_shard("4/5", s, err)) << err;
  EXPECT_EQ(s.index, 4u);
  EXPECT_EQ(s.count, 5u);
  ASSERT_TRUE(parse_shard("99999/100000", s, err)) << err;
  for (const char* bad : {"5/5", "0/0", "1/0", "", "/", "1/", "/1", "a/2", "1/b", "-1/2", "+1/2", "1 /2", "1/2/3",
                          "0/100001", "1.0/2", "0x1/2", "1/2 "}) {
    err.clear();
    EXPECT_FALSE(parse_shard(bad, s, err)) << bad;
    EXPECT_FALSE(err.empty()) << bad;
  }
  parse_shard("3/3", s, err);
  EXPECT_NE(err.find("0..2"), std::string::npos) << err;
}

TEST(Shard, StableHashIsSha256sFirstEightBytesBigEndian) {
  EXPECT_EQ(stable_hash(""), 0xe3b0c44298fc1c14ull);     // SHA-256 of nothing: e3b0c442 98fc1c14 ...
  EXPECT_EQ(stable_hash("abc"), 0xba7816bf8f01cfeaull);  // FIPS 180-2 example: ba7816bf 8f01cfea ...
}

TEST(Shard, RealPacksAreKeyedByTheirDeterminismGroup) {
  test::TempDir t;
  Limits limits;
  auto key_of = [&](const std::string& dir, const std::string& name) {
    PackLocation l;
    l.fs_path = dir;
    l.display_path = dir;
    l.name = name;
    return shard_key(l, limits);
  };
  std::string a = test::copy_good_pack(t, "a");
  std::string key = key_of(a, "x/a");
  ASSERT_EQ(key.rfind("det\n", 0), 0u) << key;
  // Another pack of the same substrate and scenario: the same key, whatever its name.
  std::string b = test::copy_good_pack(t, "b");
  test::set_json(b + "/manifest.json", "/pack_id", "\"other\"");
  EXPECT_EQ(key_of(b, "elsewhere/b"), key);
  // Another scenario: another key.
  test::set_json(b + "/manifest.json", "/scenario_id", "\"another\"");
  EXPECT_NE(key_of(b, "elsewhere/b"), key);
  // Not REAL, no manifest, a manifest that is not JSON, no scenario: by name.
  test::set_json(b + "/manifest.json", "/indexability_status", "\"INDEXABLE_SYNTHETIC\"");
  EXPECT_EQ(key_of(b, "elsewhere/b"), "path\nelsewhere/b");
  test::write_file(b + "/manifest.json", "{\"indexability_status\": ");
  EXPECT_EQ(key_of(b, "elsewhere/b"), "path\nelsewhere/b");
  std::filesystem::remove(b + "/manifest.json");
  EXPECT_EQ(key_of(b, "elsewhere/b"), "path\nelsewhere/b");
  test::set_json(a + "/manifest.json", "/scenario_id", "");
  EXPECT_EQ(key_of(a, "x/a"), "path\nx/a");
  // A manifest that is a FIFO is not read (no hang).
  std::filesystem::remove(a + "/manifest.json");
  ASSERT_EQ(::mkfifo((a + "/manifest.json").c_str(), 0644), 0);
  EXPECT_EQ(key_of(a, "x/a"), "path\nx/a");
}

// QA-55: the key reads the status as the gates read the pack
// (Pack::indexability): a status written twice was REAL to DET-01 (the
// strictest reading) but SYNTHETIC to the key, which placed the pack by its
// path, away from its reruns, and a sharded check passed a failing group.
TEST(Shard, APackIsKeyedByItsGroupExactlyWhenItsGatesReadItAsReal) {
  test::TempDir t;
  Limits limits;
  std::string dir = test::copy_good_pack(t, "a");
  PackLocation l;
  l.fs_path = l.display_path = dir;
  l.name = "x/a";
  const std::string group = shard_key(l, limits);
  ASSERT_EQ(group.rfind("det\n", 0), 0u) << group;
  const std::string manifest = test::read_file(dir + "/manifest.json");
  const std::string status = "\"indexability_status\": \"INDEXABLE_REAL\"";
  ASSERT_NE(manifest.find(status), std::string::npos);
  const std::vector<std::string> values = {"\"INDEXABLE_REAL\"", "\"INDEXABLE_SYNTHETIC\"", "\"NON_INDEXABLE\"",
                                           "\"indexable_real\"", "5", "null", "[\"INDEXABLE_REAL\"]"};
  std::vector<std::string> members = {""};  // no status at all
  for (const std::string& a : values) {
    members.push_back("\"indexability_status\": " + a);
    for (const std::string& b : values)
      members.push_back("\"indexability_status\": " + a + ", \"indexability_status\": " + b);
  }
  ThreadPool pool(2);
  int real = 0;
  for (const std::string& m : members) {
    std::string text = manifest;
    text.replace(text.find(status), status.size() + 1, m.empty() ? "" : m + ",");
    test::write_file(dir + "/manifest.json", text);
    std::string err;
    auto pack = Pack::open(dir, "x/a", limits, err);
    ASSERT_TRUE(pack) << err;
    pack->load_files(pool);
    ASSERT_EQ(pack->manifest_state(), ManifestState::Ok) << m;
    EXPECT_EQ(shard_key(l, limits), pack->is_real() ? group : "path\nx/a") << m;
    real += pack->is_real() ? 1 : 0;
  }
  EXPECT_EQ(real, static_cast<int>(1 + values.size() * values.size())) << "REAL alone, and every status written twice";
}

TEST(Shard, EveryPackInExactlyOneShard) {
  PackLocation l;
  Limits limits;
  for (unsigned n : {1u, 2u, 7u}) {
    std::vector<unsigned> per(n, 0);
    for (int i = 0; i < 700; ++i) {
      l.fs_path = "/nonexistent/" + std::to_string(i);
      l.name = "p" + std::to_string(i);
      unsigned k = shard_of(l, limits, n);
      ASSERT_LT(k, n);
      ++per[k];
    }
    for (unsigned c : per) EXPECT_GT(c, 700u / n / 2) << "a hash that spreads names evenly";
  }
}

}  // namespace
}  // namespace mplp
