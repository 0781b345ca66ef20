#include "core/intoto.h"

#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <algorithm>
#include <tuple>

#include "core/json_visit.h"

namespace mplp {

namespace {

using rapidjson::Value;

void read_subjects(const Value& root, StatementRead& r) {
  const Value* subjects = member(root, "subject");
  if (subjects == nullptr || !subjects->IsArray()) {
    r.problems.push_back({"/subject", subjects == nullptr ? "subject is missing" : "subject is not an array",
                          "an array of {\"name\", \"digest\"} objects",
                          subjects == nullptr ? "missing" : to_compact_json(*subjects, 80)});
    return;
  }
  for (rapidjson::SizeType i = 0; i < subjects->Size(); ++i) {
    const std::string at = "/subject/" + std::to_string(i);
    const Value& s = (*subjects)[i];
    if (!s.IsObject()) {
      r.problems.push_back({at, "a subject is not an object", "{\"name\", \"digest\"}", to_compact_json(s, 80)});
      continue;
    }
    Subject out;
    bool ok = true;
    if (const Value* n = member(s, "name")) {
      if (n->IsString()) {
        out.name = std::string(as_view(*n));
      } else {
        r.problems.push_back({at + "/name", "a subject name is not a string", "a string", to_compact_json(*n, 80)});
        ok = false;
      }
    }
    const Value* d = member(s, "digest");
    if (d == nullptr || !d->IsObject()) {
      r.problems.push_back({at + "/digest", d == nullptr ? "a subject has no digest" : "a subject digest is not an object",
                            "{\"sha256\": \"<hex>\"}", d == nullptr ? "missing" : to_compact_json(*d, 80)});
      continue;
    }
    for (auto it = d->MemberBegin(); it != d->MemberEnd(); ++it) {
      if (it->value.IsString()) {
        out.digest[std::string(as_view(it->name))] = std::string(as_view(it->value));
      } else {
        r.problems.push_back({at + "/digest/" + json_pointer_token(as_view(it->name)), "a digest value is not a string",
                              "a hex string", to_compact_json(it->value, 80)});
        ok = false;
      }
    }
    if (const Value* notes = member(s, "annotations"); notes != nullptr && notes->IsObject())
      for (auto it = notes->MemberBegin(); it != notes->MemberEnd(); ++it)
        if (it->value.IsString()) out.annotations.emplace(as_view(it->name), as_view(it->value));
    if (!ok) continue;
    r.subjects.push_back(std::move(out));
    r.subject_pointers.push_back(at);
  }
}

}  // namespace

std::string statement_json(std::vector<Subject> subjects, std::string_view predicate_type,
                           const rapidjson::Value& predicate) {
  std::sort(subjects.begin(), subjects.end(),
            [](const Subject& a, const Subject& b) {
              return std::tie(a.name, a.digest, a.annotations) < std::tie(b.name, b.digest, b.annotations);
            });
  rapidjson::StringBuffer buf;
  rapidjson::Writer<rapidjson::StringBuffer> w(buf);
  auto str = [&](std::string_view s) { w.String(s.data(), static_cast<rapidjson::SizeType>(s.size())); };
  w.StartObject();
  str("_type");
  str(kStatementType);
  str("subject");
  w.StartArray();
  for (const Subject& s : subjects) {
    w.StartObject();
    str("name");
    str(s.name);
    str("digest");
    w.StartObject();
    for (const auto& [alg, hex] : s.digest) {
      str(alg);
      str(hex);
    }
    w.EndObject();
    if (!s.annotations.empty()) {
      str("annotations");
      w.StartObject();
      for (const auto& [key, value] : s.annotations) {
        str(key);
        str(value);
      }
      w.EndObject();
    }
    w.EndObject();
  }
  w.EndArray();
  str("predicateType");
  str(predicate_type);
  str("predicate");
  visit_json(predicate, w, [] { return false; });  // no recursion: a producer chooses the nesting
  w.EndObject();
  return std::string(buf.GetString(), buf.GetSize());
}

bool sign_statement(std::string statement, const std::vector<const PrivateKey*>& keys, std::string& line,
                    std::string& error) {
  DsseEnvelope env;
  if (!dsse_sign(kInTotoPayloadType, std::move(statement), keys, env, error)) return false;
  line = dsse_to_json(env) + "\n";
  return true;
}

void read_statement(std::string_view json, const JsonOptions& options, StatementRead& r) {
  if (!parse_json(json, options, r.doc)) {
    r.json_error = r.doc.error;
    return;
  }
  r.json_ok = true;
  for (const DuplicateKey& d : r.doc.duplicates)
    r.problems.push_back({d.pointer, "a key of the statement is repeated (readers disagree on which value counts)",
                          "each key once", "repeated"});
  const Value& root = r.doc.value;
  if (!root.IsObject()) {
    r.problems.push_back({"", "the statement is not a JSON object", "an in-toto Statement", to_compact_json(root, 80)});
    return;
  }
  r.type = member(root, "_type");
  r.predicate_type = member(root, "predicateType");
  r.predicate = member(root, "predicate");
  if (r.predicate != nullptr && !r.predicate->IsObject() && !r.predicate->IsNull())
    r.problems.push_back({"/predicate", "predicate is not an object", "an object", to_compact_json(*r.predicate, 80)});
  read_subjects(root, r);
}

}  // namespace mplp
