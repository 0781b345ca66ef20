// `mplp-gate run` (the runner executor) and `mplp-gate seal` (sealing alone).
#include <sys/stat.h>

#include <cstdint>
#include <filesystem>
#include <iostream>

#include "cli/commands.h"
#include "cli/options.h"
#include "cli/stderr_guard.h"
#include "core/json.h"
#include "core/keys.h"
#include "runner/executor.h"
#include "runner/seal.h"

namespace mplp::cli {

namespace {

namespace fs = std::filesystem;

constexpr std::string_view kRunUsage =
    "usage: mplp-gate run --runner ID --cmd CMD --out-dir DIR [options]\n\n"
    "Builds (or reuses) the image of runners/ID, runs CMD through `sh -c` in it with\n"
    "the repository at /workspace and DIR at /workspace/out, and on success seals DIR\n"
    "(reports/runner.meta.json, manifest env_ref and hashes, integrity/sha256sums.txt).\n"
    "DIR is replaced in one atomic step: if anything fails, or the process is killed,\n"
    "DIR is left as it was. CMD's output is streamed, through the filter of\n"
    "mplp-gate's own (control bytes escaped, CI workflow commands made inert).\n"
    "With --sign-key, integrity/provenance.intoto.jsonl (a DSSE-signed in-toto\n"
    "statement, SLSA provenance v1) is written in the same atomic step.\n"
    "CMD runs with no capability, no-new-privileges (podman as root: in a user\n"
    "namespace) and a time limit; DIR keeps its files' modes and owners, and a set-id,\n"
    "special or oversized file (policy limits) stops the run. A base image of the\n"
    "runner is never built here: `mplp-gate base build ID` does that.\n"
    "--timeout covers CMD and the seal of what it wrote.\n"
    "Exit codes: 0 sealed; 1 CMD failed (exited non-zero or was killed; the message\n"
    "gives its status); 2 could not run (the message names the step: engine,\n"
    "definition, base, build, fingerprint, stage, run, seal, commit), CMD's time limit\n"
    "ran out, or the engine could not start its container (status 125).\n"
    "With --print-fingerprint, only builds (or reuses) the image and prints the\n"
    "environment fingerprint measured in it as JSON (os, arch, runtime_type,\n"
    "runtime_version: runners/_lib/env-fingerprint.sh); --cmd and --out-dir are\n"
    "then not used.\n\n"
    "options:\n";

constexpr std::string_view kSealUsage =
    "usage: mplp-gate seal PACK [--sign-key FILE] [--policy FILE]\n\n"
    "Seals a pack produced elsewhere: env_ref from reports/runner.meta.json,\n"
    "hashes.pack_root_hash and hashes.verify_report_hash, then\n"
    "integrity/sha256sums.txt over every file outside integrity/, and with\n"
    "--sign-key integrity/provenance.intoto.jsonl (signed provenance). Without a\n"
    "key a stale provenance file is removed (the pack is then unsigned).\n"
    "The pack is updated in one atomic step; modes and owners are kept. A link,\n"
    "special or set-id file, a file over limits.max_file_size or more entries than\n"
    "limits.max_files_per_pack (the policy's) stops the seal before any hashing, and\n"
    "so does a change another process makes to PACK meanwhile.\n"
    "Exit codes: 0 sealed, 2 could not seal (PACK left as it was).\n";

// The status of `podman run` and `docker run` when the engine itself failed.
constexpr int kEngineFailed = 125;

// Loads --sign-key before any work, so a bad key costs nothing (exit 2).
bool load_sign_key(const std::string& path, PrivateKey& key, std::string& error) {
  if (path.empty()) return true;
  if (!load_private_key_file(path, key, error)) return error = "--sign-key: " + error, false;
  return true;
}

}  // namespace

bool exists_no_follow(const fs::path& p) {
  struct stat st {};
  return ::lstat(p.c_str(), &st) == 0;
}

bool is_dir(const fs::path& p) {
  struct stat st {};
  return ::stat(p.c_str(), &st) == 0 && S_ISDIR(st.st_mode);
}

// runners/ of the working directory or of the nearest ancestor holding it,
// searching up to the repository root (the nearest ancestor holding `.git`,
// a directory or a worktree's file) and never above it: a runners/ directory
// outside the repository is someone else's. Outside any repository only the
// working directory is searched. "" when none is found.
std::string find_runners_dir() {
  std::error_code ec;
  fs::path cwd = fs::current_path(ec);
  if (ec || cwd.empty()) return "";
  fs::path top = cwd;  // the last directory searched
  for (fs::path p = cwd;; p = p.parent_path()) {
    if (exists_no_follow(p / ".git")) {
      top = p;
      break;
    }
    if (p == p.root_path() || p.parent_path() == p) break;
  }
  for (fs::path p = cwd;; p = p.parent_path()) {
    if (is_dir(p / "runners")) return (p / "runners").string();
    if (p == top || p == p.root_path()) break;
  }
  return "";
}

OptionSpec engine_option(std::string& engine) {
  return {"--engine", true, [&engine](const std::string& v, std::string& e) {
            if (!runner::is_engine_name(v)) return e = "expected podman, docker or auto", false;
            engine = v;
            return true;
          }, "container engine: podman, docker or auto (default auto: podman first)", "NAME"};
}

bool load_policy_option(const std::string& command, const std::string& path, Policy& out) {
  std::string error;
  if (path.empty() || load_policy_file(path, out, error)) return true;
  std::cerr << "mplp-gate " << command << ": invalid policy: " << error << "\n";
  return false;
}

// The contract's fingerprint (runners/_lib/env-fingerprint.sh): its four keys, in order.
void print_fingerprint(const runner::Fingerprint& fp) {
  rapidjson::Document d(rapidjson::kObjectType);
  auto& a = d.GetAllocator();
  for (const auto& [key, value] : {std::pair{"os", &fp.os}, {"arch", &fp.arch}, {"runtime_type", &fp.runtime_type},
                                   {"runtime_version", &fp.runtime_version}})
    d.AddMember(rapidjson::StringRef(key), rapidjson::Value(value->c_str(), static_cast<rapidjson::SizeType>(value->size()), a), a);
  std::cout << to_compact_json(d, SIZE_MAX) << "\n";
}

int cmd_run(const Args& args) {
  runner::RunRequest req;
  std::string key_path;
  bool help = false, fingerprint_only = false;
  std::string policy_path;
  std::vector<std::string> positional;
  std::vector<OptionSpec> specs = {
      {"--runner", true, [&](const std::string& v, std::string&) { req.runner_id = v; return true; },
       "runner id (a directory of runners/)", "ID"},
      {"--cmd", true, [&](const std::string& v, std::string&) { req.cmd = v; return true; },
       "command run through sh -c in /workspace", "CMD"},
      {"--out-dir", true, [&](const std::string& v, std::string&) { req.out_dir = v; return true; },
       "the pack directory (mounted at /workspace/out)", "DIR"},
      engine_option(req.engine),
      {"--network", true, [&](const std::string& v, std::string& e) {
         if (v != "none" && v != "default") return e = "expected none or default", false;
         req.network = v;
         return true;
       }, "none (default: no network at run time) or default", "MODE"},
      {"--repo-root", true, [&](const std::string& v, std::string&) { req.repo_root = v; return true; },
       "mounted at /workspace (default: the directory holding runners/)", "DIR"},
      {"--runners", true, [&](const std::string& v, std::string&) { req.runners_dir = v; return true; },
       "runners directory (default: runners/ of the working directory or its nearest ancestor, up to the "
       "repository root)", "DIR"},
      {"--rebuild", false, [&](const std::string&, std::string&) { req.rebuild = true; return true; },
       "rebuild the runner image even when one for this definition exists", ""},
      {"--sign-key", true, [&](const std::string& v, std::string&) { key_path = v; return true; },
       "sign the run's provenance with this private key (PKCS#8 PEM: Ed25519 or ECDSA P-256)", "FILE"},
      {"--timeout", true, [&](const std::string& v, std::string& e) {
         if (!parse_unsigned(v, 7 * 24 * 3600, req.timeout_seconds) || req.timeout_seconds == 0)
           return e = "expected 1..604800 seconds", false;
         return true;
       }, "time limit of CMD's container and the seal of its pack in seconds (default 21600: 6 hours)",
       "SECONDS"},
      {"--build-timeout", true, [&](const std::string& v, std::string& e) {
         if (!parse_unsigned(v, 7 * 24 * 3600, req.build_timeout_seconds) || req.build_timeout_seconds == 0)
           return e = "expected 1..604800 seconds", false;
         return true;
       }, "time limit of the runner image's build in seconds (default 3600: 1 hour)", "SECONDS"},
      {"--policy", true, [&](const std::string& v, std::string&) { policy_path = v; return true; },
       "policy YAML (limits for the seal, runners.build_network)", "FILE"},
      {"--print-fingerprint", false, [&](const std::string&, std::string&) { fingerprint_only = true; return true; },
       "only build (or reuse) the image and print its environment fingerprint as JSON", ""},
      {"--help", false, [&](const std::string&, std::string&) { help = true; return true; }, "this help", ""},
  };
  std::string error;
  if (!parse_options(args, specs, positional, error)) {
    std::cerr << "mplp-gate run: " << error << "\ntry 'mplp-gate run --help'\n";
    return kExitError;
  }
  if (help) {
    std::cout << kRunUsage << options_help(specs);
    return kExitPass;
  }
  if (!positional.empty()) error = "unexpected argument '" + positional[0] + "'";
  else if (req.runner_id.empty()) error = "--runner is required";
  else if (req.cmd.empty() && !fingerprint_only) error = "--cmd is required";
  else if (req.out_dir.empty() && !fingerprint_only) error = "--out-dir is required";
  if (!error.empty()) {
    std::cerr << "mplp-gate run: " << error << "\ntry 'mplp-gate run --help'\n";
    return kExitError;
  }
  PrivateKey key;
  if (!load_sign_key(key_path, key, error)) {
    std::cerr << "mplp-gate run: " << error << "\n";
    return kExitError;
  }
  if (key.valid()) req.sign_key = &key;
  req.builder_version = std::string(tool_version());
  if (!load_policy_option("run", policy_path, req.policy)) return kExitError;
  if (req.runners_dir.empty()) req.runners_dir = find_runners_dir();
  if (req.runners_dir.empty()) {
    std::cerr << "mplp-gate run: no runners/ directory in the working directory or its parents up to the "
                 "repository root (use --runners)\n";
    return kExitError;
  }
  // Say which engine runs before a build that may take minutes (execute
  // detects it again and reports the failure when there is none).
  runner::Engine engine;
  std::string why;
  if (runner::detect_engine(req.engine, engine, why)) {
    std::cerr << "mplp-gate run: engine " << runner::describe(engine) << "\n";
    req.engine = engine.name;
  }
  std::cout.flush();
  runner::RunOutcome out;
  if (fingerprint_only) {
    req.output = runner::OutputMode::Capture;  // stdout is the JSON alone
    bool measured = runner::measure(req, out, error);
    for (const std::string& n : out.notes) std::cerr << "mplp-gate run: note: " << n << "\n";
    if (!measured) {
      if (!out.log.empty()) std::cerr << runner::tail_text(out.log, 4000) << "\n";
      std::cerr << "mplp-gate run: " << error << "\n";
      return kExitError;
    }
    print_fingerprint(out.meta.fingerprint);
    return kExitPass;
  }
  bool ok = false;
  {
    // CMD's and the build's output come through our streams (runner/process.h):
    // stderr's filter is main's; stdout gets the same while they run.
    GuardedStream guard(std::cout);
    ok = runner::execute(req, out, error);
  }
  for (const std::string& n : out.notes) std::cerr << "mplp-gate run: note: " << n << "\n";
  if (!ok) {
    std::cerr << "mplp-gate run: " << error << "\n";
    // CMD's own status is in the message: passed on as the exit status, a
    // CMD's 2 read as "could not run" and 137 as neither (QA-53). 125 is
    // the engine's own failure to start the container (podman, docker).
    return out.cmd_exit > 0 && out.cmd_exit != kEngineFailed ? kExitFail : kExitError;
  }
  std::cerr << "mplp-gate run: sealed " << req.out_dir << " (runner " << req.runner_id << ", image "
            << out.meta.container_digest << ", " << out.meta.fingerprint.runtime_type << " "
            << out.meta.fingerprint.runtime_version << ")";
  if (key.valid()) std::cerr << ", provenance signed by key " << key.public_key().id();
  std::cerr << "\n";
  return kExitPass;
}

int cmd_seal(const Args& args) {
  std::vector<std::string> positional;
  std::string key_path;
  bool help = false;
  std::string policy_path;
  std::vector<OptionSpec> specs = {
      {"--sign-key", true, [&](const std::string& v, std::string&) { key_path = v; return true; },
       "sign the provenance with this private key (PKCS#8 PEM: Ed25519 or ECDSA P-256)", "FILE"},
      {"--policy", true, [&](const std::string& v, std::string&) { policy_path = v; return true; },
       "policy YAML whose limits apply (default: the built-in policy)", "FILE"},
      {"--help", false, [&](const std::string&, std::string&) { help = true; return true; }, "this help", ""},
  };
  std::string error;
  if (!parse_options(args, specs, positional, error)) {
    std::cerr << "mplp-gate seal: " << error << "\ntry 'mplp-gate seal --help'\n";
    return kExitError;
  }
  if (help) {
    std::cout << kSealUsage << "\noptions:\n" << options_help(specs);
    return kExitPass;
  }
  if (positional.size() != 1) {
    std::cerr << "mplp-gate seal: expected exactly one PACK\ntry 'mplp-gate seal --help'\n";
    return kExitError;
  }
  PrivateKey key;
  if (!load_sign_key(key_path, key, error)) {
    std::cerr << "mplp-gate seal: " << error << "\n";
    return kExitError;
  }
  Policy policy = default_policy();
  if (!load_policy_option("seal", policy_path, policy)) return kExitError;
  runner::SealOptions options;
  options.limits = policy.limits;
  options.provenance.key = key.valid() ? &key : nullptr;
  options.provenance.builder_version = std::string(tool_version());
  std::vector<std::string> notes;
  bool ok = runner::seal_pack(positional[0], options, notes, error);
  for (const std::string& n : notes) std::cerr << "mplp-gate seal: note: " << n << "\n";
  if (!ok) {
    std::error_code ec;
    const bool exists = std::filesystem::symlink_status(positional[0], ec).type() != std::filesystem::file_type::not_found;
    // The seal step names itself for `run`, where it is one step of many;
    // here the command already says it.
    if (error.rfind("seal: ", 0) == 0) error.erase(0, 6);
    std::cerr << "mplp-gate seal: " << error << (exists ? "; " + positional[0] + " left untouched" : "") << "\n";
    return kExitError;
  }
  std::cerr << "mplp-gate seal: sealed " << positional[0];
  if (key.valid()) std::cerr << ", provenance signed by key " << key.public_key().id();
  std::cerr << "\n";
  return kExitPass;
}

}  // namespace mplp::cli
