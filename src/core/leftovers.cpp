#include "core/leftovers.h"

#include <limits.h>
#include <sys/xattr.h>
#include <unistd.h>

#include <cctype>
#include <cstdlib>
#include <fstream>
#include <sstream>

#include "core/digest.h"
#include "core/text.h"

namespace mplp {

namespace {

constexpr std::string_view kStageMark = ".mplp-stage.";

std::string boot_prefix() {
  static const std::string id = [] {
    std::ifstream in("/proc/sys/kernel/random/boot_id");
    std::string line, hex;
    std::getline(in, line);
    for (char c : line)
      if (std::isxdigit(static_cast<unsigned char>(c)) && hex.size() < 8)
        hex += ascii_lower(c);
    return hex.size() == 8 ? hex : std::string();
  }();
  return id;
}

// Field 22 of /proc/PID/stat; 0 when unreadable. The command name (field 2)
// is in parentheses and may hold spaces, so fields are counted after its ')'.
unsigned long long start_time(long pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/stat");
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  std::size_t close = text.rfind(')');
  if (close == std::string::npos) return 0;
  std::istringstream rest(text.substr(close + 1));
  std::string field;
  for (int i = 3; i <= 22 && (rest >> field); ++i)
    if (i == 22) return std::strtoull(field.c_str(), nullptr, 10);
  return 0;
}

bool all_digits(std::string_view s) {
  if (s.empty() || s.size() > 20) return false;
  for (char c : s)
    if (c < '0' || c > '9') return false;
  return true;
}

}  // namespace

std::string OwnerId::str() const { return boot + "." + std::to_string(pid) + "." + std::to_string(start); }

std::optional<OwnerId> OwnerId::parse(std::string_view s) {
  std::size_t a = s.find('.');
  std::size_t b = a == std::string_view::npos ? a : s.find('.', a + 1);
  if (b == std::string_view::npos) return std::nullopt;
  std::string_view boot = s.substr(0, a), pid = s.substr(a + 1, b - a - 1), start = s.substr(b + 1);
  if (boot.size() != 8 || !all_digits(pid) || !all_digits(start) || pid.size() > 9) return std::nullopt;
  for (char c : boot)
    if (!std::isxdigit(static_cast<unsigned char>(c)) || std::isupper(static_cast<unsigned char>(c))) return std::nullopt;
  OwnerId o;
  o.boot = std::string(boot);
  o.pid = std::strtol(std::string(pid).c_str(), nullptr, 10);
  o.start = std::strtoull(std::string(start).c_str(), nullptr, 10);
  return o;
}

OwnerId current_owner() {
  OwnerId o;
  o.boot = boot_prefix();
  o.pid = static_cast<long>(::getpid());
  o.start = start_time(o.pid);
  if (o.boot.empty()) o.boot = "00000000";
  return o;
}

bool owner_alive(const OwnerId& owner) {
  std::string boot = boot_prefix();
  if (boot.empty()) return true;          // cannot tell
  if (owner.boot != boot) return false;   // an earlier boot
  if (owner.start == 0 || ::access("/proc/self/stat", R_OK) != 0) return true;
  return owner.pid > 0 && start_time(owner.pid) == owner.start;
}

std::string stage_label(const std::string& pack_name) {
  constexpr std::size_t kKept = 100;
  if (pack_name.size() <= kKept + 17) return pack_name;
  return pack_name.substr(0, kKept) + "~" + sha256_hex(pack_name).substr(0, 16);
}

std::string stage_dir_name(const std::string& pack_name, const OwnerId& owner, std::string_view random) {
  const std::string tail = std::string(kStageMark) + owner.str() + "." + std::string(random);
  // A pack name of up to 255 bytes is valid, and with the mark no longer
  // fits a directory name (NAME_MAX): such a name is shortened.
  if (1 + pack_name.size() + tail.size() <= NAME_MAX) return "." + pack_name + tail;
  return "." + stage_label(pack_name) + tail;
}

bool stage_belongs_to(const StageDirName& stage, const std::string& pack_name) {
  return stage.pack_name == pack_name || stage.pack_name == stage_label(pack_name);
}

std::optional<StageDirName> parse_stage_dir_name(std::string_view name) {
  std::size_t mark = name.rfind(kStageMark);
  if (name.size() < 2 || name[0] != '.' || mark == std::string_view::npos || mark < 2) return std::nullopt;
  StageDirName out;
  out.pack_name = std::string(name.substr(1, mark - 1));
  std::string_view rest = name.substr(mark + kStageMark.size());
  std::size_t last = rest.rfind('.');
  if (last != std::string_view::npos) out.owner = OwnerId::parse(rest.substr(0, last));
  return out;
}

std::string stage_mark_value(const std::string& owner, unsigned long long inode) {
  return owner + "/" + std::to_string(inode);
}

bool carries_stage_mark(int dirfd, unsigned long long inode, const std::string& owner) {
  char buf[128];
  const ssize_t n = ::fgetxattr(dirfd, kStageMarkAttribute, buf, sizeof buf);
  return n > 0 && std::string(buf, static_cast<std::size_t>(n)) == stage_mark_value(owner, inode);
}

}  // namespace mplp
