// `mplp-gate check`: options -> CheckRequest -> run -> render -> exit code.
#include <unistd.h>

#include <iostream>

#include "cli/commands.h"
#include "cli/options.h"
#include "engine/check.h"
#include "report/render.h"

namespace mplp::cli {

namespace {

constexpr std::string_view kUsage =
    "usage: mplp-gate check [options] PATH...\n"
    "       mplp-gate check --runners DIR [options]\n\n"
    "Runs the gates over every evidence pack at or below each PATH (a directory\n"
    "holding manifest.json is a pack). Results go to stdout, errors to stderr.\n"
    "Exit codes: 0 no error finding, 1 an error finding (or a warning under\n"
    "--strict), 2 could not run (bad option, unreadable PATH, invalid policy).\n\n"
    "options:\n";

}  // namespace

int cmd_check(const Args& args) {
  CheckRequest req;
  std::string format = "text";
  std::string policy_path;
  bool help = false;
  std::vector<OptionSpec> specs = {
      {"--format", true, [&](const std::string& v, std::string& e) {
         if (find_renderer(v) == nullptr) {
           e = "unknown format '" + v + "' (one of:";
           for (const Renderer& r : all_renderers()) e += " " + std::string(r.name);
           e += ")";
           return false;
         }
         format = v;
         return true;
       }, "output format: json, text (default text)", "FMT"},
      {"--gate", true, [&](const std::string& v, std::string&) { req.only_gates.push_back(v); return true; },
       "run only this gate (repeatable; full id, e.g. GATE-V2-SSOT-01)", "ID"},
      {"--skip", true, [&](const std::string& v, std::string&) { req.skip_gates.push_back(v); return true; },
       "do not run this gate (repeatable)", "ID"},
      {"--policy", true, [&](const std::string& v, std::string&) { policy_path = v; return true; },
       "policy YAML replacing the built-in default", "FILE"},
      {"--strict", false, [&](const std::string&, std::string&) { req.options.strict = true; return true; },
       "warnings fail the run too", ""},
      {"--jobs", true, [&](const std::string& v, std::string& e) {
         if (!parse_unsigned(v, 1024, req.jobs) || req.jobs == 0) return e = "expected 1..1024", false;
         return true;
       }, "worker threads (default: number of cores)", "N"},
      {"--registry", true, [&](const std::string& v, std::string&) { req.registry_path = v; return true; },
       "substrate registry YAML", "FILE"},
      {"--repo-root", true, [&](const std::string& v, std::string&) { req.options.repo_root = v; return true; },
       "repository root (lock files, registry under producers/)", "DIR"},
      {"--runners", true, [&](const std::string& v, std::string&) { req.options.runners_dir = v; return true; },
       "check runner definitions in DIR instead of packs", "DIR"},
      {"--runner", true, [&](const std::string& v, std::string&) { req.options.only_runner = v; return true; },
       "with --runners: only this runner", "ID"},
      {"--require-engine", false,
       [&](const std::string&, std::string&) { req.options.require_engine = true; return true; },
       "with --runners: a missing container engine is an error, not a skip", ""},
      {"--absolute-paths", false, [&](const std::string&, std::string&) { req.absolute_paths = true; return true; },
       "report absolute pack paths", ""},
      {"--help", false, [&](const std::string&, std::string&) { help = true; return true; }, "this help", ""},
  };
  std::string error;
  if (!parse_options(args, specs, req.paths, error)) {
    std::cerr << "mplp-gate check: " << error << "\n" << "try 'mplp-gate check --help'\n";
    return kExitError;
  }
  if (help) {
    std::cout << kUsage << options_help(specs);
    return kExitPass;
  }
  if (req.paths.empty() && !req.options.runners_dir) {
    std::cerr << "mplp-gate check: no PATH given\ntry 'mplp-gate check --help'\n";
    return kExitError;
  }
  if (!policy_path.empty() && !load_policy_file(policy_path, req.policy, error)) {
    std::cerr << "mplp-gate check: invalid policy: " << error << "\n";
    return kExitError;
  }
  RunReport report;
  if (!run_check(req, report, error)) {
    std::cerr << "mplp-gate check: " << error << "\n";
    return kExitError;
  }
  RenderOptions ropts;
  ropts.tool_version = tool_version();
  find_renderer(format)->render(report, ropts, std::cout);
  std::cout.flush();
  if (!std::cout) {
    std::cerr << "mplp-gate check: cannot write the report to stdout\n";
    return kExitError;
  }
  return exit_code(report);
}

}  // namespace mplp::cli
