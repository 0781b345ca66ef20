#include "runner/runner_def.h"

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include "core/dockerfile.h"
#include "core/safe_fs.h"
#include "core/schema.h"
#include "core/text.h"
#include "core/values.h"
#include "core/yaml_json.h"

namespace mplp::runner {

namespace {

constexpr std::uint64_t kMaxDefinitionFile = 1 << 20;    // runner.yaml, scripts
constexpr std::uint64_t kMaxDefinitionBytes = 64 << 20;  // the whole directory
constexpr std::size_t kMaxDefinitionFiles = 1000;

std::string str(const rapidjson::Value& obj, const char* key) {
  auto it = obj.FindMember(key);
  return it != obj.MemberEnd() && it->value.IsString() ? std::string(it->value.GetString(), it->value.GetStringLength())
                                                       : std::string();
}

struct TypeCommands {
  std::string_view type, version_command, smoke_command;
};

// The contract's smoke commands (runners/<id>/smoke.sh of the runner
// framework): the runtime and its package tool answer, and the output
// directory is writable.
constexpr TypeCommands kKnownTypes[] = {
    {"node", "node -p process.versions.node",
     "node --version && npm --version && echo smoke-test-pass > /workspace/out/smoke.txt"},
    {"python", "python3 -c 'import platform; print(platform.python_version())'",
     "python3 --version && python3 -m pip --version && poetry --version && "
     "echo smoke-test-pass > /workspace/out/smoke.txt"},
    {"dotnet",
     "dotnet --list-runtimes | sed -n 's/^Microsoft\\.NETCore\\.App \\([^ ]*\\).*/\\1/p' | head -n 1",
     "dotnet --version && echo smoke-test-pass > /workspace/out/smoke.txt"},
};

const TypeCommands* known_type(std::string_view type) {
  for (const TypeCommands& t : kKnownTypes)
    if (t.type == type) return &t;
  return nullptr;
}

}  // namespace

std::optional<IdRuntime> runtime_from_id(std::string_view id) {
  // <type>-<digits>[.<digits>]...[-anything]
  std::size_t dash = id.find('-');
  if (dash == std::string_view::npos) return std::nullopt;
  std::string_view type = id.substr(0, dash), rest = id.substr(dash + 1);
  std::size_t end = 0;
  bool digit_expected = true;
  for (; end < rest.size() && rest[end] != '-'; ++end) {
    bool digit = rest[end] >= '0' && rest[end] <= '9';
    if (!digit && (rest[end] != '.' || digit_expected)) return std::nullopt;
    digit_expected = !digit;
  }
  if (end == 0 || digit_expected) return std::nullopt;
  const TypeCommands* t = known_type(type);
  if (t == nullptr) return std::nullopt;
  return IdRuntime{std::string(type), std::string(rest.substr(0, end)) + ".", std::string(t->version_command),
                   std::string(t->smoke_command)};
}

bool is_shared_runner_dir(std::string_view name) {
  return name.empty() || name[0] == '_' || name[0] == '.' || name == "base";
}

bool load_runner_def(const std::string& runners_dir, const std::string& id, RunnerDef& out, std::string& error) {
  // The id decides a path: refuse anything but a plain id first ("../x").
  if (!is_runner_id(id)) {
    error = "invalid runner id '" + id + "': must match " + std::string(kRunnerIdPattern);
    return false;
  }
  out = RunnerDef{};
  out.id = id;
  out.runners_dir = runners_dir;
  out.dir = runners_dir + "/" + id;
  auto root = Dir::open(runners_dir, error);
  if (!root) {
    error = "runners directory " + runners_dir + ": " + error;
    return false;
  }
  // Only the runner's own directory is read: what lies beside it (another
  // runner, a huge tree) cannot push its files past a limit.
  std::string open_error;
  auto dir = Dir::open_beneath(*root, id, open_error);
  if (!dir) {
    error = "no runner directory " + out.dir + " (" + open_error + ")";
    return false;
  }
  WalkResult tree = walk(*dir, {.max_entries = 4 * kMaxDefinitionFiles});
  if (tree.truncated) {
    error = out.dir + ": more than " + std::to_string(4 * kMaxDefinitionFiles) + " entries: too large for a runner definition";
    return false;
  }
  if (!tree.errors.empty()) {
    error = out.dir + "/" + tree.errors.front().first + ": " + tree.errors.front().second;
    return false;
  }
  std::uint64_t total = 0;
  for (const Entry& e : tree.entries) {
    if (e.type == EntryType::Directory) continue;
    if (e.type != EntryType::Regular) {
      error = out.dir + "/" + e.path + ": is a " + std::string(to_string(e.type)) + "; a runner holds regular files only";
      return false;
    }
    if (out.files.size() >= kMaxDefinitionFiles || (total += e.size) > kMaxDefinitionBytes) {
      error = out.dir + ": too large for a runner definition";
      return false;
    }
    std::string bytes;
    if (!read_beneath(*dir, e.path, kMaxDefinitionBytes, bytes, error)) return false;
    out.files.emplace_back(e.path, std::move(bytes));
  }
  std::sort(out.files.begin(), out.files.end());
  const std::string* yaml = nullptr;
  for (const auto& [rel, bytes] : out.files) {
    if (rel == "runner.yaml") yaml = &bytes;
    if (out.containerfile.empty() && (rel == "Containerfile" || rel == "Dockerfile")) out.containerfile = rel;
  }
  if (out.containerfile.empty()) {
    error = out.dir + ": no Containerfile or Dockerfile";
    return false;
  }
  // The build runs as this host's user (root in most CI jobs): a step that
  // reaches past the build's walls is refused before anything is built, and
  // so is an image reference the file does not fix (a stage's ARG, an ARG
  // without a default): buildah substitutes it, and `COPY --from=$X` read a
  // host file through `X=oci-archive:/path` (QA-42).
  for (const auto& [rel, bytes] : out.files) {
    if (rel != out.containerfile) continue;
    const DockerfileImages read = dockerfile_images(bytes);
    const std::string where = out.dir + "/" + rel + ":";
    if (read.truncated) {  // what follows was not read, its steps not judged (QA-43)
      error = where + " more than " + std::to_string(kMaxDockerfileImages) +
              " image references: the file is not read to its end, so it cannot be judged";
      return false;
    }
    if (!read.host_reach.empty()) {
      error = where + std::to_string(read.host_reach.front().line) + ": `" + read.host_reach.front().step +
              "` reaches the build host (a RUN option other than --network=none, an ADD of a URL or git "
              "repository, or an image read through a transport such as oci-archive: or dir:): a runner "
              "definition may not use it; COPY files from the runner directory instead";
      return false;
    }
    for (const DockerfileImage& i : read.images)
      if (!i.unresolved.empty()) {
        error = where + std::to_string(i.line) + ": " + i.source + " " + printable_ascii(i.written, 200) +
                ": the image is not fixed by the file (" + i.unresolved +
                "): a runner definition names its images, so that what it pulls or reads can be judged";
        return false;
      }
    break;
  }
  if (yaml == nullptr) {
    std::optional<IdRuntime> rt = runtime_from_id(id);
    if (!rt) {
      error = out.dir + "/runner.yaml: missing, and the id '" + id + "' does not name a runtime " +
              "(node-<version>, python-<version>, dotnet-<version>): " + std::string(kNoRuntimeHint);
      return false;
    }
    out.from_id = true;
    out.runtime_type = rt->type;
    out.version_prefix = rt->version_prefix;
    out.version_command = rt->version_command;
    out.smoke_command = rt->smoke_command;
    return true;
  }
  if (yaml->size() > kMaxDefinitionFile) {
    error = out.dir + "/runner.yaml: larger than 1 MiB";
    return false;
  }
  YamlJson y;
  std::string source = out.dir + "/runner.yaml";
  if (!yaml_to_json(*yaml, source, y, error)) return false;
  auto errors = validate_with_schema("runner-yaml", y.doc);
  if (!errors.empty()) {
    const SchemaError& e = errors.front();
    error = source + ":" + std::to_string(y.line_of(e.pointer)) + ": " + (e.pointer.empty() ? "" : e.pointer + ": ") +
            e.message;
    return false;
  }
  const rapidjson::Value& d = y.doc;
  out.runtime_type = str(d, "runtime_type");
  out.version_command = str(d, "version_command");
  // The version recorded for a runtime the contract knows is read by the
  // contract's own command: the gate compared runner.yaml's runtime_type with
  // the first word of runner.yaml's version_command, both the author's, and
  // `node -p ... || echo 20.11.1` passed a "node-20" runner with no node in
  // its image (QA-40).
  if (const TypeCommands* known = known_type(out.runtime_type)) out.version_command = known->version_command;
  // Nor may it declare another runtime than its id names: `node-20` with
  // runtime_type `echo` and `echo 20.11.1` sidestepped the command above (QA-43).
  if (std::optional<IdRuntime> named = runtime_from_id(id); named && named->type != out.runtime_type) {
    error = source + ": runtime_type '" + out.runtime_type + "' is not the runtime the id '" + id + "' names (" +
            named->type + ")";
    return false;
  }
  out.version_prefix = str(d, "version_prefix");
  out.smoke_command = str(d, "smoke_command");
  if (auto s = str(d, "smoke_output"); !s.empty()) out.smoke_output = s;
  if (!is_safe_relative_path(out.smoke_output)) {
    error = source + ": smoke_output '" + out.smoke_output + "' is not a safe relative path";
    return false;
  }
  if (auto it = d.FindMember("source_date_epoch"); it != d.MemberEnd() && it->value.IsInt64())
    out.source_date_epoch = it->value.GetInt64();
  if (auto it = d.FindMember("base"); it != d.MemberEnd() && it->value.IsObject()) {
    out.base_image = str(it->value, "image");
    out.base_build = str(it->value, "build");
    // The schema pins the shape _base/<id>/build.sh; the id is what
    // `mplp-gate base build` and the policy's runners.trusted_bases name.
    out.base_id = out.base_build.substr(6, out.base_build.size() - 6 - 9);
    if (!is_safe_relative_path(out.base_build) || !is_runner_id(out.base_id)) {
      error = source + ": base.build '" + out.base_build + "' must be _base/<id>/build.sh";
      return false;
    }
  }
  out.lock_kind = str(d, "lock_kind");
  if (auto it = d.FindMember("build_network"); it != d.MemberEnd() && it->value.IsBool())
    out.build_network = it->value.GetBool();
  if (auto it = d.FindMember("fetch"); it != d.MemberEnd() && it->value.IsArray()) {
    for (const auto& f : it->value.GetArray()) {
      NpmFetch n{str(f, "npm"), str(f, "version"), str(f, "sha256"), str(f, "file")};
      out.fetch.push_back(std::move(n));
    }
  }
  return true;
}

std::vector<std::string> list_runner_dirs(const std::string& runners_dir) {
  std::vector<std::string> ids;
  DIR* d = ::opendir(runners_dir.c_str());
  if (d == nullptr) return ids;
  while (dirent* e = ::readdir(d)) {
    std::string name = e->d_name;
    if (!is_runner_id(name) || is_shared_runner_dir(name)) continue;
    // Opened without following a link: a linked runner is not listed (the
    // registry gate reports it), and its files are looked up inside it.
    int fd = ::openat(::dirfd(d), name.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    if (fd < 0) continue;
    struct stat st {};
    for (const char* f : {"runner.yaml", "Containerfile", "Dockerfile"})
      if (::fstatat(fd, f, &st, AT_SYMLINK_NOFOLLOW) == 0) {
        ids.push_back(name);
        break;
      }
    ::close(fd);
  }
  ::closedir(d);
  std::sort(ids.begin(), ids.end());
  return ids;
}

bool runner_dir_problem(const std::string& runners_dir, const std::string& id, std::string& problem) {
  problem.clear();
  if (!is_runner_id(id)) {
    problem = "'" + id + "' is not a runner id (" + std::string(kRunnerIdPattern) + ")";
    return true;
  }
  const std::string dir = runners_dir + "/" + id;
  struct stat st {};
  if (::lstat(dir.c_str(), &st) != 0)
    problem = dir + ": " + std::strerror(errno);
  else if (S_ISLNK(st.st_mode))
    problem = dir + " is a symbolic link; runner directories are not followed";
  else if (!S_ISDIR(st.st_mode))
    problem = dir + " is not a directory";
  return !problem.empty();
}

}  // namespace mplp::runner
