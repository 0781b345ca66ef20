#include "core/dsse.h"

#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include "core/base64.h"

namespace mplp {

namespace {

using rapidjson::Value;

// A base64 string member: decoded into `out`, or a problem named by pointer.
bool read_base64(const Value& obj, std::string_view key, const std::string& pointer, bool required,
                 std::string& out, std::vector<DsseProblem>& problems) {
  const Value* v = member(obj, key);
  if (v == nullptr) {
    if (required) problems.push_back({pointer, std::string(key) + " is missing", "a base64 string", "missing"});
    return false;
  }
  if (!v->IsString()) {
    problems.push_back({pointer, std::string(key) + " is not a string", "a base64 string", to_compact_json(*v, 80)});
    return false;
  }
  if (!base64_decode(as_view(*v), out)) {
    problems.push_back({pointer, std::string(key) + " is not base64 (standard or URL-safe alphabet)",
                        "base64 (RFC 4648)", to_compact_json(*v, 80)});
    return false;
  }
  return true;
}

void read_signatures(const Value& root, DsseRead& r) {
  const Value* sigs = member(root, "signatures");
  if (sigs == nullptr || !sigs->IsArray()) {
    r.problems.push_back({"/signatures", sigs == nullptr ? "signatures is missing" : "signatures is not an array",
                          "an array of {\"keyid\", \"sig\"} objects", sigs == nullptr ? "missing" : to_compact_json(*sigs, 80)});
    return;
  }
  if (sigs->Size() > kMaxDsseSignatures)
    r.problems.push_back({"/signatures", "more signatures than an envelope holds",
                          "at most " + std::to_string(kMaxDsseSignatures), std::to_string(sigs->Size())});
  for (rapidjson::SizeType i = 0; i < sigs->Size() && i < kMaxDsseSignatures; ++i) {
    std::string at = "/signatures/" + std::to_string(i);
    const Value& s = (*sigs)[i];
    DsseSignature sig;
    if (!s.IsObject()) {
      r.problems.push_back({at, "a signature is not an object", "{\"keyid\", \"sig\"}", to_compact_json(s, 80)});
      continue;
    }
    if (const Value* k = member(s, "keyid")) {
      if (k->IsString()) sig.keyid = std::string(as_view(*k));
      else r.problems.push_back({at + "/keyid", "keyid is not a string", "a string", to_compact_json(*k, 80)});
    }
    sig.usable = read_base64(s, "sig", at + "/sig", true, sig.sig, r.problems);
    r.envelope.signatures.push_back(std::move(sig));
  }
}

}  // namespace

std::string dsse_pae(std::string_view payload_type, std::string_view payload) {
  std::string out = "DSSEv1 " + std::to_string(payload_type.size()) + " ";
  out.append(payload_type);
  out += " " + std::to_string(payload.size()) + " ";
  out.append(payload);
  return out;
}

bool dsse_sign(std::string_view payload_type, std::string payload, const std::vector<const PrivateKey*>& keys,
               DsseEnvelope& out, std::string& error) {
  DsseEnvelope env;
  env.payload_type = std::string(payload_type);
  env.payload = std::move(payload);
  const std::string pae = dsse_pae(env.payload_type, env.payload);
  for (const PrivateKey* k : keys) {
    DsseSignature s;
    s.keyid = k->public_key().id();
    if (!sign(*k, pae, s.sig, error)) return false;
    env.signatures.push_back(std::move(s));
  }
  out = std::move(env);
  return true;
}

std::string dsse_to_json(const DsseEnvelope& envelope) {
  rapidjson::StringBuffer buf;
  rapidjson::Writer<rapidjson::StringBuffer> w(buf);
  auto str = [&](std::string_view s) { w.String(s.data(), static_cast<rapidjson::SizeType>(s.size())); };
  w.StartObject();
  str("payloadType");
  str(envelope.payload_type);
  str("payload");
  str(base64_encode(envelope.payload));
  str("signatures");
  w.StartArray();
  for (const DsseSignature& s : envelope.signatures) {
    w.StartObject();
    str("keyid");
    str(s.keyid);
    str("sig");
    str(base64_encode(s.sig));
    w.EndObject();
  }
  w.EndArray();
  w.EndObject();
  return std::string(buf.GetString(), buf.GetSize());
}

DsseRead read_dsse(std::string_view json, const JsonOptions& options) {
  DsseRead r;
  JsonDoc doc;
  if (!parse_json(json, options, doc)) {
    r.json_error = doc.error;
    return r;
  }
  r.json_ok = true;
  for (const DuplicateKey& d : doc.duplicates)
    r.problems.push_back({d.pointer, "a key is repeated (readers disagree on which value counts)", "each key once",
                          "repeated"});
  const Value& root = doc.value;
  if (!root.IsObject()) {
    r.problems.push_back({"", "the envelope is not a JSON object", "a DSSE envelope object", to_compact_json(root, 80)});
    return r;
  }
  bool type_ok = false;
  if (const Value* t = member(root, "payloadType"); t != nullptr && t->IsString()) {
    r.envelope.payload_type = std::string(as_view(*t));
    type_ok = true;
  } else {
    r.problems.push_back({"/payloadType", t == nullptr ? "payloadType is missing" : "payloadType is not a string",
                          "a string", t == nullptr ? "missing" : to_compact_json(*t, 80)});
  }
  bool payload_ok = read_base64(root, "payload", "/payload", true, r.envelope.payload, r.problems);
  r.payload_ok = type_ok && payload_ok;
  read_signatures(root, r);
  return r;
}

int dsse_verified_by(const DsseEnvelope& envelope, const PublicKey& key) {
  const std::string pae = dsse_pae(envelope.payload_type, envelope.payload);
  for (std::size_t i = 0; i < envelope.signatures.size(); ++i)
    if (envelope.signatures[i].usable && verify(key, pae, envelope.signatures[i].sig)) return static_cast<int>(i);
  return -1;
}

}  // namespace mplp
