// `mplp-gate merge`: the JSON reports of every shard of `check --shard K/N`
// into the report of one unsharded run (engine/merge.h), in any format.
#include <iostream>

#include "cli/commands.h"
#include "cli/options.h"
#include "cli/outputs.h"
#include "engine/check.h"
#include "engine/merge.h"

namespace mplp::cli {

namespace {

constexpr std::string_view kUsage =
    "usage: mplp-gate merge [options] SHARD.json...\n\n"
    "Joins the JSON reports of all N shards of one check (`mplp-gate check\n"
    "--shard K/N --format json`, K = 0..N-1) into the report one unsharded check\n"
    "of the same tree would have written, byte for byte, in any format: packs in\n"
    "the run's order, GATE-V2-EVIDENCE-REUSE-01 compared across all shards, the\n"
    "policy's suppressions and the baseline applied to the whole run.\n"
    "Exit codes, whatever the format: 0 no error finding, 1 an error finding (or\n"
    "a warning under --strict), 2 could not merge: a file that is not the JSON\n"
    "report of a shard, shards of different tool versions, policies, options or\n"
    "shard counts, a shard missing or given twice (the message names the file),\n"
    "a report that would land inside a pack the shards checked.\n\n"
    "options:\n";

constexpr std::string_view kTryHelp = "try 'mplp-gate merge --help'\n";

}  // namespace

int cmd_merge(const Args& args) {
  OutputRequest out;
  bool help = false;
  std::vector<OptionSpec> specs = leading_output_options(out);
  for (OptionSpec& o : trailing_output_options(out)) specs.push_back(std::move(o));
  specs.push_back({"--help", false, [&](const std::string&, std::string&) { help = true; return true; }, "this help", ""});
  std::vector<std::string> files;
  std::string error;
  if (!parse_options(args, specs, files, error)) {
    out = OutputRequest{};
    salvage_outputs(args, out);
    return could_not_run("merge", error, out, outputs_naming_an_argument(args, out), kTryHelp);
  }
  if (help) {
    std::cout << kUsage << options_help(specs);
    return kExitPass;
  }
  const std::vector<std::string> unsafe = outputs_naming_an_argument(args, out);  // a shard among them
  if (files.empty()) return could_not_run("merge", "no shard report given", out, unsafe, kTryHelp);
  if (const std::string idle = option_without_effect(out); !idle.empty())
    return could_not_run("merge", idle, out, unsafe, kTryHelp);
  if (const std::string same = same_output_file(report_paths(out)); !same.empty())
    return could_not_run("merge", same, out, unsafe, kTryHelp);
  std::vector<std::string> unwritable = unsafe;
  if (const std::string missing = missing_output_directory(report_paths(out), unwritable); !missing.empty())
    return could_not_run("merge", missing, out, unwritable);
  // A report must not overwrite a shard it is merged from, however spelled.
  std::vector<std::pair<std::string, std::string>> shards;
  for (const std::string& f : files) shards.emplace_back("the shard report " + f, f);
  std::vector<std::string> refused;
  if (const std::string clash = output_names_input(report_paths(out), shards, refused); !clash.empty())
    return could_not_run("merge", clash, out, refused);
  RunReport report;
  if (!merge_shards(files, tool_version(), report, error)) return could_not_run("merge", error, out);
  // Nor land inside a pack the shards checked, as check refuses it: each
  // pack by the path the shards name it by, where that path leads from here.
  const std::vector<std::string> outputs = report_files(out);
  if (!outputs.empty()) {
    std::vector<std::pair<std::string, std::string>> packs;
    for (std::size_t i = 0; i < report.packs.size(); ++i) {
      const PackResult p = report.packs.get(i);
      packs.emplace_back(p.path, p.path);
    }
    if (!outputs_outside(outputs, packs, report.runners_check ? "runners directory" : "pack", error, &refused))
      return could_not_run("merge", error, out, refused);
  }
  return write_outputs("merge", report, out);
}

}  // namespace mplp::cli
