// Fuzzes the substrate registry loader (core/registry.h parse_registry) and
// the schema check SUBSTRATE-REGISTRY-01 runs on it. Invariants on success:
// every runner listed is found by has_runner; entries mirror the JSON form;
// schema validation never throws and its pointers are valid.
#include "core/json.h"
#include "core/registry.h"
#include "core/schema.h"
#include "fuzz_util.h"

using mplp::fuzz::as_text;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  mplp::SubstrateRegistry reg;
  std::string error;
  if (!mplp::parse_registry(as_text(data, size), "substrates.v2.yaml", reg, error)) {
    FUZZ_CHECK(error.rfind("substrates.v2.yaml", 0) == 0, error);
    return 0;
  }
  FUZZ_CHECK(reg.source == "substrates.v2.yaml", reg.source);
  for (const mplp::RegistryRunner& r : reg.runners) {
    FUZZ_CHECK(reg.has_runner(r.runner_id), r.runner_id);
    FUZZ_CHECK(r.line >= 0, r.runner_id);
  }
  const rapidjson::Value* subs = mplp::member(reg.as_json, "substrates");
  std::size_t objects = 0;
  if (subs != nullptr && subs->IsArray())
    for (const auto& s : subs->GetArray()) objects += s.IsObject() ? 1 : 0;
  FUZZ_CHECK(objects == reg.substrates.size(), "substrates do not mirror the JSON form");
  for (const mplp::SchemaError& e : mplp::validate_with_schema("substrate-registry.v2", reg.as_json)) {
    FUZZ_CHECK(mplp::fuzz::resolve_pointer(reg.as_json, e.pointer) != nullptr, e.pointer + ": " + e.message);
  }
  return 0;
}
