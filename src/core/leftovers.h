// What a killed `seal` or `run` leaves behind, and how to tell whether its
// owner is gone: staging directories beside a pack, and containers.
//
// An owner is a process named by the boot it ran in (the first 8 hex digits
// of /proc/sys/kernel/random/boot_id), its pid and its start time (clock
// ticks after boot, field 22 of /proc/PID/stat). A pid reused by another
// process, or a leftover of an earlier boot, is therefore never taken for its
// owner. When /proc cannot answer, an owner counts as alive: nothing is
// removed on a guess.
//
// Staging directory names: ".<pack>.mplp-stage.<boot>.<pid>.<start>.<random>".
// Names of older versions (".<pack>.mplp-stage.<pid>.<hex>") still parse as
// stages, with no owner: they are reported, never removed automatically.
//
//   OwnerId me = current_owner();
//   std::string n = stage_dir_name("p1", me, "1a2b3c4d");   // ".p1.mplp-stage.0c6391ff.4242.9876.1a2b3c4d"
//   auto s = parse_stage_dir_name(n);   // s->pack_name == "p1", s->owner->pid == 4242
//   owner_alive(*s->owner) == true
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace mplp {

struct OwnerId {
  std::string boot;              // 8 lowercase hex digits
  long pid = 0;
  unsigned long long start = 0;  // clock ticks after boot
  std::string str() const;       // "<boot>.<pid>.<start>"
  static std::optional<OwnerId> parse(std::string_view s);
};

OwnerId current_owner();
bool owner_alive(const OwnerId& owner);

std::string stage_dir_name(const std::string& pack_name, const OwnerId& owner, std::string_view random);

struct StageDirName {
  std::string pack_name;         // the pack the stage belongs to (beside it)
  std::optional<OwnerId> owner;  // absent: an older or foreign name
};
std::optional<StageDirName> parse_stage_dir_name(std::string_view name);

// The stage mark: the extended attribute user.mplp-gate.stage holding
// "<owner>/<inode>", the owner the stage's name records and the directory's
// own inode. A staging directory carries it from its creation until it
// becomes the pack; the old tree gets it once an exchange is verified. A
// directory only named like a stage (a copy, a pack a race left there, one
// a stranger's tree holds to hide what is below it) carries none.
inline constexpr const char* kStageMarkAttribute = "user.mplp-gate.stage";
std::string stage_mark_value(const std::string& owner, unsigned long long inode);
// Whether the directory open as `dirfd`, of inode `inode`, carries the mark
// of `owner` (false too where the filesystem has no user xattrs).
bool carries_stage_mark(int dirfd, unsigned long long inode, const std::string& owner);

// A pack name too long to fit a stage directory's name with its mark is
// held shortened: its first 100 bytes, '~' and 16 hex digits of its
// SHA-256. Whether a parsed stage is one of `pack_name`, either way.
std::string stage_label(const std::string& pack_name);
bool stage_belongs_to(const StageDirName& stage, const std::string& pack_name);

}  // namespace mplp
