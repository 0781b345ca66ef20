#include "core/registry.h"

#include <map>

#include "core/digest.h"
#include "core/json.h"
#include "core/safe_fs.h"
#include "core/schema.h"
#include "core/yaml_json.h"

namespace mplp {

namespace {

std::string string_at(const rapidjson::Value& obj, std::string_view key) {
  const rapidjson::Value* v = string_member(&obj, key);
  return v != nullptr ? std::string(as_view(*v)) : std::string();
}

}  // namespace

bool SubstrateRegistry::has_runner(std::string_view id) const {
  for (const RegistryRunner& r : runners)
    if (r.runner_id == id) return true;
  return false;
}

const RegistrySubstrate* SubstrateRegistry::find_substrate(std::string_view id) const {
  for (const RegistrySubstrate& s : substrates)
    if (s.substrate_id == id) return &s;
  return nullptr;
}

int SubstrateRegistry::line_of(std::string pointer) const {
  for (;;) {
    auto it = lines.find(pointer);
    if (it != lines.end()) return it->second;
    if (pointer.empty()) return 0;
    pointer.erase(pointer.rfind('/'));
  }
}

namespace {

// "reg.yaml:9: substrate 'mcp' is listed twice (first at line 3)", or "".
template <class Entry, class IdOf>
std::string listed_twice(const std::vector<Entry>& entries, const std::string& source, const char* what, IdOf id_of) {
  std::map<std::string_view, int> first_line;
  for (const Entry& e : entries) {
    const std::string& id = id_of(e);
    if (id.empty()) continue;  // the schema's error
    auto [it, fresh] = first_line.emplace(id, e.line);
    if (!fresh)
      return source + ":" + std::to_string(e.line) + ": invalid substrate registry: " + what + " '" + id +
             "' is listed twice (first at line " + std::to_string(it->second) + "); list it once";
  }
  return "";
}

}  // namespace

bool check_registry_schema(const SubstrateRegistry& reg, std::string& error) {
  std::vector<SchemaError> errors = validate_with_schema("substrate-registry.v2", reg.as_json);
  if (errors.empty()) {
    error = listed_twice(reg.substrates, reg.source, "substrate", [](const RegistrySubstrate& s) -> const std::string& {
      return s.substrate_id;
    });
    if (error.empty())
      error = listed_twice(reg.runners, reg.source, "runner",
                           [](const RegistryRunner& r) -> const std::string& { return r.runner_id; });
    return error.empty();
  }
  const SchemaError& first = errors.front();
  error = reg.source;
  if (int line = reg.line_of(first.pointer); line > 0) error += ":" + std::to_string(line);
  error += ": invalid substrate registry: " + describe_schema_error(errors, reg.as_json);
  return false;
}

bool parse_registry(std::string_view yaml, const std::string& source, SubstrateRegistry& out, std::string& error) {
  YamlJson y;
  if (!yaml_to_json(yaml, source, y, error)) return false;
  out.source = source;
  out.sha256 = sha256_hex(yaml);
  out.substrates.clear();
  out.runners.clear();
  const rapidjson::Value& root = y.doc;
  if (const rapidjson::Value* subs = member(root, "substrates"); subs != nullptr && subs->IsArray()) {
    for (rapidjson::SizeType i = 0; i < subs->Size(); ++i) {
      const rapidjson::Value& s = (*subs)[i];
      if (!s.IsObject()) continue;
      out.substrates.push_back({string_at(s, "substrate_id"), string_at(s, "runner_id"), string_at(s, "lock_kind"),
                                y.line_of("/substrates/" + std::to_string(i)), string_at(s, "display_name")});
    }
  }
  if (const rapidjson::Value* rs = member(root, "runners"); rs != nullptr && rs->IsArray()) {
    for (rapidjson::SizeType i = 0; i < rs->Size(); ++i) {
      const rapidjson::Value& r = (*rs)[i];
      if (!r.IsObject()) continue;
      out.runners.push_back({string_at(r, "runner_id"), string_at(r, "base_image"), string_at(r, "dockerfile"),
                             y.line_of("/runners/" + std::to_string(i))});
    }
  }
  out.as_json.SetNull();
  out.as_json.CopyFrom(y.doc, out.as_json.GetAllocator());
  out.lines = std::move(y.lines);
  return true;
}

bool load_registry_file(const std::string& path, SubstrateRegistry& out, std::string& error) {
  std::string text;
  if (!read_file(path, 16 * 1024 * 1024, text, error)) return false;
  return parse_registry(text, path, out, error);
}

}  // namespace mplp
