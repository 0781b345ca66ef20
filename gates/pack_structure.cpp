// GATE-V2-PACK-STRUCTURE-01 (gate_list.cpp lists it): see gates/docs/GATE-V2-PACK-STRUCTURE-01.md.
#include <rapidjson/pointer.h>

#include <algorithm>
#include <array>
#include <string>

#include "core/json.h"
#include "core/pack_layout.h"
#include "core/schema.h"
#include "gates/pack_location.h"
#include "gates/pack_structure_files.h"

namespace mplp {

namespace {

// The gate's spec: id, scopes, finding kinds (below, before the gate).
const GateInfo& gate_info();

constexpr std::string_view kManifest = "manifest.json";
constexpr std::array<std::string_view, 5> kRequired = {
    "manifest.json", "integrity/sha256sums.txt", "timeline/events.ndjson", "artifacts/context.json",
    "artifacts/trace.json"};
constexpr std::array<std::string_view, 4> kRequiredReal = {
    "artifacts/plan.json", "artifacts/confirm.json", "reports/verify.report.json", "reports/runner.meta.json"};

// Manifest members with a check of their own; schema errors about them would
// only repeat it.
constexpr std::array<std::string_view, 2> kOwnChecks = {"pack_layout_version", "indexability_status"};

std::string missing_manifest_message(const Pack& pack) {
  std::string dirs;
  for (std::string_view d : kPackFolders) {
    const Entry* e = pack.find(d);
    if (e != nullptr && e->type == EntryType::Directory) dirs += (dirs.empty() ? "" : ", ") + std::string(d) + "/";
  }
  if (dirs.empty()) return "no manifest.json";
  return "no manifest.json: this directory has " + dirs + " so it is a pack, but without a manifest nothing in it "
         "can be verified";
}

void check_required(const Pack& pack, FindingSink& sink) {
  // An unknown indexability_status gets the strictest reading, like an unusable manifest.
  bool real = pack.is_real() || pack.indexability() == Indexability::Unknown;
  auto check_one = [&](std::string_view rel, bool real_only) {
    const Entry* e = pack.find(rel);
    if (e == nullptr) {
      bool manifest = rel == kManifest;
      Finding f = gate_info().finding(manifest ? "manifest.missing" : "file.missing", std::string(rel),
                                      manifest ? missing_manifest_message(pack)
                                               : "required file " + std::string(rel) + " is missing" +
                                                     (real_only ? " (required for INDEXABLE_REAL packs)" : ""));
      if (real_only && pack.manifest_state() != ManifestState::Ok)
        f.detail = "the manifest is unusable, so the pack is read as INDEXABLE_REAL (the strictest reading)";
      f.expected = "a regular file";
      f.actual = "missing";
      f.hint = manifest ? "add the pack's manifest.json (layout v2), or remove the stray pack directories"
                        : "the producer must write " + std::string(rel) + "; re-run it and re-seal the pack";
      sink.report(std::move(f));
    } else if (e->type != EntryType::Regular) {
      Finding f = gate_info().finding("file.not_regular", std::string(rel),
                                      "required file " + std::string(rel) + " is a " +
                                          std::string(to_string(e->type)) + ", not a regular file");
      f.expected = "a regular file";
      f.actual = std::string(to_string(e->type));
      f.hint = "replace it with the real file (links and special files are never followed)";
      sink.report(std::move(f));
    }
  };
  for (std::string_view rel : kRequired) check_one(rel, false);
  if (real)
    for (std::string_view rel : kRequiredReal) check_one(rel, true);
}

void check_layout_and_status(const rapidjson::Value& m, FindingSink& sink) {
  const rapidjson::Value* v = member(m, "pack_layout_version");
  if (v == nullptr || !v->IsString() || as_view(*v) != "2") {
    Finding f = gate_info().finding(
        "manifest.layout_version", std::string(kManifest),
        v == nullptr ? "pack_layout_version is missing" : "pack_layout_version is not the string \"2\"");
    f.location.pointer = "/pack_layout_version";
    f.expected = "\"2\"";
    f.actual = v == nullptr ? "missing" : to_compact_json(*v);
    f.hint = "set \"pack_layout_version\": \"2\" (a JSON string, not the number 2)";
    sink.report(std::move(f));
  }
  const rapidjson::Value* s = member(m, "indexability_status");
  std::string_view sv = (s != nullptr && s->IsString()) ? as_view(*s) : std::string_view();
  if (sv != "INDEXABLE_REAL" && sv != "INDEXABLE_SYNTHETIC" && sv != "NON_INDEXABLE") {
    Finding f = gate_info().finding(
        "manifest.indexability", std::string(kManifest),
        s == nullptr ? "indexability_status is missing" : "indexability_status is not a known value");
    f.location.pointer = "/indexability_status";
    f.expected = "INDEXABLE_REAL, INDEXABLE_SYNTHETIC or NON_INDEXABLE";
    f.actual = s == nullptr ? "missing" : to_compact_json(*s);
    f.hint = "set indexability_status to one of the three values (exact spelling and case)";
    sink.report(std::move(f));
  }
}

bool repeats_own_check(const SchemaError& e) {
  for (std::string_view key : kOwnChecks) {
    std::string ptr = "/" + std::string(key);
    if (e.pointer == ptr || e.pointer.rfind(ptr + "/", 0) == 0) return true;
    // At the root: the member is missing (or, were it ever, unexpected).
    if (e.pointer.empty() && (e.rule == SchemaRule::Required || e.rule == SchemaRule::AdditionalProperties) &&
        e.property == key)
      return true;
  }
  return false;
}

void check_schema(const rapidjson::Value& m, FindingSink& sink) {
  for (const SchemaError& e : validate_with_schema("manifest.v2", m)) {
    if (repeats_own_check(e)) continue;
    Finding f = gate_info().finding("manifest.schema", std::string(kManifest), "manifest schema: " + e.message);
    f.location.pointer = e.pointer;
    f.schema_rule = true;
    if (const rapidjson::Value* v = e.pointer.empty() ? nullptr : rapidjson::Pointer(e.pointer.c_str()).Get(m))
      f.actual = to_compact_json(*v);
    f.hint = "make the manifest match schemas/manifest.v2.schema.json (`mplp-gate explain` shows the schema)";
    sink.report(std::move(f));
  }
}

// Each value of `paths` names a file of the pack, or a directory when it ends in "/".
void check_paths(const Pack& pack, const rapidjson::Value& m, FindingSink& sink) {
  const rapidjson::Value* paths = member(m, "paths");
  if (paths == nullptr || !paths->IsObject()) return;  // the schema reports a wrong type
  for (const auto& kv : paths->GetObject()) {
    if (!kv.value.IsString()) continue;  // the schema reports it
    std::string_view value = as_view(kv.value);
    std::string pointer = "/paths/" + json_pointer_token(as_view(kv.name));
    std::string_view rel = value;
    bool want_dir = !rel.empty() && rel.back() == '/';
    if (want_dir) rel.remove_suffix(1);
    if (rel.substr(0, 2) == "./") rel.remove_prefix(2);
    auto report = [&](std::string_view code, std::string message, std::string expected, std::string actual,
                      std::string hint) {
      Finding f = gate_info().finding(code, std::string(kManifest), std::move(message));
      f.location.pointer = pointer;
      f.expected = std::move(expected);
      f.actual = std::move(actual);
      f.hint = std::move(hint);
      sink.report(std::move(f));
    };
    if (!is_safe_relative_path(rel)) {
      report("paths.unsafe", "paths names an unsafe path (absolute, empty, or with a '..' component)",
             "a relative path inside the pack", to_compact_json(kv.value),
             "name pack files relative to the pack root, e.g. \"artifacts/\" or \"timeline/events.ndjson\"");
      continue;
    }
    const char* want = want_dir ? "directory" : "regular file";
    const Entry* e = pack.find(rel);
    if (e == nullptr) {
      report("paths.missing", "paths names " + std::string(rel) + ", which does not exist", std::string("a ") + want,
             "missing", "add the file or correct the path in the manifest");
    } else if (e->type != (want_dir ? EntryType::Directory : EntryType::Regular)) {
      report("paths.wrong_type", "paths names " + std::string(rel) + ", which is a " + std::string(to_string(e->type)),
             std::string("a ") + want + (want_dir ? "" : " (a value ending in \"/\" names a directory)"),
             std::string(to_string(e->type)), "correct the path, or the file, so that they agree");
    }
  }
}

void check_manifest(const Pack& pack, FindingSink& sink) {
  // Missing / not regular: check_required. Unreadable / invalid JSON: check_json_files.
  if (pack.manifest_state() == ManifestState::NotObject) {
    const JsonFile& jf = pack.json(kManifest);
    Finding f =
        gate_info().finding("manifest.not_object", std::string(kManifest), "manifest.json is not a JSON object");
    f.expected = "a JSON object";
    f.actual = to_compact_json(jf.doc.value);
    f.hint = "the manifest must be one JSON object { ... }";
    sink.report(std::move(f));
    return;
  }
  // Read whole (hashed) but too large to load as a document: check_json_files
  // streams it and finds nothing wrong, so nothing else would say that none
  // of the checks below ran (QA-39: a 17 MiB manifest passed this gate).
  if (const FileState* f = pack.file(kManifest);
      pack.manifest_state() == ManifestState::Unreadable && f != nullptr && f->hashed) {
    Finding u = gate_info().finding("manifest.too_large", std::string(kManifest),
                                    "manifest.json could not be loaded: " + pack.json(kManifest).read_error);
    u.expected = "at most " + std::to_string(kKeepFileBytes >> 20) + " MiB";
    u.actual = std::to_string(f->stamp.size) + " bytes";
    sink.report(std::move(u));
    return;
  }
  const rapidjson::Value* m = pack.manifest();
  if (m == nullptr) return;
  check_layout_and_status(*m, sink);
  check_schema(*m, sink);
  check_paths(pack, *m, sink);
}

// A manifest.json below the pack's root, beside artifacts/, integrity/ or
// timeline/ (the folders discovery takes for a pack), marks a pack inside this one. A
// check of a tree finds packs beside each other, never inside one: such a
// pack would never be checked on its own (nor compared by DET-01 or
// EVIDENCE-REUSE-01), while a tool that indexes directories would take it
// for a pack (QA-33: a relabelled copy hid in reports/old/run2).
void check_nested(const Pack& pack, FindingSink& sink) {
  constexpr std::string_view kNested = "/manifest.json";
  for (const Entry& e : pack.entries()) {
    const std::string_view p = e.path;
    if (e.type != EntryType::Regular || p.size() <= kNested.size() ||
        p.compare(p.size() - kNested.size(), kNested.size(), kNested) != 0)
      continue;
    const std::string dir(p.substr(0, p.size() - kNested.size()));
    // A manifest.json beside pack folders: a web app's or an extension's
    // manifest.json alone is an artifact, not a pack.
    auto has_dir = [&](std::string_view sub) {
      const Entry* d = pack.find(dir + "/" + std::string(sub));
      return d != nullptr && d->type == EntryType::Directory;
    };
    if (std::none_of(kPackFolders.begin(), kPackFolders.end(), has_dir)) continue;
    Finding f = gate_info().finding("pack.nested", e.path,
                                    "a pack inside this pack (" + dir + "/ holds manifest.json): it is never checked on its own");
    f.expected = "no manifest.json below the pack's root";
    f.hint = "move " + dir + "/ beside this pack (then it is checked as a pack), or rename the file";
    sink.report(std::move(f));
  }
}

void check_walk(const Pack& pack, FindingSink& sink) {
  for (const auto& [path, reason] : pack.walk_errors()) {
    Finding f = gate_info().finding("walk.error", path, "directory could not be read: " + reason);
    f.hint = "make every directory of the pack readable";
    sink.report(std::move(f));
  }
  if (pack.truncated()) {
    Finding f = gate_info().finding("walk.truncated", "",
                                    "the pack has more than " + std::to_string(pack.limits().max_files_per_pack) +
                                        " entries; only the first were examined");
    f.expected = "at most " + std::to_string(pack.limits().max_files_per_pack) + " entries (policy limits)";
    f.hint = "split the pack, or raise limits.max_files_per_pack in the policy";
    sink.report(std::move(f));
  }
}

const GateInfo& gate_info() {
  static const GateInfo info = documented({"GATE-V2-PACK-STRUCTURE-01",
      {GateScope::Pack},
      {
          {"manifest.missing", Severity::Error, "add the manifest, or remove the stray artifacts/, integrity/ or timeline/ directory"},
          {"manifest.not_object", Severity::Error, "write the manifest as one JSON object"},
          {"manifest.too_large", Severity::Error, "a manifest is a few KiB: remove what does not belong in it"},
          {"manifest.layout_version", Severity::Error, "set \"pack_layout_version\": \"2\""},
          {"manifest.indexability", Severity::Error, "use INDEXABLE_REAL, INDEXABLE_SYNTHETIC or NON_INDEXABLE"},
          {"manifest.schema", Severity::Error, "fix the value at the JSON pointer shown"},
          {"file.missing", Severity::Error, "produce the file and re-seal the pack"},
          {"file.not_regular", Severity::Error, "replace it with a regular file"},
          {"paths.missing", Severity::Error, "add the file or correct the path"},
          {"paths.wrong_type", Severity::Error, "make the path and the pack agree (\"/\" at the end = directory)"},
          {"paths.unsafe", Severity::Error, "use a relative path inside the pack"},
          {"json.invalid", Severity::Error, "fix the file at the byte offset / line:column shown"},
          {"json.duplicate_key", Severity::Error, "keep one member per key; readers disagree on which duplicate wins"},
          {"json.unreadable", Severity::Error, "make the file readable and within limits.max_file_size"},
          {"timeline.invalid_json", Severity::Error, "write one JSON object per line"},
          {"timeline.not_object", Severity::Error, "write one JSON object per line"},
          {"timeline.bad_event", Severity::Error, "give every event string `timestamp` and `event` members"},
          {"timeline.duplicate_key", Severity::Error, "keep one member per key"},
          {"timeline.line_too_long", Severity::Error, "write one event per line, each under 16 MiB"},
          {"timeline.too_many_errors", Severity::Error, "fix the producer that wrote the timeline"},
          {"timeline.unreadable", Severity::Error, "make the file readable and within limits.max_file_size"},
          {"location.depth", Severity::Warning, "put it at data/runs/v2/<category>/<substrate_id>/<run> (get_pack_root)"},
          {"location.category", Severity::Warning, "move it under real/, synthetic/ or non-indexable/ as its status says, or fix the status"},
          {"location.substrate", Severity::Warning, "move it to its substrate's directory, or fix substrate_id"},
          {"walk.error", Severity::Error, "make every directory of the pack readable"},
          {"walk.truncated", Severity::Error, "split the pack or raise the limit in the policy"},
          {"pack.nested", Severity::Error, "move the inner pack beside this one, or rename its manifest.json"},
      }});
  return info;
}

class Gate_ : public Gate {
 public:
  const GateInfo& info() const override { return gate_info(); }

  void check_pack(const Pack& pack, const GateContext& /*ctx*/, FindingSink& sink) const override {
    check_walk(pack, sink);
    check_required(pack, sink);
    check_nested(pack, sink);
    check_manifest(pack, sink);
    pack_structure::check_json_files(info(), pack, sink);
    pack_structure::check_timeline(info(), pack, sink);
    pack_structure::check_location(info(), pack, sink);
  }
};

}  // namespace

const Gate& pack_structure_gate() {
  static const Gate_ gate;
  return gate;
}

}  // namespace mplp
