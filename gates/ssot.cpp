#include <rapidjson/pointer.h>

#include <array>
#include <vector>

#include "core/gate.h"
#include "core/json.h"
#include "core/registry.h"
#include "core/schema.h"
#include "core/values.h"
#include "core/manifest_fields.h"
#include "gates/registry_binding.h"

namespace mplp {

namespace {

// The gate's spec: id, scopes, finding kinds (below, before the gate).
const GateInfo& gate_info();

constexpr std::string_view kManifest = "manifest.json";
constexpr std::string_view kMeta = "reports/runner.meta.json";
constexpr std::array<std::string_view, 4> kFingerprintKeys = {"os", "arch", "runtime_type", "runtime_version"};
constexpr std::string_view kFingerprintOrder = "os, arch, runtime_type, runtime_version (then optionally generated_at)";

constexpr std::string_view kDigestHint =
    "record the image's content digest (`docker image inspect --format '{{.Id}}'` or the repo digest) as "
    "sha256:<64 lowercase hex>";
constexpr std::string_view kFingerprintHint =
    "produce the pack with `mplp-gate run` (it records the fingerprint in reports/runner.meta.json and "
    "`mplp-gate seal` copies it into env_ref), or write a JSON object with real values for os, arch, "
    "runtime_type and runtime_version, in that order";

// The digest field in use: `container_digest`, or upstream's legacy
// `image_digest` when only that one is present.
struct DigestField {
  std::string_view key = "container_digest";
  const rapidjson::Value* value = nullptr;
  bool legacy() const { return key == "image_digest"; }
};

DigestField digest_field(const rapidjson::Value* obj) {
  if (const rapidjson::Value* v = member(obj, "container_digest")) return {"container_digest", v};
  if (const rapidjson::Value* v = member(obj, "image_digest")) return {"image_digest", v};
  return {};
}

void warn_legacy_digest(FieldChecker& c, std::string_view parent) {
  std::string where = child(parent, "image_digest");
  c.report("ssot.legacy-digest-field", where,
           name_of(where) + " is the legacy field name; the runner contract says container_digest",
           "container_digest", "image_digest",
           "rename image_digest to container_digest (upstream's shell runner still writes the legacy name)");
}

// Both names with different values: readers that take image_digest
// (upstream's tools) see another image than the one checked (QA-33).
void check_two_digests(FieldChecker& c, const rapidjson::Value* obj, std::string_view parent) {
  const rapidjson::Value* current = member(obj, "container_digest");
  const rapidjson::Value* legacy = member(obj, "image_digest");
  if (current == nullptr || legacy == nullptr || to_compact_json(*current, SIZE_MAX) == to_compact_json(*legacy, SIZE_MAX))
    return;
  const std::string where = child(parent, "image_digest");
  c.report("ssot.two-digests", where,
           name_of(where) + " and container_digest name different images: readers disagree on which one ran",
           "container_digest = " + describe(current), describe(legacy),
           "keep container_digest alone (the runner contract's name), or give both the same value");
}

void check_executed_at(FieldChecker& c, const rapidjson::Value* obj, std::string_view parent) {
  const rapidjson::Value* v = member(obj, "executed_at");
  if (v != nullptr && v->IsString() && is_rfc3339_utc(as_view(*v))) return;
  std::string where = child(parent, "executed_at");
  c.report("ssot.executed-at", where, name_of(where) + " is not an RFC 3339 UTC time",
           "YYYY-MM-DDTHH:MM:SS[.frac]Z", describe(v),
           "write the time in UTC with a trailing Z, e.g. `date -u +%Y-%m-%dT%H:%M:%SZ`");
}

// True when the keys are os, arch, runtime_type, runtime_version in that
// order, optionally followed by generated_at (duplicates break the order).
bool fingerprint_order_ok(const rapidjson::Value& fp) {
  std::size_t i = 0;
  for (auto it = fp.MemberBegin(); it != fp.MemberEnd(); ++it, ++i) {
    std::string_view name = as_view(it->name);
    if (i < kFingerprintKeys.size() ? name != kFingerprintKeys[i] : (i > 4 || name != "generated_at")) return false;
  }
  return i >= kFingerprintKeys.size();
}

std::string key_list(const rapidjson::Value& obj) {
  std::string out;
  std::size_t n = 0;
  for (auto it = obj.MemberBegin(); it != obj.MemberEnd(); ++it, ++n) {
    if (n == 12) return out + ", ...";
    if (n > 0) out += ", ";
    out += to_compact_json(it->name, 60);
  }
  return out.empty() ? "(no keys)" : out;
}

void check_fingerprint(FieldChecker& c, const rapidjson::Value* env) {
  const rapidjson::Value* fp = c.object(env, "/env_ref", "environment_fingerprint", "ssot.fingerprint", kFingerprintHint);
  if (fp == nullptr) return;
  const std::string where = "/env_ref/environment_fingerprint";
  if (!fingerprint_order_ok(*fp))
    c.report("ssot.fingerprint-keys", where,
             "env_ref.environment_fingerprint does not have the keys of the contract in their order",
             std::string(kFingerprintOrder), key_list(*fp), kFingerprintHint);
  // Every value, extra keys included, must be a real string: a fingerprint
  // that says "unknown" fingerprints nothing.
  for (auto it = fp->MemberBegin(); it != fp->MemberEnd(); ++it)
    c.text_value(&it->value, child(where, as_view(it->name)), "ssot.fingerprint-value", kFingerprintHint);
  // `uname -m` names: accepted, but the contract has one name per machine.
  const rapidjson::Value* arch = member(fp, "arch");
  if (arch != nullptr && arch->IsString() && contract_arch(as_view(*arch)) != as_view(*arch))
    c.report("ssot.fingerprint-arch", where + "/arch",
             "environment_fingerprint.arch is " + describe(arch) + ", which the runner contract calls \"" +
                 std::string(contract_arch(as_view(*arch))) + "\"",
             "\"" + std::string(contract_arch(as_view(*arch))) + "\"", describe(arch),
             "write the contract's name (x86_64 or arm64): `mplp-gate run` does; re-seal after fixing both "
             "env_ref and reports/runner.meta.json");
  // Any other name is no machine the contract runs on ("potato", "X86_64"
  // passed without a word: QA-39). A placeholder is fingerprint-value's.
  else if (arch != nullptr && arch->IsString() && !is_placeholder(arch) && as_view(*arch) != "x86_64" &&
           as_view(*arch) != "arm64")
    c.report("ssot.fingerprint-arch-unknown", where + "/arch",
             "environment_fingerprint.arch is " + describe(arch) + ", which is not an architecture of the runner "
             "contract",
             "\"x86_64\" or \"arm64\"", describe(arch),
             "record the machine the run used as the contract names it (`mplp-gate run` does); re-seal after fixing "
             "both env_ref and reports/runner.meta.json");
}

void check_registry(FieldChecker& c, const GateContext& ctx, std::string_view runner_id) {
  if (ctx.registry == nullptr || ctx.registry->has_runner(runner_id)) return;
  std::string known;
  for (const RegistryRunner& r : ctx.registry->runners) known += (known.empty() ? "" : ", ") + r.runner_id;
  c.report("ssot.runner-unregistered", "/env_ref/runner_id",
           "runner " + std::string(runner_id) + " is not one of the runners of the substrate registry " +
               ctx.registry_source,
           known.empty() ? "a runner of the registry (it lists none)" : "one of: " + known, std::string(runner_id),
           "run the producer with a runner listed in the registry's `runners:` section, or register this runner");
}

// The manifest's env_ref: the runner's identity as the pack claims it.
void check_env_ref(FieldChecker& c, const rapidjson::Value* manifest, const GateContext& ctx,
                   const rapidjson::Value*& env) {
  env = c.object(manifest, "", "env_ref", "ssot.env-ref-missing",
                 "a runner-sealed pack carries env_ref (runner_type, runner_id, container_digest, "
                 "environment_fingerprint, executed_at) copied from reports/runner.meta.json");
  if (env == nullptr) return;
  const rapidjson::Value* type = member(env, "runner_type");
  if (type == nullptr || !type->IsString() || as_view(*type) != "container")
    c.report("ssot.runner-type", "/env_ref/runner_type", "env_ref.runner_type is not \"container\"",
             "\"container\"", describe(type), "INDEXABLE_REAL evidence must come from a container runner");
  if (auto id = c.matching(env, "/env_ref", "runner_id", is_runner_id, "a runner id (" + std::string(kRunnerIdPattern) + ")",
                           "ssot.runner-id", "use the runner's directory name, e.g. node-20"))
    check_registry(c, ctx, *id);
  DigestField d = digest_field(env);
  if (d.legacy()) warn_legacy_digest(c, "/env_ref");
  check_two_digests(c, env, "/env_ref");
  c.matching(env, "/env_ref", d.key, is_typed_sha256, "a typed digest (sha256:<64 lowercase hex>)",
             "ssot.container-digest", kDigestHint);
  check_fingerprint(c, env);
  check_executed_at(c, env, "/env_ref");
}

// The exact text of a value, for comparison: compact JSON keeps key order,
// so two fingerprints compare equal only with the same keys, order and values.
std::string exact(const rapidjson::Value* v) { return v == nullptr ? "missing" : to_compact_json(*v, SIZE_MAX); }

void compare(FieldChecker& c, std::string_view what, std::string_view meta_key, const rapidjson::Value* meta_value,
             std::string_view env_key, const rapidjson::Value* env_value) {
  if (exact(meta_value) == exact(env_value)) return;
  c.report("ssot.runner-meta-mismatch", child("", meta_key),
           "runner.meta.json " + std::string(meta_key) + " disagrees with manifest env_ref." + std::string(env_key) +
               " (" + std::string(what) + ")",
           "env_ref." + std::string(env_key) + " = " + describe(env_value), describe(meta_value),
           "copy the runner's reports/runner.meta.json into env_ref unchanged (one source of truth)");
}

void check_agreement(FieldChecker& c, const rapidjson::Value& meta, const rapidjson::Value* env) {
  if (env == nullptr) return;  // already an error; nothing to compare with
  compare(c, "runner id", "runner_id", member(meta, "runner_id"), "runner_id", member(env, "runner_id"));
  DigestField md = digest_field(&meta), ed = digest_field(env);
  compare(c, "digest", md.key, md.value, ed.key, ed.value);
  compare(c, "fingerprint: keys, order and values", "environment_fingerprint", member(meta, "environment_fingerprint"),
          "environment_fingerprint", member(env, "environment_fingerprint"));
  compare(c, "execution time", "executed_at", member(meta, "executed_at"), "executed_at", member(env, "executed_at"));
}

// valijson reports a failed combinator (anyOf, a oneOf's branches, the
// schema of additional properties) beside the leaf errors that say what is
// wrong; keep the leaves, in words a producer understands. Keeps everything
// if only roll-ups were reported (never drop the only evidence of a failure).
std::vector<SchemaError> readable_schema_errors(std::vector<SchemaError> errors) {
  auto missing = [&](std::string_view key) {
    for (const SchemaError& e : errors)
      if (e.pointer.empty() && e.rule == SchemaRule::Required && e.property == key) return true;
    return false;
  };
  const bool digest_missing = missing("container_digest") && missing("image_digest");
  std::vector<SchemaError> out;
  for (const SchemaError& e : errors) {
    if (e.roll_up()) continue;
    SchemaError x = e;
    // The digest is required under either name (the anyOf of the schema).
    const bool digest = digest_missing && e.pointer.empty() && e.rule == SchemaRule::Required;
    if (digest && e.property == "image_digest") continue;
    if (digest && e.property == "container_digest")
      x.message = "missing required property 'container_digest' (or the legacy 'image_digest')";
    // The schema's only `not` keeps placeholder words out of values.
    if (e.rule == SchemaRule::Not)
      x.message = "is empty or a placeholder (unknown, pending, none, null, placeholder, n/a, tbd)";
    out.push_back(std::move(x));
  }
  return out.empty() ? errors : out;
}

// reports/runner.meta.json: what the runner itself wrote.
void check_runner_meta(const Pack& pack, FindingSink& sink, const rapidjson::Value* env) {
  FieldChecker c(gate_info(), sink, std::string(kMeta));
  auto fail = [&](std::string_view code, std::string message, std::string actual, std::string_view hint) {
    c.report(code, "", std::move(message), "", std::move(actual), hint);
  };
  const Entry* e = pack.find(kMeta);
  if (e == nullptr || e->type != EntryType::Regular) {
    fail("ssot.runner-meta-missing",
         e == nullptr ? "reports/runner.meta.json is missing"
                      : "reports/runner.meta.json is a " + std::string(to_string(e->type)) + ", not a regular file",
         e == nullptr ? "missing" : std::string(to_string(e->type)),
         "the runner writes reports/runner.meta.json; run the producer through the runner");
    return;
  }
  const JsonFile& jf = pack.json(kMeta);
  if (!jf.readable) {
    fail("ssot.runner-meta-unreadable", "reports/runner.meta.json cannot be read: " + jf.read_error, jf.read_error,
         "make the file readable and within the size limit");
    return;
  }
  if (!jf.parsed) {
    Finding f = gate_info().finding("ssot.runner-meta-json", std::string(kMeta),
                                    "reports/runner.meta.json is not valid JSON: " + jf.doc.error.message);
    f.location.line = jf.doc.error.line;
    f.location.column = jf.doc.error.column;
    f.hint = "the runner writes strict JSON (RFC 8259); regenerate the file";
    sink.report(std::move(f));
    return;
  }
  for (const DuplicateKey& d : jf.doc.duplicates) {
    Finding f = gate_info().finding("ssot.runner-meta-duplicate-key", std::string(kMeta),
                                    "duplicate key " + d.pointer + " (readers disagree on which value counts)");
    f.location.line = d.line;
    f.location.column = d.column;
    f.location.pointer = d.pointer;
    f.hint = "write each key once";
    sink.report(std::move(f));
  }
  const rapidjson::Value& meta = jf.doc.value;
  for (const SchemaError& err : readable_schema_errors(validate_with_schema("runner-meta.v2", meta))) {
    Finding f = gate_info().finding("ssot.runner-meta-schema", std::string(kMeta),
                                    "not valid against schemas/runner-meta.v2.schema.json: " + err.message);
    f.location.pointer = err.pointer;
    f.schema_rule = true;
    if (!err.pointer.empty())  // (the whole document is too long to show)
      f.actual = describe(rapidjson::Pointer(err.pointer.c_str(), err.pointer.size()).Get(meta));
    f.hint = "make reports/runner.meta.json match schemas/runner-meta.v2.schema.json (`mplp-gate run` writes a "
             "valid one)";
    sink.report(std::move(f));
  }
  if (!meta.IsObject()) return;  // the schema said so
  DigestField d = digest_field(&meta);
  if (d.legacy()) warn_legacy_digest(c, "");
  check_two_digests(c, &meta, "");
  if (const rapidjson::Value* t = member(meta, "executed_at"); t != nullptr && t->IsString())
    check_executed_at(c, &meta, "");  // missing or not a string: the schema said so
  check_agreement(c, meta, env);
}

const GateInfo& gate_info() {
  static const GateInfo info = documented({"GATE-V2-SSOT-01",
      {GateScope::Pack},
      {
          {"ssot.manifest-unusable", Severity::Error, "fix manifest.json (see GATE-V2-PACK-STRUCTURE-01)"},
          {"ssot.env-ref-missing", Severity::Error, "copy the runner's metadata into env_ref"},
          {"ssot.runner-type", Severity::Error, "produce real evidence with a container runner"},
          {"ssot.runner-id", Severity::Error, "use the runner's id, e.g. node-20"},
          {"ssot.runner-unregistered", Severity::Error, "use or register a runner listed in the registry"},
          {"ssot.container-digest", Severity::Error, "record the image's content digest"},
          {"ssot.legacy-digest-field", Severity::Warning, "rename image_digest to container_digest"},
          {"ssot.two-digests", Severity::Error, "keep container_digest alone, or give image_digest the same value"},
          {"ssot.fingerprint", Severity::Error, "write the fingerprint object `mplp-gate run` records: os, arch, runtime_type, runtime_version"},
          {"ssot.fingerprint-keys", Severity::Error, "write exactly those keys in that order (generated_at may follow)"},
          {"ssot.fingerprint-value", Severity::Error, "fill in the real os, arch and runtime"},
          {"ssot.fingerprint-arch", Severity::Warning, "write arm64 or x86_64, as `mplp-gate run` does"},
          {"ssot.fingerprint-arch-unknown", Severity::Error, "record x86_64 or arm64, as `mplp-gate run` does"},
          {"ssot.executed-at", Severity::Warning, "write YYYY-MM-DDTHH:MM:SSZ in UTC"},
          {"ssot.runner-meta-missing", Severity::Error, "run the producer through the runner, which writes it"},
          {"ssot.runner-meta-unreadable", Severity::Error, "make it a readable file within the size limit"},
          {"ssot.runner-meta-json", Severity::Error, "regenerate it as strict JSON"},
          {"ssot.runner-meta-duplicate-key", Severity::Error, "write each key once"},
          {"ssot.runner-meta-schema", Severity::Error, "follow schemas/runner-meta.v2.schema.json"},
          {"ssot.runner-meta-mismatch", Severity::Error, "copy runner.meta.json into env_ref unchanged"},
          {"ssot.substrate-unregistered", Severity::Error, "produce evidence only for registered substrates"},
          {"ssot.runner-binding", Severity::Error, "run the producer with the registered runner"},
          {"ssot.lock-kind-binding", Severity::Error, "pin the substrate with the registered lock kind"},
          {"ssot.name-binding", Severity::Error, "name the substrate as the registry does"},
      }});
  return info;
}

class Gate_ : public Gate {
 public:
  const GateInfo& info() const override { return gate_info(); }

  void check_pack(const Pack& pack, const GateContext& ctx, FindingSink& sink) const override {
    const rapidjson::Value* manifest = real_manifest_or_report(pack, gate_info(), "ssot.manifest-unusable", sink);
    if (manifest == nullptr) return;
    FieldChecker c(gate_info(), sink, std::string(kManifest));
    const rapidjson::Value* env = nullptr;
    check_env_ref(c, manifest, ctx, env);
    check_registry_binding(c, ctx, *manifest);
    check_runner_meta(pack, sink, env);
  }

  void note_unverified(const GateOutcome& o, const CheckOptions& /*options*/,
                       std::vector<Unverified>& out) const override {
    if (o.ran && !o.skipped && !o.has_registry)
      out.push_back({"registry membership",
                     "no substrate registry found (--registry, --repo-root, or producers/_registry/ above the pack): "
                     "the runner's membership and the substrate binding are not checked"});
  }
};

}  // namespace

const Gate& ssot_gate() {
  static const Gate_ gate;
  return gate;
}

}  // namespace mplp
