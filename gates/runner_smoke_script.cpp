#include "gates/runner_smoke_script.h"

#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>

#include "runner/process.h"

namespace mplp::runner_smoke {

namespace {

namespace fs = std::filesystem;

// This mplp-gate, for the helpers (MPLP_GATE already set wins: a test
// harness running the gate in-process names the real binary).
std::string this_binary() {
  if (const char* g = std::getenv("MPLP_GATE"); g != nullptr && *g != '\0') return g;
  std::error_code ec;
  fs::path self = fs::read_symlink("/proc/self/exe", ec);
  return ec ? std::string("mplp-gate") : self.string();
}

Finding finding(Severity severity, const char* code, const std::string& file, std::string message, std::string hint) {
  Finding f = make_finding(severity, code, file, std::move(message));
  f.hint = std::move(hint);
  return f;
}

}  // namespace

void check_smoke_script(const runner::RunnerDef& def, const runner::Engine& engine, const GateContext& ctx,
                        FindingSink& sink) {
  bool has_script = false;
  for (const auto& [rel, bytes] : def.files) has_script |= rel == "smoke.sh";
  if (!has_script) return;
  const std::string file = def.id + "/smoke.sh";
  if (!ctx.options.run_smoke_scripts) {
    sink.report(finding(Severity::Info, "smoke.script_not_run", file,
                        "runner '" + def.id + "': " + file +
                            " was not run: it is the runner author's code and would run on this machine",
                        "to run it, trust the definition and pass --run-smoke-scripts"));
    return;
  }
  std::error_code ec;
  fs::path runners = fs::absolute(def.runners_dir, ec).lexically_normal();
  if (runners.filename().empty()) runners = runners.parent_path();
  runner::ProcessSpec s;
  s.argv = {"bash", (runners / def.id / "smoke.sh").string()};
  s.cwd = runners.parent_path().string();
  const char* path = std::getenv("PATH");
  s.env = {"PATH=" + (runners / "_lib").string() + ":" + (path != nullptr ? path : "/usr/bin:/bin"),
           "MPLP_GATE=" + this_binary(), "MPLP_ENGINE=" + engine.name};
  s.output = runner::OutputMode::Capture;
  s.timeout_seconds = kSmokeScriptSeconds;
  s.capture_limit = 64 << 10;
  auto t0 = std::chrono::steady_clock::now();
  runner::ProcessResult r = runner::run_process(s);
  double took = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  char secs[32];
  std::snprintf(secs, sizeof secs, "%.1f s", took);
  if (r.started && r.exit_code == 0 && !r.timed_out) {
    sink.report(finding(Severity::Info, "smoke.script_passed", file,
                        "runner '" + def.id + "': " + file + " exited 0 after " + secs, ""));
    return;
  }
  std::string why = !r.started   ? "could not start: " + r.error
                    : r.timed_out ? "was killed after the limit of " + std::to_string(kSmokeScriptSeconds) + " s"
                                  : "exited with status " + std::to_string(r.exit_code) + " after " + secs;
  Finding f = finding(Severity::Error, "smoke.script_failed", file, "runner '" + def.id + "': " + file + " " + why,
                      "run `bash " + file + "` from the repository root with runners/_lib on PATH to see it fail");
  f.detail = runner::tail_text(r.out + r.err, 4000);
  sink.report(std::move(f));
}

}  // namespace mplp::runner_smoke
