#include "runner/stage.h"

#include <dirent.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <random>

#include "core/safe_fs.h"
#include "runner/test_hook.h"

namespace mplp::runner {

namespace fs = std::filesystem;

namespace {

std::string errno_text(int e) { return std::strerror(e); }

void fsync_dir(const std::string& dir) {
  int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd >= 0) {
    ::fsync(fd);
    ::close(fd);
  }
}

// Leftovers of executors that died (their pid is gone) are removed.
void sweep_stale(const std::string& parent, const std::string& name) {
  std::string prefix = "." + name + ".mplp-stage.";
  DIR* d = ::opendir(parent.c_str());
  if (d == nullptr) return;
  std::vector<std::string> stale;
  while (dirent* e = ::readdir(d)) {
    std::string n = e->d_name;
    if (n.rfind(prefix, 0) != 0) continue;
    long pid = std::strtol(n.c_str() + prefix.size(), nullptr, 10);
    if (pid > 0 && ::kill(static_cast<pid_t>(pid), 0) != 0 && errno == ESRCH) stale.push_back(parent + "/" + n);
  }
  ::closedir(d);
  for (const std::string& s : stale) {
    std::error_code ec;
    fs::remove_all(s, ec);
  }
}

bool copy_fd(int in, const std::string& to, std::string& error) {
  int out = ::open(to.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0644);
  if (out < 0) return error = to + ": " + errno_text(errno), false;
  char buf[1 << 16];
  bool ok = true;
  while (ok) {
    ssize_t n = ::read(in, buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      ok = n == 0;
      break;
    }
    for (ssize_t done = 0; ok && done < n;) {
      ssize_t w = ::write(out, buf + done, static_cast<std::size_t>(n - done));
      if (w < 0 && errno == EINTR) continue;
      if (w < 0) ok = false;
      else done += w;
    }
  }
  if (!ok) error = to + ": copy failed: " + errno_text(errno);
  ok = ::fsync(out) == 0 && ok;
  ::close(out);
  return ok;
}

bool fill_stage(const std::string& target, const std::string& stage, StageFill fill, std::string& error) {
  auto root = Dir::open(target, error);
  if (!root) return false;
  WalkResult tree = walk(*root, {.max_entries = 1000000});
  if (tree.truncated) return error = target + ": too many files", false;
  if (!tree.errors.empty()) return error = target + "/" + tree.errors[0].first + ": " + tree.errors[0].second, false;
  for (const Entry& e : tree.entries) {
    std::string to = stage + "/" + e.path;
    if (e.type == EntryType::Directory) {
      if (::mkdir(to.c_str(), 0755) != 0) return error = to + ": " + errno_text(errno), false;
      continue;
    }
    if (e.type != EntryType::Regular)
      return error = target + "/" + e.path + ": is a " + std::string(to_string(e.type)) + "; a pack holds regular files only", false;
    int fd = open_regular_beneath(*root, e.path, error);
    if (fd < 0) return false;
    bool ok = true;
    if (fill == StageFill::HardLink) {
      // linkat through the fd itself: no path is resolved again.
      std::string proc = "/proc/self/fd/" + std::to_string(fd);
      if (::linkat(AT_FDCWD, proc.c_str(), AT_FDCWD, to.c_str(), AT_SYMLINK_FOLLOW) != 0) ok = copy_fd(fd, to, error);
    } else {
      ok = copy_fd(fd, to, error);
    }
    ::close(fd);
    if (!ok) return false;
  }
  return true;
}

}  // namespace

bool stage_create(const std::string& target_in, StageFill fill, Stage& out, std::string& error) {
  out = Stage{};
  fs::path target = fs::absolute(fs::path(target_in)).lexically_normal();
  if (!target.has_filename()) target = target.parent_path();  // trailing slash
  std::string name = target.filename().string();
  if (name.empty() || name == "." || name == ".." || target == target.root_path())
    return error = "'" + target_in + "' cannot be a pack directory", false;
  std::string parent = target.parent_path().string();
  std::error_code ec;
  fs::create_directories(parent, ec);
  if (ec) return error = parent + ": " + ec.message(), false;
  out.target = target.string();
  struct stat st {};
  if (::lstat(out.target.c_str(), &st) == 0) {
    if (!S_ISDIR(st.st_mode)) return error = out.target + ": exists and is not a directory", false;
    out.target_existed = true;
  } else if (errno != ENOENT) {
    return error = out.target + ": " + errno_text(errno), false;
  }
  sweep_stale(parent, name);
  std::random_device rd;
  char suffix[32];
  std::snprintf(suffix, sizeof suffix, "%ld.%08x", static_cast<long>(::getpid()), rd());
  out.path = parent + "/." + name + ".mplp-stage." + suffix;
  if (::mkdir(out.path.c_str(), 0755) != 0) return error = out.path + ": " + errno_text(errno), false;
  if (out.target_existed && fill != StageFill::Empty && !fill_stage(out.target, out.path, fill, error)) {
    stage_discard(out);
    return false;
  }
  return true;
}

bool stage_commit(Stage& stage, std::string& error) {
  std::string parent = fs::path(stage.target).parent_path().string();
  // Everything in the staging tree is already fsynced file by file; make the
  // directory entries durable before they become the pack.
  std::error_code ec;
  for (auto it = fs::recursive_directory_iterator(stage.path, ec); !ec && it != fs::recursive_directory_iterator();
       it.increment(ec))
    if (it->is_directory(ec) && !it->is_symlink(ec)) fsync_dir(it->path().string());
  fsync_dir(stage.path);
  unsigned flags = stage.target_existed ? RENAME_EXCHANGE : RENAME_NOREPLACE;
  if (::renameat2(AT_FDCWD, stage.path.c_str(), AT_FDCWD, stage.target.c_str(), flags) != 0) {
    int e = errno;
    error = "commit: cannot " + std::string(stage.target_existed ? "exchange " : "rename ") + stage.path + " with " +
            stage.target + ": " + errno_text(e) +
            (e == EINVAL ? " (the filesystem lacks atomic directory exchange; the pack is untouched)" : "");
    return false;
  }
  fsync_dir(parent);
  test_pause_point("committed");
  // The staging name now holds the old tree (or nothing when there was none).
  fs::remove_all(stage.path, ec);
  stage.path.clear();
  return true;
}

void stage_discard(Stage& stage) {
  std::error_code ec;
  if (!stage.path.empty()) fs::remove_all(stage.path, ec);
  stage.path.clear();
}

}  // namespace mplp::runner
