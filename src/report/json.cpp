// The JSON report (schemas/gate-report.schema.json): stable key order, sorted
// packs and findings, no timestamps, packs named relative to the checked root:
// same input, same bytes, from any working directory (receipts record its
// digest).
#include "core/json_write.h"
#include "core/text.h"
#include "engine/shard.h"
#include "report/common.h"
#include "report/render.h"

namespace mplp {

namespace {

using Writer = JsonWriter;

// Every string goes through write_json_string (core/text.h): pack contents
// may hold any bytes.
void kv(Writer& w, const char* key, std::string_view value) {
  w.Key(key);
  write_json_string(w, value);
}

void kv_if(Writer& w, const char* key, const std::string& value) {
  if (!value.empty()) kv(w, key, value);
}

void write_finding(Writer& w, const Finding& f) {
  w.StartObject();
  kv(w, "severity", to_string(f.severity));
  kv(w, "code", f.code);
  kv(w, "file", f.file);
  if (f.location.line > 0) {
    w.Key("line");
    w.Uint64(f.location.line);
  }
  if (f.location.column > 0) {
    w.Key("column");
    w.Uint64(f.location.column);
  }
  kv_if(w, "pointer", f.location.pointer);
  if (f.location.has_offset) {
    w.Key("offset");
    w.Uint64(f.location.offset);
  }
  kv(w, "message", f.message);
  kv_if(w, "detail", f.detail);
  kv_if(w, "expected", f.expected);
  kv_if(w, "actual", f.actual);
  kv_if(w, "hint", f.hint);
  kv_if(w, "diff_with", f.diff_with);
  kv_if(w, "suppressed", f.suppressed);
  if (f.baseline) {
    w.Key("baseline");
    w.Bool(true);
  }
  w.EndObject();
}

// The keys every report opens with, up to and including "result".
void write_head(Writer& w, const RenderOptions& options, bool strict, const char* result) {
  kv(w, "schema_version", "1");
  w.Key("tool");
  w.StartObject();
  kv(w, "name", "mplp-gate");
  kv(w, "version", options.tool_version);
  w.EndObject();
  w.Key("strict");
  w.Bool(strict);
  w.Key("result");
  w.String(result);
}

// The policy the run used (name and SHA-256 of its YAML) and its warnings.
void write_policy(Writer& w, const RunReport& report) {
  w.Key("policy");
  w.StartObject();
  kv(w, "name", report.info.policy_name.empty() ? "builtin" : report.info.policy_name);
  kv(w, "sha256", report.info.policy_sha256);
  w.EndObject();
  w.Key("warnings");
  w.StartArray();
  for (const std::string& warning : report.warnings) write_json_string(w, warning);
  w.EndArray();
}

void write_summary(Writer& w, std::size_t packs, std::size_t failed, const RunReport::Counts& c) {
  w.Key("summary");
  w.StartObject();
  w.Key("packs");
  w.Uint64(packs);
  w.Key("failed_packs");
  w.Uint64(failed);
  w.Key("errors");
  w.Uint64(c.errors);
  w.Key("warnings");
  w.Uint64(c.warnings);
  w.Key("infos");
  w.Uint64(c.infos);
  w.Key("suppressed");
  w.Uint64(c.suppressed);
  w.EndObject();
}

void strings(Writer& w, const char* key, const std::vector<std::string>& values) {
  w.Key(key);
  w.StartArray();
  for (const std::string& v : values) write_json_string(w, v);
  w.EndArray();
}

// A string of the shard section that `merge` needs byte for byte (the report
// proper shows other bytes than valid UTF-8 as U+FFFD).
void exact(Writer& w, const std::string& key, std::string_view value) { write_exact(w, key, value); }

// The strings of a pack's results that the report proper could not hold
// exactly (not valid UTF-8): gate index, finding index (-1: the gate's skip
// reason), field, bytes.
void write_raw(Writer& w, const PackResult& p) {
  bool any = false;
  auto one = [&](std::size_t gate, long finding, const char* field, const std::string& value) {
    if (is_valid_utf8(value)) return;
    if (!any) {
      w.Key("raw");
      w.StartArray();
      any = true;
    }
    w.StartObject();
    w.Key("gate");
    w.Uint64(gate);
    w.Key("finding");
    w.Int64(finding);
    kv(w, "field", field);
    exact(w, "value", value);
    w.EndObject();
  };
  for (std::size_t g = 0; g < p.gates.size(); ++g) {
    one(g, -1, "reason", p.gates[g].skip_reason);
    for (std::size_t i = 0; i < p.gates[g].findings.size(); ++i) {
      const Finding& f = p.gates[g].findings[i];
      const long n = static_cast<long>(i);
      for (auto [field, value] : {std::pair{"file", &f.file}, {"pointer", &f.location.pointer}, {"message", &f.message},
                                  {"detail", &f.detail}, {"expected", &f.expected}, {"actual", &f.actual},
                                  {"hint", &f.hint}, {"diff_with", &f.diff_with}})
        one(g, n, field, *value);
    }
  }
  if (any) w.EndArray();
}

// `check --shard K/N` only: what `merge` needs to finish the run as one
// unsharded run would (engine/shard.h). Never in an unsharded or merged report.
void write_shard(Writer& w, const RunReport& report) {
  const ShardSection& s = *report.shard;
  w.Key("shard");
  w.StartObject();
  w.Key("index");
  w.Uint(s.spec.index);
  w.Key("count");
  w.Uint(s.spec.count);
  w.Key("paths");
  w.StartArray();
  for (const std::string& p : s.paths) {
    w.StartObject();
    exact(w, "path", p);
    w.EndObject();
  }
  w.EndArray();
  w.Key("run");
  w.StartObject();
  w.Key("require_signature");
  w.Bool(report.info.require_signature);
  strings(w, "trusted_keys", report.info.trusted_keys);
  kv(w, "registry_sha256", report.info.registry_sha256);
  w.Key("repo_root");
  w.Bool(report.info.repo_root);
  w.Key("absolute_paths");
  w.Bool(report.info.absolute_paths);
  strings(w, "only_gates", report.info.only_gates);
  strings(w, "skip_gates", report.info.skip_gates);
  w.EndObject();
  exact(w, "policy_source", s.policy_source);
  kv(w, "policy_yaml", s.policy_yaml);
  kv(w, "found_sha256", s.found_sha256);
  w.Key("inputs");
  w.StartArray();
  for (const auto& [name, what] : s.inputs) {
    w.StartObject();
    exact(w, "name", name);
    exact(w, "found", what);
    w.EndObject();
  }
  w.EndArray();
  if (s.has_baseline) strings(w, "baseline", s.baseline);
  w.Key("packs");
  w.StartArray();
  for (std::size_t i = 0; i < s.packs.size(); ++i) {
    const ShardPack& p = s.packs[i];
    w.StartObject();
    exact(w, "name", p.name);
    exact(w, "path", p.path);
    w.Key("compared");
    w.Bool(p.compared);
    if (p.compared) {  // each gate's summary, as engine/shard.h describes
      w.Key("summaries");
      w.StartObject();
      for (const auto& [gate, summary] : p.summaries) {
        w.Key(gate.c_str());
        w.StartObject();
        if (auto what = p.summary_errors.find(gate); what != p.summary_errors.end()) exact(w, "error", what->second);
        if (summary) {
          w.Key("summary");
          w.StartObject();
          summary->write_json(w);
          w.EndObject();
        }
        w.EndObject();
      }
      w.EndObject();
    }
    w.Key("omitted");
    w.StartObject();
    for (const auto& [gate, counts] : p.omitted) {
      w.Key(gate.c_str());
      w.StartArray();
      for (std::size_t n : counts.by_severity) w.Uint64(n);
      for (std::size_t n : counts.accepted) w.Uint64(n);
      w.EndArray();
    }
    w.EndObject();
    if (!p.omitted_suppressions.empty()) {
      w.Key("omitted_suppressions");
      w.StartArray();
      for (std::size_t i : p.omitted_suppressions) w.Uint64(i);
      w.EndArray();
    }
    write_raw(w, report.packs[i]);
    w.EndObject();
  }
  w.EndArray();
  w.EndObject();
}

}  // namespace

void render_json_error(std::string_view message, const RenderOptions& options, std::ostream& out) {
  InertJsonStream os(out);
  Writer w(os);
  w.SetIndent(' ', 2);
  w.StartObject();
  write_head(w, options, false, "error");
  w.Key("error");
  w.StartObject();
  kv(w, "message", message);
  w.Key("exit_code");
  w.Int(2);
  w.EndObject();
  write_summary(w, 0, 0, RunReport::Counts{});
  w.Key("gates");
  w.StartArray();
  w.EndArray();
  w.Key("packs");
  w.StartArray();
  w.EndArray();
  w.EndObject();
  os.Flush();
  out << "\n";
}

void render_json(const RunReport& report, const RenderOptions& options, std::ostream& out) {
  InertJsonStream os(out);
  Writer w(os);
  w.SetIndent(' ', 2);
  std::size_t failed = 0;
  for (const PackResult& p : report.packs) failed += p.failed() ? 1 : 0;
  w.StartObject();
  write_head(w, options, report.strict, exit_code(report) == 0 ? "pass" : "fail");
  write_policy(w, report);
  write_summary(w, report.packs.size(), failed, report.counts());
  if (options.statistics) {
    w.Key("statistics");
    w.StartArray();
    for (const report::CodeCount& k : report::code_counts(report)) {
      w.StartObject();
      kv(w, "code", k.code);
      kv(w, "gate", k.gate_id);
      kv(w, "severity", to_string(k.severity));
      w.Key("count");
      w.Uint64(k.count);
      w.EndObject();
    }
    w.EndArray();
  }
  w.Key("gates");
  w.StartArray();
  for (const Gate* g : report.gates) {
    w.StartObject();
    kv(w, "id", g->info().id);
    kv(w, "title", g->info().title);
    kv(w, "scope", to_string(g->info().scopes.primary()));
    w.EndObject();
  }
  w.EndArray();
  w.Key("packs");
  w.StartArray();
  for (const PackResult& p : report.packs) {
    w.StartObject();
    // Root-relative names (the same bytes from any working directory), unless
    // absolute paths were asked for.
    kv(w, "path", report.info.absolute_paths ? p.path : p.name);
    kv_if(w, "indexability_status", p.indexability);
    kv(w, "result", p.failed() ? "fail" : "pass");
    w.Key("not_verified");
    w.StartArray();
    for (const Unverified& u : p.not_verified) {
      w.StartObject();
      kv(w, "check", u.check);
      kv(w, "reason", u.reason);
      w.EndObject();
    }
    w.EndArray();
    w.Key("gates");
    w.StartArray();
    for (const GateResult& g : p.gates) {
      w.StartObject();
      kv(w, "id", g.gate_id);
      kv(w, "status", to_string(g.status));
      kv_if(w, "reason", g.skip_reason);
      w.Key("findings");
      w.StartArray();
      for (const Finding& f : g.findings) write_finding(w, f);
      w.EndArray();
      w.EndObject();
    }
    w.EndArray();
    w.EndObject();
  }
  w.EndArray();
  if (report.shard) write_shard(w, report);
  w.EndObject();
  os.Flush();
  out << "\n";
}

}  // namespace mplp
