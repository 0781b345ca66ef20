#include "core/file_identity.h"

#include <sys/stat.h>

#include <algorithm>
#include <climits>
#include <cstdlib>
#include <filesystem>
#include <memory>

#include "core/safe_fs.h"

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

bool names_one_file(const std::string& link_a, const std::string& link_b) {
  namespace fs = std::filesystem;
  // A link to a name not made yet is that name ("link.json -> out.json").
  const std::string a = output_target(link_a), b = output_target(link_b);
  std::error_code ec;
  // Equal spellings are one file; ".." after a link is the kernel's to resolve.
  auto has_dotdot = [](const fs::path& p) { return std::find(p.begin(), p.end(), fs::path("..")) != p.end(); };
  if (!has_dotdot(a) && !has_dotdot(b) && fs::absolute(a, ec).lexically_normal() == fs::absolute(b, ec).lexically_normal())
    return true;
  FileIdentity ia, ib;
  const bool has_a = identify(a, ia), has_b = identify(b, ib);
  if (has_a || has_b) return has_a && has_b && ia == ib;
  // Neither is there yet ("out" and "link-to-here/out"): one file when both
  // would be made under one name in one directory.
  const fs::path pa(a), pb(b);
  if (pa.filename().empty() || pa.filename() != pb.filename()) return false;
  auto parent = [](const fs::path& p) { return p.has_parent_path() ? p.parent_path().string() : std::string("."); };
  FileIdentity da, db;
  return identify(parent(pa), da) && identify(parent(pb), db) && da == db;
}

bool names_a_link(const std::string& path) {
  std::string p = path;
  for (;;) {
    if (p.size() > 1 && p.back() == '/') p.pop_back();
    else if (p.size() > 2 && p.ends_with("/.")) p.resize(p.size() - 2);
    else break;
  }
  if (p == ".") return false;
  struct stat st {};
  return ::lstat(p.c_str(), &st) == 0 && S_ISLNK(st.st_mode);
}

}  // namespace mplp
