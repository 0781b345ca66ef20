// `mplp-gate merge`: the JSON reports of every shard of one sharded check
// (`check --shard K/N`, engine/shard.h) back into the report of one run.
//
// Each shard judged its own packs with every gate but those compared across
// shards (GateInfo::compared_across_shards). The merge reads each shard's
// packs back, undoes what only the end of a run does (the findings.omitted
// notes, the policy's and baseline's acceptance marks), reads back each
// compared pack's summaries with their gates (Gate::read_summary), runs those
// gates over the packs of all shards with the same code an unsharded run
// uses (engine/check.h compare_collection, finish_pack), and accepts findings
// again with the policy the shards carried: the result is the unsharded
// run's RunReport, so every format renders the same bytes.
//
// Refused (false, `error` naming the file): a file that is not a JSON report,
// a report of a run that could not happen, a report without a shard section,
// shards of different tool versions (or not this one), policies, baselines,
// options or shard counts, a missing or repeated shard, a pack in two shards,
// a summary its gate cannot read back (the error names the pack and gate).
//
//   RunReport merged;
//   if (!merge_shards({"s0.json", "s1.json"}, tool_version(), merged, err)) { /* exit 2 */ }
//   int code = exit_code(merged);
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "engine/run_report.h"

namespace mplp {

bool merge_shards(const std::vector<std::string>& files, std::string_view tool_version, RunReport& out,
                  std::string& error);

}  // namespace mplp
