// Where the report of a run goes, for every command that produces one
// (`check`, `merge`): stdout in --format, each --report FORMAT=FILE
// (atomic), $GITHUB_STEP_SUMMARY, and, when the run could not happen, every
// one of them saying so in its own shape. The exit code never depends on
// the format.
//
//   OutputRequest out;
//   std::vector<OptionSpec> specs = output_options(out);   // --format, --report, ...
//   ... parse ...
//   return write_outputs("check", report, out);            // exit_code(report), or 2
#pragma once

#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "cli/commands.h"
#include "cli/options.h"
#include "engine/run_report.h"

namespace mplp::cli {

struct ReportRequest {
  std::string format;
  std::string path;
};

struct OutputRequest {
  std::string format = "text";  // stdout
  std::vector<ReportRequest> reports;
  std::string color_mode = "auto";
  bool quiet = false;
  std::size_t max_annotations = 10;
  bool max_annotations_given = false;
  bool annotate_info = false, statistics = false;
  // A receipt this run would write, once its path is known to name no
  // input: a run that ends in an error removes a regular file there, so
  // that no earlier PASSED receipt stands beside exit 2.
  std::string receipt;
};

// The options that fill `out`, in the order `--help` lists them: --format,
// --report, --color, -q, --quiet (leading) and --max-annotations,
// --annotate-info, --statistics (trailing).
std::vector<OptionSpec> leading_output_options(OutputRequest& out);
std::vector<OptionSpec> trailing_output_options(OutputRequest& out);

// For a command line that did not parse: the stdout format and report files
// it asked for, as far as they can be read, so that even a bad option leaves
// the reports a CI step expects (each saying the run could not happen).
void salvage_outputs(const Args& args, OutputRequest& out);

// The --report files of `out` that name the same file as another word of
// the command line (or what follows its '='): before a command knows which
// words are files it reads, an error report never goes over any of them
// (`--bogus --policy p.yaml --report json=p.yaml` kept p.yaml).
std::vector<std::string> outputs_naming_an_argument(const Args& args, const OutputRequest& out);

// Exit 2: "mplp-gate COMMAND: error" on stderr (then `stderr_hint`), and the
// error in every output asked for (the stdout format unless it is text,
// whose reader has stderr; each --report file but those `refused`; the step
// summary), in the format's own shape.
int could_not_run(std::string_view command, const std::string& error, const OutputRequest& out,
                  const std::vector<std::string>& refused = {}, std::string_view stderr_hint = {});

// Empty when no output names a file the run reads; else why ("--receipt k
// would overwrite --sign-key k, which this run reads"), and every output
// that does is added to `refused`, so that the error report spares it too.
// Both lists pair an option with a path.
std::string output_names_input(const std::vector<std::pair<std::string, std::string>>& outputs,
                               const std::vector<std::pair<std::string, std::string>>& inputs,
                               std::vector<std::string>& refused);
// An option that would shape no output of this run (--max-annotations
// without a github output, --statistics without a text or json one), or "".
std::string option_without_effect(const OutputRequest& out);
// Empty when every path names another file; else why not ("--report json=a
// and --receipt a name one file"): two outputs to one file would leave only
// the last. Paths are compared as written (made absolute and normal) and, for
// files that exist, by device and inode. `paths` pairs an option with a path.
std::string same_output_file(const std::vector<std::pair<std::string, std::string>>& paths);
// `out.reports` as (option, path) pairs for same_output_file, and the step
// summary when the run appends one ($GITHUB_STEP_SUMMARY with a github
// format): it is an output like any other, kept off the packs and inputs.
std::vector<std::pair<std::string, std::string>> report_paths(const OutputRequest& out);
// The paths alone (to keep off the checked packs: engine/check.h).
std::vector<std::string> report_files(const OutputRequest& out);
// Empty when the directory of every output exists (checked before the run,
// so that a typo in a --report path is not found after all the work, with
// reports already written that say the run passed); else why not, and each
// such output is added to `refused` (the error report does not try it).
std::string missing_output_directory(const std::vector<std::pair<std::string, std::string>>& paths,
                                     std::vector<std::string>& refused);
// $GITHUB_STEP_SUMMARY when this run appends to it, else "".
std::string step_summary_path(const OutputRequest& out);

// Renders `report` to every --report file, then stdout, then `also_write`
// (when given: the caller's own output, say a receipt, made beforehand;
// false with its error); the exit code of the run (exit_code), or 2 when one
// could not be written: every report file then carries that error (as
// could_not_run writes it), stdout too unless it already holds the report,
// and what comes after it is not written.
int write_outputs(std::string_view command, const RunReport& report, const OutputRequest& out,
                  const std::function<bool(std::string&)>& also_write = nullptr);

}  // namespace mplp::cli
