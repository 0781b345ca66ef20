#include <sys/stat.h>

#include <algorithm>

#include "core/gate.h"
#include "core/json.h"
#include "core/registry.h"
#include "core/safe_fs.h"
#include "core/schema.h"
#include "core/scoped_temp_dir.h"
#include "core/values.h"
#include "runner/executor.h"
#include "gates/runner_smoke_script.h"
#include "runner/runner_def.h"

namespace mplp {

namespace {

constexpr unsigned kSmokeTimeoutSeconds = 600;

const GateInfo& gate_info() {
  static const GateInfo info = documented({"GATE-V2-RUNNER-SMOKE-01",
    {GateScope::Runners},
    {
        {"smoke.no_engine", Severity::Error, "Install podman (scripts/setup.sh test configures it) or start a docker daemon, or name the usable one "
         "with --engine; without --require-engine the gate skips."},
        {"smoke.no_runners", Severity::Error, "Pass the repository's runners/ directory to --runners."},
        {"smoke.unknown_runner", Severity::Error, "Use the name of a directory of runners/ (^[a-z0-9][a-z0-9._-]{0,63}$)."},
        {"smoke.definition_invalid", Severity::Error, "Fix what the message names: runner.yaml against schemas/runner-yaml.schema.json, a Containerfile step that "
         "reaches the build host, files that are not regular or too many; keep a Containerfile or Dockerfile."},
        {"smoke.base_missing", Severity::Error, "Build it with `mplp-gate base build ID` (the finding names ID and the image) on a machine that trusts "
         "runners/_base/ID/build.sh, then re-run the check."},
        {"smoke.build_failed", Severity::Error, "Read the build log in the finding; an official base image needs access to its registry; a build that "
         "needs network must say build_network: true and be listed under runners.build_network in the policy."},
        {"smoke.run_failed", Severity::Error, "Run `mplp-gate run --runner ID --cmd '<smoke_command>' --out-dir /tmp/p` to see its output."},
        {"smoke.meta_missing", Severity::Error, "The executor writes it on success; a missing file is a bug of the executor."},
        {"smoke.meta_invalid", Severity::Error, "See the JSON pointer in the finding."},
        {"smoke.digest_invalid", Severity::Error, "The digest must be the engine's image id (sha256:<64 hex>)."},
        {"smoke.runtime_type_mismatch", Severity::Error, "Make runner.yaml's runtime_type name the runtime the image provides."},
        {"smoke.runtime_version_mismatch", Severity::Error, "Fix the image (base tag, pinned package) or version_prefix."},
        {"smoke.output_missing", Severity::Error, "The smoke command must write smoke_output under /workspace/out."},
        {"smoke.note", Severity::Info, "Read the note; none of them fails the gate."},
        {"smoke.timing", Severity::Info, "Nothing to fix: it is information (a slow build is a cold cache or a fresh base image)."},
        {"smoke.script_not_run", Severity::Info, "Read the runner's smoke script; if you trust it, check again with --run-smoke-scripts."},
        {"smoke.script_passed", Severity::Info, "Nothing to fix."},
        {"smoke.script_failed", Severity::Error, "Run the runner's smoke script with bash from the repository root, runners/_lib first on PATH, and fix "
         "what fails."},
        {"smoke.registry_absent", Severity::Info, "Add producers/_registry/substrates.v2.yaml beside runners/ (or pass --registry)."},
    }});
  return info;
}

// A finding of `code`, hinted with its kind's fix even when it is an info
// (the engine adds the fix to errors and warnings only).
Finding make(const char* code, const std::string& file, std::string message) {
  Finding f = gate_info().finding(code, file, std::move(message));
  f.hint = std::string(gate_info().kind(code).fix);
  return f;
}

// Checks the smoke pack the executor sealed. Returns true when all held.
void check_smoke_pack(const std::string& id, const runner::RunnerDef& def, const runner::RunOutcome& out,
                      const std::string& pack, FindingSink& sink) {
  std::string meta_file = id + "/reports/runner.meta.json";  // as reported (runner-relative)
  std::string bytes, err;
  if (!read_file(pack + "/reports/runner.meta.json", 1 << 20, bytes, err)) {
    sink.report(make("smoke.meta_missing", meta_file, "reports/runner.meta.json was not written: " + err));
    return;
  }
  JsonDoc doc;
  if (!parse_json(bytes, {}, doc) || !doc.duplicates.empty()) {
    Finding f = make("smoke.meta_invalid", meta_file, "reports/runner.meta.json does not parse (or repeats a key)");
    f.actual = doc.error.message;
    sink.report(std::move(f));
    return;
  }
  for (const SchemaError& e : validate_with_schema("runner-meta.v2", doc.value)) {
    Finding f = make("smoke.meta_invalid", meta_file, "runner.meta.json is not valid runner-meta v2: " + e.message);
    f.location.pointer = e.pointer;
    f.schema_rule = true;
    sink.report(std::move(f));
  }
  const rapidjson::Value* digest = string_member(&doc.value, "container_digest");
  std::string d = digest != nullptr ? std::string(as_view(*digest)) : "";
  if (!is_typed_sha256(d) || d != out.image.id) {
    Finding f = make("smoke.digest_invalid", meta_file, "container_digest is not the id of the image that ran");
    f.location.pointer = "/container_digest";
    f.expected = out.image.id;
    f.actual = d.empty() ? "(missing)" : d;
    sink.report(std::move(f));
  }
  const rapidjson::Value* fp = member(&doc.value, "environment_fingerprint");
  const rapidjson::Value* type = string_member(fp, "runtime_type");
  const rapidjson::Value* version = string_member(fp, "runtime_version");
  std::string t = type != nullptr ? std::string(as_view(*type)) : "";
  std::string v = version != nullptr ? std::string(as_view(*version)) : "";
  if (t != def.runtime_type) {
    Finding f = make("smoke.runtime_type_mismatch", meta_file, "runtime_type differs from runner.yaml's");
    f.location.pointer = "/environment_fingerprint/runtime_type";
    f.expected = def.runtime_type;
    f.actual = t;
    sink.report(std::move(f));
  }
  if (v.rfind(def.version_prefix, 0) != 0 || v.empty()) {
    Finding f = make("smoke.runtime_version_mismatch", meta_file,
                     "runtime_version does not start with version_prefix '" + def.version_prefix + "'");
    f.location.pointer = "/environment_fingerprint/runtime_version";
    f.expected = def.version_prefix + "...";
    f.actual = v;
    sink.report(std::move(f));
  }
  struct stat st {};
  if (::lstat((pack + "/" + def.smoke_output).c_str(), &st) != 0 || !S_ISREG(st.st_mode))
    sink.report(make("smoke.output_missing", id + "/runner.yaml",
                     "the smoke command did not write " + def.smoke_output));
}

class Gate_ : public Gate {
 public:
  const GateInfo& info() const override { return gate_info(); }

  void check_runners(const GateContext& ctx, FindingSink& sink) const override {
    const std::string dir = ctx.options.runners_dir.value_or("runners");
    std::vector<std::string> ids;
    if (ctx.options.only_runner) {
      ids.push_back(*ctx.options.only_runner);
    } else if (ctx.registry != nullptr) {
      for (const RegistryRunner& r : ctx.registry->runners) ids.push_back(r.runner_id);
      for (const RegistrySubstrate& s : ctx.registry->substrates)
        if (std::find(ids.begin(), ids.end(), s.runner_id) == ids.end()) ids.push_back(s.runner_id);
    } else {
      ids = runner::list_runner_dirs(dir);
      sink.report(make("smoke.registry_absent", "", "no substrate registry: smoke-testing every runner directory"));
    }
    if (ids.empty() && ctx.registry != nullptr && !ctx.options.only_runner) {
      Finding f = make("smoke.no_runners", "", "the substrate registry lists no runner: nothing to smoke-test");
      f.hint = "list the runners in the registry's runners: section (and each substrate's runner_id)";
      return sink.report(std::move(f));
    }
    if (ids.empty()) return sink.report(make("smoke.no_runners", "", "no runner to smoke-test in " + dir));

    // Every definition is read first, engine or none: what it would be
    // refused for (a step reaching the host, a file too large) needs no
    // build, and a pre-merge check on a machine without an engine must say
    // it rather than skip (QA-49: such a runner passed, smoke SKIP).
    // Only the ids are kept (a definition may hold 64 MiB): each is read
    // again when smoke-tested.
    std::vector<std::string> valid;
    for (const std::string& id : ids) {
      runner::RunnerDef def;
      if (load_definition(dir, id, def, sink)) valid.push_back(id);
    }
    if (valid.empty()) return;
    runner::Engine engine;
    std::string reason;
    if (!runner::detect_engine(ctx.options.engine, engine, reason)) {
      if (ctx.options.require_engine) return sink.report(make("smoke.no_engine", "", reason));
      return sink.skip(reason);
    }
    for (const std::string& id : valid) {
      runner::RunnerDef def;
      if (load_definition(dir, id, def, sink)) smoke_one(dir, def, engine, ctx, sink);
    }
  }

 private:
  static bool load_definition(const std::string& dir, const std::string& id, runner::RunnerDef& def, FindingSink& sink) {
    std::string err;
    if (is_runner_id(id) && runner::load_runner_def(dir, id, def, err)) return true;
    const char* code = !is_runner_id(id) || err.rfind("no runner directory", 0) == 0 ? "smoke.unknown_runner"
                                                                                     : "smoke.definition_invalid";
    sink.report(make(code, is_runner_id(id) ? id + "/runner.yaml" : "",
                     "runner '" + id + "': " + (err.empty() ? "invalid runner id" : err)));
    return false;
  }

  void smoke_one(const std::string& dir, const runner::RunnerDef& def, const runner::Engine& engine,
                 const GateContext& ctx, FindingSink& sink) const {
    const std::string& id = def.id;
    const std::string file = id + "/runner.yaml";
    std::string err;
    ScopedTempDir tmp("mplp-smoke");
    if (tmp.path().empty()) return sink.report(make("smoke.run_failed", file, tmp.error()));
    runner::RunRequest req;
    req.runners_dir = dir;
    req.runner_id = id;
    req.engine = engine.name;
    req.cmd = def.smoke_command;
    req.out_dir = tmp.path() + "/pack";
    req.repo_root = ctx.options.repo_root.value_or("");
    req.output = runner::OutputMode::Capture;  // a gate never prints
    req.timeout_seconds = kSmokeTimeoutSeconds;
    req.policy = ctx.policy;
    runner::RunOutcome out;
    bool ok = runner::execute(req, out, err);
    const char* code = nullptr;
    if (!ok) {
      code = err.rfind("build:", 0) == 0 ? "smoke.build_failed" : "smoke.run_failed";
      if (err.rfind("definition:", 0) == 0) code = "smoke.definition_invalid";
      if (err.rfind("base:", 0) == 0) code = "smoke.base_missing";
    }
    if (std::string t = runner_smoke::timing_text(out, code); !t.empty())
      sink.report(make("smoke.timing", file, "runner '" + id + "': engine " + runner::describe(engine) + ", " + t));
    for (const std::string& n : out.notes)
      // A smoke pack never has a manifest: that note of the seal says nothing here.
      if (n.rfind("the pack has no manifest.json", 0) != 0)
        sink.report(make("smoke.note", file, "runner '" + id + "': " + n));
    if (!ok) {
      Finding f = make(code, file, "runner '" + id + "': " + err.substr(0, err.find('\n')));
      f.detail = runner::tail_text(out.log, 4000);
      return sink.report(std::move(f));
    }
    check_smoke_pack(id, def, out, req.out_dir, sink);
    runner_smoke::check_smoke_script(gate_info(), def, engine, ctx, sink);
  }
};

}  // namespace

const Gate& runner_smoke_gate() {
  static const Gate_ gate;
  return gate;
}

}  // namespace mplp
