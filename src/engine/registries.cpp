#include "engine/registries.h"

#include <sys/stat.h>

#include <filesystem>

#include "engine/check.h"

namespace mplp {

namespace {

namespace fs = std::filesystem;

constexpr const char* kRegistryFiles[] = {"producers/_registry/substrates.v2.yaml",
                                          "producers/real/_registry/substrates.v2.yaml"};
constexpr int kMaxDepth = 4096;  // no real path is deeper; a bound keeps the walk finite

// The directory above `dir` (a normal path; "." for a name without one).
fs::path parent_of(const fs::path& dir) {
  fs::path parent = (dir / "..").lexically_normal();
  return parent.empty() ? fs::path(".") : parent;
}

bool is_file(const std::string& path) {
  struct stat st {};
  return ::stat(path.c_str(), &st) == 0 && S_ISREG(st.st_mode);
}

}  // namespace

bool RegistryResolver::load_explicit(const CheckRequest& req, std::string& error) {
  std::optional<std::string> path = req.registry_path;
  // With --runners, the registry sits beside the runners directory (in the repo holding it).
  std::optional<std::string> root = req.options.repo_root;
  if (!root && req.options.runners_dir) root = *req.options.runners_dir + "/..";
  if (!path && root) {
    for (const char* rel : kRegistryFiles) {
      std::string candidate = *root + "/" + rel;
      struct stat st {};
      if (::stat(candidate.c_str(), &st) == 0) {
        path = candidate;
        break;
      }
    }
  }
  if (!path) return true;
  explicit_path_ = *path;
  explicit_ = std::make_unique<SubstrateRegistry>();
  if (!load_registry_file(*path, *explicit_, error)) return false;
  // Checking packs, the registry is trusted input to the gates: one that does
  // not match its schema would be read anyway, half-understood, and give a
  // PASS or a misleading finding. The runners check reports each schema
  // error as a finding of SUBSTRATE-REGISTRY-01 instead.
  return req.options.runners_dir || check_registry_schema(*explicit_, error);
}

std::vector<std::string> RegistryResolver::files() const {
  std::vector<std::string> out;
  if (explicit_) out.push_back(explicit_path_);
  for (const auto& [file, registry] : loaded_) out.push_back(file);
  return out;
}

std::optional<std::string> RegistryResolver::find_in(const std::string& dir) {
  auto it = dir_cache_.find(dir);
  if (it != dir_cache_.end()) return it->second;
  std::optional<std::string> found;
  for (const char* rel : kRegistryFiles) {
    std::string candidate = (fs::path(dir) / rel).lexically_normal().string();
    if (is_file(candidate)) {
      found = candidate;
      break;
    }
  }
  dir_cache_.emplace(dir, found);
  return found;
}

std::optional<std::string> RegistryResolver::find_above(const std::string& pack_path) {
  fs::path dir = fs::path(pack_path).lexically_normal();
  fs::path parent = parent_of(dir);
  // Packs side by side share the answer: thousands of packs in one
  // directory ask the file system (and the working directory) once.
  const std::string start = parent.string();
  auto cached = above_cache_.find(start);
  if (cached != above_cache_.end()) return cached->second;
  std::error_code ec;
  const fs::path root = fs::absolute(pack_path, ec).root_path();
  std::optional<std::string> file;
  for (int depth = 0; depth < kMaxDepth && !file; ++depth) {
    file = find_in(parent.string());
    fs::path abs = fs::absolute(parent, ec).lexically_normal();
    if (ec || abs == root || parent == dir) break;
    dir = parent;
    parent = parent_of(dir);
  }
  above_cache_.emplace(start, file);
  return file;
}

bool RegistryResolver::for_pack(const std::string& pack_path, const SubstrateRegistry*& out, std::string& error) {
  out = explicit_.get();
  if (out != nullptr) return true;
  const std::optional<std::string> file = find_above(pack_path);
  if (!file) return true;
  auto& slot = loaded_[*file];
  if (!slot) {
    auto reg = std::make_unique<SubstrateRegistry>();
    if (!load_registry_file(*file, *reg, error) || !check_registry_schema(*reg, error)) {
      loaded_.erase(*file);
      return false;
    }
    slot = std::move(reg);
  }
  out = slot.get();
  return true;
}

}  // namespace mplp
