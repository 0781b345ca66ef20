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
//   for (const SchemaError& e : errors) ... e.pointer, e.rule, e.property, e.message
//
// Schema names are the file names in schemas/ without ".schema.json".
// Duplicate keys are not seen here: parse_json reports them.
#pragma once

#include <rapidjson/document.h>

#include <string>
#include <string_view>
#include <vector>

namespace mplp {

// The rule of the schema that a value broke. valijson 1.0 (Debian 12)
// reports an error as a context (the path to the value) and an English
// description only; schema.cpp alone names the rule, from the fixed opening
// words that valijson's ValidationVisitor (or our own keyword) writes for
// it, so that callers decide on the rule and never on the English.
enum class SchemaRule {
  Type,                  // `type`
  Required,              // `required`: `property` names the missing member
  AdditionalProperties,  // `additionalProperties: false`: `property` names the unexpected member
  Enum,                  // `enum`
  Const,                 // `const`
  Not,                   // `not`
  Pattern,               // `pattern` (evaluated with RE2)
  KeyOrder,              // x-mplp-key-order
  TypedDigest,           // x-mplp-typed-digest
  Bounds,                // minLength, maxItems, minimum, multipleOf, uniqueItems, additionalItems ...
  Dependency,            // `dependencies` (a member requires another)
  Subschema,             // roll-up: a combinator, `items` or a sub-schema failed; its own errors say why
  Member,                // roll-up: the schema of a member failed; the member's errors say why
  Other,                 // a description this version of valijson was not known to write
};

struct SchemaError {
  std::string pointer;  // JSON pointer of the offending value ("" = root)
  SchemaRule rule = SchemaRule::Other;
  std::string property;  // the member that Required or AdditionalProperties names
  std::string message;   // valijson's description (or our keyword's), for people only
  // A roll-up repeats the failure of what it contains.
  bool roll_up() const { return rule == SchemaRule::Subschema || rule == SchemaRule::Member; }
};

// Validates `doc` against the embedded schema `name`. Thread-safe. Throws
// std::logic_error when `name` is not an embedded schema (a programming error).
// One error per defect (best match): a failed oneOf/anyOf gives its most
// specific leaf, not valijson's trail of combinator and branch messages.
std::vector<SchemaError> validate_with_schema(std::string_view name, const rapidjson::Value& doc);

// The first error that is no roll-up (errors must not be empty), in plain
// words for a message about a file: "at /a/0/b: the member \"x\" is
// missing", "at /c: found an array, which is not the type expected here",
// "at the top level: ...".
std::string describe_schema_error(const std::vector<SchemaError>& errors, const rapidjson::Value& doc);

// Validates against a schema given as JSON text (tests use this).
std::vector<SchemaError> validate_with_schema_text(std::string_view schema_json, const rapidjson::Value& doc);

// The rule (and named member) of a valijson description at `pointer`: what
// validate_with_schema does with each error valijson reports (public for
// tests, which pin every description valijson writes to its rule).
SchemaError classify_schema_error(std::string pointer, std::string description);

}  // namespace mplp
