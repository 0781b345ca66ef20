// `mplp-gate base build [ID...]`: the only command that runs a base
// definition's script (runners/_base/ID/build.sh), on this host. Runner
// definitions come from strangers, so the script runs only for the bases the
// command line names, or (with no ID) those the policy lists under
// runners.trusted_bases; `run` and `check --runners` never run it.
#include <iostream>
#include <map>
#include <set>

#include "cli/commands.h"
#include "cli/options.h"
#include "cli/stderr_guard.h"
#include "core/values.h"
#include "runner/engine.h"
#include "runner/image.h"
#include "runner/runner_def.h"

namespace mplp::cli {

namespace {

constexpr std::string_view kBaseUsage =
    "usage: mplp-gate base build [ID...] [options]\n\n"
    "Builds the local base image of base definition ID by running\n"
    "runners/_base/ID/build.sh IMAGE on this host, as this user (it typically runs\n"
    "mmdebstrap from the machine's apt sources, with network). IMAGE is the\n"
    "base.image that the runners using _base/ID/build.sh name. Without ID, builds\n"
    "the bases the policy lists under runners.trusted_bases. Only bases named here\n"
    "or there are built: `run` and `check --runners` never run a base script, and\n"
    "report a missing base image instead.\n"
    "Exit codes: 0 built, 2 could not build.\n\n"
    "options:\n";

struct BaseTarget {
  std::string image;
  std::int64_t epoch = 0;
};

// The image the runners under `runners_dir` expect from base `id`; they must agree.
bool target_of(const std::string& runners_dir, const std::string& id, BaseTarget& out, std::string& error) {
  std::set<std::pair<std::string, std::int64_t>> wanted;
  std::string users;
  for (const std::string& rid : runner::list_runner_dirs(runners_dir)) {
    runner::RunnerDef def;
    std::string why;
    if (!runner::load_runner_def(runners_dir, rid, def, why)) {
      std::cerr << "mplp-gate base: note: skipping runner '" << rid << "': " << why << "\n";
      continue;
    }
    if (def.base_id != id) continue;
    wanted.insert({def.base_image, def.source_date_epoch});
    users += (users.empty() ? "" : ", ") + rid;
  }
  if (wanted.empty())
    return error = "no runner in " + runners_dir + " uses base '" + id + "' (runner.yaml base.build: _base/" + id +
                   "/build.sh)", false;
  if (wanted.size() > 1)
    return error = "the runners using base '" + id + "' (" + users +
                   ") disagree on base.image or source_date_epoch", false;
  out.image = wanted.begin()->first;
  out.epoch = wanted.begin()->second;
  return true;
}

}  // namespace

int cmd_base(const Args& args) {
  std::vector<std::string> positional;
  std::string runners_dir, engine_name = "auto", policy_path;
  bool help = false;
  std::vector<OptionSpec> specs = {
      {"--runners", true, [&](const std::string& v, std::string&) { runners_dir = v; return true; },
       "runners directory (default: runners/ of the nearest ancestor of the working directory)", "DIR"},
      engine_option(engine_name),
      {"--policy", true, [&](const std::string& v, std::string&) { policy_path = v; return true; },
       "policy YAML (runners.trusted_bases, used when no ID is given)", "FILE"},
      {"--help", false, [&](const std::string&, std::string&) { help = true; return true; }, "this help", ""},
  };
  std::string error;
  if (!parse_options(args, specs, positional, error)) {
    std::cerr << "mplp-gate base: " << error << "\ntry 'mplp-gate base --help'\n";
    return kExitError;
  }
  if (help) {
    std::cout << kBaseUsage << options_help(specs);
    return kExitPass;
  }
  if (positional.empty() || positional[0] != "build") {
    std::cerr << "mplp-gate base: expected `build`\ntry 'mplp-gate base --help'\n";
    return kExitError;
  }
  Policy policy = default_policy();
  if (!load_policy_option("base", policy_path, policy)) return kExitError;
  std::vector<std::string> ids(positional.begin() + 1, positional.end());
  if (ids.empty()) ids = policy.runners.trusted_bases;
  if (ids.empty()) {
    std::cerr << "mplp-gate base: name a base ID, or list trusted bases under runners.trusted_bases in a policy\n";
    return kExitError;
  }
  for (const std::string& id : ids)
    if (!is_runner_id(id)) {
      std::cerr << "mplp-gate base: invalid base id '" << id << "': must match " << kRunnerIdPattern << "\n";
      return kExitError;
    }
  if (runners_dir.empty()) runners_dir = find_runners_dir();
  if (runners_dir.empty()) {
    std::cerr << "mplp-gate base: no runners/ directory in the working directory or its parents (use --runners)\n";
    return kExitError;
  }
  runner::Engine engine;
  if (!runner::detect_engine(engine_name, engine, error)) {
    std::cerr << "mplp-gate base: " << error << "\n";
    return kExitError;
  }
  GuardedStream guard(std::cout);  // the build's output comes through it (runner/process.h)
  for (const std::string& id : ids) {
    BaseTarget target;
    std::string log;
    if (!target_of(runners_dir, id, target, error) ||
        !runner::build_base(engine, runners_dir, id, target.image, target.epoch, runner::OutputMode::Inherit, log,
                            error)) {
      std::cerr << "mplp-gate base: " << error << "\n";
      return kExitError;
    }
    std::cerr << "mplp-gate base: built " << target.image << " (base " << id << ")\n";
  }
  return kExitPass;
}

}  // namespace mplp::cli
