#include "runner/private_cache.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>

#include "core/safe_fs.h"

namespace mplp::runner {

std::string cache_area(const std::string& area) {
  const char* set = std::getenv("MPLP_GATE_CACHE");
  if (set != nullptr && std::string(set) == "off") return "";
  if (set != nullptr && *set == '/') return std::string(set) + "/" + area;
  const char* xdg = std::getenv("XDG_CACHE_HOME");
  if (xdg != nullptr && *xdg == '/') return std::string(xdg) + "/mplp-gate/" + area;
  const char* home = std::getenv("HOME");
  if (home != nullptr && *home == '/') return std::string(home) + "/.cache/mplp-gate/" + area;
  return "";
}

bool private_to_us(const struct stat& st) { return st.st_uid == ::geteuid() && (st.st_mode & 022) == 0; }

bool is_private_dir(const std::string& dir) {
  struct stat st {};
  return !dir.empty() && ::lstat(dir.c_str(), &st) == 0 && S_ISDIR(st.st_mode) && private_to_us(st);
}

bool make_private_dir(const std::string& path) {
  if (path.empty() || path[0] != '/') return false;
  for (std::size_t i = 1; i <= path.size(); ++i)
    if (i == path.size() || path[i] == '/')
      if (::mkdir(path.substr(0, i).c_str(), 0700) != 0 && errno != EEXIST) return false;
  return is_private_dir(path);
}

std::optional<std::string> read_private_file(const std::string& dir_path, const std::string& name, std::uint64_t max) {
  if (!is_private_dir(dir_path)) return std::nullopt;
  std::string error, bytes;
  std::optional<Dir> dir = Dir::open(dir_path, error);
  struct stat st {};
  if (!dir || ::fstatat(dir->fd(), name.c_str(), &st, AT_SYMLINK_NOFOLLOW) != 0 || !S_ISREG(st.st_mode) ||
      !private_to_us(st) || !read_beneath(*dir, name, max, bytes, error))
    return std::nullopt;
  return bytes;
}

bool write_private_file(const std::string& dir, const std::string& name, const std::string& bytes) {
  std::string error;
  return make_private_dir(dir) && write_file_atomic(dir + "/" + name, bytes, error);
}

}  // namespace mplp::runner
