#include "core/manifest_fields.h"

#include "core/json.h"
#include "core/values.h"

namespace mplp {

std::string manifest_state_text(const Pack& pack) {
  switch (pack.manifest_state()) {
    case ManifestState::Ok: return "";
    case ManifestState::Missing: return "manifest.json is missing";
    case ManifestState::NotRegular: return "manifest.json is not a regular file";
    case ManifestState::Unreadable: return "manifest.json cannot be read";
    case ManifestState::Invalid: return "manifest.json is not valid JSON";
    case ManifestState::NotObject: return "manifest.json is not a JSON object";
  }
  return "manifest.json is unusable";
}

std::string not_real_reason(const Pack& pack) {
  const rapidjson::Value* status = member(pack.manifest(), "indexability_status");
  return "not an INDEXABLE_REAL pack (indexability_status is " + describe(status) + ")";
}

const rapidjson::Value* real_manifest_or_report(const Pack& pack, const GateInfo& gate, std::string_view unusable_code,
                                                FindingSink& sink) {
  const rapidjson::Value* manifest = pack.manifest();
  if (manifest == nullptr) {
    Finding f = gate.finding(unusable_code, "manifest.json", std::string(kManifestUnusable));
    f.expected = "a readable manifest.json holding a JSON object";
    f.actual = manifest_state_text(pack);
    f.hint = "fix manifest.json first (GATE-V2-PACK-STRUCTURE-01 says what is wrong with it)";
    sink.report(std::move(f));
    return nullptr;
  }
  if (!pack.is_real()) {
    sink.skip(not_real_reason(pack));
    return nullptr;
  }
  return manifest;
}

std::string describe(const rapidjson::Value* v) { return v == nullptr ? "missing" : to_compact_json(*v); }

std::string child(std::string_view parent, std::string_view key) {
  return std::string(parent) + "/" + json_pointer_token(key);
}

std::string name_of(std::string_view pointer) {
  std::string out(pointer.substr(pointer.empty() ? 0 : 1));
  for (char& ch : out)
    if (ch == '/') ch = '.';
  return out;
}

void FieldChecker::report(std::string_view code, std::string where, std::string message, std::string expected,
                          std::string actual, std::string_view hint) {
  Finding f = gate_.finding(code, file_, std::move(message));
  f.location.pointer = std::move(where);
  f.expected = std::move(expected);
  f.actual = std::move(actual);
  f.hint = std::string(hint);
  sink_.report(std::move(f));
}

const rapidjson::Value* FieldChecker::object(const rapidjson::Value* obj, std::string_view parent,
                                             std::string_view key, std::string_view code, std::string_view hint) {
  const rapidjson::Value* v = member(obj, key);
  if (v != nullptr && v->IsObject()) return v;
  std::string where = child(parent, key);
  report(code, where, name_of(where) + (v == nullptr ? " is missing" : " is not an object"),
         "a JSON object", describe(v), hint);
  return nullptr;
}

namespace {

// " is missing" / " is null" / " is not a string" / " is a placeholder", or
// "" for a real string.
std::string_view what_is_wrong(const rapidjson::Value* v) {
  if (v == nullptr) return " is missing";
  if (v->IsNull()) return " is null";
  if (!v->IsString()) return " is not a string";
  if (is_placeholder(v)) return " is a placeholder";
  return "";
}

}  // namespace

std::optional<std::string_view> FieldChecker::text_value(const rapidjson::Value* v, const std::string& pointer,
                                                         std::string_view code, std::string_view hint) {
  std::string_view what = what_is_wrong(v);
  if (what.empty()) return as_view(*v);
  report(code, pointer, name_of(pointer) + std::string(what),
         "a real value (not empty, unknown, pending, none, null, placeholder, n/a or tbd)", describe(v), hint);
  return std::nullopt;
}

std::optional<std::string_view> FieldChecker::text(const rapidjson::Value* obj, std::string_view parent,
                                                   std::string_view key, std::string_view code,
                                                   std::string_view hint) {
  return text_value(member(obj, key), child(parent, key), code, hint);
}

std::optional<std::string_view> FieldChecker::matching(const rapidjson::Value* obj, std::string_view parent,
                                                       std::string_view key, bool (*valid)(std::string_view),
                                                       std::string_view expected, std::string_view code,
                                                       std::string_view hint) {
  const rapidjson::Value* v = member(obj, key);
  std::string what(what_is_wrong(v));
  if (what.empty()) {
    std::string_view s = as_view(*v);
    if (valid(s)) return s;
    what = " is not " + std::string(expected);
  }
  std::string where = child(parent, key);
  report(code, where, name_of(where) + what, std::string(expected), describe(v), hint);
  return std::nullopt;
}

}  // namespace mplp
