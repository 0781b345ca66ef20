#include "core/dsse.h"
#include "core/gate.h"
#include "core/intoto.h"
#include "core/json.h"
#include "core/pack_layout.h"
#include "core/text.h"
#include "core/trust.h"
#include "core/manifest_fields.h"
#include "gates/attestation_statement.h"
#include "gates/gate_list.h"

namespace mplp {

namespace {

// The gate's spec: id, scopes, finding kinds (below, before the gate).
const GateInfo& gate_info();

using attestation::Reporter;

constexpr std::string_view kNoTrust = "no trusted key: provenance is self-asserted";
constexpr std::string_view kSignHint =
    "produce the pack with `mplp-gate run --sign-key KEY` (or seal it with `mplp-gate seal --sign-key KEY`) "
    "using a key the verifier trusts";

std::string manifest_string(const Pack& pack, std::string_view object, std::string_view key) {
  const rapidjson::Value* v = string_member(member(pack.manifest(), object), key);
  return v == nullptr ? "" : std::string(as_view(*v));
}

// The one non-empty line of the envelope file (its 1-based number in `line_no`).
bool single_line(std::string_view bytes, std::string_view& line, std::uint64_t& line_no, Reporter& r) {
  std::uint64_t n = 0, found = 0;
  for (std::size_t start = 0; start < bytes.size();) {
    std::size_t end = bytes.find('\n', start);
    if (end == std::string_view::npos) end = bytes.size();
    std::string_view l = bytes.substr(start, end - start);
    ++n;
    if (l.find_first_not_of(" \t\r") != std::string_view::npos) {
      if (found != 0) {
        Finding f = r.finding("attest.envelope-json",
                              "more than one envelope: line " + std::to_string(n) + " holds another");
        f.location.line = n;
        f.expected = "exactly one DSSE envelope on one line";
        f.hint = kSignHint;
        r.sink().report(std::move(f));
        return false;
      }
      found = n;
      line = l;
    }
    start = end + 1;
  }
  line_no = found;
  if (found == 0)
    r.report("attest.envelope-json", "", std::string(kProvenancePath) + " is empty", "one DSSE envelope", "empty file",
             kSignHint);
  return found != 0;
}

// Which trusted keys verify the envelope, and whether one may vouch for this pack.
void check_signatures(const Pack& pack, const DsseEnvelope& env, const TrustStore& trust, Reporter& r) {
  std::vector<const TrustedKey*> verified;
  for (const TrustedKey& k : trust.keys)
    if (dsse_verified_by(env, k.key) >= 0) verified.push_back(&k);
  if (verified.empty()) {
    std::string hints, trusted;
    for (const DsseSignature& s : env.signatures)
      hints += (hints.empty() ? "" : ", ") + (s.keyid.empty() ? "(no keyid)" : shortened(s.keyid, 80));
    for (const TrustedKey& k : trust.keys)
      trusted += (trusted.empty() ? "" : ", ") + k.key.id() + " (" + k.name + ")";
    r.report("attest.signature", "/signatures", "no signature verifies under a trusted key",
             "a signature by " + trusted,
             std::to_string(env.signatures.size()) + " signature(s)" + (hints.empty() ? "" : ", keyids " + hints),
             kSignHint);
    return;
  }
  std::string runner = manifest_string(pack, "env_ref", "runner_id");
  std::string substrate = manifest_string(pack, "substrate_ref", "substrate_id");
  for (const TrustedKey* k : verified) {
    if (!k->allows(runner, substrate)) continue;
    Finding f = r.finding("attest.verified", "provenance signed by trusted key " + k->key.id() + " (" + k->name + ")");
    f.location.pointer = "/signatures";
    f.detail = std::string(to_string(k->key.type())) + " key, trusted for " + k->scope_text();
    r.sink().report(std::move(f));
    return;
  }
  for (const TrustedKey* k : verified)
    r.report("attest.key-scope", "/signatures",
             "trusted key " + k->key.id() + " (" + k->name + ") signed this pack but may vouch only for " +
                 k->scope_text(),
             k->scope_text(), "runner " + (runner.empty() ? "(none)" : shortened(runner, 80)) + ", substrate " +
                                  (substrate.empty() ? "(none)" : shortened(substrate, 80)),
             "sign with the key trusted for this runner and substrate, or widen the key's `runners`/`substrates` "
             "in the policy's trust.keys");
}

void check_envelope(const Pack& pack, const TrustStore& trust, FindingSink& sink) {
  Reporter r(gate_info(), sink);
  const Entry* e = pack.find(kProvenancePath);
  if (e == nullptr || e->type != EntryType::Regular) {
    r.report("attest.envelope-missing", "",
             std::string(kProvenancePath) + (e == nullptr ? " is missing" : " is a " + std::string(to_string(e->type))) +
                 ": nothing vouches for who produced this pack",
             "a signed DSSE envelope", e == nullptr ? "missing" : std::string(to_string(e->type)), kSignHint);
    return;
  }
  std::string error;
  auto bytes = pack.bytes(kProvenancePath, error);
  if (!bytes) {
    r.report("attest.envelope-unreadable", "", std::string(kProvenancePath) + " cannot be read: " + error,
             "a readable file within limits.max_file_size", error, "make the file readable");
    return;
  }
  std::string_view line;
  std::uint64_t line_no = 0;
  if (!single_line(*bytes, line, line_no, r)) return;
  DsseRead read = read_dsse(line, {pack.limits().max_json_depth});
  if (!read.json_ok) {
    Finding f = r.finding("attest.envelope-json", "not valid JSON: " + read.json_error.message);
    f.location.line = line_no;
    f.location.column = read.json_error.column;
    f.expected = "a DSSE envelope (JSON)";
    f.hint = kSignHint;
    sink.report(std::move(f));
    return;
  }
  for (const DsseProblem& p : read.problems)
    r.report("attest.envelope-shape", p.pointer, "not a DSSE envelope: " + p.message, p.expected, p.actual, kSignHint);
  if (!read.payload_ok) return;
  if (read.envelope.payload_type != kInTotoPayloadType)
    r.report("attest.payload-type", "/payloadType", "the envelope does not hold an in-toto statement",
             std::string(kInTotoPayloadType), shortened(read.envelope.payload_type), kSignHint);
  check_signatures(pack, read.envelope, trust, r);
  attestation::check_statement(pack, read.envelope.payload, r);
}

const GateInfo& gate_info() {
  static const GateInfo info = documented({kAttestationGateId,
      {GateScope::Pack},
      {
          {"attest.no-trusted-key", Severity::Error, "pass --trusted-key FILE or list keys in the policy's trust.keys"},
          {"attest.manifest-unusable", Severity::Error, "fix manifest.json (see GATE-V2-PACK-STRUCTURE-01)"},
          {"attest.envelope-missing", Severity::Error, "produce or seal the pack with --sign-key"},
          {"attest.envelope-unreadable", Severity::Error, "make it readable"},
          {"attest.envelope-json", Severity::Error, "write exactly one envelope, as `mplp-gate run --sign-key` does"},
          {"attest.envelope-shape", Severity::Error, "sign again with mplp-gate"},
          {"attest.payload-type", Severity::Error, "sign an in-toto statement"},
          {"attest.signature", Severity::Error, "sign with a trusted key, or trust the key that signed"},
          {"attest.key-scope", Severity::Error, "use the key trusted for it, or widen the key's scope in the policy"},
          {"attest.verified", Severity::Info, "nothing to fix (recorded for the audit trail)"},
          {"attest.statement-json", Severity::Error, "sign again with mplp-gate"},
          {"attest.statement-shape", Severity::Error, "sign again with mplp-gate"},
          {"attest.statement-type", Severity::Error, "sign an in-toto Statement v1"},
          {"attest.predicate-type", Severity::Error, "sign SLSA provenance"},
          {"attest.sums-unusable", Severity::Error, "seal the pack"},
          {"attest.subject-missing", Severity::Error, "produce and sign the pack again"},
          {"attest.subject-extra", Severity::Error, "produce and sign the pack again"},
          {"attest.subject-digest", Severity::Error, "produce and sign the pack again"},
          {"attest.file-changed", Severity::Error, "restore the file, or produce and sign the pack again"},
          {"attest.unsigned-file", Severity::Error, "remove what was added after signing, or produce and sign the pack again"},
          {"attest.predicate-mismatch", Severity::Error, "do not edit the runner identity of a signed pack; run again"},
      }});
  return info;
}

class Gate_ : public Gate {
 public:
  const GateInfo& info() const override { return gate_info(); }

  void check_pack(const Pack& pack, const GateContext& ctx, FindingSink& sink) const override {
    if (pack.manifest() != nullptr && !pack.is_real()) return sink.skip(not_real_reason(pack));
    if (ctx.trust == nullptr || ctx.trust->empty()) {
      if (!ctx.options.require_signature && !ctx.policy.require_signature) return sink.skip(std::string(kNoTrust));
      Finding f = gate_info().finding("attest.no-trusted-key", "",
                                      std::string(kNoTrust) + " (a signature is required: --require-signature or the "
                                      "policy's trust.require_signature)");
      f.expected = "at least one trusted key";
      f.actual = "none configured";
      f.hint = "pass --trusted-key FILE (the runner's public key) or list keys in the policy's trust.keys";
      return sink.report(std::move(f));
    }
    if (real_manifest_or_report(pack, gate_info(), "attest.manifest-unusable", sink) == nullptr) return;
    check_envelope(pack, *ctx.trust, sink);
  }

  void note_unverified(const GateOutcome& o, const CheckOptions& /*options*/,
                       std::vector<Unverified>& out) const override {
    if (o.ran && o.skipped && o.skip_reason.rfind("no trusted key", 0) == 0)
      out.push_back({"signature", "no trusted key (--trusted-key): provenance is self-asserted"});
  }
};

}  // namespace

// Listed in gates/gate_list.cpp, which declares it.
const Gate& attestation_gate() {
  static const Gate_ gate;
  return gate;
}

}  // namespace mplp
