// SARIF 2.1.0: one run; tool.driver carries one rule per gate that ran (its
// description, help and fixes come from the gate's GateInfo), and every
// finding becomes one result pointing at its file relative to the checked
// root. Same input, same bytes: no timestamps, no absolute paths unless the
// report has them, fingerprints computed from the finding alone.
#include <map>

#include <rapidjson/prettywriter.h>

#include "core/digest.h"
#include "core/json_write.h"
#include "core/text.h"
#include "report/common.h"
#include "report/render.h"

namespace mplp {

namespace {

using Writer = JsonWriter;

constexpr const char* kSchema = "https://json.schemastore.org/sarif-2.1.0.json";
constexpr const char* kInformationUri = "https://github.com/mplp-protocol/validation-lab";
// The root every artifact URI is relative to: the directory `check` ran in.
constexpr const char* kUriBase = "%SRCROOT%";

void str(Writer& w, std::string_view value) { write_json_string(w, value); }

void kv(Writer& w, const char* key, std::string_view value) {
  w.Key(key);
  str(w, value);
}

void text_object(Writer& w, const char* key, std::string_view text) {
  w.Key(key);
  w.StartObject();
  kv(w, "text", text);
  w.EndObject();
}

// A result's message is plain text in which "[text](target)" is an embedded
// link (SARIF 2.1.0, 3.11.6): a pack's strings reach it, so every literal
// square bracket is escaped as the standard says (\[ \]), and so is every
// backslash (\\): a run of them before a bracket would otherwise pair up
// and leave the bracket unescaped. Viewers then show a stranger's
// "[click](url)" as the characters it is.
std::string message_text(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (const char c : text) {
    if (c == '[' || c == ']' || c == '\\') out += '\\';
    out += c;
  }
  return out;
}

void message_object(Writer& w, std::string_view text) { text_object(w, "message", message_text(text)); }

std::string_view level_of(Severity s) {
  switch (s) {
    case Severity::Error: return "error";
    case Severity::Warning: return "warning";
    case Severity::Info: return "note";
  }
  return "error";
}

// Prose from GateInfo, ended with a period (SARIF viewers show it as a sentence).
std::string sentence_of(std::string_view text, std::string_view fallback) {
  std::string s = printable_utf8(text.empty() ? fallback : text);
  if (!s.empty() && s.back() != '.') s += '.';
  return s;
}

// Multi-line help: keep line breaks, escape other control characters.
std::string help_line(std::string_view text) {
  std::string out;
  std::string valid = to_valid_utf8(text);
  std::size_t start = 0;
  while (start <= valid.size()) {
    std::size_t nl = valid.find('\n', start);
    if (nl == std::string::npos) nl = valid.size();
    if (start > 0) out += '\n';
    out += printable_utf8(std::string_view(valid).substr(start, nl - start));
    start = nl + 1;
  }
  return out;
}

void write_rule(Writer& w, const GateInfo& info) {
  w.StartObject();
  kv(w, "id", info.id);
  text_object(w, "shortDescription", sentence_of(info.title, info.id));
  text_object(w, "fullDescription", sentence_of(info.rationale, info.title));
  std::string help = "What it checks:\n" + help_line(info.checks.empty() ? info.title : info.checks);
  if (!info.kinds.empty()) {
    help += "\n\nHow to fix each finding:";
    for (const FindingKind& k : info.kinds)
      help += "\n- " + printable_utf8(k.code) + " (" + std::string(to_string(k.severity)) +
              "): " + sentence_of(k.summary, k.code) + (k.fix.empty() ? "" : " Fix: " + sentence_of(k.fix, ""));
  }
  help += "\n\nMore: mplp-gate explain " + std::string(info.id);
  text_object(w, "help", help);
  // The rule's default level is the most severe level its findings have.
  Severity worst = info.kinds.empty() ? Severity::Error : Severity::Info;
  for (const FindingKind& k : info.kinds)
    if (static_cast<int>(k.severity) > static_cast<int>(worst)) worst = k.severity;
  w.Key("defaultConfiguration");
  w.StartObject();
  kv(w, "level", level_of(worst));
  w.EndObject();
  w.Key("properties");
  w.StartObject();
  kv(w, "scope", to_string(info.scopes.primary()));
  w.EndObject();
  w.EndObject();
}

std::string artifact_uri(const std::string& path, bool& absolute) {
  absolute = !path.empty() && path.front() == '/';
  if (absolute) return "file://" + percent_encode_path(path);
  return percent_encode_path(path);
}

std::string fingerprint(const std::string& pack, const Finding& f, std::size_t occurrence) {
  return finding_fingerprint(pack, f, occurrence);
}

void write_location(Writer& w, const std::string& pack, const Finding& f) {
  bool absolute = false;
  std::string uri = artifact_uri(report::artifact_path(pack, f.file), absolute);
  if (f.file.empty() && uri.back() != '/') uri += '/';  // the pack directory itself
  w.Key("locations");
  w.StartArray();
  w.StartObject();
  w.Key("physicalLocation");
  w.StartObject();
  w.Key("artifactLocation");
  w.StartObject();
  kv(w, "uri", uri);
  if (!absolute) kv(w, "uriBaseId", kUriBase);
  w.EndObject();
  // Every result gets a region (the multitool's SARIF2017 asks for one, and
  // code scanning places annotations by line): the line and column when the
  // gate knew them, else the byte offset, else line 1 for a finding about the
  // whole file or a JSON pointer in it (the pointer is a logical location).
  if (!f.file.empty() || f.location.line > 0 || f.location.has_offset) {
    w.Key("region");
    w.StartObject();
    if (f.location.line > 0) {
      w.Key("startLine");
      w.Uint64(f.location.line);
      if (f.location.column > 0) {
        w.Key("startColumn");
        w.Uint64(f.location.column);
      }
    } else if (f.location.has_offset) {
      w.Key("byteOffset");
      w.Uint64(f.location.offset);
    } else {
      w.Key("startLine");
      w.Uint64(1);
    }
    w.EndObject();
  }
  w.EndObject();
  if (!f.location.pointer.empty()) {
    // A JSON pointer is a place inside the document's structure, not a line.
    w.Key("logicalLocations");
    w.StartArray();
    w.StartObject();
    kv(w, "fullyQualifiedName", f.location.pointer);
    kv(w, "kind", "value");
    w.EndObject();
    w.EndArray();
  }
  w.EndObject();
  w.EndArray();
}

// `rule_index` < 0: the gate is not among the rules (a hand-built report); the
// result still appears, named by its rule id only.
void write_result(Writer& w, long rule_index, const std::string& pack, const std::string& name, const Finding& f,
                  std::size_t occurrence, const std::string& compare) {
  w.StartObject();
  kv(w, "ruleId", f.gate_id);
  if (rule_index >= 0) {
    w.Key("ruleIndex");
    w.Uint64(static_cast<std::uint64_t>(rule_index));
  }
  kv(w, "level", level_of(f.severity));
  message_object(w, report::finding_sentence(f, compare));
  write_location(w, pack, f);
  w.Key("partialFingerprints");
  w.StartObject();
  kv(w, "mplpFindingHash/v1", fingerprint(name, f, occurrence));
  w.EndObject();
  if (!f.suppressed.empty() || f.baseline) {
    // SARIF's own words: accepted by the policy file (external), or already
    // present in the baseline report.
    w.Key("suppressions");
    w.StartArray();
    w.StartObject();
    kv(w, "kind", "external");
    kv(w, "status", "accepted");
    kv(w, "justification", f.baseline ? "present in the baseline report (--baseline)" : f.suppressed);
    w.EndObject();
    w.EndArray();
  }
  w.Key("properties");
  w.StartObject();
  kv(w, "code", f.code);
  kv(w, "pack", pack);
  if (!f.expected.empty()) kv(w, "expected", f.expected);
  if (!f.actual.empty()) kv(w, "actual", f.actual);
  w.EndObject();
  w.EndObject();
}

// Opens the log, its one run and the tool's driver (left open for "rules").
void open_run(Writer& w, const RenderOptions& options) {
  w.StartObject();
  kv(w, "$schema", kSchema);
  kv(w, "version", "2.1.0");
  w.Key("runs");
  w.StartArray();
  w.StartObject();
  w.Key("tool");
  w.StartObject();
  w.Key("driver");
  w.StartObject();
  kv(w, "name", "mplp-gate");
  kv(w, "version", options.tool_version.empty() ? "unknown" : options.tool_version);
  kv(w, "informationUri", kInformationUri);
}

void close_run(Writer& w, InertJsonStream& os, std::ostream& out) {
  w.EndObject();
  w.EndArray();
  w.EndObject();
  os.Flush();
  out << "\n";
}

}  // namespace

void render_sarif_error(std::string_view message, const RenderOptions& options, std::ostream& out) {
  InertJsonStream os(out);
  Writer w(os);
  w.SetIndent(' ', 2);
  open_run(w, options);
  w.Key("rules");
  w.StartArray();
  w.EndArray();
  w.EndObject();
  w.EndObject();
  w.Key("results");
  w.StartArray();
  w.EndArray();
  w.Key("invocations");
  w.StartArray();
  w.StartObject();
  w.Key("executionSuccessful");
  w.Bool(false);
  w.Key("exitCode");
  w.Int(2);
  w.Key("toolExecutionNotifications");
  w.StartArray();
  w.StartObject();
  kv(w, "level", "error");
  message_object(w, printable_utf8(message));
  w.EndObject();
  w.EndArray();
  w.EndObject();
  w.EndArray();
  close_run(w, os, out);
}

void render_sarif(const RunReport& report, const RenderOptions& options, std::ostream& out) {
  InertJsonStream os(out);
  Writer w(os);
  w.SetIndent(' ', 2);
  std::map<std::string_view, std::size_t> rule_index;
  for (std::size_t i = 0; i < report.gates.size(); ++i) rule_index[report.gates[i]->info().id] = i;
  bool internal_error = false;

  open_run(w, options);
  w.Key("rules");
  w.StartArray();
  for (const Gate* g : report.gates) write_rule(w, g->info());
  w.EndArray();
  w.EndObject();
  w.EndObject();
  w.Key("results");
  w.StartArray();
  std::map<std::string, std::size_t> seen;  // fingerprint base -> occurrences so far
  const auto paths = report::paths_by_name(report);
  for (const PackResult& p : report.packs)
    for (const GateResult& g : p.gates)
      for (const Finding& f : g.findings) {
        auto it = rule_index.find(f.gate_id);
        long index = it == rule_index.end() ? -1 : static_cast<long>(it->second);
        if (f.code == "internal.error") internal_error = true;
        // Fingerprinted by the pack's root-relative name: the same from any
        // working directory (--baseline matches JSON reports by it).
        const std::string& name = p.name.empty() ? p.path : p.name;
        std::size_t occurrence = seen[fingerprint(name, f, 0)]++;
        write_result(w, index, p.path, name, f, occurrence, report::diff_command(paths, p.path, f));
      }
  w.EndArray();
  w.Key("invocations");
  w.StartArray();
  w.StartObject();
  w.Key("executionSuccessful");
  w.Bool(!internal_error);
  w.Key("exitCode");
  w.Int(exit_code(report));
  if (!report.warnings.empty()) {
    w.Key("toolConfigurationNotifications");
    w.StartArray();
    for (const std::string& warning : report.warnings) {
      w.StartObject();
      kv(w, "level", "warning");
      message_object(w, printable_utf8(warning));
      w.EndObject();
    }
    w.EndArray();
  }
  w.EndObject();
  w.EndArray();
  w.Key("properties");
  w.StartObject();
  kv(w, "policy", report.info.policy_name.empty() ? "builtin" : report.info.policy_name);
  kv(w, "policySha256", report.info.policy_sha256);
  w.EndObject();
  close_run(w, os, out);
}

}  // namespace mplp
