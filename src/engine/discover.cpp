#include "engine/discover.h"

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <climits>
#include <cstring>
#include <filesystem>

#include "core/file_identity.h"
#include "core/leftovers.h"
#include "core/pack_layout.h"
#include "core/sums.h"
#include "core/text.h"

namespace mplp {

namespace {

bool has_entry(int dirfd, const char* name, bool want_dir) {
  struct stat st {};
  if (::fstatat(dirfd, name, &st, AT_SYMLINK_NOFOLLOW) != 0) return false;
  return want_dir ? S_ISDIR(st.st_mode) : true;
}

// A directory listed below the root that is still a directory and holds
// manifest.json: a pack, known by two lstat calls, without opening it (a tree
// of 30,000 packs is searched with 60,000 calls instead of 120,000). Its
// identity is what lstat says; if it is swapped between the two calls,
// Pack::open finds another identity and reports the pack unopenable. False
// for anything else, which the caller opens and looks at closely.
bool listed_pack(const std::string& dir, PackLocation& here) {
  struct stat st {};
  if (::lstat(dir.c_str(), &st) != 0 || !S_ISDIR(st.st_mode)) return false;
  struct stat manifest {};
  if (::lstat((dir + "/manifest.json").c_str(), &manifest) != 0) return false;
  here.identified = true;
  here.identity = FileIdentity{st.st_dev, st.st_ino};
  return true;
}

// A staging directory beside a pack: what the report says about it. Only a
// directory carrying the stage mark its name calls for is one (QA-45: any
// ".X.mplp-stage.*" folder hid every pack below it, and the run passed); a
// directory merely named so is searched like any other.
bool stage_location(const std::string& dir, const std::string& dir_name, PackLocation& loc) {
  auto parsed = parse_stage_dir_name(dir_name);
  if (!parsed || !parsed->owner) return false;
  const int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
  if (fd < 0) return false;
  struct stat st {};
  const bool marked = ::fstat(fd, &st) == 0 && carries_stage_mark(fd, st.st_ino, parsed->owner->str());
  ::close(fd);
  if (!marked) return false;
  loc.stage = true;
  std::string whose = "'" + escape_for_message(parsed->pack_name) + "'";
  if (owner_alive(*parsed->owner))
    loc.stage_note = "a seal or run of " + whose + " is in progress (pid " + std::to_string(parsed->owner->pid) + ")";
  else
    loc.stage_note = "an interrupted seal or run of " + whose + " (pid " + std::to_string(parsed->owner->pid) +
                     " is gone)";
  return true;
}

std::string base_name(std::string dir) {
  while (dir.size() > 1 && dir.back() == '/') dir.pop_back();
  return dir.substr(dir.rfind('/') == std::string::npos ? 0 : dir.rfind('/') + 1);
}

std::string join(const std::string& a, const std::string& b) {
  if (a.empty() || a == ".") return b;
  return a.back() == '/' ? a + b : a + "/" + b;
}

PackLocation location(std::string fs_path, std::string shown, std::string name, std::string base) {
  PackLocation l;
  l.fs_path = std::move(fs_path);
  l.display_path = std::move(shown);
  l.name = std::move(name);
  l.base = std::move(base);
  return l;
}

}  // namespace

PackedLocation::PackedLocation(const PackLocation& l)
    : stage_(l.stage), link_(l.link), identified_(l.identified), identity_(l.identity) {
  for (const std::string* t : {&l.fs_path, &l.display_path, &l.name, &l.base, &l.stage_note, &l.open_error}) {
    texts_ += *t;
    texts_.push_back('\0');  // no path holds one, nor a note made of paths
  }
  texts_.shrink_to_fit();
}

std::string_view PackedLocation::field(std::size_t k) const {
  std::string_view rest = texts_;
  for (std::size_t i = 0; i < k && !rest.empty(); ++i) rest.remove_prefix(rest.find('\0') + 1);
  return rest.substr(0, rest.find('\0'));
}

PackLocation PackedLocation::unpack() const {
  PackLocation l;
  std::string* fields[] = {&l.fs_path, &l.display_path, &l.name, &l.base, &l.stage_note, &l.open_error};
  for (std::size_t k = 0; k < std::size(fields); ++k) *fields[k] = std::string(field(k));
  l.stage = stage_;
  l.link = link_;
  l.identified = identified_;
  l.identity = identity_;
  return l;
}

std::string display_name(const std::string& path, bool absolute_paths) {
  namespace fs = std::filesystem;
  std::error_code ec;
  if (absolute_paths) {
    fs::path abs = fs::absolute(path, ec);
    return ec ? path : abs.lexically_normal().string();
  }
  fs::path p = fs::path(path).lexically_normal();
  if (p.is_absolute()) {
    fs::path cwd = fs::current_path(ec);
    if (!ec) {
      fs::path rel = p.lexically_relative(cwd);
      if (!rel.empty() && *rel.begin() != "..") p = rel;
    }
  }
  std::string s = p.string();
  while (s.size() > 1 && s.back() == '/') s.pop_back();
  return s.empty() ? "." : s;
}

std::string directory_name(const std::string& path) {
  namespace fs = std::filesystem;
  std::error_code ec;
  fs::path p = fs::weakly_canonical(fs::absolute(path, ec), ec);
  if (ec) p = fs::absolute(path, ec).lexically_normal();
  while (!p.has_filename() && p.has_relative_path()) p = p.parent_path();
  std::string name = p.filename().string();
  return name.empty() ? "." : name;
}

bool discover_packs(const std::string& path, const DiscoverOptions& options, PackLocations& out,
                    std::string& error) {
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) {
    error = escape_for_message(path) + ": " + std::strerror(errno);
    return false;
  }
  if (names_a_link(path)) {
    error = escape_for_message(path) + ": a symbolic link; links are never followed (give the directory it points at)";
    return false;
  }
  if (!S_ISDIR(st.st_mode)) {
    error = escape_for_message(path) + ": not a directory (a pack is a directory holding manifest.json)";
    return false;
  }
  const std::string root_display = display_name(path, options.absolute_paths);
  std::size_t found = 0, visited = 0;
  struct Todo {
    std::string dir, shown, name;  // fs path, display path, name below the root ("" = the root)
  };
  std::vector<Todo> stack{{path, root_display, ""}};
  while (!stack.empty()) {
    auto [dir, shown, name_below] = std::move(stack.back());
    stack.pop_back();
    if (++visited > options.max_directories) {
      error = escape_for_message(path) + ": more than " + std::to_string(options.max_directories) + " directories to search";
      return false;
    }
    const std::string pack_name = name_below.empty() ? directory_name(path) : name_below;
    const std::string pack_base = name_below.empty() ? path + "/.." : path;
    PackLocation here = location(dir, shown, pack_name, pack_base);
    // A staging directory is not searched (only opened to read its mark); a
    // pack below the root, as listed, is known without opening it.
    if (stage_location(dir, base_name(dir), here) || (!name_below.empty() && listed_pack(dir, here))) {
      out.emplace_back(here);
      ++found;
      continue;
    }
    int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    if (fd < 0) {
      int err = errno;
      struct stat link {};
      const bool is_link = ::lstat(dir.c_str(), &link) == 0 && S_ISLNK(link.st_mode);
      if (!name_below.empty()) {
        // Listed as a directory, changed since (a link, a file, gone): the
        // run goes on and reports this place as a pack that failed to open.
        PackLocation changed = location(dir, shown, name_below, path);
        changed.link = is_link;
        if (err == ENAMETOOLONG)  // not a change: a place deeper than a path can name
          changed.open_error = "'" + escape_for_message(shown) + "' cannot be opened: its path is longer than the " +
                               std::to_string(PATH_MAX) + " bytes the system allows (check a directory nearer to it)";
        else
          changed.open_error = "'" + escape_for_message(shown) + "' changed while the tree was searched (" +
                               (is_link ? std::string("now a symbolic link") : std::strerror(err)) + ")";
        out.emplace_back(changed);
        ++found;
        continue;
      }
      error = is_link ? escape_for_message(dir) + ": a symbolic link; links are never followed (give the directory it points at)"
                      : escape_for_message(dir) + ": " + std::strerror(err);
      return false;
    }
    here.identified = identify_fd(fd, here.identity);
    if (has_entry(fd, "manifest.json", false)) {
      ::close(fd);
      out.emplace_back(here);
      ++found;
      continue;
    }
    // Pack directories without a manifest: a failing pack, and the walk goes
    // on below it, since a tree that holds stray pack folders beside packs
    // (upstream's data/runs/v2) must not hide them.
    if (std::any_of(kPackFolders.begin(), kPackFolders.end(),
                    [&](std::string_view d) { return has_entry(fd, std::string(d).c_str(), true); })) {
      // The PATH itself, without a manifest: it is the root the packs below
      // it are named from, so it is ".", not its own name as a PATH that is a
      // pack would be: "tr" beside "tr/p1" named "p1" sent `verify-receipt
      // --root tr` to tr/tr, and a child of the same name read the same (QA-36).
      if (name_below.empty()) {
        here.name = ".";
        here.base = path;
      }
      out.emplace_back(here);
      ++found;
    }
    DIR* d = ::fdopendir(fd);
    if (d == nullptr) {
      ::close(fd);
      error = escape_for_message(dir) + ": " + std::strerror(errno);
      return false;
    }
    std::vector<std::string> subdirs;
    while (dirent* de = ::readdir(d)) {
      std::string_view name = de->d_name;
      if (name == "." || name == "..") continue;
      // The listing's type where the file system gives one (a directory of
      // 30,000 packs is then read without 30,000 lstat calls).
      unsigned char type = de->d_type;
      if (type == DT_UNKNOWN) {
        struct stat sub {};
        if (::fstatat(::dirfd(d), de->d_name, &sub, AT_SYMLINK_NOFOLLOW) != 0) continue;
        type = S_ISDIR(sub.st_mode) ? DT_DIR : S_ISLNK(sub.st_mode) ? DT_LNK : DT_REG;
      }
      if (type == DT_DIR) {
        subdirs.emplace_back(name);
      } else if (type == DT_LNK) {
        // Never followed (it could lead anywhere), but never passed over in
        // silence either: a link to a pack would otherwise leave it unchecked.
        std::string n(name);
        PackLocation link = location(join(dir, n), join(shown, n), join(name_below, n), path);
        link.link = true;
        out.emplace_back(link);
        ++found;
      }
    }
    ::closedir(d);
    std::sort(subdirs.rbegin(), subdirs.rend());  // popped in ascending order
    for (const std::string& s : subdirs) stack.push_back({join(dir, s), join(shown, s), join(name_below, s)});
  }
  if (found == 0) {
    error = escape_for_message(path) + ": no evidence pack found (no directory holding manifest.json below it)";
    return false;
  }
  return true;
}

}  // namespace mplp
