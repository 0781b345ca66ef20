#include "gates/substrate_registry_runners.h"

#include <algorithm>
#include <cstdlib>
#include <map>
#include <set>

#include "core/json.h"
#include "core/safe_fs.h"
#include "core/schema.h"
#include "core/yaml_json.h"

namespace mplp::substrate_registry {

namespace {

constexpr std::uint64_t kMaxRunnerYaml = 1 << 20;

Finding error(std::string code, std::string file, std::string message) {
  return make_finding(Severity::Error, std::move(code), std::move(file), std::move(message));
}

// yaml_to_json errors read "<source>:<line>:<col>: ..."; recover the position.
void position_from_error(const std::string& err, const std::string& source, Location& loc) {
  if (err.compare(0, source.size() + 1, source + ":") != 0) return;
  const char* p = err.c_str() + source.size() + 1;
  char* end = nullptr;
  unsigned long line = std::strtoul(p, &end, 10);
  if (end == p) return;
  loc.line = line;
  if (*end == ':') {
    const char* q = end + 1;
    unsigned long col = std::strtoul(q, &end, 10);
    if (end != q) loc.column = col;
  }
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

void check_runner_yaml(const Dir& dir, const Tree& tree, const std::string& id, FindingSink& sink) {
  const std::string rel = id + "/runner.yaml";
  const Entry* e = tree.find(rel);
  if (e == nullptr || e->type != EntryType::Regular) {
    Finding f = error("runner.no_runner_yaml", rel, "runner '" + id + "' has no runner.yaml");
    f.expected = "a regular file " + rel;
    f.actual = e == nullptr ? "missing" : std::string(to_string(e->type));
    f.hint = "add runner.yaml (runtime_type, version_command, version_prefix, smoke_command)";
    sink.report(std::move(f));
    return;
  }
  std::string text, err;
  YamlJson y;
  if (!read_beneath(dir, rel, kMaxRunnerYaml, text, err) || !yaml_to_json(text, rel, y, err)) {
    Finding f = error("runner.yaml_invalid", rel, err);
    position_from_error(err, rel, f.location);
    f.hint = "runner.yaml must be one small YAML mapping";
    sink.report(std::move(f));
    return;
  }
  for (const SchemaError& se : validate_with_schema("runner-yaml", y.doc)) {
    Finding f = error("runner.yaml_schema", rel, "runner.yaml schema: " + se.message);
    f.location.pointer = se.pointer;
    f.schema_rule = true;
    f.location.line = static_cast<std::uint64_t>(std::max(0, y.line_of(se.pointer)));
    f.hint = "make runner.yaml match schemas/runner-yaml.schema.json";
    sink.report(std::move(f));
  }
}

void check_definition(const Dir& dir, const Tree& tree, const std::string& id, FindingSink& sink) {
  if (!tree.is_regular(id + "/Containerfile") && !tree.is_regular(id + "/Dockerfile")) {
    Finding f = error("runner.no_containerfile", id + "/", "runner '" + id + "' has no Containerfile or Dockerfile");
    f.expected = "a regular file " + id + "/Containerfile or " + id + "/Dockerfile";
    const Entry* c = tree.find(id + "/Containerfile");
    const Entry* d = tree.find(id + "/Dockerfile");
    const Entry* seen = c != nullptr ? c : d;
    f.actual = seen == nullptr ? "missing" : seen->path + " is a " + std::string(to_string(seen->type));
    f.hint = "add the image definition (links are not followed)";
    sink.report(std::move(f));
  }
  check_runner_yaml(dir, tree, id, sink);
}

}  // namespace

int RegistryView::line_of(std::string pointer) const { return reg.line_of(std::move(pointer)); }

Finding RegistryView::finding(Severity severity, std::string code, const std::string& pointer,
                              std::string message) const {
  Finding f = error(std::move(code), file, std::move(message));
  f.severity = severity;
  f.location.pointer = pointer;
  f.location.line = static_cast<std::uint64_t>(std::max(0, line_of(pointer)));
  return f;
}

void check_runner_dirs(const RegistryView& view, const std::vector<RunnerRef>& refs, const std::string& runners_dir,
                       const Limits& limits, FindingSink& sink) {
  std::string err;
  std::optional<Dir> dir = Dir::open(runners_dir, err);
  if (!dir) {
    Finding f = error("runners.unreadable", "", "runners directory cannot be read: " + err);
    f.hint = "pass the runners/ directory of the repository";
    sink.report(std::move(f));
    return;
  }
  WalkResult w = walk(*dir, WalkOptions{limits.max_files_per_pack});
  for (const auto& [path, reason] : w.errors)
    sink.report(error("runners.unreadable", path, "directory could not be read: " + reason));
  if (w.truncated)
    sink.report(error("runners.unreadable", "",
                      "more than " + std::to_string(limits.max_files_per_pack) + " entries; only the first were read"));
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
      check_definition(*dir, tree, id, sink);
      continue;
    }
    std::string lines;
    for (const RunnerRef* r : places) lines += (lines.empty() ? "" : ", ") + std::to_string(r->line);
    Finding f = view.finding(Severity::Error, e == nullptr ? "runner.missing" : "runner.not_directory", at->pointer,
                             "runner '" + id + "' (named at line" + (places.size() > 1 ? "s " : " ") + lines + ") " +
                                 (e == nullptr ? "has no directory runners/" + id + "/"
                                               : "is a " + std::string(to_string(e->type)) + " in runners/, not a "
                                                 "directory"));
    f.expected = "a directory runners/" + id + "/ with a Containerfile and runner.yaml";
    f.actual = e == nullptr ? "missing" : std::string(to_string(e->type));
    f.hint = "add the runner definition, or stop naming the id in the registry";
    sink.report(std::move(f));
  }

  for (const Entry& e : tree.entries()) {
    if (e.type != EntryType::Directory || e.path.find('/') != std::string::npos || declared.count(e.path) != 0)
      continue;
    // "_lib/", "_base/": shared helpers by convention (upstream's runners/_lib), not runners.
    if (e.path[0] == '_' || e.path[0] == '.') continue;
    Finding f = error("runner.unregistered", e.path + "/", "runner directory '" + e.path + "' is not registered");
    f.severity = Severity::Warning;
    f.expected = "a runner_id in the registry's runners: section";
    f.hint = "register the runner in " + view.file + ", or remove the directory";
    sink.report(std::move(f));
  }
}

}  // namespace mplp::substrate_registry
