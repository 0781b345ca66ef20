#include "runner/run_markers.h"

#include <fcntl.h>
#include <unistd.h>

#include <cstdio>
#include <random>

#include "core/leftovers.h"
#include "core/safe_fs.h"
#include "runner/private_cache.h"
#include "runner/tree_ops.h"

namespace mplp::runner {

namespace {

std::string markers_dir() { return cache_area("runs"); }

}  // namespace

bool orphans_possible(std::vector<std::string>& dead) {
  dead.clear();
  std::string dir_path = markers_dir(), error;
  if (dir_path.empty() || !is_private_dir(dir_path)) {
    make_private_dir(dir_path);
    return true;
  }
  std::optional<Dir> dir = Dir::open(dir_path, error);
  if (!dir) return true;
  for (const std::string& n : list_names(*dir)) {
    // "<owner>.<random>": the owner is all before the last dot.
    std::optional<OwnerId> owner = OwnerId::parse(n.substr(0, n.rfind('.')));
    if (!owner || !owner_alive(*owner)) dead.push_back(dir_path + "/" + n);
  }
  return !dead.empty();
}

void forget_markers(const std::vector<std::string>& dead) {
  for (const std::string& p : dead) ::unlink(p.c_str());
}

RunMarker::RunMarker() {
  std::string dir = markers_dir();
  if (!is_private_dir(dir)) return;  // then every run lists containers
  std::random_device rd;
  char rnd[16];
  std::snprintf(rnd, sizeof rnd, "%08x", rd());
  std::string path = dir + "/" + current_owner().str() + "." + rnd;
  int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
  if (fd < 0) return;
  ::close(fd);
  path_ = path;
}

RunMarker::~RunMarker() {
  if (!path_.empty() && !keep_) ::unlink(path_.c_str());
}

}  // namespace mplp::runner
