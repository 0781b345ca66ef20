// core/leftovers.h: owners of what a killed seal or run leaves behind, and
// the staging directory names discovery and the sweep recognise.
#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include "core/leftovers.h"

namespace mplp {
namespace {

TEST(Leftovers, StageNamesRoundTripAndNameTheirPackAndOwner) {
  OwnerId me = current_owner();
  EXPECT_EQ(me.boot.size(), 8u);
  EXPECT_EQ(me.pid, static_cast<long>(::getpid()));
  for (const std::string pack : {"p1", "run.mplp-stage.x", ".hidden", "a b\nc"}) {
    std::string n = stage_dir_name(pack, me, "0123abcd");
    auto s = parse_stage_dir_name(n);
    ASSERT_TRUE(s) << n;
    EXPECT_EQ(s->pack_name, pack);
    ASSERT_TRUE(s->owner) << n;
    EXPECT_EQ(s->owner->str(), me.str());
  }
  auto old = parse_stage_dir_name(".p1.mplp-stage.4242.0badc0de");  // an older mplp-gate's
  ASSERT_TRUE(old);
  EXPECT_EQ(old->pack_name, "p1");
  EXPECT_FALSE(old->owner);
  for (const char* not_stage : {"p1", ".p1", "p1.mplp-stage.1.2", ".mplp-stage.x", "..mplp-stage.", ".p1.mplp-stag.x"})
    EXPECT_FALSE(parse_stage_dir_name(not_stage)) << not_stage;
}

// A pack name of up to 255 bytes (NAME_MAX) still gets a stage directory
// name that fits, and the stage is still known as that pack's.
TEST(Leftovers, LongPackNamesGetAStageNameThatFits) {
  const OwnerId me = current_owner();
  for (std::size_t length : {1, 100, 117, 118, 150, 200, 255}) {
    const std::string pack(length, 'p');
    const std::string n = stage_dir_name(pack, me, "1a2b3c4d");
    EXPECT_LE(n.size(), 255u) << length;
    auto s = parse_stage_dir_name(n);
    ASSERT_TRUE(s.has_value()) << n;
    EXPECT_TRUE(stage_belongs_to(*s, pack)) << length;
    EXPECT_FALSE(stage_belongs_to(*s, pack + "x")) << length;
    ASSERT_TRUE(s->owner.has_value());
    EXPECT_EQ(s->owner->pid, me.pid);
  }
  // Two long names sharing their first 100 bytes stay apart.
  const std::string a = std::string(200, 'q') + "a", b = std::string(200, 'q') + "b";
  auto sa = parse_stage_dir_name(stage_dir_name(a, me, "00000000"));
  ASSERT_TRUE(sa.has_value());
  EXPECT_TRUE(stage_belongs_to(*sa, a));
  EXPECT_FALSE(stage_belongs_to(*sa, b));
}

TEST(Leftovers, OwnerIdsParseStrictly) {
  EXPECT_TRUE(OwnerId::parse("0c6391ff.12.345"));
  for (const char* bad : {"", "0c6391ff.12", "0C6391FF.12.345", "0c6391f.12.345", "0c6391ff.-1.345", "0c6391ff.12.x",
                          "0c6391ff..345", "0c6391ff.1234567890.1", "0c6391ff.1.2.3"})
    EXPECT_FALSE(OwnerId::parse(bad)) << bad;
}

TEST(Leftovers, AnOwnerIsAliveOnlyAsTheSameProcessOfTheSameBoot) {
  OwnerId me = current_owner();
  EXPECT_TRUE(owner_alive(me));
  OwnerId reused = me;
  reused.start += 1;  // the same pid, another process
  EXPECT_FALSE(owner_alive(reused));
  OwnerId earlier = me;
  earlier.boot = me.boot == "00000000" ? "00000001" : "00000000";
  EXPECT_FALSE(owner_alive(earlier));
  // A process that ended.
  pid_t child = ::fork();
  if (child == 0) ::_exit(0);
  ::waitpid(child, nullptr, 0);
  OwnerId gone = me;
  gone.pid = child;
  EXPECT_FALSE(owner_alive(gone));
}

}  // namespace
}  // namespace mplp
