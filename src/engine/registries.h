// Which substrate registry applies to each pack of a check.
//
// An explicit registry wins for every pack: `--registry FILE`, else the one
// under `--repo-root DIR` (or beside `--runners DIR`) at
// producers/_registry/substrates.v2.yaml or
// producers/real/_registry/substrates.v2.yaml. Without one, each pack gets
// the registry of its nearest ancestor directory holding either file (a pack
// inside a repository is bound by that repository's registry), or none. The
// search walks the path as given up to the file system root (findings then
// name a found registry relative to the checked directory, engine/check.cpp);
// each directory is looked at once per run, and each registry file is loaded
// once. A registry that cannot be loaded, or (checking packs) does not match
// its schema, stops the run (exit 2) with the file and line named.
//
//   RegistryResolver r;
//   if (!r.load_explicit(req, err)) ...
//   const SubstrateRegistry* reg = nullptr;
//   if (!r.for_pack("runs/p1", reg, err)) ...
#pragma once

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/registry.h"

namespace mplp {

struct CheckRequest;

class RegistryResolver {
 public:
  // --registry, --repo-root or --runners; false (with `error`) when it cannot be loaded.
  bool load_explicit(const CheckRequest& req, std::string& error);
  // The explicit registry (may be null).
  const SubstrateRegistry* explicit_registry() const { return explicit_.get(); }
  // The registry for the pack at `pack_path` (nullptr: none found).
  bool for_pack(const std::string& pack_path, const SubstrateRegistry*& out, std::string& error);
  // Every registry file loaded so far (explicit first): inputs of the run.
  std::vector<std::string> files() const;

 private:
  std::optional<std::string> find_in(const std::string& dir);  // cached per directory
  // The registry file of the nearest ancestor of a pack; cached per parent directory.
  std::optional<std::string> find_above(const std::string& pack_path);
  std::unique_ptr<SubstrateRegistry> explicit_;
  std::string explicit_path_;
  std::map<std::string, std::optional<std::string>> dir_cache_;             // dir -> registry file
  std::map<std::string, std::optional<std::string>> above_cache_;           // a pack's parent -> registry file
  std::map<std::string, std::unique_ptr<SubstrateRegistry>> loaded_;       // file -> registry
};

}  // namespace mplp
