// Fuzzes schema validation (core/schema.h) of a manifest: the input is parsed
// with parse_json and, when it parses, validated against the embedded
// manifest.v2 schema (valijson with our RE2 pattern and key-order keywords).
// Invariants: validation never throws; every error pointer is a JSON pointer
// that resolves in the document; a document the schema accepts is an object
// holding every root `required` key with the `const`/`enum` values it names.
#include <string>

#include "core/json.h"
#include "core/schema.h"
#include "fuzz_util.h"

using mplp::fuzz::as_text;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  mplp::JsonDoc doc;
  if (!mplp::parse_json(as_text(data, size), {.max_depth = 64}, doc)) return 0;
  std::vector<mplp::SchemaError> errors = mplp::validate_with_schema("manifest.v2", doc.value);
  for (const mplp::SchemaError& e : errors) {
    FUZZ_CHECK(!e.message.empty(), e.pointer);
    FUZZ_CHECK(e.pointer.empty() || e.pointer[0] == '/', e.pointer);
    // A missing required member is reported at its parent, so the pointer
    // itself (not necessarily a child) must resolve.
    FUZZ_CHECK(mplp::fuzz::resolve_pointer(doc.value, e.pointer) != nullptr, e.pointer + ": " + e.message);
  }
  if (!errors.empty()) return 0;
  FUZZ_CHECK(doc.value.IsObject(), "schema accepted a non-object manifest");
  const rapidjson::Value* layout = mplp::string_member(&doc.value, "pack_layout_version");
  FUZZ_CHECK(layout != nullptr && mplp::as_view(*layout) == "2", "schema accepted a bad pack_layout_version");
  const rapidjson::Value* id = mplp::string_member(&doc.value, "pack_id");
  FUZZ_CHECK(id != nullptr && id->GetStringLength() > 0, "schema accepted a bad pack_id");
  const rapidjson::Value* status = mplp::string_member(&doc.value, "indexability_status");
  FUZZ_CHECK(status != nullptr, "schema accepted a missing indexability_status");
  std::string_view s = mplp::as_view(*status);
  FUZZ_CHECK(s == "INDEXABLE_REAL" || s == "INDEXABLE_SYNTHETIC" || s == "NON_INDEXABLE", s);
  return 0;
}
