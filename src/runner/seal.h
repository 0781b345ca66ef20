// Sealing a pack: runner metadata, manifest env_ref, pack hashes, sums file.
//
// seal_dir works in a directory nobody else sees (a staging directory, see
// stage.h), through its descriptor; seal_pack stages a pack, seals the stage
// and commits it, so a pack is only ever untouched or completely sealed.
// Steps, in this order (each write atomic):
//  0. the tree is checked before any byte is read (tree_ops.h check_tree):
//     the policy's limits.max_file_size and limits.max_files_per_pack,
//     regular files and directories only, no setuid or setgid file. Over a
//     limit or on a hostile entry the seal stops, naming it.
//  1. (run only) reports/runner.meta.json, keys in the runner contract's
//     order runner_id, container_digest, environment_fingerprint{os, arch,
//     runtime_type, runtime_version, generated_at}, workdir, executed_at,
//     then our image_ref; 2-space indent and a trailing newline.
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
// A manifest that does not parse, holds duplicate keys or is not an object,
// or runner metadata that is not valid runner.meta v2, is refused with the
// step and file named. Files rewritten keep their mode and owner; files and
// directories the seal adds get the owner of the directory holding them and
// its read (and search) bits for group and others, so a 0700 pack stays
// private.
//
//   RunnerMeta m{...};
//   if (!seal_dir(*stage.tree, &m, {.limits = policy.limits}, notes, err)) ...   // err: "seal: manifest.json: ..."
#pragma once

#include <chrono>
#include <string>
#include <vector>

#include "core/policy.h"
#include "core/safe_fs.h"
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
  Limits limits;                 // the policy's, checked before hashing
  ProvenanceRequest provenance;  // step 4: sign (with a key) or drop a stale envelope
  // Hashing stops when this time comes, and the seal fails naming
  // `time_limit`: `run` passes the end of its --timeout, which covers CMD and
  // the seal of what CMD wrote (QA-53: a producer's 20 GiB of sparse files
  // were hashed long after the time limit; each file was within the limits).
  std::chrono::steady_clock::time_point deadline = std::chrono::steady_clock::time_point::max();
  std::string time_limit;  // "the time limit of --timeout (60 s)"
};

// Seals `dir` in place. `meta` (may be null) is written first; without it the
// existing reports/runner.meta.json, if any, drives env_ref. `notes` gets
// one-line remarks (e.g. "no manifest.json: env_ref and hashes not set").
bool seal_dir(const Dir& dir, const RunnerMeta* meta, const SealOptions& options, std::vector<std::string>& notes,
              std::string& error);

// `mplp-gate seal PACK`: stage (hard links), seal, commit.
bool seal_pack(const std::string& pack, const SealOptions& options, std::vector<std::string>& notes,
               std::string& error);

// "YYYY-MM-DDTHH:MM:SSZ" for now.
std::string utc_now();

}  // namespace mplp::runner
