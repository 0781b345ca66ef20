#include "engine/report_json.h"

namespace mplp {

std::string json_text(const rapidjson::Value& obj, const char* key) {
  const rapidjson::Value* v = string_member(&obj, key);
  return v != nullptr ? std::string(as_view(*v)) : std::string();
}

std::uint64_t json_number(const rapidjson::Value& obj, const char* key) {
  const rapidjson::Value* v = member(&obj, key);
  return v != nullptr && v->IsUint64() ? v->GetUint64() : 0;
}

Finding finding_from_json(const rapidjson::Value& f) {
  Finding x;
  if (!parse_severity(json_text(f, "severity"), x.severity)) x.severity = Severity::Error;
  x.code = json_text(f, "code");
  x.file = json_text(f, "file");
  x.location.line = json_number(f, "line");
  x.location.column = json_number(f, "column");
  x.location.pointer = json_text(f, "pointer");
  x.location.has_offset = member(&f, "offset") != nullptr;
  x.location.offset = json_number(f, "offset");
  x.message = json_text(f, "message");
  x.detail = json_text(f, "detail");
  x.expected = json_text(f, "expected");
  x.actual = json_text(f, "actual");
  x.hint = json_text(f, "hint");
  x.diff_with = json_text(f, "diff_with");
  x.suppressed = json_text(f, "suppressed");
  const rapidjson::Value* b = member(&f, "baseline");
  x.baseline = b != nullptr && b->IsBool() && b->GetBool();
  return x;
}

namespace {

// Why a finding of a report cannot be one mplp-gate wrote, or "": a
// severity it does not know, no code, a place number that is no count
// (negative, fractional, or past 2^53, where JSON readers lose digits).
std::string finding_problem(const rapidjson::Value& f) {
  Severity s;
  if (!f.IsObject() || !parse_severity(json_text(f, "severity"), s))
    return "a finding whose severity is not error, warning or info";
  if (json_text(f, "code").empty()) return "a finding without a code";
  for (const char* key : {"line", "column", "offset"})
    if (const rapidjson::Value* n = member(&f, key);
        n != nullptr && (!n->IsUint64() || n->GetUint64() > (std::uint64_t{1} << 53)))
      return std::string("a finding whose ") + key + " is not a count";
  return "";
}

bool status_of(std::string_view s, GateStatus& out) {
  for (GateStatus v : {GateStatus::Pass, GateStatus::Fail, GateStatus::Skip})
    if (to_string(v) == s) return out = v, true;
  return false;
}

}  // namespace

bool pack_from_json(const rapidjson::Value& p, PackResult& out, std::string& error) {
  const rapidjson::Value* gates = member(&p, "gates");
  const rapidjson::Value* unverified = member(&p, "not_verified");
  if (!p.IsObject() || string_member(&p, "path") == nullptr || gates == nullptr || !gates->IsArray() ||
      unverified == nullptr || !unverified->IsArray()) {
    error = "a pack without path, not_verified and gates";
    return false;
  }
  out = PackResult{};
  out.path = json_text(p, "path");
  out.indexability = json_text(p, "indexability_status");
  for (const rapidjson::Value& u : unverified->GetArray())
    out.not_verified.push_back({json_text(u, "check"), json_text(u, "reason")});
  for (const rapidjson::Value& g : gates->GetArray()) {
    const rapidjson::Value* findings = member(&g, "findings");
    GateResult r;
    r.gate_id = json_text(g, "id");
    if (findings == nullptr || !findings->IsArray() || !status_of(json_text(g, "status"), r.status)) {
      error = "pack " + out.path + ": a gate without a status and a findings list";
      return false;
    }
    r.skip_reason = json_text(g, "reason");
    for (const rapidjson::Value& f : findings->GetArray()) {
      if (const std::string why = finding_problem(f); !why.empty()) {
        error = "pack " + out.path + ", gate " + r.gate_id + ": " + why;
        return false;
      }
      r.findings.push_back(finding_from_json(f));
      r.findings.back().gate_id = r.gate_id;
    }
    out.gates.push_back(std::move(r));
  }
  return true;
}

}  // namespace mplp
