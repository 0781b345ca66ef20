#include "core/file_identity.h"

#include <sys/stat.h>

#include <climits>
#include <cstdlib>
#include <memory>

namespace mplp {

namespace {

// realpath(3) of `path`, or of its nearest existing ancestor when `path`
// does not exist ("" when not even "/" or "." resolves).
std::string resolve_existing(std::string path) {
  if (path.empty()) path = ".";
  for (;;) {
    std::unique_ptr<char, decltype(&std::free)> real(::realpath(path.c_str(), nullptr), &std::free);
    if (real) return real.get();
    // Drop the last component (and the slashes before it) and try again.
    while (path.size() > 1 && path.back() == '/') path.pop_back();
    std::size_t slash = path.rfind('/');
    if (slash == std::string::npos) {
      if (path == ".") return "";
      path = ".";
    } else if (slash == 0) {
      if (path == "/") return "";
      path = "/";
    } else {
      path.resize(slash);
    }
  }
}

}  // namespace

bool identify(const std::string& path, FileIdentity& out) {
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) return false;
  out = FileIdentity{st.st_dev, st.st_ino};
  return true;
}

bool identify_fd(int fd, FileIdentity& out) {
  struct stat st {};
  if (::fstat(fd, &st) != 0) return false;
  out = FileIdentity{st.st_dev, st.st_ino};
  return true;
}

bool lies_within(const std::string& path, const std::vector<FileIdentity>& dirs, std::size_t& which) {
  if (dirs.empty()) return false;
  // A canonical absolute path: every prefix of it is a real directory (no
  // link, no "..") that the write would pass through.
  std::string p = resolve_existing(path);
  while (!p.empty()) {
    FileIdentity id;
    if (identify(p, id)) {
      for (std::size_t i = 0; i < dirs.size(); ++i)
        if (dirs[i] == id) return which = i, true;
    }
    if (p == "/") break;
    std::size_t slash = p.rfind('/');
    p = slash == 0 ? "/" : p.substr(0, slash);
  }
  return false;
}

}  // namespace mplp
