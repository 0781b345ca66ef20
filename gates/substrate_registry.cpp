#include <rapidjson/pointer.h>

#include <filesystem>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "core/gate.h"
#include "core/json.h"
#include "core/registry.h"
#include "core/safe_fs.h"
#include "core/schema.h"
#include "core/values.h"
#include "gates/substrate_registry_runners.h"

namespace mplp {

namespace {

// The gate's spec: id, scopes, finding kinds (below, before the gate).
const GateInfo& gate_info();

namespace fs = std::filesystem;
using substrate_registry::RegistryView;
using substrate_registry::RunnerRef;

// How findings name the registry: relative to the runners directory (the
// "pack" of this gate), so reports hold no absolute paths.
std::string registry_display(const std::string& source, const std::string& runners_dir) {
  fs::path reg = fs::absolute(source).lexically_normal();
  fs::path runners = fs::absolute(runners_dir).lexically_normal();
  fs::path rel = reg.lexically_relative(runners);
  return rel.empty() ? source : rel.string();
}

void check_schema(const RegistryView& view, std::set<std::string>& error_pointers, FindingSink& sink) {
  for (const SchemaError& e : validate_with_schema("substrate-registry.v2", view.reg.as_json)) {
    error_pointers.insert(e.pointer);
    Finding f = view.finding("registry.schema", e.pointer, "registry schema: " + e.message);
    f.schema_rule = true;
    if (const rapidjson::Value* v =
            e.pointer.empty() ? nullptr : rapidjson::Pointer(e.pointer.c_str()).Get(view.reg.as_json))
      f.actual = to_compact_json(*v);
    f.hint = "make the registry match schemas/substrate-registry.v2.schema.json";
    sink.report(std::move(f));
  }
}

// Runner ids named by substrates and by the `runners:` section, in document
// order; ids that are not safe names are reported and left out.
void collect_refs(const RegistryView& view, const std::set<std::string>& schema_errors,
                  std::vector<RunnerRef>& refs, FindingSink& sink) {
  for (const char* section : {"substrates", "runners"}) {
    const rapidjson::Value* arr = member(view.reg.as_json, section);
    if (arr == nullptr || !arr->IsArray()) continue;
    for (rapidjson::SizeType i = 0; i < arr->Size(); ++i) {
      std::string base = "/" + std::string(section) + "/" + std::to_string(i);
      const rapidjson::Value* id = string_member(&(*arr)[i], "runner_id");
      if (id == nullptr) continue;  // the schema reports a missing or non-string id
      std::string pointer = base + "/runner_id";
      RunnerRef ref{std::string(as_view(*id)), pointer, view.line_of(pointer), section[0] == 'r', base};
      if (!is_runner_id(ref.id)) {
        // Never build a path from it. The schema's pattern normally says so already.
        if (schema_errors.count(pointer) == 0) {
          Finding f = view.finding("registry.bad_runner_id", pointer, "runner_id is not a valid runner id");
          f.expected = std::string(kRunnerIdPattern);
          f.actual = to_compact_json(*id);
          f.hint = "use lowercase letters, digits, '.', '_' and '-' (e.g. node-20)";
          sink.report(std::move(f));
        }
        continue;
      }
      refs.push_back(std::move(ref));
    }
  }
}

// Registry-internal consistency: ids declared once, substrates naming declared runners.
void check_cross_refs(const RegistryView& view, const std::vector<RunnerRef>& refs, FindingSink& sink) {
  std::map<std::string, int> declared;  // runners-section id -> line
  for (const RunnerRef& r : refs) {
    if (!r.in_runners_section) continue;
    auto [it, fresh] = declared.emplace(r.id, r.line);
    if (fresh) continue;
    Finding f = view.finding("registry.duplicate_runner", r.pointer,
                             "runner '" + r.id + "' is declared again (first at line " + std::to_string(it->second) + ")");
    f.hint = "declare each runner once in the runners: section";
    sink.report(std::move(f));
  }
  for (const RunnerRef& r : refs) {
    if (r.in_runners_section || declared.count(r.id) != 0) continue;
    Finding f = view.finding("registry.unknown_runner", r.pointer,
                             "substrate names runner '" + r.id + "', which the runners: section does not declare");
    f.expected = "a runner_id of the runners: section";
    f.actual = r.id;
    f.hint = "declare the runner in the runners: section, or name a declared one";
    sink.report(std::move(f));
  }
  std::map<std::string, int> substrates;
  const rapidjson::Value* subs = member(view.reg.as_json, "substrates");
  if (subs == nullptr || !subs->IsArray()) return;
  for (rapidjson::SizeType i = 0; i < subs->Size(); ++i) {
    const rapidjson::Value* id = string_member(&(*subs)[i], "substrate_id");
    if (id == nullptr) continue;
    std::string pointer = "/substrates/" + std::to_string(i) + "/substrate_id";
    auto [it, fresh] = substrates.emplace(std::string(as_view(*id)), view.line_of(pointer));
    if (fresh) continue;
    Finding f = view.finding("registry.duplicate_substrate", pointer,
                             "substrate '" + it->first + "' is listed again (first at line " +
                                 std::to_string(it->second) + ")");
    f.hint = "list each substrate once";
    sink.report(std::move(f));
  }
}

const GateInfo& gate_info() {
  static const GateInfo info = documented({"GATE-V2-SUBSTRATE-REGISTRY-01",
      {GateScope::Runners},
      {
          {"registry.missing", Severity::Error, "pass --registry FILE or add producers/_registry/substrates.v2.yaml beside runners/"},
          {"registry.schema", Severity::Error, "fix the value at the line and JSON pointer shown"},
          {"registry.bad_runner_id", Severity::Error, "use ^[a-z0-9][a-z0-9._-]{0,63}$"},
          {"registry.duplicate_runner", Severity::Error, "declare it once"},
          {"registry.duplicate_substrate", Severity::Error, "list it once"},
          {"registry.unknown_runner", Severity::Error, "declare the runner or name a declared one"},
          {"registry.unsafe_path", Severity::Error, "use a relative path inside the repository"},
          {"registry.dockerfile_missing", Severity::Error, "add the file or fix the path"},
          {"registry.dockerfile_mismatch", Severity::Error, "point dockerfile: at runners/<id>/Containerfile (or Dockerfile), the definition `mplp-gate run` builds"},
          {"registry.base_image_mismatch", Severity::Error, "make base_image and the definition's FROM name the same image"},
          {"runners.unreadable", Severity::Error, "pass a readable runners/ directory"},
          {"runner.missing", Severity::Error, "add the runner definition or remove the id from the registry"},
          {"runner.not_directory", Severity::Error, "make runners/<id>/ a real directory"},
          {"runner.no_containerfile", Severity::Error, "add a Containerfile"},
          {"runner.not_regular", Severity::Error, "replace the link or special file with a regular file or directory"},
          {"runner.no_runner_yaml", Severity::Error, "add runner.yaml (see schemas/runner-yaml.schema.json), or name the runner like node-20"},
          {"runner.yaml_invalid", Severity::Error, "fix the YAML at the line shown"},
          {"runner.yaml_schema", Severity::Error, "fix the value at the line shown"},
          {"runner.unregistered", Severity::Error, "register it in the runners: section, or remove it"},
      }});
  return info;
}

class Gate_ : public Gate {
 public:
  const GateInfo& info() const override { return gate_info(); }

  void check_runners(const GateContext& ctx, FindingSink& sink) const override {
    if (!ctx.options.runners_dir) return sink.skip("no runners directory given (--runners DIR)");
    const std::string& runners_dir = *ctx.options.runners_dir;
    if (ctx.registry == nullptr) {
      Finding f = gate_info().finding("registry.missing", "",
                                      "no substrate registry: none given with --registry and none beside the "
                                      "runners directory");
      f.expected = "../producers/_registry/substrates.v2.yaml or ../producers/real/_registry/substrates.v2.yaml";
      f.hint = "pass --registry FILE";
      sink.report(std::move(f));
      return;
    }
    RegistryView view{gate_info(), *ctx.registry,
                      registry_display(ctx.registry_source.empty() ? ctx.registry->source : ctx.registry_source,
                                       runners_dir)};
    std::set<std::string> schema_errors;
    check_schema(view, schema_errors, sink);
    std::vector<RunnerRef> refs;
    collect_refs(view, schema_errors, refs, sink);
    check_cross_refs(view, refs, sink);
    substrate_registry::check_runner_dirs(view, refs, runners_dir, ctx.policy.limits, sink);
  }
};

}  // namespace

const Gate& substrate_registry_gate() {
  static const Gate_ gate;
  return gate;
}

}  // namespace mplp
