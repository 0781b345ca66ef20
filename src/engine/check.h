// The check engine: finds packs, loads each once, runs the selected gates and
// collects a sorted RunReport. It never prints and never exits.
//
//   CheckRequest req;
//   req.paths = {"runs/"};
//   RunReport report;
//   std::string err;
//   if (!run_check(req, report, err)) { /* could not run: exit 2 */ }
//   int code = exit_code(report);
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "core/gate.h"
#include "core/policy.h"
#include "engine/finding_cap.h"
#include "engine/preparations.h"
#include "engine/run_report.h"
#include "engine/shard.h"

namespace mplp {

struct CheckRequest {
  std::vector<std::string> paths;       // packs or trees of packs
  std::vector<std::string> only_gates;  // --gate (empty: all enabled gates)
  std::vector<std::string> skip_gates;  // --skip
  Policy policy = default_policy();
  CheckOptions options;
  std::optional<std::string> registry_path;  // --registry (else --repo-root, else each pack's ancestors)
  std::vector<std::string> trusted_key_paths;  // --trusted-key (public key files)
  // Files the caller will write after the run (--report). The run fails
  // (error, exit 2) when one lies inside a checked pack or the runners
  // directory: a report must never overwrite the evidence it describes.
  std::vector<std::string> output_paths;
  // --baseline: a previous JSON report; findings it already had are marked
  // and do not count (engine/acceptance.h).
  std::optional<std::string> baseline_path;
  unsigned jobs = 0;                          // 0: number of cores
  bool absolute_paths = false;
  // --shard K/N: check only the packs of shard K (engine/shard.h); the
  // report then carries its `shard` section for `merge`.
  std::optional<ShardSpec> shard;
  // Called after each pack's pack gates ran (from worker threads, one call at
  // a time): packs done so far, packs in the run. For a progress display.
  std::function<void(std::size_t done, std::size_t total)> on_pack_done;
};

// The finding kinds the engine itself reports, for any gate
// (internal.error, findings.omitted): for `explain` and the hint of each.
const std::vector<FindingKind>& engine_finding_kinds();

// Every finding code a gate or the engine reports (gates' first, by gate
// id; a code two gates share appears twice).
std::vector<std::string_view> all_finding_codes();

// The kind of `code` as reported by gate `gate_id`: the gate's own, else the
// engine's; null when neither documents it.
const FindingKind* find_finding_kind(std::string_view gate_id, std::string_view code);

// Validates the gate selection against the gate list (unknown ids are an
// error naming the id and the closest known one).
bool select_gates(const CheckRequest& req, std::vector<const Gate*>& out, std::string& error);

// Fails (with `error`) when one of `outputs`, files about to be written,
// lies inside one of `dirs` (fs path, name shown; `kind` names them: "pack"),
// by identity, through links: an output must never overwrite the evidence it
// describes. Each such output is added to `refused` (when non-null): the
// caller must not write it, not even an error report.
bool outputs_outside(const std::vector<std::string>& outputs,
                     const std::vector<std::pair<std::string, std::string>>& dirs, std::string_view kind,
                     std::string& error, std::vector<std::string>* refused);

// The `outputs` that lie inside a pack found under `paths` (found as a run
// finds them) or inside `runners_dir`: for a run that stops before it checks
// anything, whose error reports must spare the packs all the same. A path
// that cannot be searched adds nothing (the run's own error says why).
std::vector<std::string> outputs_inside_packs(const std::vector<std::string>& paths,
                                              const std::optional<std::string>& runners_dir,
                                              const std::vector<std::string>& outputs);

// `refused_outputs` (optional) receives the output_paths that lie inside a
// checked directory: on that failure, no report may be written there.
bool run_check(const CheckRequest& req, RunReport& report, std::string& error,
               std::vector<std::string>* refused_outputs = nullptr);

// The steps of a run that `merge` (engine/merge.h) takes again, so that a
// merged report is the unsharded one by construction:
//
// A collection gate over the summaries of packs, with `summary_errors[i]`
// (null: none) why summarising pack i threw, reported as an internal error:
// `take(i, result)` receives the gate's result for each pack once, one at a
// time, when the gate is done with the pack (CollectionSinks::done), else
// in pack order once it returned (policy severity ceiling and fix hints
// applied; findings left out over `caps[i]` are counted there). With
// `compact` (null: none), findings wait encoded in that store's form while
// the gate runs. Collection findings carry their own lines: the packs are
// gone.
// The gate runs with `prep`'s context for it on `base` (engine/preparations.h).
void compare_collection(const Gate& gate, const Preparations& prep, const GateContext& base,
                        const Summaries& summaries, const std::vector<const std::string*>& summary_errors,
                        const std::vector<PackFindingCap*>& caps, bool strict, PackStore* compact,
                        const std::function<void(std::size_t, GateResult)>& take);
// Adds one collection gate's result to a pack's gates: one finding per
// defect, then trimmed to the pack's cap.
void add_collection_result(std::vector<GateResult>& gates, GateResult result, PackFindingCap& cap);
// The last per-pack step before acceptance: the findings.omitted notes,
// each gate's status decided from its findings and note, and gates in id
// order.
void finish_pack(PackResult& result, const PackFindingCap& cap, bool strict);

}  // namespace mplp
