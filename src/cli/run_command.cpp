// `mplp-gate run` (the runner executor) and `mplp-gate seal` (sealing alone).
#include <sys/stat.h>

#include <filesystem>
#include <iostream>

#include "cli/commands.h"
#include "cli/options.h"
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
    "DIR is left as it was. CMD's output is streamed.\n"
    "Exit codes: 0 sealed; CMD's own status when it failed; 2 could not run (the\n"
    "message names the step: engine, definition, build, fingerprint, run, seal, commit).\n\n"
    "options:\n";

constexpr std::string_view kSealUsage =
    "usage: mplp-gate seal PACK\n\n"
    "Seals a pack produced elsewhere: env_ref from reports/runner.meta.json,\n"
    "hashes.pack_root_hash and hashes.verify_report_hash, then\n"
    "integrity/sha256sums.txt over every file outside integrity/. The pack is\n"
    "updated in one atomic step. Exit codes: 0 sealed, 2 could not seal.\n";

// The nearest ancestor of the working directory that holds runners/.
std::string find_runners_dir() {
  std::error_code ec;
  fs::path p = fs::current_path(ec);
  for (; !ec && !p.empty(); p = p.parent_path()) {
    if (fs::is_directory(p / "runners", ec)) return (p / "runners").string();
    if (p == p.root_path()) break;
  }
  return "";
}

}  // namespace

int cmd_run(const Args& args) {
  runner::RunRequest req;
  bool help = false;
  std::vector<std::string> positional;
  std::vector<OptionSpec> specs = {
      {"--runner", true, [&](const std::string& v, std::string&) { req.runner_id = v; return true; },
       "runner id (a directory of runners/)", "ID"},
      {"--cmd", true, [&](const std::string& v, std::string&) { req.cmd = v; return true; },
       "command run through sh -c in /workspace", "CMD"},
      {"--out-dir", true, [&](const std::string& v, std::string&) { req.out_dir = v; return true; },
       "the pack directory (mounted at /workspace/out)", "DIR"},
      {"--engine", true, [&](const std::string& v, std::string& e) {
         if (!runner::is_engine_name(v)) return e = "expected podman, docker or auto", false;
         req.engine = v;
         return true;
       }, "container engine: podman, docker or auto (default auto: podman first)", "NAME"},
      {"--network", true, [&](const std::string& v, std::string& e) {
         if (v != "none" && v != "default") return e = "expected none or default", false;
         req.network = v;
         return true;
       }, "none (default: no network at run time) or default", "MODE"},
      {"--repo-root", true, [&](const std::string& v, std::string&) { req.repo_root = v; return true; },
       "mounted at /workspace (default: the directory holding runners/)", "DIR"},
      {"--runners", true, [&](const std::string& v, std::string&) { req.runners_dir = v; return true; },
       "runners directory (default: runners/ of the nearest ancestor of the working directory)", "DIR"},
      {"--rebuild", false, [&](const std::string&, std::string&) { req.rebuild = true; return true; },
       "rebuild the runner image even when one for this definition exists", ""},
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
  else if (req.cmd.empty()) error = "--cmd is required";
  else if (req.out_dir.empty()) error = "--out-dir is required";
  if (!error.empty()) {
    std::cerr << "mplp-gate run: " << error << "\ntry 'mplp-gate run --help'\n";
    return kExitError;
  }
  if (req.runners_dir.empty()) req.runners_dir = find_runners_dir();
  if (req.runners_dir.empty()) {
    std::cerr << "mplp-gate run: no runners/ directory in the working directory or its parents (use --runners)\n";
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
  bool ok = runner::execute(req, out, error);
  for (const std::string& n : out.notes) std::cerr << "mplp-gate run: note: " << n << "\n";
  if (!ok) {
    std::cerr << "mplp-gate run: " << error << "\n";
    return out.cmd_exit > 0 ? out.cmd_exit : kExitError;
  }
  std::cerr << "mplp-gate run: sealed " << req.out_dir << " (runner " << req.runner_id << ", image "
            << out.meta.container_digest << ", " << out.meta.fingerprint.runtime_type << " "
            << out.meta.fingerprint.runtime_version << ")\n";
  return kExitPass;
}

int cmd_seal(const Args& args) {
  std::vector<std::string> positional;
  bool help = false;
  std::vector<OptionSpec> specs = {
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
  std::vector<std::string> notes;
  bool ok = runner::seal_pack(positional[0], notes, error);
  for (const std::string& n : notes) std::cerr << "mplp-gate seal: note: " << n << "\n";
  if (!ok) {
    std::cerr << "mplp-gate seal: " << error << "; " << positional[0] << " left untouched\n";
    return kExitError;
  }
  std::cerr << "mplp-gate seal: sealed " << positional[0] << "\n";
  return kExitPass;
}

}  // namespace mplp::cli
