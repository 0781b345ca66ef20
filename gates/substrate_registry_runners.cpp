#include "gates/substrate_registry_runners.h"

#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <map>
#include <set>

#include "core/dockerfile.h"
#include "core/json.h"
#include "core/safe_fs.h"
#include "core/schema.h"
#include "core/text.h"
#include "core/values.h"
#include "core/yaml_json.h"
#include "runner/runner_def.h"

namespace mplp::substrate_registry {

namespace {

constexpr std::uint64_t kMaxRunnerYaml = 1 << 20;

// yaml_to_json errors read "<source>:<line>:<col>: ..."; recovers the position
// into `loc` and returns the rest of the message (`err` when it has no place).
std::string position_from_error(const std::string& err, const std::string& source, Location& loc) {
  if (err.compare(0, source.size() + 1, source + ":") != 0) return err;
  const char* p = err.c_str() + source.size() + 1;
  char* end = nullptr;
  unsigned long line = std::strtoul(p, &end, 10);
  if (end == p) return err;
  loc.line = line;
  if (*end == ':') {
    const char* q = end + 1;
    unsigned long col = std::strtoul(q, &end, 10);
    if (end != q) loc.column = col;
  }
  // The rest, without the place the finding now carries ("file:3:1: " shown twice otherwise).
  std::string_view rest(end);
  if (rest.substr(0, 2) == ": ") rest.remove_prefix(2);
  return std::string(rest);
}

class Tree {
 public:
  explicit Tree(std::vector<Entry> entries) : entries_(std::move(entries)) {}
  const Entry* find(std::string_view rel) const {
    auto it = std::lower_bound(entries_.begin(), entries_.end(), rel,
                               [](const Entry& e, std::string_view r) { return e.path < r; });
    return (it != entries_.end() && it->path == rel) ? &*it : nullptr;
  }
  bool is_regular(const std::string& rel) const {
    const Entry* e = find(rel);
    return e != nullptr && e->type == EntryType::Regular;
  }
  const std::vector<Entry>& entries() const { return entries_; }

 private:
  std::vector<Entry> entries_;
};

void check_runner_yaml(const RegistryView& view, const Dir& dir, const Tree& tree, const std::string& id,
                       FindingSink& sink) {
  const std::string rel = id + "/runner.yaml";
  const Entry* e = tree.find(rel);
  // The contract's layout (Dockerfile + smoke.sh): the id says the runtime.
  if (e == nullptr && runner::runtime_from_id(id)) return;
  if (e == nullptr || e->type != EntryType::Regular) {
    Finding f = view.in_runners("runner.no_runner_yaml", rel,
                                e == nullptr ? "runner '" + id + "' has no runner.yaml and its id names no runtime"
                                             : "runner '" + id + "' has no regular runner.yaml");
    f.expected = e == nullptr ? "a regular file " + rel + ", or an id <type>-<version> with type node, python or dotnet"
                              : "a regular file " + rel;
    f.actual = e == nullptr ? "missing" : std::string(to_string(e->type));
    f.hint = std::string(runner::kNoRuntimeHint);
    sink.report(std::move(f));
    return;
  }
  std::string text, err;
  YamlJson y;
  if (!read_beneath(dir, rel, kMaxRunnerYaml, text, err) || !yaml_to_json(text, rel, y, err)) {
    Finding f = view.in_runners("runner.yaml_invalid", rel, err);
    f.message = position_from_error(err, rel, f.location);
    f.hint = "runner.yaml must be one small YAML mapping";
    sink.report(std::move(f));
    return;
  }
  for (const SchemaError& se : validate_with_schema("runner-yaml", y.doc)) {
    Finding f = view.in_runners("runner.yaml_schema", rel, "runner.yaml schema: " + se.message);
    f.location.pointer = se.pointer;
    f.schema_rule = true;
    f.location.line = static_cast<std::uint64_t>(std::max(0, y.line_of(se.pointer)));
    f.hint = "make runner.yaml match schemas/runner-yaml.schema.json";
    sink.report(std::move(f));
  }
  // What `run` refuses, this check refuses too: the schema's pattern cannot
  // say "no '..' component".
  if (const rapidjson::Value* out = string_member(&y.doc, "smoke_output");
      out != nullptr && !is_safe_relative_path(as_view(*out))) {
    Finding f = view.in_runners("runner.yaml_schema", rel,
                                "runner.yaml: smoke_output '" + printable_utf8(as_view(*out)) +
                                    "' is not a clean relative path: " + unsafe_path_reason(as_view(*out)));
    f.location.pointer = "/smoke_output";
    f.location.line = static_cast<std::uint64_t>(std::max(0, y.line_of("/smoke_output")));
    f.hint = "name a file under /workspace/out, e.g. smoke.txt";
    sink.report(std::move(f));
  }
}

// The definition file the executor builds: Containerfile, else Dockerfile ("" = neither).
std::string definition_file(const Tree& tree, const std::string& id) {
  for (const char* name : {"/Containerfile", "/Dockerfile"})
    if (tree.is_regular(id + name)) return id + name;
  return "";
}

void check_definition(const RegistryView& view, const Dir& dir, const Tree& tree, const std::string& id,
                      FindingSink& sink) {
  if (definition_file(tree, id).empty()) {
    Finding f =
        view.in_runners("runner.no_containerfile", id + "/", "runner '" + id + "' has no Containerfile or Dockerfile");
    f.expected = "a regular file " + id + "/Containerfile or " + id + "/Dockerfile";
    const Entry* c = tree.find(id + "/Containerfile");
    const Entry* d = tree.find(id + "/Dockerfile");
    const Entry* seen = c != nullptr ? c : d;
    f.actual = seen == nullptr ? "missing" : seen->path + " is a " + std::string(to_string(seen->type));
    f.hint = "add the image definition (links are not followed)";
    sink.report(std::move(f));
  }
  check_runner_yaml(view, dir, tree, id, sink);
}

// The directory holding `runners/`, against which `dockerfile:` paths resolve,
// and the runners directory's name in it.
std::pair<std::string, std::string> repo_root_of(const std::string& runners_dir) {
  std::filesystem::path p = std::filesystem::absolute(runners_dir).lexically_normal();
  if (p.filename().empty()) p = p.parent_path();  // "runners/" -> "runners"
  return {p.parent_path().string(), p.filename().string()};
}

// The first FROM of a definition file, as the builder reads it ("" = none).
std::string first_from(const Dir& dir, const std::string& rel, std::string& shown) {
  std::string text, err;
  if (!read_beneath(dir, rel, 1 << 20, text, err)) return shown = "unreadable: " + err, "";
  for (const DockerfileImage& i : dockerfile_images(text).images)
    if (i.source == "FROM") return shown = i.written, i.image;
  return shown = "no FROM", "";
}

// One `runners:` entry against its definition: dockerfile: exists and is the
// definition file, base_image is its first FROM. An entry whose runner has
// no directory is left to runner.missing (one finding per defect).
void check_entry(const RegistryView& view, const rapidjson::Value& entry, const std::string& base,
                 const std::string& runners_dir, const Dir& dir, const Tree& tree, FindingSink& sink) {
  const rapidjson::Value* id_value = string_member(&entry, "runner_id");
  std::string id = id_value != nullptr ? std::string(as_view(*id_value)) : "";
  const Entry* runner_dir = is_runner_id(id) ? tree.find(id) : nullptr;
  bool has_dir = runner_dir != nullptr && runner_dir->type == EntryType::Directory;
  std::string definition = has_dir ? definition_file(tree, id) : "";
  auto [root_path, runners_name] = repo_root_of(runners_dir);

  if (const rapidjson::Value* df = string_member(&entry, "dockerfile")) {
    const std::string pointer = base + "/dockerfile";
    std::string_view rel = as_view(*df);
    std::string shown(rel);
    if (rel.substr(0, 2) == "./") rel.remove_prefix(2);
    const std::string expected = definition.empty() ? "" : runners_name + "/" + definition;
    std::string err;
    FileError why;
    std::optional<Dir> root;
    int fd = -1;
    if (!is_safe_relative_path(rel)) {
      Finding f = view.finding("registry.unsafe_path", pointer,
                               "dockerfile path is not a clean relative path: " + unsafe_path_reason(rel));
      f.expected = "a path relative to the repository root, inside it";
      f.actual = to_compact_json(*df);
      f.hint = "write it relative to the directory holding runners/, e.g. runners/node-20/Containerfile";
      sink.report(std::move(f));
    } else if (!has_dir) {
      // runner.missing says it
    } else if ((root = Dir::open(root_path, err)) && (fd = open_regular_beneath(*root, rel, why)) >= 0) {
      ::close(fd);
      if (!expected.empty() && rel != expected) {
        Finding f = view.finding("registry.dockerfile_mismatch", pointer,
                                 "dockerfile " + shown + " is not the definition of runner '" + id + "'");
        f.expected = expected;
        f.actual = shown;
        f.hint = "point dockerfile: at " + expected + ", the definition `mplp-gate run` builds for runner " + id;
        sink.report(std::move(f));
      }
    } else if (root && rel == expected && (why.status == FileStatus::Denied || why.status == FileStatus::Other)) {
      // The definition itself, there but unreadable: one finding that says
      // so (its base_image is then not compared), not "does not exist".
      Finding f = view.finding("registry.dockerfile_missing", pointer, "dockerfile " + shown + " cannot be read");
      f.expected = "a readable regular file";
      f.actual = why.message;
      f.hint = "make " + shown + " readable by the user who runs the check";
      sink.report(std::move(f));
      return;
    } else {
      Finding f = view.finding("registry.dockerfile_missing", pointer,
                               "dockerfile " + shown + " does not exist as a regular file");
      f.expected = expected.empty() ? "a regular file at " + shown + " (relative to the repository root)" : expected;
      f.actual = root ? why.message : "repository root unreadable: " + err;
      f.hint = expected.empty() ? "add the file, or point dockerfile: at the runner's Containerfile"
                                : "point dockerfile: at " + expected + ", the definition `mplp-gate run` builds for runner " + id;
      sink.report(std::move(f));
    }
  }

  const rapidjson::Value* base_image = string_member(&entry, "base_image");
  if (base_image == nullptr || definition.empty()) return;
  std::string written;
  std::string from = first_from(dir, definition, written);
  if (from == as_view(*base_image)) return;
  Finding f = view.finding("registry.base_image_mismatch", base + "/base_image",
                           "base_image " + to_compact_json(*base_image) + " is not the first FROM of " +
                               runners_name + "/" + definition);
  f.expected = std::string(as_view(*base_image));
  f.actual = written;
  f.hint = "make base_image the image the definition starts FROM (or fix the definition's FROM)";
  sink.report(std::move(f));
}

}  // namespace

int RegistryView::line_of(std::string pointer) const { return reg.line_of(std::move(pointer)); }

Finding RegistryView::finding(std::string_view code, const std::string& pointer, std::string message) const {
  Finding f = gate.finding(code, file, std::move(message));
  f.location.pointer = pointer;
  f.location.line = static_cast<std::uint64_t>(std::max(0, line_of(pointer)));
  return f;
}

void check_runner_dirs(const RegistryView& view, const std::vector<RunnerRef>& refs, const std::string& runners_dir,
                       const Limits& limits, FindingSink& sink) {
  std::string err;
  std::optional<Dir> dir = Dir::open(runners_dir, err);
  if (!dir) {
    Finding f = view.in_runners("runners.unreadable", "", "runners directory cannot be read: " + err);
    f.hint = "pass the runners/ directory of the repository";
    sink.report(std::move(f));
    return;
  }
  WalkResult w = walk(*dir, WalkOptions{limits.max_files_per_pack});
  for (const auto& [path, reason] : w.errors)
    sink.report(view.in_runners("runners.unreadable", path, "directory could not be read: " + reason));
  if (w.truncated)
    sink.report(view.in_runners("runners.unreadable", "",
                                "more than " + std::to_string(limits.max_files_per_pack) +
                                    " entries; only the first were read"));
  Tree tree(std::move(w.entries));

  // One finding per runner id, at its declaration when there is one.
  std::map<std::string, std::vector<const RunnerRef*>> by_id;
  std::set<std::string> declared;
  for (const RunnerRef& r : refs) {
    by_id[r.id].push_back(&r);
    if (r.in_runners_section) declared.insert(r.id);
  }
  for (const auto& [id, places] : by_id) {
    const RunnerRef* at = places.front();
    for (const RunnerRef* r : places)
      if (r->in_runners_section) {
        at = r;
        break;
      }
    const Entry* e = tree.find(id);
    if (e != nullptr && e->type == EntryType::Directory) {
      check_definition(view, *dir, tree, id, sink);
      continue;
    }
    std::string lines;
    for (const RunnerRef* r : places) lines += (lines.empty() ? "" : ", ") + std::to_string(r->line);
    Finding f = view.finding(e == nullptr ? "runner.missing" : "runner.not_directory", at->pointer,
                             "runner '" + id + "' (named at line" + (places.size() > 1 ? "s " : " ") + lines + ") " +
                                 (e == nullptr ? "has no directory runners/" + id + "/"
                                               : "is a " + std::string(to_string(e->type)) + " in runners/, not a "
                                                 "directory"));
    f.expected = "a directory runners/" + id + "/ with a Containerfile and runner.yaml";
    f.actual = e == nullptr ? "missing" : std::string(to_string(e->type));
    f.hint = "add the runner definition, or stop naming the id in the registry";
    sink.report(std::move(f));
  }

  if (const rapidjson::Value* runners = member(view.reg.as_json, "runners"); runners != nullptr && runners->IsArray())
    for (rapidjson::SizeType i = 0; i < runners->Size(); ++i)
      if ((*runners)[i].IsObject())
        check_entry(view, (*runners)[i], "/runners/" + std::to_string(i), runners_dir, *dir, tree, sink);

  // A link or special file anywhere in runners/: the executor refuses it, and
  // a linked runner directory would hide an unregistered runner. Entries the
  // findings above already name (runners/<id>, its definition files) are not
  // reported twice.
  auto named_above = [&](const Entry& e) {
    const std::size_t slash = e.path.find('/');
    const std::string id = e.path.substr(0, slash);
    if (by_id.count(id) == 0) return false;
    if (slash == std::string::npos) return true;  // runner.not_directory
    const std::string_view rest = std::string_view(e.path).substr(slash + 1);
    if (rest == "runner.yaml") return true;  // runner.no_runner_yaml
    return (rest == "Containerfile" || rest == "Dockerfile") && definition_file(tree, id).empty();
  };
  for (const Entry& e : tree.entries()) {
    if (e.type == EntryType::Directory || e.type == EntryType::Regular || named_above(e)) continue;
    Finding f = view.in_runners("runner.not_regular", e.path,
                                "runners/" + e.path + " is a " + std::string(to_string(e.type)) +
                                    "; a runners directory holds directories and regular files only");
    f.expected = "a directory or a regular file (links are not followed)";
    f.actual = std::string(to_string(e.type));
    f.hint = "replace the link with the file or directory itself, or remove it";
    sink.report(std::move(f));
  }

  for (const Entry& e : tree.entries()) {
    if (e.type != EntryType::Directory || e.path.find('/') != std::string::npos || declared.count(e.path) != 0)
      continue;
    // "_lib/", "_base/", the contract's "base/": shared material, not runners.
    if (runner::is_shared_runner_dir(e.path)) continue;
    // An error: pre-merge validation must not pass a runner nobody registered.
    Finding f =
        view.in_runners("runner.unregistered", e.path + "/", "runner directory '" + e.path + "' is not registered");
    f.expected = "a runner_id in the registry's runners: section";
    f.hint = "register the runner in " + view.file + " (runner_id, base_image, dockerfile), or remove the directory";
    sink.report(std::move(f));
  }
}

}  // namespace mplp::substrate_registry
