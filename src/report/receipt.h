// Verification receipts: what one `check` run verified, as an in-toto
// Statement v1 whose predicate is a SLSA Verification Summary (VSA v1),
// signed in a DSSE envelope when a key is given (core/intoto.h, core/dsse.h).
//
// One statement per run; the same packs, policy and options give the same
// bytes from any working directory (no time unless asked, packs named
// relative to the checked root, sorted). Its shape:
//
//   subject: one per pack, sorted by name:
//     {"name": "<pack, relative to the checked root>",
//      "digest": {"sha256": "<SHA-256 of the pack's integrity/sha256sums.txt>"},
//      "annotations": {"integrity/sha256sums.txt": "sha256:<hex>" | "absent",
//                      "manifest.json": "sha256:<hex>" | "absent"}}
//     A DigestSet holds one digest per algorithm of one artifact, so the
//     manifest's digest rides in `annotations`, beside the sums file's (which
//     is also the subject digest; the SHA-256 of zero bytes when the pack has
//     no sums file, as the annotation then says).
//   predicateType: https://slsa.dev/verification_summary/v1
//   predicate: verifier {id, version}, [timeVerified], resourceUri, policy
//     {uri, digest}, [inputAttestations: the packs' signed provenance that
//     GATE-V2-ATTESTATION-01 read], verificationResult and verifiedLevels for
//     the whole run (levels every pack passed), slsaVersion, and under the
//     extension field kReceiptExtension: the JSON report's digest, the options
//     that change verdicts, and each pack's result and the gates it passed.
//   A gate passed is the level "MPLP_" + its id with '-' as '_'
//   (GATE-V2-INTEGRITY-01 -> MPLP_GATE_V2_INTEGRITY_01).
//
//   ReceiptRequest req{.tool_version = "0.1.0 (commit abc)", .report_sha256 = hex};
//   std::string statement, err;
//   if (!receipt_statement(report, req, statement, err)) ...   // exit 2
//
//   ReceiptSubject s;  // reading one subject of a verified statement
//   if (!read_receipt_subject(subject, s, err)) ...
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "core/intoto.h"
#include "core/pack_layout.h"
#include "engine/run_report.h"

namespace mplp {

inline constexpr std::string_view kVsaV1 = "https://slsa.dev/verification_summary/v1";
inline constexpr std::string_view kReceiptExtension = "https://mplp.io/mplp-gate/receipt/v1";
inline constexpr std::string_view kReceiptVerifierId = "urn:mplp-gate:check";
inline constexpr std::string_view kDefaultResourceUri = "urn:mplp-gate:evidence-packs";

struct ReceiptRequest {
  std::string_view tool_version;  // "0.1.0 (commit abc)": verifier.version["mplp-gate"]
  std::string resource_uri = std::string(kDefaultResourceUri);
  std::string time_verified;      // RFC 3339; "" leaves timeVerified out
  std::string report_sha256;      // of the JSON report of the same run
};

// "MPLP_GATE_V2_INTEGRITY_01" for "GATE-V2-INTEGRITY-01".
std::string gate_level(std::string_view gate_id);

// The statement (compact JSON, no newline). False when it cannot name every
// pack: two packs with one name, or a name that is not UTF-8.
bool receipt_statement(const RunReport& report, const ReceiptRequest& request, std::string& out,
                       std::string& error);

// One subject as verify-receipt reads it: the pack's name and the digests
// of its two files ("" = absent when the receipt was made).
struct ReceiptSubject {
  std::string name;
  std::string sums;
  std::string manifest;
};

// False (with `error`) when the subject does not have the shape above.
bool read_receipt_subject(const Subject& subject, ReceiptSubject& out, std::string& error);

}  // namespace mplp
