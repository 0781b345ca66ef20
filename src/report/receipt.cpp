#include "report/receipt.h"

#include <rapidjson/document.h>

#include <map>
#include <set>

#include "core/digest.h"
#include "core/pack_layout.h"
#include "core/text.h"
#include "gates/gate_list.h"

namespace mplp {

namespace {

using rapidjson::Value;
using Alloc = rapidjson::Document::AllocatorType;

constexpr std::string_view kAbsent = "absent";

Value text(std::string_view s, Alloc& a) { return Value(s.data(), static_cast<rapidjson::SizeType>(s.size()), a); }

Value sha256_set(std::string_view hex, Alloc& a) {
  Value d(rapidjson::kObjectType);
  d.AddMember("sha256", text(hex, a), a);
  return d;
}

Value string_array(const std::vector<std::string>& items, Alloc& a) {
  Value arr(rapidjson::kArrayType);
  for (const std::string& s : items) arr.PushBack(text(s, a), a);
  return arr;
}

std::string annotation(const std::string& hex) { return hex.empty() ? std::string(kAbsent) : "sha256:" + hex; }

// A gate is a verified level only when it passed on its own merits: a pass
// owed to accepted findings (a policy's suppressions, a --baseline) that
// would have failed it vouches for nothing (verify-receipt would then check
// files against a sums file that never matched them).
bool verified(const GateResult& g, bool strict) {
  if (g.status != GateStatus::Pass) return false;
  for (const Finding& f : g.findings)
    if (!f.counts() && (f.severity == Severity::Error || (strict && f.severity == Severity::Warning))) return false;
  return true;
}

std::vector<std::string> passed_levels(const PackResult& p, bool strict) {
  std::vector<std::string> out;
  for (const GateResult& g : p.gates)
    if (verified(g, strict)) out.push_back(gate_level(g.gate_id));
  return out;
}

Value options_of(const RunReport& report, Alloc& a) {
  Value o(rapidjson::kObjectType);
  std::vector<std::string> gates;
  for (const Gate* g : report.gates) gates.emplace_back(g->info().id);
  o.AddMember("gates", string_array(gates, a), a);
  o.AddMember("strict", report.strict, a);
  o.AddMember("requireSignature", report.info.require_signature, a);
  o.AddMember("trustedKeys", string_array(report.info.trusted_keys, a), a);
  if (!report.info.registry_sha256.empty()) o.AddMember("registry", sha256_set(report.info.registry_sha256, a), a);
  // Findings the baseline holds do not fail the run: the verdict rests on it.
  if (!report.info.baseline_sha256.empty()) o.AddMember("baseline", sha256_set(report.info.baseline_sha256, a), a);
  o.AddMember("repoRoot", report.info.repo_root, a);
  o.AddMember("absolutePaths", report.info.absolute_paths, a);
  return o;
}

Value pack_result(const PackResult& p, bool strict, Alloc& a) {
  Value v(rapidjson::kObjectType);
  v.AddMember("name", text(p.name, a), a);
  v.AddMember("verificationResult", text(p.failed() ? "FAILED" : "PASSED", a), a);
  v.AddMember("verifiedLevels", string_array(passed_levels(p, strict), a), a);
  Value gates(rapidjson::kObjectType);
  for (const GateResult& g : p.gates) gates.AddMember(text(g.gate_id, a), text(to_string(g.status), a), a);
  v.AddMember("gates", gates, a);
  // Findings accepted by a suppression or the baseline: the pack's verdict
  // holds under the policy that accepted them, which an auditor should see.
  std::uint64_t accepted = 0;
  for (const GateResult& g : p.gates)
    for (const Finding& f : g.findings) accepted += f.counts() ? 0 : 1;
  if (accepted > 0) v.AddMember("acceptedFindings", accepted, a);
  if (!p.digests.registry.empty()) v.AddMember("registry", sha256_set(p.digests.registry, a), a);
  return v;
}

// The provenance envelopes ATTESTATION-01 read (it did not skip the pack).
Value input_attestations(const std::vector<const PackResult*>& packs, Alloc& a) {
  Value arr(rapidjson::kArrayType);
  for (const PackResult* p : packs) {
    if (p->digests.provenance.empty()) continue;
    for (const GateResult& g : p->gates) {
      if (g.gate_id != kAttestationGateId || g.status == GateStatus::Skip) continue;
      Value d(rapidjson::kObjectType);
      d.AddMember("uri", text(percent_encode_path(p->name + "/" + std::string(kProvenancePath)), a), a);
      d.AddMember("digest", sha256_set(p->digests.provenance, a), a);
      arr.PushBack(d, a);
    }
  }
  return arr;
}

// Levels every pack passed, in gate order.
std::vector<std::string> common_levels(const RunReport& report) {
  std::vector<std::string> out;
  for (const Gate* g : report.gates) {
    bool all = !report.packs.empty();
    for (const PackResult& p : report.packs) {
      bool passed = false;
      for (const GateResult& r : p.gates) passed = passed || (r.gate_id == g->info().id && verified(r, report.strict));
      all = all && passed;
    }
    if (all) out.push_back(gate_level(g->info().id));
  }
  return out;
}

bool parse_annotation(const Subject& s, std::string_view file, std::string& hex, std::string& error) {
  auto it = s.annotations.find(std::string(file));
  if (it == s.annotations.end())
    return error = "subject " + s.name + " has no annotation for " + std::string(file), false;
  if (it->second == kAbsent) return hex.clear(), true;
  std::string_view v = it->second;
  if (v.rfind("sha256:", 0) != 0 || !is_lower_hex(v.substr(7), 64))
    return error = "subject " + s.name + ": annotation " + std::string(file) + " is neither sha256:<64 hex> nor absent",
           false;
  hex = std::string(v.substr(7));
  return true;
}

}  // namespace

std::string gate_level(std::string_view gate_id) {
  std::string out = "MPLP_";
  for (char c : gate_id) out += c == '-' ? '_' : c;
  return out;
}

bool receipt_statement(const RunReport& report, const ReceiptRequest& request, std::string& out,
                       std::string& error) {
  std::map<std::string, PackResult> by_name;  // decoded copies: the report stores its packs encoded
  for (const PackResult& p : report.packs) {
    if (!is_valid_utf8(p.name))
      return error = "pack " + to_valid_utf8(p.path) + ": its name is not valid UTF-8, so a receipt cannot name it", false;
    auto [it, fresh] = by_name.emplace(p.name, p);
    if (!fresh)
      return error = "packs " + it->second.path + " and " + p.path + " would both be named " + p.name +
                     " in the receipt: check them from their common parent directory, or in separate runs",
             false;
  }
  std::vector<const PackResult*> packs;
  for (const auto& [name, p] : by_name) packs.push_back(&p);

  std::vector<Subject> subjects;
  for (const PackResult* p : packs) {
    Subject s;
    s.name = p->name;
    s.digest["sha256"] = p->digests.sums.empty() ? sha256_hex("") : p->digests.sums;
    s.annotations[std::string(kSumsPath)] = annotation(p->digests.sums);
    s.annotations[std::string(kManifestPath)] = annotation(p->digests.manifest);
    subjects.push_back(std::move(s));
  }

  rapidjson::Document doc(rapidjson::kObjectType);
  Alloc& a = doc.GetAllocator();
  Value verifier(rapidjson::kObjectType);
  verifier.AddMember("id", text(kReceiptVerifierId, a), a);
  Value version(rapidjson::kObjectType);
  version.AddMember("mplp-gate", text(request.tool_version, a), a);
  verifier.AddMember("version", version, a);
  doc.AddMember("verifier", verifier, a);
  if (!request.time_verified.empty()) doc.AddMember("timeVerified", text(request.time_verified, a), a);
  doc.AddMember("resourceUri", text(request.resource_uri, a), a);
  Value policy(rapidjson::kObjectType);
  const std::string policy_uri = report.info.policy_name == "builtin" || report.info.policy_name.empty()
                                     ? "urn:mplp-gate:policy:builtin"
                                     : percent_encode_path(report.info.policy_name);
  policy.AddMember("uri", text(policy_uri, a), a);
  policy.AddMember("digest", sha256_set(report.info.policy_sha256, a), a);
  doc.AddMember("policy", policy, a);
  Value inputs = input_attestations(packs, a);
  if (!inputs.Empty()) doc.AddMember("inputAttestations", inputs, a);
  doc.AddMember("verificationResult", text(exit_code(report) == 0 ? "PASSED" : "FAILED", a), a);
  doc.AddMember("verifiedLevels", string_array(common_levels(report), a), a);
  doc.AddMember("slsaVersion", text("1.0", a), a);

  Value ext(rapidjson::kObjectType);
  Value json_report(rapidjson::kObjectType);
  json_report.AddMember("name", text("mplp-gate check --format json", a), a);
  json_report.AddMember("mediaType", text("application/json", a), a);
  json_report.AddMember("digest", sha256_set(request.report_sha256, a), a);
  ext.AddMember("report", json_report, a);
  ext.AddMember("options", options_of(report, a), a);
  Value results(rapidjson::kArrayType);
  for (const PackResult* p : packs) results.PushBack(pack_result(*p, report.strict, a), a);
  ext.AddMember("packs", results, a);
  doc.AddMember(text(kReceiptExtension, a), ext, a);

  out = statement_json(std::move(subjects), kVsaV1, doc);
  return true;
}

bool read_receipt_subject(const Subject& subject, ReceiptSubject& out, std::string& error) {
  out.name = subject.name;
  if (subject.name.empty()) return error = "a subject has no name", false;
  if (!parse_annotation(subject, kSumsPath, out.sums, error) ||
      !parse_annotation(subject, kManifestPath, out.manifest, error))
    return false;
  auto d = subject.digest.find("sha256");
  const std::string expected = out.sums.empty() ? sha256_hex("") : out.sums;
  if (d == subject.digest.end() || d->second != expected)
    return error = "subject " + subject.name + ": digest.sha256 is not the sums file's digest its annotation records",
           false;
  return true;
}

}  // namespace mplp
