// `mplp-gate check`: options -> CheckRequest -> run -> render -> exit code.
//
// One run, several reports: stdout gets --format, every --report FORMAT=FILE
// gets its own format, all from the same RunReport. The exit code comes from
// exit_code(report) alone (2 when the run, or writing a report, failed).
// The environment is read here and nowhere in the renderers: NO_COLOR, TERM,
// GITHUB_STEP_SUMMARY.
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <sstream>
#include <stdexcept>

#include "cli/commands.h"
#include "cli/options.h"
#include "cli/outputs.h"
#include "cli/stderr_guard.h"
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

constexpr std::string_view kTryHelp = "try 'mplp-gate check --help'\n";

constexpr std::size_t kProgressMinPacks = 8;  // below this a progress line is noise

// The policy used when --policy is absent: .mplp-gate.yaml in the working
// directory, else in the nearest ancestor holding .git (the repository's
// root); "" when there is none. Never a directory above the repository.
std::string discover_policy() {
  std::error_code ec;
  std::filesystem::path dir = std::filesystem::current_path(ec);
  if (ec) return {};
  const char* kName = ".mplp-gate.yaml";
  // A name that is there, even as a dangling link or one this user cannot
  // reach, is the policy: loading it then says what is wrong, rather than the
  // run falling back to another policy without a word.
  auto present = [](const std::filesystem::path& p) {
    std::error_code e;
    return std::filesystem::symlink_status(p, e).type() != std::filesystem::file_type::not_found;
  };
  if (present(dir / kName)) return (dir / kName).string();
  for (std::filesystem::path d = dir;; d = d.parent_path()) {
    if (std::filesystem::exists(d / ".git", ec))
      return present(d / kName) ? (d / kName).string() : std::string();
    if (d == d.parent_path()) return {};
  }
}

// Why the options cannot make one run, or "": a runners check and packs at
// once (the packs would go unchecked without a word), an option of runners
// checks without --runners (it would do nothing), a directory option naming
// no directory (the run would pass without what it was asked to read).
std::string option_misuse(const CheckRequest& req, bool engine_given) {
  const CheckOptions& o = req.options;
  if (o.runners_dir && !req.paths.empty())
    return "--runners checks the runner definitions in " + *o.runners_dir + ", not packs: check " + req.paths.front() +
           " in a run of its own";
  if (!o.runners_dir) {
    const char* alone = o.only_runner ? "--runner" : o.require_engine ? "--require-engine"
                        : o.run_smoke_scripts ? "--run-smoke-scripts" : engine_given ? "--engine" : nullptr;
    if (alone != nullptr) return std::string(alone) + " applies to a check of runner definitions: add --runners DIR";
  }
  for (const auto& [option, dir] : {std::pair{"--runners", o.runners_dir}, std::pair{"--repo-root", o.repo_root}}) {
    if (!dir) continue;
    struct stat st {};
    if (::stat(dir->c_str(), &st) != 0) return std::string(option) + " " + *dir + ": " + std::strerror(errno);
    if (!S_ISDIR(st.st_mode)) return std::string(option) + " " + *dir + ": not a directory";
  }
  return "";
}

// Why a policy found in the repository may not add the keys it lists, or "":
// the command line set what to trust (--trusted-key, --require-signature),
// and a pull request can edit .mplp-gate.yaml as it can add a suppression
// there, so its own key would pass a relabelled pack (QA-37). A policy given
// with --policy is the caller's choice, and used whole.
std::string discovered_trust(const CheckRequest& req) {
  if (req.policy.trusted_keys.empty() || (req.trusted_key_paths.empty() && !req.options.require_signature)) return "";
  return req.policy.trusted_keys.front().where +
         ": this policy was found in the repository (not given with --policy) and lists trusted keys, while the command line "
         "sets what to trust (--trusted-key or --require-signature): a change to that file could trust its own key. "
         "Give it with --policy to use its keys, or remove its trust.keys";
}

// The same for a found policy's runners.build_network, when this check
// builds runner images: a pull request's own .mplp-gate.yaml had given its
// Containerfile's RUN steps the network (QA-40).
std::string discovered_build_network(const CheckRequest& req, const std::string& policy_path) {
  if (req.policy.runners.build_network.empty() || !req.options.runners_dir) return "";
  return policy_path +
         ": this policy was found in the repository (not given with --policy) and lists runners.build_network: a "
         "change to that file could give its own runner's image build the network. Give it with --policy to allow "
         "that, or remove runners.build_network";
}

}  // namespace

int cmd_check(const Args& args) {
  CheckRequest req;
  OutputRequest out;
  std::string policy_path;
  ReceiptOptions receipt;
  bool help = false, engine_given = false;
  std::vector<OptionSpec> specs = leading_output_options(out);
  std::vector<OptionSpec> own = {
      {"--gate", true, [&](const std::string& v, std::string&) { req.only_gates.push_back(gate_id_of(v)); return true; },
       "run only this gate (repeatable; GATE-V2-SSOT-01 or SSOT-01)", "ID", true},
      {"--skip", true, [&](const std::string& v, std::string&) { req.skip_gates.push_back(gate_id_of(v)); return true; },
       "do not run this gate (repeatable)", "ID", true},
      {"--policy", true, [&](const std::string& v, std::string&) {
         policy_path = v;
         return true;
       },
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
       "trust signatures by this public key (PEM; repeatable; see also the policy's trust.keys)", "FILE", true},
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
         engine_given = true;
         return true;
       }, "with --runners: container engine, podman, docker or auto (default auto: podman first)", "NAME"},
      {"--shard", true, [&](const std::string& v, std::string& e) {
         ShardSpec spec;
         if (!parse_shard(v, spec, e)) return false;
         req.shard = spec;
         return true;
       }, "check only shard K of N (K from 0: JOB_COMPLETION_INDEX); `mplp-gate merge` joins the shards' JSON reports",
       "K/N"},
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
      {"--help", false, [&](const std::string&, std::string&) { help = true; return true; }, "this help", ""},
  };
  specs.insert(specs.end(), own.begin(), own.end() - 1);
  for (OptionSpec& o : trailing_output_options(out)) specs.push_back(std::move(o));
  specs.push_back(own.back());  // --help
  std::string error;
  if (!parse_options(args, specs, req.paths, error)) {
    out = OutputRequest{};
    salvage_outputs(args, out);
    return could_not_run("check", error, out, outputs_naming_an_argument(args, out), kTryHelp);
  }
  if (help) {
    std::cout << kUsage << options_help(specs);
    return kExitPass;
  }
  // Until the inputs are known (below), no error report goes over a file the
  // command line names, nor into a pack the run would check: those are
  // found, as the run finds them, only when there is an error to report.
  const auto spare = [&](std::vector<std::string> refused) {
    std::vector<std::string> outputs = report_files(out);
    if (!receipt.path.empty()) outputs.push_back(receipt.path);
    for (std::string& inside : outputs_inside_packs(req.paths, req.options.runners_dir, outputs))
      refused.push_back(std::move(inside));
    return refused;
  };
  const std::vector<std::string> unsafe = outputs_naming_an_argument(args, out);
  if (req.paths.empty() && !req.options.runners_dir)
    return could_not_run("check", "no PATH given", out, unsafe, kTryHelp);
  if (const std::string misuse = option_misuse(req, engine_given); !misuse.empty())
    return could_not_run("check", misuse, out, spare(unsafe), kTryHelp);
  if (const std::string idle = option_without_effect(out); !idle.empty())
    return could_not_run("check", idle, out, spare(unsafe), kTryHelp);
  if (req.shard && req.options.runners_dir)
    return could_not_run("check", "--shard splits packs; a runners check (--runners) is not sharded: run it once", out,
                         spare(unsafe), kTryHelp);
  if (req.shard && !receipt.path.empty())
    return could_not_run("check", "--receipt records a whole run, not one shard: check unsharded for a receipt", out,
                         spare(unsafe), kTryHelp);
  auto outputs = report_paths(out);  // (option, path) of every file the run writes
  if (!receipt.path.empty()) outputs.emplace_back("--receipt " + receipt.path, receipt.path);
  if (const std::string same = same_output_file(outputs); !same.empty())
    return could_not_run("check", same, out, spare(unsafe), kTryHelp);
  std::vector<std::string> unwritable = unsafe;
  if (const std::string missing = missing_output_directory(outputs, unwritable); !missing.empty())
    return could_not_run("check", missing, out, spare(unwritable));
  const bool policy_discovered = policy_path.empty();
  if (policy_discovered) policy_path = discover_policy();
  // No output may replace what the run reads: a receipt written over its own
  // signing key would destroy the key. Checked before the policy loads (its
  // error report must spare the policy), then again with the keys it trusts.
  std::vector<std::pair<std::string, std::string>> inputs = {{"the policy " + policy_path, policy_path},
                                                            {"--sign-key " + receipt.sign_key_path, receipt.sign_key_path}};
  if (req.baseline_path) inputs.emplace_back("--baseline " + *req.baseline_path, *req.baseline_path);
  if (req.registry_path) inputs.emplace_back("--registry " + *req.registry_path, *req.registry_path);
  for (const std::string& k : req.trusted_key_paths) inputs.emplace_back("--trusted-key " + k, k);
  std::vector<std::string> clashing;
  if (const std::string clash = output_names_input(outputs, inputs, clashing); !clash.empty())
    return could_not_run("check", clash, out, spare(clashing), kTryHelp);
  out.receipt = receipt.path;  // names no input: an error from here on removes an old one there
  if (!policy_path.empty() && !load_policy_file(policy_path, req.policy, error))
    return could_not_run("check", "invalid policy: " + error, out, spare({}));
  if (policy_discovered && !policy_path.empty()) {
    if (const std::string widened = discovered_trust(req); !widened.empty())
      return could_not_run("check", widened, out, spare({}));
    if (const std::string widened = discovered_build_network(req, policy_path); !widened.empty())
      return could_not_run("check", widened, out, spare({}));
  }
  for (const PolicyTrustedKey& k : req.policy.trusted_keys) inputs.emplace_back("the trusted key " + k.path, k.path);
  if (const std::string clash = output_names_input(outputs, inputs, clashing); !clash.empty())
    return could_not_run("check", clash, out, spare(clashing), kTryHelp);
  if (!prepare_receipt(receipt, req.options.runners_dir.has_value(), error))
    return could_not_run("check", error, out, spare({}));

  // A progress line, only for people watching a terminal.
  bool progress_shown = false;
  if (!out.quiet && ::isatty(STDERR_FILENO) == 1) {
    req.on_pack_done = [&progress_shown](std::size_t done, std::size_t total) {
      if (total < kProgressMinPacks) return;
      stderr_terminal() << "\rmplp-gate: checked " << done << "/" << total << " packs" << std::flush;
      progress_shown = true;
    };
  }
  req.output_paths = report_files(out);
  if (!receipt.path.empty()) req.output_paths.push_back(receipt.path);
  RunReport report;
  std::vector<std::string> refused;
  bool ran = false;
  try {
    ran = run_check(req, report, error, &refused);
  } catch (const std::runtime_error& e) {
    // What the run could not do outside any gate, say write its temporary
    // file on a full disk: exit 2 like any run that could not finish, with
    // the error in every report asked for, not only on stderr.
    error = e.what();
  } catch (const std::exception& e) {  // a bug of ours (core/rapidjson_assert.h)
    error = std::string("internal error: ") + e.what();
  }
  if (progress_shown) stderr_terminal() << "\r\x1b[K" << std::flush;
  if (!ran) return could_not_run("check", error, out, spare(refused));
  if (receipt.path.empty()) return write_outputs("check", report, out);
  // Made before any output is written: one that cannot be made (a pack name
  // a statement cannot hold) leaves every output saying so.
  std::string receipt_bytes;
  if (!make_receipt(report, receipt, receipt_bytes, error))
    return could_not_run("check", "cannot write the receipt to " + receipt.path + ": " + error, out, {});
  return write_outputs("check", report, out, [&](std::string& why) {
    return write_output_file(receipt.path, receipt_bytes, why) ||
           (why = "cannot write the receipt to " + receipt.path + ": " + why, false);
  });
}

}  // namespace mplp::cli
