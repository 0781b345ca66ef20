// Choosing the container engine: --engine values, `auto` (podman first, then
// docker) and the line that says which engine ran; and the argv that differs
// between the engines. The docker cases need a docker daemon (CI starts a
// private one for its docker leg, scripts/test-stages/20-docker-engine.sh);
// without one they say SKIPPED, and fail when MPLP_TEST_ENGINE=docker in CI.
#include <gtest/gtest.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>

#include "engine/check.h"
#include "runner/engine.h"
#include "runner/image.h"
#include "runner/runner_def.h"
#include "runner_test_util.h"
#include "test_util.h"

namespace mplp::test {
namespace {

namespace fs = std::filesystem;

std::string runners() { return source_root() + "/runners"; }

// A usable docker, or skip (fail when the docker leg of CI runs without one).
#define REQUIRE_DOCKER(engine_var)                                                              \
  do {                                                                                          \
    std::string why_;                                                                           \
    if (!runner::detect_engine("docker", engine_var, why_)) {                                   \
      if (in_ci() && test_engine() == "docker") FAIL() << "docker leg without docker: " << why_; \
      GTEST_SKIP() << "SKIPPED: needs a docker daemon (" << why_ << ")";                        \
    }                                                                                           \
  } while (0)

TEST(EngineChoice, UnknownEngineNamesAreUsageErrors) {
  RunResult run = run_tool({"run", "--engine", "lxc", "--runner", "x", "--cmd", "true", "--out-dir", "/nonexistent"});
  EXPECT_EQ(run.exit_code, 2);
  EXPECT_NE(run.err.find("expected podman, docker or auto"), std::string::npos) << run.err;
  RunResult check = run_tool({"check", "--runners", runners(), "--engine", "Docker"});
  EXPECT_EQ(check.exit_code, 2);
  EXPECT_NE(check.err.find("expected podman, docker or auto"), std::string::npos) << check.err;
  runner::Engine e;
  std::string why;
  EXPECT_FALSE(runner::detect_engine("lxc", e, why));
  EXPECT_NE(why.find("unknown engine 'lxc'"), std::string::npos) << why;
}

TEST(EngineChoice, AutoPrefersPodman) {
  runner::Engine podman, chosen;
  std::string why;
  if (!runner::detect_engine("podman", podman, why)) GTEST_SKIP() << "SKIPPED: podman is not usable here (" << why << ")";
  ASSERT_TRUE(runner::detect_engine("auto", chosen, why)) << why;
  EXPECT_EQ(chosen.name, "podman");
  EXPECT_EQ(chosen.binary, podman.binary);
  EXPECT_FALSE(chosen.version.empty());
  EXPECT_EQ(runner::describe(chosen), "podman " + chosen.version + " (" + chosen.binary + ")");
}

// A PATH holding docker and a podman that fails: auto falls back to docker,
// `run` and `check --runners` say so, and the pack records docker's image.
TEST(EngineChoice, AutoFallsBackToDockerAndSaysSo) {
  runner::Engine docker;
  REQUIRE_DOCKER(docker);
  // The image exists before PATH shrinks (building needs sh, mmdebstrap...).
  runner::RunnerDef def;
  std::string err;
  ASSERT_TRUE(runner::load_runner_def(runners(), "python-3.11-local", def, err)) << err;
  runner::ImageResult img;
  ASSERT_TRUE(runner::ensure_image(docker, def, {.output = runner::OutputMode::Capture}, img, err)) << err;

  TempDir bin;
  ASSERT_EQ(::symlink(docker.binary.c_str(), (bin / "docker").c_str()), 0);
  write_file(bin / "podman", "#!/bin/sh\necho 'podman: broken on purpose' >&2\nexit 125\n");
  ASSERT_EQ(::chmod((bin / "podman").c_str(), 0755), 0);
  TempDir tmp;
  RunResult r, c;
  {
    ScopedEnv path("PATH", bin.path().c_str());
    runner::Engine chosen;
    std::string why;
    ASSERT_TRUE(runner::detect_engine("auto", chosen, why)) << why;
    EXPECT_EQ(chosen.name, "docker");
    r = run_tool({"run", "--runners", runners(), "--runner", "python-3.11-local", "--cmd",
                  "echo hi > /workspace/out/hi.txt", "--out-dir", tmp / "pack"});
    c = run_tool({"check", "--runners", runners(), "--runner", "python-3.11-local", "--engine", "auto", "--format",
                  "json"});
  }
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.err.find("mplp-gate run: engine docker "), std::string::npos) << r.err;
  EXPECT_NE(read_file(tmp / "pack/reports/runner.meta.json").find("\"container_digest\": \"" + img.id + "\""),
            std::string::npos);
  EXPECT_EQ(c.exit_code, 0) << c.out << c.err;
  EXPECT_NE(c.out.find("engine docker "), std::string::npos) << c.out;
}

TEST(EngineArgs, PodmanMountsTheRepoAsAnOverlay) {
  runner::Engine podman{"podman", "/usr/bin/podman", "4.3.1"};
  runner::WorkspaceMount m;
  std::string err;
  ASSERT_TRUE(runner::workspace_mount(podman, "/src/repo", "", "", m, err)) << err;
  EXPECT_EQ(m.args, (std::vector<std::string>{"-v", "/src/repo:/workspace:O"}));
  EXPECT_EQ(m.scratch, nullptr);  // podman keeps the overlay's layers itself
  std::vector<std::string> build = runner::build_args(podman, 1704067200, true);
  EXPECT_NE(std::find(build.begin(), build.end(), "--timestamp"), build.end());
  EXPECT_NE(std::find(build.begin(), build.end(), "--pull=never"), build.end());
  build = runner::build_args(podman, 1704067200, false);
  EXPECT_EQ(std::find(build.begin(), build.end(), "--pull=never"), build.end());
}

// docker: an overlay volume whose options are one quoted CSV field (they hold
// commas; a quote in a path is doubled), its upper/ and work/ in a scratch
// directory that lives as long as the mount object.
TEST(EngineArgs, DockerMountsAnOverlayVolume) {
  runner::Engine docker{"docker", "/usr/bin/docker", "20.10.24"};
  TempDir tmp;
  runner::WorkspaceMount m;
  std::string err;
  {
    ScopedEnv tmpdir("TMPDIR", tmp.path().c_str());
    ASSERT_TRUE(runner::workspace_mount(docker, "/src/my\"repo", "", "", m, err)) << err;
  }
  ASSERT_NE(m.scratch, nullptr);
  std::string dir = m.scratch->path();
  EXPECT_EQ(dir.rfind(tmp / "mplp-workspace.", 0), 0u) << dir;
  ASSERT_EQ(m.args.size(), 2u);
  EXPECT_EQ(m.args[0], "--mount");
  EXPECT_EQ(m.args[1], "type=volume,dst=/workspace,volume-driver=local,volume-opt=type=overlay,"
                       "volume-opt=device=overlay,\"volume-opt=o=lowerdir=/src/my\"\"repo,upperdir=" + dir +
                           "/upper,workdir=" + dir + "/work\"");
  EXPECT_TRUE(fs::is_directory(dir + "/upper"));
  EXPECT_TRUE(fs::is_directory(dir + "/work"));
  m.scratch.reset();
  EXPECT_FALSE(fs::exists(dir));
  // No usable temporary directory: an error saying where, not a bad mount.
  runner::WorkspaceMount bad;
  {
    ScopedEnv tmpdir("TMPDIR", (tmp / "missing").c_str());
    EXPECT_FALSE(runner::workspace_mount(docker, "/src/repo", "", "", bad, err));
  }
  EXPECT_NE(err.find(tmp / "missing/mplp-workspace."), std::string::npos) << err;

  std::vector<std::string> build = runner::build_args(docker, 1704067200, true);
  EXPECT_EQ(std::find(build.begin(), build.end(), "--timestamp"), build.end());
  EXPECT_EQ(std::find(build.begin(), build.end(), "--pull=never"), build.end());
  EXPECT_NE(std::find(build.begin(), build.end(), "SOURCE_DATE_EPOCH=1704067200"), build.end());
  EXPECT_NE(std::find(build.begin(), build.end(), "--ulimit"), build.end());
}

}  // namespace
}  // namespace mplp::test
