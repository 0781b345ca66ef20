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

std::string seconds(double s) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.1f s", s);
  return buf;
}

}  // namespace

// Only the steps that ran: a failed build has no smoke run and no "cached
// image"; a definition or base that stopped the run before any step, nothing.
std::string timing_text(const runner::RunOutcome& out, const char* failed_code) {
  const std::string_view failed = failed_code != nullptr ? failed_code : "";
  if (failed == "smoke.definition_invalid" || failed == "smoke.base_missing") return {};
  if (failed == "smoke.build_failed") return "build failed after " + seconds(out.build_seconds);
  std::string t =
      out.image.built ? "build " + seconds(out.build_seconds) : std::string("no build (cached image reused)");
  t += failed == "smoke.run_failed" ? ", smoke failed after " : ", smoke ";
  return t + seconds(out.run_seconds);
}

void check_smoke_script(const GateInfo& gate, const runner::RunnerDef& def, const runner::Engine& engine,
                        const GateContext& ctx, FindingSink& sink) {
  bool has_script = false;
  for (const auto& [rel, bytes] : def.files) has_script |= rel == "smoke.sh";
  if (!has_script) return;
  const std::string file = def.id + "/smoke.sh";
  if (!ctx.options.run_smoke_scripts) {
    Finding f = gate.finding("smoke.script_not_run", file,
                             "runner '" + def.id + "': " + file +
                                 " was not run: it is the runner author's code and would run on this machine");
    f.hint = "to run it, trust the definition and pass --run-smoke-scripts";
    sink.report(std::move(f));
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
  const std::string secs = seconds(std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count());
  if (r.started && r.exit_code == 0 && !r.timed_out) {
    sink.report(
        gate.finding("smoke.script_passed", file, "runner '" + def.id + "': " + file + " exited 0 after " + secs));
    return;
  }
  std::string why = !r.started   ? "could not start: " + r.error
                    : r.timed_out ? "was killed after the limit of " + std::to_string(kSmokeScriptSeconds) + " s"
                                  : "exited with status " + std::to_string(r.exit_code) + " after " + secs;
  Finding f = gate.finding("smoke.script_failed", file, "runner '" + def.id + "': " + file + " " + why);
  f.hint = "run `bash " + file + "` from the repository root with runners/_lib on PATH to see it fail";
  f.detail = runner::tail_text(r.out + r.err, 4000);
  sink.report(std::move(f));
}

}  // namespace mplp::runner_smoke
