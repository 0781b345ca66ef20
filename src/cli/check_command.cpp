// `mplp-gate check`: options -> CheckRequest -> run -> render -> exit code.
//
// One run, several reports: stdout gets --format, every --report FORMAT=FILE
// gets its own format, all from the same RunReport. The exit code comes from
// exit_code(report) alone (2 when the run, or writing a report, failed).
// The environment is read here and nowhere in the renderers: NO_COLOR, TERM,
// GITHUB_STEP_SUMMARY.
#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <sstream>

#include "cli/commands.h"
#include "cli/options.h"
#include "core/safe_fs.h"
#include "core/suggest.h"
#include "engine/check.h"
#include "gates/gate_list.h"
#include "report/receipt.h"
#include "report/render.h"
#include "runner/engine.h"

namespace mplp::cli {

namespace {

// --gate and --skip take a gate's full or short id; anything else is passed
// on as typed, for the engine's "unknown gate id" error with its suggestion.
std::string gate_id_of(const std::string& typed) {
  const Gate* g = find_gate_named(typed);
  return g != nullptr ? std::string(g->info().id) : typed;
}

constexpr std::string_view kUsage =
    "usage: mplp-gate check [options] PATH...\n"
    "       mplp-gate check --runners DIR [options]\n\n"
    "Runs the gates over every evidence pack at or below each PATH (a directory\n"
    "holding manifest.json is a pack). Results go to stdout, errors to stderr.\n"
    "Exit codes, whatever the format: 0 no error finding, 1 an error finding (or\n"
    "a warning under --strict), 2 could not run (bad option, unreadable PATH,\n"
    "invalid policy or registry, a report or receipt that could not be written\n"
    "or a report that would land inside a checked pack).\n\n"
    "Reports: --format sets stdout's format; --report FORMAT=FILE adds files from\n"
    "the same run (html: one self-contained page, a packs x gates matrix with\n"
    "filters). The JSON report names packs relative to the checked PATH, so its\n"
    "bytes do not depend on the working directory.\n\n"
    "Receipts: --receipt FILE writes what this run verified as an in-toto\n"
    "Statement with a SLSA Verification Summary predicate: one subject per pack\n"
    "(its name, the SHA-256 of its integrity/sha256sums.txt and manifest.json),\n"
    "the verdict and gates passed per pack, the policy digest, the options that\n"
    "change verdicts and the digest of the JSON report. With --sign-key it is a\n"
    "DSSE envelope; `mplp-gate verify-receipt` checks it later. Same packs, policy\n"
    "and options: the same bytes, from any directory (no time unless\n"
    "--receipt-time).\n\n"
    "options:\n";

constexpr std::size_t kProgressMinPacks = 8;  // below this a progress line is noise

struct ReportRequest {
  std::string format;
  std::string path;
};

std::string format_list() {
  std::string out;
  for (const Renderer& r : all_renderers()) out += (out.empty() ? "" : ", ") + std::string(r.name);
  return out;
}

bool check_format(const std::string& v, std::string& e) {
  if (find_renderer(v) != nullptr) return true;
  std::vector<std::string_view> names;
  for (const Renderer& r : all_renderers()) names.push_back(r.name);
  std::string guess = did_you_mean(v, names);
  e = "unknown format '" + v + "'" + (guess.empty() ? "" : "; did you mean " + guess + "?") + " (one of: " +
      format_list() + ")";
  return false;
}

bool env_set(const char* name) {
  const char* v = std::getenv(name);
  return v != nullptr && *v != '\0';
}

// --color auto: only on a terminal, never when NO_COLOR is set (no-color.org)
// or TERM is "dumb". always/never are explicit and win over NO_COLOR.
bool want_color(const std::string& mode) {
  if (mode == "always") return true;
  if (mode == "never") return false;
  if (env_set("NO_COLOR")) return false;
  const char* term = std::getenv("TERM");
  if (term != nullptr && std::string_view(term) == "dumb") return false;
  return ::isatty(STDOUT_FILENO) == 1;
}

// The policy used when --policy is absent: .mplp-gate.yaml in the working
// directory, else in the nearest ancestor holding .git (the repository's
// root); "" when there is none. Never a directory above the repository.
std::string discover_policy() {
  std::error_code ec;
  std::filesystem::path dir = std::filesystem::current_path(ec);
  if (ec) return {};
  const char* kName = ".mplp-gate.yaml";
  if (std::filesystem::exists(dir / kName, ec)) return (dir / kName).string();
  for (std::filesystem::path d = dir;; d = d.parent_path()) {
    if (std::filesystem::exists(d / ".git", ec))
      return std::filesystem::exists(d / kName, ec) ? (d / kName).string() : std::string();
    if (d == d.parent_path()) return {};
  }
}

// For a command line that did not parse: the stdout format and report files
// it asked for, as far as they can be read, so that even a bad option leaves
// the reports a CI step expects (each saying the run could not happen).
void salvage_outputs(const Args& args, std::string& format, std::vector<ReportRequest>& reports) {
  for (std::size_t i = 0; i < args.size(); ++i) {
    const std::string& a = args[i];
    if (a == "--") return;
    std::string name = a, value;
    if (std::size_t eq = a.find('='); a.rfind("--", 0) == 0 && eq != std::string::npos) {
      name = a.substr(0, eq);
      value = a.substr(eq + 1);
    } else if ((a == "--format" || a == "--report") && i + 1 < args.size()) {
      value = args[++i];
    }
    if (name == "--format" && find_renderer(value) != nullptr) format = value;
    std::size_t eq = value.find('=');
    if (name == "--report" && eq != std::string::npos && eq + 1 < value.size() &&
        find_renderer(value.substr(0, eq)) != nullptr)
      reports.push_back({value.substr(0, eq), value.substr(eq + 1)});
  }
}

// Exit 2: the error on stderr, and in every output that was asked for (the
// stdout format unless it is text, whose reader has stderr; each --report
// file but those `refused` because they lie inside a checked directory; the
// step summary), in the format's own shape.
constexpr std::string_view kTryHelp = "try 'mplp-gate check --help'\n";

int could_not_run(const std::string& error, const std::string& format, const std::vector<ReportRequest>& reports,
                  const std::vector<std::string>& refused = {}, std::string_view stderr_hint = {}) {
  std::cerr << "mplp-gate check: " << error << "\n" << stderr_hint;
  RenderOptions o;
  o.tool_version = tool_version();
  std::ostringstream summary;
  if (env_set("GITHUB_STEP_SUMMARY")) o.step_summary = &summary;
  if (format != "text") {
    find_renderer(format)->render_error(error, o, std::cout);
    std::cout.flush();
    o.step_summary = nullptr;
  }
  for (const ReportRequest& r : reports) {
    if (std::find(refused.begin(), refused.end(), r.path) != refused.end()) continue;
    std::ostringstream bytes;
    find_renderer(r.format)->render_error(error, o, bytes);
    if (r.format == "github") o.step_summary = nullptr;
    std::string why;
    if (!write_file_atomic(r.path, bytes.str(), why))
      std::cerr << "mplp-gate check: cannot write " << r.format << " report to " << r.path << ": " << why << "\n";
  }
  if (!summary.str().empty()) {
    std::ofstream f(std::getenv("GITHUB_STEP_SUMMARY"), std::ios::app | std::ios::binary);
    f << summary.str();
  }
  return kExitError;
}

}  // namespace

int cmd_check(const Args& args) {
  CheckRequest req;
  std::string format = "text";
  std::string policy_path;
  std::string color_mode = "auto";
  std::vector<ReportRequest> reports;
  ReceiptOptions receipt;
  bool quiet = false;
  bool help = false;
  std::size_t max_annotations = 10;
  bool annotate_info = false, statistics = false;
  std::vector<OptionSpec> specs = {
      {"--format", true, [&](const std::string& v, std::string& e) {
         if (!check_format(v, e)) return false;
         format = v;
         return true;
       }, "stdout format: " + format_list() + " (default text)", "FMT"},
      {"--report", true, [&](const std::string& v, std::string& e) {
         std::size_t eq = v.find('=');
         if (eq == std::string::npos || eq + 1 == v.size()) return e = "expected FORMAT=FILE", false;
         if (!check_format(v.substr(0, eq), e)) return false;
         reports.push_back({v.substr(0, eq), v.substr(eq + 1)});
         return true;
       }, "also write a report in FORMAT to FILE (repeatable; written atomically)", "FORMAT=FILE"},
      {"--color", true, [&](const std::string& v, std::string& e) {
         if (v != "auto" && v != "always" && v != "never") return e = "expected auto, always or never", false;
         color_mode = v;
         return true;
       }, "colour the text output: auto (terminal, no NO_COLOR), always, never", "WHEN"},
      {"-q", false, [&](const std::string&, std::string&) { quiet = true; return true; },
       "quiet: nothing on stdout when the run passes, only what failed when it fails (no progress line)", ""},
      {"--quiet", false, [&](const std::string&, std::string&) { quiet = true; return true; }, "same as -q", ""},
      {"--gate", true, [&](const std::string& v, std::string&) { req.only_gates.push_back(gate_id_of(v)); return true; },
       "run only this gate (repeatable; GATE-V2-SSOT-01 or SSOT-01)", "ID"},
      {"--skip", true, [&](const std::string& v, std::string&) { req.skip_gates.push_back(gate_id_of(v)); return true; },
       "do not run this gate (repeatable)", "ID"},
      {"--policy", true, [&](const std::string& v, std::string&) { policy_path = v; return true; },
       "policy YAML replacing the built-in default (without it: ./.mplp-gate.yaml, else the one at the nearest "
       "ancestor holding .git)", "FILE"},
      {"--baseline", true, [&](const std::string& v, std::string&) { req.baseline_path = v; return true; },
       "a previous JSON report: findings it already had are marked and do not fail the run", "OLD.json"},
      {"--strict", false, [&](const std::string&, std::string&) { req.options.strict = true; return true; },
       "warnings fail the run too", ""},
      {"--jobs", true, [&](const std::string& v, std::string& e) {
         if (!parse_unsigned(v, 1024, req.jobs) || req.jobs == 0) return e = "expected 1..1024", false;
         return true;
       }, "worker threads (default: number of cores)", "N"},
      {"--registry", true, [&](const std::string& v, std::string&) { req.registry_path = v; return true; },
       "substrate registry YAML", "FILE"},
      {"--repo-root", true, [&](const std::string& v, std::string&) { req.options.repo_root = v; return true; },
       "repository root (lock files, registry under producers/; default registry: the packs' nearest ancestor holding one)", "DIR"},
      {"--trusted-key", true, [&](const std::string& v, std::string&) { req.trusted_key_paths.push_back(v); return true; },
       "trust signatures by this public key (PEM; repeatable; see also the policy's trust.keys)", "FILE"},
      {"--require-signature", false,
       [&](const std::string&, std::string&) { req.options.require_signature = true; return true; },
       "INDEXABLE_REAL packs must carry provenance signed by a trusted key (no trusted key: fail)", ""},
      {"--runners", true, [&](const std::string& v, std::string&) { req.options.runners_dir = v; return true; },
       "check runner definitions in DIR instead of packs", "DIR"},
      {"--runner", true, [&](const std::string& v, std::string&) { req.options.only_runner = v; return true; },
       "with --runners: only this runner", "ID"},
      {"--require-engine", false,
       [&](const std::string&, std::string&) { req.options.require_engine = true; return true; },
       "with --runners: a missing container engine is an error, not a skip", ""},
      {"--run-smoke-scripts", false,
       [&](const std::string&, std::string&) { req.options.run_smoke_scripts = true; return true; },
       "with --runners: also run each runner's smoke.sh, the definition's own code, on this machine", ""},
      {"--engine", true, [&](const std::string& v, std::string& e) {
         if (!runner::is_engine_name(v)) return e = "expected podman, docker or auto", false;
         req.options.engine = v;
         return true;
       }, "with --runners: container engine, podman, docker or auto (default auto: podman first)", "NAME"},
      {"--absolute-paths", false, [&](const std::string&, std::string&) { req.absolute_paths = true; return true; },
       "report absolute pack paths (the JSON report names packs relative to the checked root without it)", ""},
      {"--receipt", true, [&](const std::string& v, std::string&) { receipt.path = v; return true; },
       "also write a verification receipt (in-toto Statement, SLSA VSA v1) to FILE (atomic)", "FILE"},
      {"--sign-key", true, [&](const std::string& v, std::string&) { receipt.sign_key_path = v; return true; },
       "with --receipt: sign it (DSSE envelope) with this private key", "KEY"},
      {"--receipt-time", false, [&](const std::string&, std::string&) { receipt.with_time = true; return true; },
       "with --receipt: record timeVerified (now, or SOURCE_DATE_EPOCH when set)", ""},
      {"--receipt-uri", true, [&](const std::string& v, std::string&) { receipt.resource_uri = v; return true; },
       "with --receipt: the resourceUri to record (default " + std::string(kDefaultResourceUri) + ")", "URI"},
      {"--max-annotations", true, [&](const std::string& v, std::string& e) {
         unsigned n = 0;
         if (!parse_unsigned(v, 1000000, n)) return e = "expected 0..1000000", false;
         max_annotations = n;
         return true;
       }, "github: at most N error and N warning annotations (default 10, what GitHub shows per step)", "N"},
      {"--annotate-info", false, [&](const std::string&, std::string&) { annotate_info = true; return true; },
       "github: annotate info findings too (as notices; at most --max-annotations)", ""},
      {"--statistics", false, [&](const std::string&, std::string&) { statistics = true; return true; },
       "text and json: also count findings per code and severity", ""},
      {"--help", false, [&](const std::string&, std::string&) { help = true; return true; }, "this help", ""},
  };
  std::string error;
  if (!parse_options(args, specs, req.paths, error)) {
    format = "text";
    reports.clear();
    salvage_outputs(args, format, reports);
    return could_not_run(error, format, reports, {}, kTryHelp);
  }
  if (help) {
    std::cout << kUsage << options_help(specs);
    return kExitPass;
  }
  if (req.paths.empty() && !req.options.runners_dir)
    return could_not_run("no PATH given", format, reports, {}, kTryHelp);
  if (policy_path.empty()) policy_path = discover_policy();
  if (!policy_path.empty() && !load_policy_file(policy_path, req.policy, error))
    return could_not_run("invalid policy: " + error, format, reports);
  if (!prepare_receipt(receipt, req.options.runners_dir.has_value(), error))
    return could_not_run(error, format, reports);

  // A progress line, only for people watching a terminal.
  bool progress_shown = false;
  if (!quiet && ::isatty(STDERR_FILENO) == 1) {
    req.on_pack_done = [&progress_shown](std::size_t done, std::size_t total) {
      if (total < kProgressMinPacks) return;
      std::cerr << "\rmplp-gate: checked " << done << "/" << total << " packs" << std::flush;
      progress_shown = true;
    };
  }
  for (const ReportRequest& r : reports) req.output_paths.push_back(r.path);
  if (!receipt.path.empty()) req.output_paths.push_back(receipt.path);
  RunReport report;
  std::vector<std::string> refused;
  bool ran = run_check(req, report, error, &refused);
  if (progress_shown) std::cerr << "\r\x1b[K" << std::flush;
  if (!ran) return could_not_run(error, format, reports, refused);
  int code = exit_code(report);

  RenderOptions base;
  base.tool_version = tool_version();
  base.quiet = quiet;
  base.max_annotations = max_annotations;
  base.annotate_info = annotate_info;
  base.statistics = statistics;
  // $GITHUB_STEP_SUMMARY gets one summary per run, from the first github report.
  std::ostringstream step_summary;
  bool wants_summary = env_set("GITHUB_STEP_SUMMARY");
  auto options_for = [&](const std::string& fmt, bool color) {
    RenderOptions o = base;
    o.color = color;
    if (fmt == "github" && wants_summary) {
      o.step_summary = &step_summary;
      wants_summary = false;
    }
    return o;
  };

  bool failed_output = false;
  if (!(quiet && code == 0)) {
    find_renderer(format)->render(report, options_for(format, format == "text" && want_color(color_mode)), std::cout);
    std::cout.flush();
    if (!std::cout) {
      std::cerr << "mplp-gate check: cannot write the report to stdout\n";
      failed_output = true;
    }
  } else if (format == "github") {
    std::ostringstream discard;
    find_renderer(format)->render(report, options_for(format, false), discard);  // still feed the summary
  }
  for (const ReportRequest& r : reports) {
    std::ostringstream bytes;
    RenderOptions o = options_for(r.format, false);
    o.quiet = false;  // a requested file always gets the full report
    find_renderer(r.format)->render(report, o, bytes);
    if (!write_file_atomic(r.path, bytes.str(), error)) {
      std::cerr << "mplp-gate check: cannot write " << r.format << " report to " << r.path << ": " << error << "\n";
      failed_output = true;
    }
  }
  if (!receipt.path.empty() && !write_receipt(report, receipt, error)) {
    std::cerr << "mplp-gate check: cannot write the receipt to " << receipt.path << ": " << error << "\n";
    failed_output = true;
  }
  if (!step_summary.str().empty()) {
    const char* path = std::getenv("GITHUB_STEP_SUMMARY");
    std::ofstream f(path, std::ios::app | std::ios::binary);
    f << step_summary.str();
    f.flush();
    if (!f) {
      std::cerr << "mplp-gate check: cannot append the step summary to " << path << "\n";
      failed_output = true;
    }
  }
  return failed_output ? kExitError : code;
}

}  // namespace mplp::cli
