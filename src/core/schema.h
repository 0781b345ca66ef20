// JSON Schema (draft-7) validation of untrusted documents, through valijson.
//
// Our schemas live in schemas/ and are compiled into the binary. Before
// valijson sees a schema, every `pattern` is rewritten to a keyword of ours
// that is evaluated with RE2 (valijson's std::regex crashes on long input and
// backtracks on crafted input); `patternProperties` and `format` are refused
// for the same reason. Two keywords of our own state rules draft-7 cannot:
//
//   "x-mplp-key-order": {"keys": ["os", "arch"], "optional_last": ["generated_at"]}
//       the object's keys are exactly `keys` in that order, optionally
//       followed by the `optional_last` keys in their order.
//   "x-mplp-typed-digest": "sha256"
//       the string is "sha256:" followed by 64 lowercase hex digits.
//
//   auto errors = validate_with_schema("manifest.v2", doc.value);
//   for (const SchemaError& e : errors) ... e.pointer, e.message
//
// Schema names are the file names in schemas/ without ".schema.json".
// Duplicate keys are not seen here: parse_json reports them.
#pragma once

#include <rapidjson/document.h>

#include <string>
#include <string_view>
#include <vector>

namespace mplp {

struct SchemaError {
  std::string pointer;  // JSON pointer of the offending value ("" = root)
  std::string message;
};

// Validates `doc` against the embedded schema `name`. Thread-safe. Throws
// std::logic_error when `name` is not an embedded schema (a programming error).
// One error per defect (best match): a failed oneOf/anyOf gives its most
// specific leaf, not valijson's trail of combinator and branch messages.
std::vector<SchemaError> validate_with_schema(std::string_view name, const rapidjson::Value& doc);

// Validates against a schema given as JSON text (tests use this).
std::vector<SchemaError> validate_with_schema_text(std::string_view schema_json, const rapidjson::Value& doc);

}  // namespace mplp
