#include "runner/workspace.h"

#include <fcntl.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <random>

#include "core/leftovers.h"
#include "core/safe_fs.h"
#include "runner/tree_ops.h"

namespace mplp::runner {

namespace fs = std::filesystem;

namespace {

constexpr std::string_view kOverlayPrefix = "mplp-overlay.";

std::string temp_root() {
  const char* t = std::getenv("TMPDIR");
  return t != nullptr && *t == '/' ? std::string(t) : std::string("/tmp");
}

// Overlay directories of runs whose owner is gone.
void sweep_overlays(const Dir& tmp) {
  for (const std::string& n : list_names(tmp)) {
    if (n.rfind(kOverlayPrefix, 0) != 0) continue;
    std::string rest = n.substr(kOverlayPrefix.size());
    auto owner = OwnerId::parse(rest.substr(0, rest.rfind('.')));
    if (owner && !owner_alive(*owner))
      remove_dir_if(tmp, n, [](const Dir&, const struct stat& st) { return st.st_uid == kUserNsBase; });
  }
}

bool make_owned_dir(const Dir& parent, const std::string& name, std::uint32_t owner, std::string& error) {
  if (::mkdirat(parent.fd(), name.c_str(), 0700) != 0 ||
      ::fchownat(parent.fd(), name.c_str(), owner, owner, AT_SYMLINK_NOFOLLOW) != 0)
    return error = parent.path() + "/" + name + ": " + std::strerror(errno), false;
  return true;
}

}  // namespace

std::string unsearchable_ancestor(const std::string& dir) {
  std::error_code ec;
  fs::path p = fs::absolute(dir, ec).lexically_normal();
  fs::path at;
  for (const fs::path& part : p) {
    at /= part;
    struct stat st {};
    if (::stat(at.c_str(), &st) != 0 || (st.st_mode & S_IXOTH) == 0) return at.string();
  }
  return "";
}

bool prepare_producer_mounts(const Engine& engine, const std::string& repo, ProducerMounts& out,
                             std::vector<std::string>& notes, std::string& error) {
  out = ProducerMounts{};
  out.ns = container_userns(engine);
  if (!out.ns.enabled) return workspace_mount(engine, repo, "", "", out.workspace, error);
  std::string tmp = temp_root();
  std::string blocker = unsearchable_ancestor(repo);
  if (blocker.empty()) blocker = unsearchable_ancestor(tmp);
  if (!blocker.empty()) {
    notes.push_back("the producer runs without a user namespace (still without capabilities): " + blocker +
                    " is not searchable by other users, which podman's overlay of the repository needs in one");
    out.ns = UserNs{};
    return workspace_mount(engine, repo, "", "", out.workspace, error);
  }
  auto tmp_dir = Dir::open(tmp, error);
  if (!tmp_dir) return false;
  sweep_overlays(*tmp_dir);
  std::random_device rd;
  char rnd[16];
  std::snprintf(rnd, sizeof rnd, "%08x", rd());
  std::string name = std::string(kOverlayPrefix) + current_owner().str() + "." + rnd;
  std::uint32_t root = out.ns.host_base;  // the container's uid 0
  if (!make_owned_dir(*tmp_dir, name, root, error)) return false;
  out.overlay_dir = tmp + "/" + name;
  auto top = Dir::open_at(*tmp_dir, name, error);
  std::optional<Dir> upper;
  // upper/out is the mount point of the pack: the merged /workspace is not
  // writable by the container's root, so it must exist beforehand.
  if (!top || !make_owned_dir(*top, "upper", root, error) || !make_owned_dir(*top, "work", root, error) ||
      !(upper = Dir::open_at(*top, "upper", error)) || !make_owned_dir(*upper, "out", root, error)) {
    release_producer_mounts(out);
    return false;
  }
  if (!workspace_mount(engine, repo, out.overlay_dir + "/upper", out.overlay_dir + "/work", out.workspace, error)) {
    release_producer_mounts(out);
    return false;
  }
  return true;
}

void release_producer_mounts(ProducerMounts& m) {
  m.workspace.scratch.reset();  // the container is gone: its writes to /workspace go too
  if (m.overlay_dir.empty()) return;
  fs::path p(m.overlay_dir);
  std::string why;
  if (auto parent = Dir::open(p.parent_path().string(), why))
    remove_dir_if(*parent, p.filename().string(),
                  [&](const Dir&, const struct stat& st) { return st.st_uid == m.ns.host_base; });
  m.overlay_dir.clear();
}

}  // namespace mplp::runner
