#include "runner/provenance.h"

#include <rapidjson/document.h>


#include "core/intoto.h"
#include "core/json.h"
#include "core/pack_layout.h"
#include "core/safe_fs.h"
#include "core/sums.h"
#include "core/text.h"
#include "core/values.h"
#include "runner/seal.h"

namespace mplp::runner {

namespace {

using rapidjson::Value;
using Alloc = rapidjson::Document::AllocatorType;
constexpr std::uint64_t kMaxSums = 256ull << 20;
constexpr std::uint64_t kMaxMeta = 1ull << 20;

Value text(std::string_view s, Alloc& a) { return Value(s.data(), static_cast<rapidjson::SizeType>(s.size()), a); }

// One subject per sums line; names must be valid UTF-8 to be JSON strings.
bool subjects_from_sums(const Dir& root, std::vector<Subject>& out, std::string& error) {
  std::string bytes;
  if (!read_beneath(root, kSumsPath, kMaxSums, bytes, error)) return false;
  SumsParse p = parse_sums(bytes);
  if (!p.errors.empty())
    return error = "integrity/sha256sums.txt:" + std::to_string(p.errors[0].line) + ": " + p.errors[0].message, false;
  for (SumsEntry& e : p.entries) {
    if (!is_valid_utf8(e.path))
      return error = "file name is not valid UTF-8, so it cannot be named in a statement: " +
                     escape_for_message(e.path), false;
    out.push_back({std::move(e.path), {{"sha256", std::move(e.hex)}}, {}});
  }
  return true;
}

// The runner metadata the predicate records (validated by the seal already;
// checked again here so a statement never holds a half-read value).
struct Meta {
  JsonDoc doc;
  std::string runner_id, digest_hex, image_ref, executed_at;
  const Value* fingerprint = nullptr;
};

bool read_meta(const Dir& root, Meta& m, std::string& error) {
  std::string bytes;
  if (!read_beneath(root, "reports/runner.meta.json", kMaxMeta, bytes, error))
    return error = "reports/runner.meta.json: " + error + " (there is no runner to attest)", false;
  if (!parse_json(bytes, {}, m.doc) || !m.doc.value.IsObject())
    return error = "reports/runner.meta.json is not a JSON object", false;
  const Value* id = string_member(&m.doc.value, "runner_id");
  const Value* digest = string_member(&m.doc.value, "container_digest");
  m.fingerprint = member(m.doc.value, "environment_fingerprint");
  if (id == nullptr || digest == nullptr || !is_typed_sha256(as_view(*digest)) || m.fingerprint == nullptr ||
      !m.fingerprint->IsObject())
    return error = "reports/runner.meta.json lacks runner_id, container_digest (sha256:<hex>) or "
                   "environment_fingerprint", false;
  m.runner_id = std::string(as_view(*id));
  m.digest_hex = std::string(as_view(*digest).substr(7));
  if (const Value* r = string_member(&m.doc.value, "image_ref")) m.image_ref = std::string(as_view(*r));
  if (const Value* t = string_member(&m.doc.value, "executed_at")) m.executed_at = std::string(as_view(*t));
  return true;
}

void build_predicate(const ProvenanceRequest& req, const Meta& meta, rapidjson::Document& p) {
  Alloc& a = p.GetAllocator();
  const bool run = req.mode == ProvenanceMode::Run;
  p.SetObject();

  Value external(rapidjson::kObjectType);
  external.AddMember("runner", text(meta.runner_id, a), a);
  if (run) {
    external.AddMember("command", text(req.command, a), a);
    external.AddMember("network", text(req.network, a), a);
  }
  Value internal(rapidjson::kObjectType);
  internal.AddMember("environmentFingerprint", Value(*meta.fingerprint, a), a);
  if (!meta.executed_at.empty()) internal.AddMember("executedAt", text(meta.executed_at, a), a);
  Value image(rapidjson::kObjectType);
  image.AddMember("name", text(kRunnerImageDependency, a), a);
  Value digest(rapidjson::kObjectType);
  digest.AddMember("sha256", text(meta.digest_hex, a), a);
  image.AddMember("digest", digest, a);
  if (!meta.image_ref.empty()) {
    Value notes(rapidjson::kObjectType);
    notes.AddMember("imageRef", text(meta.image_ref, a), a);
    image.AddMember("annotations", notes, a);
  }
  Value deps(rapidjson::kArrayType);
  deps.PushBack(image, a);
  Value definition(rapidjson::kObjectType);
  definition.AddMember("buildType", text(run ? kRunBuildType : kSealBuildType, a), a);
  definition.AddMember("externalParameters", external, a);
  definition.AddMember("internalParameters", internal, a);
  definition.AddMember("resolvedDependencies", deps, a);

  Value version(rapidjson::kObjectType);
  version.AddMember("mplp-gate", text(req.builder_version, a), a);
  Value builder(rapidjson::kObjectType);
  builder.AddMember("id", text(run ? kRunBuilderId : kSealBuilderId, a), a);
  builder.AddMember("version", version, a);
  Value metadata(rapidjson::kObjectType);
  if (!req.invocation_id.empty()) metadata.AddMember("invocationId", text(req.invocation_id, a), a);
  const std::string now = utc_now();
  metadata.AddMember("startedOn", text(req.started_on.empty() ? now : req.started_on, a), a);
  metadata.AddMember("finishedOn", text(req.finished_on.empty() ? now : req.finished_on, a), a);
  Value details(rapidjson::kObjectType);
  details.AddMember("builder", builder, a);
  details.AddMember("metadata", metadata, a);

  p.AddMember("buildDefinition", definition, a);
  p.AddMember("runDetails", details, a);
}

}  // namespace

bool provenance_envelope(const Dir& dir, const ProvenanceRequest& request, std::string& line, std::string& error) {
  if (request.key == nullptr) return error = "provenance: no signing key", false;
  if (!is_valid_utf8(request.command)) return error = "provenance: the command is not valid UTF-8", false;
  std::vector<Subject> subjects;
  Meta meta;
  if (!subjects_from_sums(dir, subjects, error) || !read_meta(dir, meta, error))
    return error = "provenance: " + error, false;
  rapidjson::Document predicate;
  build_predicate(request, meta, predicate);
  if (!sign_statement(statement_json(std::move(subjects), kSlsaProvenanceV1, predicate), {request.key}, line, error))
    return error = "provenance: " + error, false;
  return true;
}

}  // namespace mplp::runner
