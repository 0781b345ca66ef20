// Sealing a pack: runner metadata, manifest env_ref, pack hashes, sums file.
//
// seal_dir works in a directory nobody else sees (a staging directory, see
// stage.h); seal_pack stages a pack, seals the stage and commits it, so a
// pack is only ever untouched or completely sealed. Steps, in this order
// (each write atomic):
//  1. (run only) reports/runner.meta.json, keys runner_id, container_digest,
//     image_ref, environment_fingerprint{os, arch, runtime_type,
//     runtime_version, generated_at}, workdir, executed_at; 2-space indent and
//     a trailing newline.
//  2. manifest.json: env_ref set from reports/runner.meta.json (runner_type
//     "container", runner_id, container_digest, environment_fingerprint,
//     executed_at; other env_ref keys kept after them, the legacy
//     image_digest/image_tag dropped); hashes.pack_root_hash (v2-producer
//     algorithm, core/pack_hashes.h) and hashes.verify_report_hash (when the
//     verify report exists; null when it does not). Every other field keeps
//     its place; the file is rewritten with a 2-space indent. This happens
//     before the sums, which cover manifest.json.
//  3. integrity/sha256sums.txt over every regular file outside integrity/,
//     sorted by byte order (core/sums.h format_sums).
//  4. integrity/provenance.intoto.jsonl, the signed attestation, when
//     SealOptions::provenance has a key; else a stale one is removed
//     (provenance.h).
// A pack holding a symlink, FIFO or device, a manifest that does not parse,
// holds duplicate keys or is not an object, or runner metadata that is not
// valid runner.meta v2, is refused with the step and file named.
//
//   RunnerMeta m{...};
//   if (!seal_dir(stage_dir, &m, notes, err)) ...   // err: "seal: manifest.json: ..."
#pragma once

#include <string>
#include <vector>

#include "runner/provenance.h"

namespace mplp::runner {

struct Fingerprint {
  std::string os, arch, runtime_type, runtime_version, generated_at;
};

struct RunnerMeta {
  std::string runner_id;
  std::string container_digest;  // sha256:<64 hex>
  std::string image_ref;
  Fingerprint fingerprint;
  std::string workdir = "/workspace";
  std::string executed_at;  // RFC 3339 UTC
};

// The exact bytes of reports/runner.meta.json.
std::string format_runner_meta(const RunnerMeta& meta);

struct SealOptions {
  bool require_manifest = true;  // `run` tolerates a producer that wrote none (smoke packs)
  ProvenanceRequest provenance;  // step 4: sign (with a key) or drop a stale envelope
};

// Seals `dir` in place. `meta` (may be null) is written first; without it the
// existing reports/runner.meta.json, if any, drives env_ref. `notes` gets
// one-line remarks (e.g. "no manifest.json: env_ref and hashes not set").
bool seal_dir(const std::string& dir, const RunnerMeta* meta, const SealOptions& options,
              std::vector<std::string>& notes, std::string& error);

// `mplp-gate seal PACK`: stage (hard links), seal, commit.
bool seal_pack(const std::string& pack, std::vector<std::string>& notes, std::string& error,
               const SealOptions& options = {});

// "YYYY-MM-DDTHH:MM:SSZ" for now.
std::string utc_now();

}  // namespace mplp::runner
