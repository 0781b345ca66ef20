// The signed run attestation of a sealed pack:
// integrity/provenance.intoto.jsonl, one line holding one DSSE envelope
// (core/dsse.h) of an in-toto Statement v1 (core/intoto.h) whose predicate is
// SLSA Provenance v1.
//
// Subjects: one per line of integrity/sha256sums.txt (name = pack-relative
// path, digest.sha256), sorted by name. The envelope lives in integrity/,
// which the sums file does not cover, so it is not a subject of itself.
// Predicate (field names of SLSA Provenance v1):
//   buildDefinition.buildType           https://mplp.io/mplp-gate/run/v1 or .../seal/v1
//   buildDefinition.externalParameters  {runner, command, network} (run); {runner} (seal:
//                                       the runner reports/runner.meta.json names)
//   buildDefinition.internalParameters  {environmentFingerprint, executedAt} from runner.meta.json
//   buildDefinition.resolvedDependencies [{name: "runner-image", digest: {sha256},
//                                        annotations: {imageRef}}]
//   runDetails.builder                  {id: urn:mplp-gate:run | urn:mplp-gate:seal,
//                                        version: {"mplp-gate": "<version (commit)>"}}
//   runDetails.metadata                 {invocationId (run), startedOn, finishedOn}
// GATE-V2-ATTESTATION-01 reads the runner, the image digest and the
// fingerprint back from these places.
//
// Called by seal_dir (seal.h) after the sums are written, inside the staging
// directory, so the envelope is committed in the same atomic step as the rest
// of the seal. Without a key, a stale envelope is removed (a resealed pack is
// honestly unsigned) and a note says so.
//
//   ProvenanceRequest p{.key = &key, .mode = ProvenanceMode::Run, .builder_version = "0.1.0 (commit abc)",
//                       .command = "node produce.js", .network = "none", ...};
//   if (!provenance_envelope(stage_dir, p, line, err)) ...
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "core/keys.h"
#include "core/safe_fs.h"

namespace mplp::runner {

inline constexpr std::string_view kProvenanceName = "provenance.intoto.jsonl";  // in integrity/
inline constexpr std::string_view kRunBuildType = "https://mplp.io/mplp-gate/run/v1";
inline constexpr std::string_view kSealBuildType = "https://mplp.io/mplp-gate/seal/v1";
inline constexpr std::string_view kRunBuilderId = "urn:mplp-gate:run";
inline constexpr std::string_view kSealBuilderId = "urn:mplp-gate:seal";
inline constexpr std::string_view kRunnerImageDependency = "runner-image";

enum class ProvenanceMode { Run, Seal };

struct ProvenanceRequest {
  const PrivateKey* key = nullptr;  // nullptr: no envelope (a stale one is removed)
  ProvenanceMode mode = ProvenanceMode::Seal;
  std::string builder_version;      // mplp-gate's version, e.g. "0.1.0 (commit abc123)"
  // `run` only: what ran and how.
  std::string command;
  std::string network;
  std::string invocation_id;
  std::string started_on;   // RFC 3339 UTC; seal: "" = now
  std::string finished_on;  // RFC 3339 UTC; "" = now
};

// The envelope line (with its newline) for the pack in `dir`, whose sums and
// runner metadata are written; needs `request.key`. seal_dir writes it, or
// removes a stale envelope when there is no key.
bool provenance_envelope(const Dir& dir, const ProvenanceRequest& request, std::string& line, std::string& error);

}  // namespace mplp::runner
