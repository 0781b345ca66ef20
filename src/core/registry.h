// The substrate registry (producers/_registry/substrates.v2.yaml): which
// substrates exist and which runner each one uses.
//
//   SubstrateRegistry reg;
//   std::string err;
//   if (!load_registry_file(path, reg, err)) { /* err names file, line and key */ }
//   if (reg.has_runner("node-20")) ...
#pragma once

#include <rapidjson/document.h>

#include <map>
#include <string>
#include <string_view>
#include <vector>

namespace mplp {

struct RegistryRunner {
  std::string runner_id;
  std::string base_image;
  std::string dockerfile;
  int line = 0;  // 1-based line of the entry in the YAML file
};

struct RegistrySubstrate {
  std::string substrate_id;
  std::string runner_id;
  std::string lock_kind;  // "" when absent
  int line = 0;
  std::string display_name;  // "" when absent
};

struct SubstrateRegistry {
  std::string source;  // file name, for messages
  std::string sha256;  // of the YAML text it was read from
  std::vector<RegistrySubstrate> substrates;
  std::vector<RegistryRunner> runners;  // the `runners:` section
  rapidjson::Document as_json;          // the YAML as JSON, for schema validation
  std::map<std::string, int> lines;     // JSON pointer -> line, for findings

  // True when `id` is listed in the `runners:` section.
  bool has_runner(std::string_view id) const;
  // The first substrate entry with this id, or nullptr.
  const RegistrySubstrate* find_substrate(std::string_view id) const;
  // Line of `pointer`, or of its nearest ancestor that has one (0 = unknown).
  int line_of(std::string pointer) const;
};

// Loads leniently: YAML syntax errors fail (with file:line:col); shape
// problems are left for the schema (SUBSTRATE-REGISTRY-01) to report.
bool parse_registry(std::string_view yaml, const std::string& source, SubstrateRegistry& out, std::string& error);
bool load_registry_file(const std::string& path, SubstrateRegistry& out, std::string& error);

// Validates a loaded registry against schemas/substrate-registry.v2.schema.json.
// False when it does not match, with `error` naming the file, line and JSON
// pointer of the first violation ("reg.yaml:3: /runners/0: ..."), and how
// many more there are. A substrate or runner id listed twice is an error
// too: lookups take the first, so the verdict would hang on the order of the
// entries. For callers that use the registry (pack checks); the runners
// check reports each violation as a finding instead.
bool check_registry_schema(const SubstrateRegistry& reg, std::string& error);

}  // namespace mplp
