#include "runner/executor.h"

#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <optional>
#include <random>

#include "core/values.h"
#include "runner/child_groups.h"
#include "runner/fingerprint_cache.h"
#include "runner/run_markers.h"
#include "runner/runner_def.h"
#include "runner/stage.h"
#include "runner/test_hook.h"
#include "runner/tree_ops.h"
#include "runner/workspace.h"

namespace mplp::runner {

namespace fs = std::filesystem;

namespace {

double seconds_since(std::chrono::steady_clock::time_point t0) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

std::vector<std::string> split_lines(const std::string& s) {
  std::vector<std::string> lines;
  std::size_t start = 0;
  while (start < s.size()) {
    std::size_t end = s.find('\n', start);
    if (end == std::string::npos) end = s.size();
    std::string l = s.substr(start, end - start);
    while (!l.empty() && (l.back() == '\r' || l.back() == ' ' || l.back() == '\t')) l.pop_back();
    std::size_t b = l.find_first_not_of(" \t");
    lines.push_back(b == std::string::npos ? "" : l.substr(b));
    start = end + 1;
  }
  return lines;
}

// A fingerprint value must be printable ASCII, short, and not a placeholder.
bool good_value(const std::string& v) {
  if (v.empty() || v.size() > 128 || is_placeholder_text(v)) return false;
  for (unsigned char c : v)
    if (c < 0x21 || c > 0x7e) return false;
  return true;
}

// The runtime whose version was read: the program of the version command,
// without directory or version suffix ("python3" -> "python"), so the smoke
// gate compares what answered with what runner.yaml declares.
std::string runtime_of(const std::string& version_command) {
  std::size_t b = version_command.find_first_not_of(" \t");
  if (b == std::string::npos) return "";
  std::string prog = version_command.substr(b, version_command.find_first_of(" \t;|&", b) - b);
  prog = prog.substr(prog.rfind('/') == std::string::npos ? 0 : prog.rfind('/') + 1);
  while (!prog.empty() && (std::isdigit(static_cast<unsigned char>(prog.back())) || prog.back() == '.')) prog.pop_back();
  for (char c : prog)
    if (!std::islower(static_cast<unsigned char>(c)) && !std::isdigit(static_cast<unsigned char>(c))) return "";
  return prog;
}

// Engines split -v / --mount specs at ':' and ','.
bool mountable(const std::string& p) { return p.find_first_of(":,\n") == std::string::npos; }

constexpr unsigned kFingerprintSeconds = 300;

// "mplp-run-<pid>-<n>" for a producer, "mplp-fingerprint-..." for the probe
// (a producer's container is told apart by its name alone).
std::string container_name(const char* kind) {
  std::random_device rd;
  return std::string("mplp-") + kind + "-" + std::to_string(::getpid()) + "-" + std::to_string(rd() % 1000000);
}

// Runs CMD in the staging directory, then takes back what it wrote: the
// staging directory must still be the one mounted, and its tree must pass
// check_tree (no set-id or special file, within the limits) before owners
// are shifted back out of the user namespace (a chown would clear the set-id
// bits that prove the attempt).
bool run_producer(const RunRequest& req, const RunnerDef& def, const Engine& engine, const ProducerMounts& mounts,
                  Stage& stage, RunOutcome& out, std::string& error) {
  const UserNs& ns = mounts.ns;
  if (ns.enabled && !shift_owners(*stage.tree, 0, ns.host_base, ns.size, error)) return error = "stage: " + error, false;
  test_pause_point("staged");
  const std::string name = container_name("run");
  out.container_name = name;
  ProcessSpec s;
  s.argv = {engine.binary, "run", "--rm", "--name", name};
  if (req.network == "none") s.argv.push_back("--network=none");
  for (const std::string& u : ulimit_args()) s.argv.push_back(u);
  for (const std::string& h : hardening_args(engine, ns, req.timeout_seconds, req.policy.limits)) s.argv.push_back(h);
  s.argv.insert(s.argv.end(), mounts.workspace.args.begin(), mounts.workspace.args.end());
  s.argv.insert(s.argv.end(), {"-v", stage.path + ":/workspace/out", "-w", "/workspace", "-e",
                               "MPLP_OUT_DIR=/workspace/out", "-e", "MPLP_RUNNER_ID=" + def.id, "--entrypoint",
                               "/bin/sh", out.image.id, "-c", "--", req.cmd});  // "--": a CMD may start with "-"
  s.output = req.output;
  s.timeout_seconds = req.timeout_seconds;
  out.meta.executed_at = utc_now();
  out.cmd_started = std::chrono::steady_clock::now();
  ProcessResult r = run_container(engine, s, name, out.container_left);
  out.finished_on = utc_now();
  out.run_seconds = seconds_since(out.cmd_started);
  out.log += r.out + r.err;
  if (!r.started) return error = "run: " + r.error, false;
  if (r.interrupted)
    return error = "run: " + interrupted_by() + ": CMD was stopped" +
                   (out.container_left ? "; its container could not be removed (the next run removes it)"
                                       : " and its container removed"),
           false;
  if (r.exit_code != 0) {
    // The engine's status after our kill (or podman's backstop: 255) is not
    // CMD's: a time limit is "could not run" (exit 2) under either engine.
    bool limit = r.timed_out || out.run_seconds >= static_cast<double>(req.timeout_seconds);
    out.cmd_exit = limit ? -1 : r.exit_code;
    error = limit ? "run: CMD timed out after " + std::to_string(req.timeout_seconds) + " s"
                  : "run: CMD exited with status " + std::to_string(r.exit_code) +
                        (r.exit_code == 125   ? " (the engine could not start the container)"
                         : r.exit_code == 137 ? " (killed: SIGKILL, as when it used more than limits.container_memory, " +
                                                    std::to_string(req.policy.limits.container_memory) + " bytes)"
                                              : "");
    return false;
  }
  out.cmd_exit = 0;
  if (!stage_in_place(stage))
    return error = "run: the staging directory " + stage.path + " was moved or replaced while CMD ran", false;
  WalkResult tree = walk(*stage.tree, {.max_entries = req.policy.limits.max_files_per_pack});
  if (!check_tree(tree, req.policy.limits, error)) return error = "run: CMD left what a pack may not hold: " + error, false;
  if (ns.enabled && !shift_owners(*stage.tree, ns.host_base, 0, ns.size, error)) return error = "stage: " + error, false;
  test_pause_point("ran");
  return true;
}

// The seal of a run: limits from the policy, and the signed provenance (with
// a key) recording what ran, how, and when.
SealOptions seal_options(const RunRequest& req, const RunOutcome& out) {
  // --timeout covers CMD, the check of what it wrote and its seal.
  return {.require_manifest = false,
          .limits = req.policy.limits,
          .provenance = {.key = req.sign_key, .mode = ProvenanceMode::Run, .builder_version = req.builder_version,
                         .command = req.cmd, .network = req.network, .invocation_id = out.container_name,
                         .started_on = out.meta.executed_at, .finished_on = out.finished_on},
          .deadline = out.cmd_started + std::chrono::seconds(req.timeout_seconds),
          .time_limit = "the time limit of --timeout (" + std::to_string(req.timeout_seconds) + " s)"};
}

}  // namespace

bool read_fingerprint(const Engine& engine, const std::string& image_id, const RunnerDef& def, Fingerprint& out,
                      std::string& error, bool* left) {
  ProcessSpec s;
  const std::string name = container_name("fingerprint");
  s.argv = {engine.binary, "run", "--rm", "--name", name, "--network=none"};
  for (const std::string& u : ulimit_args()) s.argv.push_back(u);
  for (const std::string& h : hardening_args(engine, container_userns(engine), kFingerprintSeconds, Limits{}))
    s.argv.push_back(h);
  s.argv.insert(s.argv.end(), {"--entrypoint", "/bin/sh", image_id, "-c",
                               "uname -s; uname -m; " + def.version_command});
  s.timeout_seconds = kFingerprintSeconds;
  out.generated_at = utc_now();
  bool container_left = false;
  ProcessResult r = run_container(engine, s, name, container_left);
  if (container_left && left != nullptr) *left = true;
  if (!r.started || r.exit_code != 0) {
    error = "fingerprint: `" + def.version_command + "` in " + image_id + " failed: " +
            (r.started ? "exit " + std::to_string(r.exit_code) + ": " + tail_text(r.err + r.out, 1000) : r.error);
    return false;
  }
  std::vector<std::string> lines = split_lines(r.out);
  std::string version;
  for (std::size_t i = 2; i < lines.size() && version.empty(); ++i) version = lines[i];
  if (!version.empty() && version[0] == 'v' && version.size() > 1 && std::isdigit(static_cast<unsigned char>(version[1])))
    version.erase(0, 1);
  out.os = lines.size() > 0 ? lines[0] : "";
  for (char& c : out.os) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  out.arch = std::string(contract_arch(lines.size() > 1 ? lines[1] : ""));
  out.runtime_type = runtime_of(def.version_command);
  if (out.runtime_type.empty()) out.runtime_type = def.runtime_type;
  out.runtime_version = version;
  for (const auto& [name, v] : {std::pair{"os", out.os}, {"arch", out.arch}, {"runtime_version", version}})
    if (!good_value(v)) {
      error = std::string("fingerprint: ") + name + " read inside the image is unusable: '" + v + "' (from `" +
              def.version_command + "`)";
      return false;
    }
  return true;
}

namespace {

// The steps before CMD: definition, repository, engine, image, fingerprint.
// `marker` is left before the first container starts (run_markers.h).
bool prepare(const RunRequest& req, RunnerDef& def, std::string& repo, std::optional<RunMarker>& marker,
             RunOutcome& out, std::string& error) {
  out = RunOutcome{};
  if (!load_runner_def(req.runners_dir, req.runner_id, def, error)) return error = "definition: " + error, false;
  const std::string out_dir = req.out_dir.empty() ? "" : fs::absolute(req.out_dir).lexically_normal().string();
  if (!out_dir.empty())
    if (std::string mounted = mount_point_problem(out_dir); !mounted.empty()) return error = "stage: " + mounted, false;
  if (req.network != "none" && req.network != "default")
    return error = "run: unknown network '" + req.network + "' (none or default)", false;
  std::error_code ec;
  repo = req.repo_root.empty() ? fs::path(req.runners_dir).parent_path().string() : req.repo_root;
  if (repo.empty()) repo = ".";
  repo = fs::canonical(fs::absolute(repo), ec).string();
  if (ec || !fs::is_directory(repo)) return error = "run: repo root '" + repo + "' is not a directory", false;
  // Known now, not after the build and the fingerprint (QA-32).
  if (!mountable(repo) || !mountable(out_dir))
    return error = "run: a path holds ':' or ',' which the engine's mount syntax cannot express: " + repo +
                   (out_dir.empty() ? "" : ", " + out_dir),
           false;
  if (!detect_engine(req.engine, out.engine, out.engine_reason)) {
    out.engine_missing = true;
    return error = "engine: " + out.engine_reason, false;
  }
  const Engine& engine = out.engine;
  std::vector<std::string> dead, removed;
  if (orphans_possible(dead) && remove_orphan_containers(engine, removed)) forget_markers(dead);
  for (const std::string& id : removed)
    out.notes.push_back("removed container " + id + " left running by an mplp-gate that is gone");
  marker.emplace();

  auto t0 = std::chrono::steady_clock::now();
  BuildOptions bopts{req.rebuild, req.output, req.policy.runners.allows_build_network(def.id),
                     req.build_timeout_seconds};
  bool ok = ensure_image(engine, def, bopts, out.image, error);
  out.build_seconds = seconds_since(t0);
  out.log += out.image.log;
  out.notes.insert(out.notes.end(), out.image.notes.begin(), out.image.notes.end());
  if (!ok) return false;

  RunnerMeta& meta = out.meta;
  meta.runner_id = def.id;
  meta.container_digest = out.image.id;
  meta.image_ref = out.image.ref;
  // One image id, one version command: one fingerprint, measured once (fingerprint_cache.h).
  if (auto cached = cached_fingerprint(engine.name, out.image.id, def.version_command)) {
    meta.fingerprint = *cached;
  } else {
    if (!read_fingerprint(engine, out.image.id, def, meta.fingerprint, error, &out.container_left)) return false;
    store_fingerprint(engine.name, out.image.id, def.version_command, meta.fingerprint);
  }
  if (meta.fingerprint.runtime_version.rfind(def.version_prefix, 0) != 0)
    out.notes.push_back("runtime_version " + meta.fingerprint.runtime_version + " does not start with the declared " +
                        def.version_prefix);
  return true;
}

}  // namespace

bool measure(const RunRequest& req, RunOutcome& out, std::string& error) {
  RunnerDef def;
  std::string repo;
  std::optional<RunMarker> marker;
  bool ok = prepare(req, def, repo, marker, out, error);
  if (marker && out.container_left) marker->keep();
  return ok;
}

namespace {

bool execute_marked(const RunRequest& req, std::optional<RunMarker>& marker, RunOutcome& out, std::string& error) {
  RunnerDef def;
  std::string repo;
  if (!prepare(req, def, repo, marker, out, error)) return false;
  const Engine& engine = out.engine;
  RunnerMeta& meta = out.meta;

  Stage stage;
  if (!stage_create(req.out_dir, StageFill::Copy, req.policy.limits, stage, error))
    return error = "stage: " + error, false;
  ProducerMounts mounts;
  bool produced = mountable(repo) && mountable(stage.path) &&
                  prepare_producer_mounts(engine, repo, mounts, out.notes, error) &&
                  run_producer(req, def, engine, mounts, stage, out, error);
  release_producer_mounts(mounts);
  if (!produced && error.empty())
    error = "run: a path holds ':' or ',' which the engine's mount syntax cannot express: " + repo + ", " + stage.path;
  // An interrupt while CMD ran, which CMD survived: the pack is not sealed
  // (QA-42: a CMD that trapped SIGTERM had its pack committed, then
  // mplp-gate ended by the signal).
  if (produced && pending_interrupt() != 0) {
    error = "run: " + interrupted_by() + ": the pack was not sealed";
    produced = false;
  }
  if (!produced || !stage_ready(stage, error) ||
      !seal_dir(*stage.tree, &meta, seal_options(req, out), out.notes, error) ||
      !stage_commit(stage, error)) {
    stage_discard(stage);
    error += "; " + req.out_dir + " left untouched";
    return false;
  }
  return true;
}

}  // namespace

bool execute(const RunRequest& req, RunOutcome& out, std::string& error) {
  std::optional<RunMarker> marker;
  bool ok = execute_marked(req, marker, out, error);
  if (marker && out.container_left) marker->keep();  // the next run after ours sweeps it
  return ok;
}

}  // namespace mplp::runner
