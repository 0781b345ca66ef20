// The only translation unit that includes valijson (it is slow to compile).
#include "core/schema.h"

#include <rapidjson/pointer.h>
#include <re2/re2.h>
#include <valijson/adapters/rapidjson_adapter.hpp>
#include <valijson/constraint_builder.hpp>
#include <valijson/schema.hpp>
#include <valijson/schema_parser.hpp>
#include <valijson/validator.hpp>

#include <map>
#include <memory>
#include <mutex>
#include <new>
#include <stdexcept>

#include "core/embedded.h"
#include "core/json.h"
#include "core/values.h"

namespace mplp {

namespace {

constexpr const char* kRe2Pattern = "x-mplp-re2-pattern";
constexpr const char* kKeyOrder = "x-mplp-key-order";
constexpr const char* kTypedDigest = "x-mplp-typed-digest";

// The opening words of our keywords' descriptions (classify_schema_error
// names their rule by them).
constexpr std::string_view kPatternWords = "does not match the pattern ";
constexpr std::string_view kKeyOrderWords = "keys must be exactly ";
constexpr std::string_view kTypedDigestWords = "must be a typed digest sha256:<64 lowercase hex>";

using valijson::adapters::Adapter;
using valijson::constraints::Constraint;
using valijson::constraints::PolyConstraint;

// `pattern`, evaluated with RE2 (linear time, no crash on long input).
class Re2PatternConstraint : public PolyConstraint {
 public:
  explicit Re2PatternConstraint(std::shared_ptr<const re2::RE2> re) : re_(std::move(re)) {}
  bool validate(const Adapter& target, const std::vector<std::string>& context,
                valijson::ValidationResults* results) const override {
    std::string s;
    if (!target.isString() || !target.getString(s)) return true;  // pattern applies to strings only
    if (re2::RE2::PartialMatch(s, *re_)) return true;
    if (results != nullptr)
      results->pushError(context, std::string(kPatternWords) + re_->pattern());
    return false;
  }

 private:
  Constraint* cloneInto(void* mem) const override { return new (mem) Re2PatternConstraint(re_); }
  size_t sizeOf() const override { return sizeof(Re2PatternConstraint); }
  std::shared_ptr<const re2::RE2> re_;
};

// x-mplp-key-order: exact keys in order, optionally followed by optional_last.
class KeyOrderConstraint : public PolyConstraint {
 public:
  KeyOrderConstraint(std::vector<std::string> keys, std::vector<std::string> optional_last)
      : keys_(std::move(keys)), optional_last_(std::move(optional_last)) {}
  bool validate(const Adapter& target, const std::vector<std::string>& context,
                valijson::ValidationResults* results) const override {
    if (!target.isObject()) return true;
    std::vector<std::string> found;
    target.applyToObject([&](const std::string& name, const Adapter&) {
      found.push_back(name);
      return true;
    });
    if (matches(found)) return true;
    if (results != nullptr) {
      std::string want = join(keys_);
      if (!optional_last_.empty()) want += " (then optionally " + join(optional_last_) + ")";
      results->pushError(context, std::string(kKeyOrderWords) + want + " in that order; found " +
                                      (found.empty() ? std::string("no keys") : join(found)));
    }
    return false;
  }

 private:
  bool matches(const std::vector<std::string>& found) const {
    if (found.size() < keys_.size()) return false;
    for (std::size_t i = 0; i < keys_.size(); ++i)
      if (found[i] != keys_[i]) return false;
    std::size_t next = 0;  // optional keys must follow in their own order
    for (std::size_t i = keys_.size(); i < found.size(); ++i) {
      while (next < optional_last_.size() && optional_last_[next] != found[i]) ++next;
      if (next == optional_last_.size()) return false;
      ++next;
    }
    return true;
  }
  static std::string join(const std::vector<std::string>& v) {
    std::string out;
    for (const std::string& s : v) out += (out.empty() ? "" : ", ") + s;
    return out;
  }
  Constraint* cloneInto(void* mem) const override { return new (mem) KeyOrderConstraint(keys_, optional_last_); }
  size_t sizeOf() const override { return sizeof(KeyOrderConstraint); }
  std::vector<std::string> keys_;
  std::vector<std::string> optional_last_;
};

// x-mplp-typed-digest: "sha256:" + 64 lowercase hex.
class TypedDigestConstraint : public PolyConstraint {
 public:
  bool validate(const Adapter& target, const std::vector<std::string>& context,
                valijson::ValidationResults* results) const override {
    std::string s;
    if (!target.isString() || !target.getString(s)) return true;  // `type` reports non-strings
    if (is_typed_sha256(s)) return true;
    if (results != nullptr)
      results->pushError(context, std::string(kTypedDigestWords));
    return false;
  }

 private:
  Constraint* cloneInto(void* mem) const override { return new (mem) TypedDigestConstraint(); }
  size_t sizeOf() const override { return sizeof(TypedDigestConstraint); }
};

std::vector<std::string> string_array(const Adapter& a, const char* what) {
  std::vector<std::string> out;
  if (!a.isArray()) throw std::logic_error(std::string(kKeyOrder) + ": '" + what + "' must be an array");
  a.applyToArray([&](const Adapter& item) {
    std::string s;
    if (!item.isString() || !item.getString(s)) throw std::logic_error(std::string(kKeyOrder) + ": strings only");
    out.push_back(s);
    return true;
  });
  return out;
}

class Re2PatternBuilder : public valijson::ConstraintBuilder {
 public:
  Constraint* make(const Adapter& value) const override {
    std::string pattern;
    if (!value.isString() || !value.getString(pattern)) throw std::logic_error("pattern must be a string");
    re2::RE2::Options opts;
    opts.set_log_errors(false);
    auto re = std::make_shared<const re2::RE2>(pattern, opts);
    if (!re->ok()) throw std::logic_error("pattern '" + pattern + "' is not valid for RE2: " + re->error());
    return new Re2PatternConstraint(std::move(re));
  }
};

class KeyOrderBuilder : public valijson::ConstraintBuilder {
 public:
  Constraint* make(const Adapter& value) const override {
    if (!value.isObject()) throw std::logic_error(std::string(kKeyOrder) + " must be an object");
    std::vector<std::string> keys, optional_last;
    value.applyToObject([&](const std::string& name, const Adapter& v) {
      if (name == "keys") keys = string_array(v, "keys");
      else if (name == "optional_last") optional_last = string_array(v, "optional_last");
      else throw std::logic_error(std::string(kKeyOrder) + ": unknown member " + name);
      return true;
    });
    return new KeyOrderConstraint(std::move(keys), std::move(optional_last));
  }
};

class TypedDigestBuilder : public valijson::ConstraintBuilder {
 public:
  Constraint* make(const Adapter& value) const override {
    std::string algo;
    if (!value.isString() || !value.getString(algo) || algo != "sha256")
      throw std::logic_error(std::string(kTypedDigest) + " supports only \"sha256\"");
    return new TypedDigestConstraint();
  }
};

// Rewrites `pattern` to our RE2 keyword wherever it is a schema keyword (not
// where it is, say, a property name), and refuses keywords that would reach
// std::regex inside valijson.
void rewrite_schema(rapidjson::Value& schema, rapidjson::Document::AllocatorType& alloc);

void rewrite_map_of_schemas(rapidjson::Value& map, rapidjson::Document::AllocatorType& alloc) {
  if (!map.IsObject()) return;
  for (auto it = map.MemberBegin(); it != map.MemberEnd(); ++it) rewrite_schema(it->value, alloc);
}

void rewrite_schema(rapidjson::Value& schema, rapidjson::Document::AllocatorType& alloc) {
  if (!schema.IsObject()) return;
  for (auto it = schema.MemberBegin(); it != schema.MemberEnd(); ++it) {
    std::string_view key = as_view(it->name);
    if (key == "patternProperties" || key == "format")
      throw std::logic_error("schema keyword '" + std::string(key) +
                             "' is not supported (valijson would evaluate it with std::regex)");
    if (key == "pattern" && it->value.IsString()) {
      it->name.SetString(kRe2Pattern, alloc);
    } else if (key == "properties" || key == "definitions") {
      rewrite_map_of_schemas(it->value, alloc);
    } else if (key == "dependencies") {
      rewrite_map_of_schemas(it->value, alloc);  // array values are skipped by rewrite_schema
    } else if (key == "items" || key == "allOf" || key == "anyOf" || key == "oneOf") {
      if (it->value.IsArray())
        for (auto& s : it->value.GetArray()) rewrite_schema(s, alloc);
      else
        rewrite_schema(it->value, alloc);
    } else if (key == "additionalProperties" || key == "additionalItems" || key == "not" || key == "if" ||
               key == "then" || key == "else" || key == "contains" || key == "propertyNames") {
      rewrite_schema(it->value, alloc);
    }
  }
}

std::shared_ptr<const valijson::Schema> compile(std::string_view schema_json) {
  JsonDoc doc;
  if (!parse_json(schema_json, JsonOptions{}, doc) || !doc.duplicates.empty())
    throw std::logic_error("schema is not valid JSON: " + doc.error.message);
  rewrite_schema(doc.value, doc.value.GetAllocator());
  valijson::SchemaParser parser(valijson::SchemaParser::kDraft7);
  // The parser takes ownership of its builders and deletes them.
  parser.addConstraintBuilder(kRe2Pattern, new Re2PatternBuilder);
  parser.addConstraintBuilder(kKeyOrder, new KeyOrderBuilder);
  parser.addConstraintBuilder(kTypedDigest, new TypedDigestBuilder);
  auto schema = std::make_shared<valijson::Schema>();
  valijson::adapters::RapidJsonAdapter adapter(doc.value);
  parser.populateSchema(adapter, *schema);
  return schema;
}

// valijson context ("<root>", "[key]", "[0]") to a JSON pointer.
std::string to_pointer(const std::vector<std::string>& context) {
  std::string p;
  for (const std::string& c : context) {
    if (c == "<root>") continue;
    std::string token = (c.size() >= 2 && c.front() == '[' && c.back() == ']') ? c.substr(1, c.size() - 2) : c;
    p += "/" + json_pointer_token(token);
  }
  return p;
}

bool is_type_error(const SchemaError& e) { return e.rule == SchemaRule::Type; }

bool below(const std::string& pointer, const std::string& parent) {
  return pointer.size() > parent.size() && pointer.compare(0, parent.size(), parent) == 0 &&
         pointer[parent.size()] == '/';
}

// One finding per defect, as check-jsonschema's best match: valijson reports
// the trail of a failed combinator ("Failed to validate against any child
// schemas allowed by oneOf", "... child schema #0", each branch's errors).
// Kept: the leaves. Of a location's errors, a type mismatch is the branch
// that expected another kind of value, so it goes when the location has a
// more specific error, or errors below it say what is wrong inside; repeats
// go. Nothing is dropped when only roll-ups were reported.
std::vector<SchemaError> best_match(std::vector<SchemaError> all) {
  std::vector<SchemaError> leaves;
  for (SchemaError& e : all)
    if (!e.roll_up()) leaves.push_back(e);
  if (leaves.empty()) return all;
  std::vector<SchemaError> out;
  for (const SchemaError& e : leaves) {
    if (is_type_error(e)) {
      bool better = false;
      for (const SchemaError& o : leaves)
        better = better || (&o != &e && !is_type_error(o) && (o.pointer == e.pointer || below(o.pointer, e.pointer)));
      if (better) continue;
    }
    bool repeated = false;
    for (const SchemaError& o : out) repeated = repeated || (o.pointer == e.pointer && o.message == e.message);
    if (!repeated) out.push_back(e);
  }
  return out;
}

std::vector<SchemaError> run(const valijson::Schema& schema, const rapidjson::Value& doc) {
  valijson::Validator validator(valijson::Validator::kStrongTypes);
  valijson::ValidationResults results;
  valijson::adapters::RapidJsonAdapter target(doc);
  validator.validate(schema, target, &results);
  std::vector<SchemaError> out;
  valijson::ValidationResults::Error e;
  while (results.popError(e)) {
    SchemaError x = classify_schema_error(to_pointer(e.context), std::move(e.description));
    // A member's roll-up repeats the member's failure; the member says what is wrong.
    if (x.rule != SchemaRule::Member) out.push_back(std::move(x));
  }
  return best_match(std::move(out));
}

// valijson's descriptions (validation_visitor.hpp) and ours, by their opening
// words; the first that fits names the rule. `quoted`: the description goes
// on with the member's name, then "'.".
struct RuleWords {
  std::string_view words;
  SchemaRule rule;
  bool quoted = false;
};
constexpr RuleWords kRuleWords[] = {
    {"Failed to validate against schema associated with property", SchemaRule::Member},
    {"Failed to validate against", SchemaRule::Subschema},  // allOf, anyOf, oneOf, if, dependencies ...
    {"Failed to validate item #", SchemaRule::Subschema},  // items
    {"Failed to any values against subschema in 'contains'", SchemaRule::Subschema},
    {"Value type not permitted by 'type' constraint", SchemaRule::Type},
    {"Missing required property '", SchemaRule::Required, true},
    {"Object contains a property that could not be validated using 'properties' or 'additionalProperties' "
     "constraints: '",
     SchemaRule::AdditionalProperties, true},
    {"Failed to match against any enum values", SchemaRule::Enum},
    {"Failed to match expected value set by 'const' constraint", SchemaRule::Const},
    {"Target value and comparison value are not equal", SchemaRule::Const},
    {"Target should not validate against schema specified in 'not' constraint", SchemaRule::Not},
    {"Failed to match regex specified by 'pattern' constraint", SchemaRule::Pattern},
    {kPatternWords, SchemaRule::Pattern},
    {kKeyOrderWords, SchemaRule::KeyOrder},
    {kTypedDigestWords, SchemaRule::TypedDigest},
    {"Missing dependency '", SchemaRule::Dependency, true},
    {"String should be no ", SchemaRule::Bounds},
    {"Array should contain no ", SchemaRule::Bounds},
    {"Array contains more items than allowed", SchemaRule::Bounds},
    {"Cannot validate item #", SchemaRule::Bounds},  // additionalItems: false
    {"Object should have no ", SchemaRule::Bounds},
    {"Expected number ", SchemaRule::Bounds},
    {"Value should be a multiple of ", SchemaRule::Bounds},
    {"Value could not be converted", SchemaRule::Bounds},  // multipleOf
    {"Elements at indexes #", SchemaRule::Bounds},        // uniqueItems
};

}  // namespace

SchemaError classify_schema_error(std::string pointer, std::string description) {
  SchemaError out;
  out.pointer = std::move(pointer);
  for (const RuleWords& r : kRuleWords) {
    if (std::string_view(description).substr(0, r.words.size()) != r.words) continue;
    out.rule = r.rule;
    std::string_view rest = std::string_view(description).substr(r.words.size());
    if (r.quoted && rest.size() >= 2 && rest.substr(rest.size() - 2) == "'.")
      out.property = std::string(rest.substr(0, rest.size() - 2));
    break;
  }
  out.message = std::move(description);
  return out;
}

namespace {

std::string_view type_name(const rapidjson::Value& v) {
  if (v.IsNull()) return "null";
  if (v.IsBool()) return "a boolean";
  if (v.IsNumber()) return "a number";
  if (v.IsString()) return "a string";
  if (v.IsArray()) return "an array";
  return "an object";
}

}  // namespace

std::string describe_schema_error(const std::vector<SchemaError>& errors, const rapidjson::Value& doc) {
  const SchemaError* e = &errors.front();
  for (const SchemaError& x : errors)
    if (!x.roll_up()) {
      e = &x;
      break;
    }
  std::string out = "at " + (e->pointer.empty() ? std::string("the top level") : e->pointer) + ": ";
  switch (e->rule) {
    case SchemaRule::Required: out += "the member \"" + e->property + "\" is missing"; break;
    case SchemaRule::AdditionalProperties: out += "a member \"" + e->property + "\" that has no place here"; break;
    case SchemaRule::Type: {
      const rapidjson::Value* v = rapidjson::Pointer(e->pointer.c_str()).Get(doc);
      out += v != nullptr ? "found " + std::string(type_name(*v)) + ", which is not the type expected here"
                          : e->message;
      break;
    }
    case SchemaRule::Enum:
    case SchemaRule::Const:
    case SchemaRule::Bounds: {
      const rapidjson::Value* v = rapidjson::Pointer(e->pointer.c_str()).Get(doc);
      if (v == nullptr) {
        out += e->message;
        break;
      }
      out += "found " + to_compact_json(*v, 60) +
             (e->rule == SchemaRule::Bounds ? ", out of the range allowed here (" + e->message + ")"
                                            : ", which is not a value allowed here");
      break;
    }
    default: out += e->message;
  }
  if (errors.size() > 1) out += " (and " + std::to_string(errors.size() - 1) + " more schema errors)";
  return out;
}

std::vector<SchemaError> validate_with_schema(std::string_view name, const rapidjson::Value& doc) {
  static std::mutex mu;
  static std::map<std::string, std::shared_ptr<const valijson::Schema>, std::less<>> cache;
  std::shared_ptr<const valijson::Schema> schema;
  {
    std::lock_guard<std::mutex> lock(mu);
    auto it = cache.find(name);
    if (it == cache.end()) {
      std::string file = "schemas/" + std::string(name) + ".schema.json";
      std::string_view text = embedded::get(file);
      if (text.empty()) throw std::logic_error("no embedded schema " + file);
      it = cache.emplace(std::string(name), compile(text)).first;
    }
    schema = it->second;
  }
  return run(*schema, doc);
}

std::vector<SchemaError> validate_with_schema_text(std::string_view schema_json, const rapidjson::Value& doc) {
  return run(*compile(schema_json), doc);
}

}  // namespace mplp
