// DSSE, the Dead Simple Signing Envelope (github.com/secure-systems-lab/dsse,
// protocol v1.0.0 and the JSON envelope).
//
// A signature is Sign(PAE(payloadType, payload)), where
//   PAE(type, body) = "DSSEv1" SP LEN(type) SP type SP LEN(body) SP body
// (LEN = decimal byte length, no leading zeros). The envelope we write is one
// line of JSON, keys in this order:
//   {"payloadType":"...","payload":"<base64>","signatures":[{"keyid":"...","sig":"<base64>"}]}
// keyid is the signing key's id (core/keys.h). When reading, the envelope is
// untrusted: fields are checked one by one and each problem is named by JSON
// pointer; unknown fields are ignored, as the envelope spec says; keyid is
// only a hint and is never used to decide anything (every trusted key is
// tried against every signature).
//
//   DsseEnvelope env;
//   if (!dsse_sign("application/vnd.in-toto+json", statement, {&key}, env, err)) ...
//   std::string line = dsse_to_json(env) + "\n";
//
//   DsseRead r = read_dsse(line, {.max_depth = 256});
//   if (r.json_ok && r.problems.empty() && dsse_verified_by(r.envelope, trusted) >= 0) ...
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "core/json.h"
#include "core/keys.h"

namespace mplp {

inline constexpr std::string_view kInTotoPayloadType = "application/vnd.in-toto+json";
// More signatures than this in one envelope is not a real envelope.
inline constexpr std::size_t kMaxDsseSignatures = 64;

std::string dsse_pae(std::string_view payload_type, std::string_view payload);

struct DsseSignature {
  std::string keyid;  // "" when unset
  std::string sig;    // raw signature bytes (decoded)
  bool usable = true; // false: the entry had a problem (sig missing or not base64)
};

struct DsseEnvelope {
  std::string payload_type;
  std::string payload;  // decoded bytes
  std::vector<DsseSignature> signatures;
};

// Signs `payload` once per key (keyid = the key's id).
bool dsse_sign(std::string_view payload_type, std::string payload, const std::vector<const PrivateKey*>& keys,
               DsseEnvelope& out, std::string& error);

// The envelope as one line of JSON (no newline), standard base64.
std::string dsse_to_json(const DsseEnvelope& envelope);

// One problem of an untrusted envelope, at a JSON pointer of the envelope.
struct DsseProblem {
  std::string pointer;
  std::string message;
  std::string expected;
  std::string actual;
};

struct DsseRead {
  bool json_ok = false;  // false: `json_error` says where the JSON breaks
  JsonError json_error;
  std::vector<DsseProblem> problems;  // shape problems (duplicate keys included)
  bool payload_ok = false;            // payloadType and payload were read
  DsseEnvelope envelope;              // what could be read
};

DsseRead read_dsse(std::string_view json, const JsonOptions& options);

// Index of the first signature of `envelope` that verifies under `key`, or -1.
int dsse_verified_by(const DsseEnvelope& envelope, const PublicKey& key);

}  // namespace mplp
