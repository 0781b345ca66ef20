// Issue 16 on the built binary, without a container engine: runners in the
// runner contract's layout (Dockerfile + smoke.sh, no runner.yaml), the
// registry agreeing with the definitions (upstream's vendored runners and
// registry among them), the contract's arch names, lock kinds and pack places.
#include <gtest/gtest.h>

#include <filesystem>
#include <map>
#include <set>

#include "core/json.h"
#include "test_util.h"

namespace mplp {
namespace {

using test::run_tool;
using test::TempDir;

const char* kRegistryGate = "GATE-V2-SUBSTRATE-REGISTRY-01";

// code -> how many times, for one gate of a JSON report (every pack).
std::multiset<std::string> codes_in(const std::string& json, const std::string& gate, std::string* dump = nullptr,
                                    const std::string& min_severity = "info") {
  std::multiset<std::string> out;
  JsonDoc doc;
  if (!parse_json(json, {}, doc)) {
    ADD_FAILURE() << "not JSON: " << json;
    return out;
  }
  for (const auto& pack : doc.value["packs"].GetArray())
    for (const auto& g : pack["gates"].GetArray()) {
      if (std::string(g["id"].GetString()) != gate) continue;
      for (const auto& f : g["findings"].GetArray()) {
        std::string sev = f["severity"].GetString();
        if (min_severity == "warning" && sev == "info") continue;
        if (min_severity == "error" && sev != "error") continue;
        out.insert(f["code"].GetString());
        if (dump != nullptr)
          *dump += sev + " " + f["code"].GetString() + " " + f["file"].GetString() + ": " + f["message"].GetString() +
                   "\n";
      }
    }
  return out;
}

std::string registry(const std::string& runners_yaml) {
  return "version: \"2.0.0\"\nsubstrates:\n  - substrate_id: \"example\"\n    type: \"runtime\"\n"
         "    display_name: \"Example\"\n    upstream_repo: \"https://github.com/example/example\"\n"
         "    upstream_tag: \"v1\"\n    lock_kind: \"npm\"\n    runner_id: \"node-20\"\n"
         "    producer_entry: \"producers/example/produce.js\"\nrunners:\n" +
         runners_yaml;
}

std::string entry(const std::string& id, const std::string& base, const std::string& dockerfile) {
  return "  - runner_id: \"" + id + "\"\n    base_image: \"" + base + "\"\n    dockerfile: \"" + dockerfile + "\"\n";
}

test::RunResult check_registry(const std::string& repo) {
  return run_tool({"check", "--format", "json", "--gate", kRegistryGate, "--runners", repo + "/runners"});
}

TEST(ContractRunners, DockerfileAndSmokeShWithoutRunnerYamlIsAValidDefinition) {
  TempDir t;
  const std::string repo = t / "repo";
  test::write_file(repo + "/runners/node-20/Dockerfile", "FROM node:20-slim\nWORKDIR /workspace\n");
  test::write_file(repo + "/runners/node-20/smoke.sh", "#!/usr/bin/env bash\nexit 0\n");
  test::write_file(repo + "/runners/python-3.11/Containerfile", "ARG V=3.11\nFROM python:${V}-slim\n");
  test::write_file(repo + "/producers/_registry/substrates.v2.yaml",
                   registry(entry("node-20", "node:20-slim", "runners/node-20/Dockerfile") +
                            entry("python-3.11", "python:3.11-slim", "./runners/python-3.11/Containerfile")));
  auto r = check_registry(repo);
  std::string dump;
  EXPECT_TRUE(codes_in(r.out, kRegistryGate, &dump).empty()) << dump;
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
  // Both count as runners.
  auto text = run_tool({"check", "--gate", kRegistryGate, "--runners", repo + "/runners"});
  EXPECT_NE(text.out.find("2 runners checked"), std::string::npos) << text.out;
}

TEST(ContractRunners, AnIdThatNamesNoRuntimeNeedsRunnerYaml) {
  TempDir t;
  const std::string repo = t / "repo";
  for (const char* id : {"node-20", "python", "ruby-3.2", "node-x", "python-3.", "node-20.1.2-local"})
    test::write_file(repo + "/runners/" + id + "/Dockerfile", "FROM debian:12\n");
  std::string runners;
  for (const char* id : {"node-20", "python", "ruby-3.2", "node-x", "python-3.", "node-20.1.2-local"})
    runners += "  - runner_id: \"" + std::string(id) + "\"\n";
  test::write_file(repo + "/producers/_registry/substrates.v2.yaml", registry(runners));
  auto r = check_registry(repo);
  EXPECT_EQ(r.exit_code, 1);
  std::string dump;
  EXPECT_EQ(codes_in(r.out, kRegistryGate, &dump),
            (std::multiset<std::string>{"runner.no_runner_yaml", "runner.no_runner_yaml", "runner.no_runner_yaml",
                                        "runner.no_runner_yaml"}))
      << dump;
  for (const char* id : {"python/", "ruby-3.2/", "node-x/", "python-3./"})
    EXPECT_NE(dump.find(std::string(id) + "runner.yaml: runner '"), std::string::npos) << id << "\n" << dump;
  EXPECT_NE(r.out.find("add runner.yaml with runtime_type, version_command"), std::string::npos) << r.out;
}

TEST(ContractRunners, RegistryAndDefinitionMustAgree) {
  TempDir t;
  const std::string repo = t / "repo";
  test::write_file(repo + "/runners/node-18/Containerfile", "FROM node:18-slim\n");
  test::write_file(repo + "/runners/python-3.11/Containerfile", "# py\nFROM --platform=linux/amd64 python:3.11-slim AS b\n");
  test::write_file(repo + "/runners/stray-1/Dockerfile", "FROM debian:12\n");
  test::write_file(repo + "/runners/base/Dockerfile", "FROM ubuntu:22.04\n");  // the contract's shared base
  test::write_file(repo + "/runners/_lib/run-in-container.sh", "#!/bin/sh\n");
  // The example: node-18 says node:18-slim but points at the Python definition.
  test::write_file(repo + "/producers/_registry/substrates.v2.yaml",
                   registry(entry("node-18", "node:18-slim", "runners/python-3.11/Containerfile") +
                            entry("python-3.11", "node:18-slim", "runners/python-3.11/Containerfile") +
                            "  - runner_id: \"node-20\"\n"));
  auto r = check_registry(repo);
  EXPECT_EQ(r.exit_code, 1);
  std::string dump;
  EXPECT_EQ(codes_in(r.out, kRegistryGate, &dump),
            (std::multiset<std::string>{"registry.dockerfile_mismatch", "registry.base_image_mismatch",
                                        "runner.missing", "runner.unregistered"}))
      << dump;
  EXPECT_NE(dump.find("stray-1/"), std::string::npos) << dump;
  EXPECT_NE(r.out.find("\"expected\": \"runners/node-18/Containerfile\""), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("\"actual\": \"python:3.11-slim\""), std::string::npos) << r.out;
  // The unregistered runner is an error: it fails pre-merge validation on its own.
  test::write_file(repo + "/producers/_registry/substrates.v2.yaml",
                   registry(entry("node-18", "node:18-slim", "runners/node-18/Containerfile") +
                            entry("python-3.11", "python:3.11-slim", "runners/python-3.11/Containerfile") +
                            entry("node-20", "node:20-slim", "runners/node-20/Containerfile")));
  test::write_file(repo + "/runners/node-20/Containerfile", "FROM node:20-slim\n");
  auto only_stray = check_registry(repo);
  EXPECT_EQ(codes_in(only_stray.out, kRegistryGate, &dump, "error"), (std::multiset<std::string>{"runner.unregistered"}))
      << only_stray.out;
  EXPECT_EQ(only_stray.exit_code, 1);
}

// Upstream's own runners/ directory (vendored unmodified) with upstream's own
// registry: exactly its real mismatches, each once.
TEST(ContractRunners, UpstreamRunnersWithUpstreamRegistry) {
  const std::string up = test::corpus("upstream");
  auto r = run_tool({"check", "--format", "json", "--gate", kRegistryGate, "--runners", up + "/runners", "--registry",
                     up + "/registry/substrates.v2.yaml"});
  EXPECT_EQ(r.exit_code, 1) << r.err;
  std::string dump;
  EXPECT_EQ(codes_in(r.out, kRegistryGate, &dump),
            (std::multiset<std::string>{"runner.missing", "runner.missing", "runner.missing",
                                        "registry.dockerfile_missing", "registry.dockerfile_missing",
                                        "registry.dockerfile_mismatch", "runner.unregistered"}))
      << dump;
  for (const char* part : {"runner 'node-18'", "runner 'python-3.9'", "runner 'python-3.10'",
                           "dockerfile runners/node/Dockerfile does not exist",
                           "dockerfile runners/dotnet/Dockerfile does not exist",
                           "dockerfile runners/python/Dockerfile is not the definition of runner 'python-3.11'",
                           "runner directory 'python' is not registered"})
    EXPECT_EQ(test::count_of(dump, part), 1u) << part << "\n" << dump;
  // The runners the contract's way are runners: node-20, python-3.11, dotnet-8 and the legacy python.
  auto text = run_tool({"check", "--gate", kRegistryGate, "--runners", up + "/runners", "--registry",
                        up + "/registry/substrates.v2.yaml"});
  EXPECT_NE(text.out.find("4 runners checked"), std::string::npos) << text.out;
}

// A pack of the good fixture with one manifest field changed, resealed.
std::string pack_with(const TempDir& t, const std::string& where, const std::string& pointer, const std::string& value) {
  std::string p = t / where;
  test::copy_tree(test::fixture("packs/good-real"), p);
  if (!pointer.empty()) test::set_json(p + "/manifest.json", pointer, value);
  test::reseal(p);
  return p;
}

TEST(ContractRunners, LockPathMustFitLockKind) {
  TempDir t;
  struct Case {
    std::string kind, path;
    bool fits;
  };
  for (const Case& c : std::vector<Case>{{"npm", "producers/example/package-lock.json", true},
                                         {"poetry", "producers/example/package-lock.json", false},
                                         {"poetry", "py/poetry.lock", true},
                                         {"nuget", "sk/packages.lock.json", true},
                                         {"nuget", "sk/package-lock.json", false},
                                         {"npm", "poetry.lock", false},
                                         {"npm", "x/package-lock.json.bak", false},
                                         {"pip", "requirements.txt", true}}) {
    TempDir one;
    std::string p = one / "p";
    test::copy_tree(test::fixture("packs/good-real"), p);
    test::set_json(p + "/manifest.json", "/lock_ref/lock_kind", "\"" + c.kind + "\"");
    test::set_json(p + "/manifest.json", "/lock_ref/lock_path", "\"" + c.path + "\"");
    test::reseal(p);
    auto r = run_tool({"check", "--format", "json", "--gate", "GATE-V2-REAL-QUALIFY-01", p});
    auto codes = codes_in(r.out, "GATE-V2-REAL-QUALIFY-01");
    EXPECT_EQ(codes.count("real-qualify.lock-kind-path"), c.fits ? 0u : 1u) << c.kind << " " << c.path << r.out;
    EXPECT_EQ(r.exit_code, c.fits ? 0 : 1) << c.kind << " " << c.path << r.out;
  }
}

TEST(ContractRunners, Aarch64IsAcceptedWithAWarningNamingArm64) {
  TempDir t;
  std::string p = t / "p";
  test::copy_tree(test::fixture("packs/good-real"), p);
  test::set_json(p + "/manifest.json", "/env_ref/environment_fingerprint/arch", "\"aarch64\"");
  test::set_json(p + "/reports/runner.meta.json", "/environment_fingerprint/arch", "\"aarch64\"");
  test::reseal(p);
  auto r = run_tool({"check", "--format", "json", "--gate", "GATE-V2-SSOT-01", p});
  std::string dump;
  EXPECT_EQ(codes_in(r.out, "GATE-V2-SSOT-01", &dump, "warning"),
            (std::multiset<std::string>{"ssot.fingerprint-arch"}))
      << dump;
  EXPECT_NE(dump.find("which the runner contract calls \"arm64\""), std::string::npos) << dump;
  EXPECT_EQ(r.exit_code, 0);
  EXPECT_EQ(run_tool({"check", "--strict", "--gate", "GATE-V2-SSOT-01", p}).exit_code, 1);
  // arm64 itself is the contract's word.
  test::set_json(p + "/manifest.json", "/env_ref/environment_fingerprint/arch", "\"arm64\"");
  test::set_json(p + "/reports/runner.meta.json", "/environment_fingerprint/arch", "\"arm64\"");
  test::reseal(p);
  auto ok = run_tool({"check", "--strict", "--format", "json", "--gate", "GATE-V2-SSOT-01", p});
  EXPECT_EQ(ok.exit_code, 0) << ok.out;
}

TEST(ContractRunners, PackPlaceUnderDataRunsV2FollowsGetPackRoot) {
  TempDir t;
  const std::string gate = "GATE-V2-PACK-STRUCTURE-01";
  auto codes = [&](const std::string& p) {
    return codes_in(run_tool({"check", "--format", "json", "--gate", gate, p}).out, gate);
  };
  // The good pack is INDEXABLE_REAL of substrate "mcp".
  EXPECT_TRUE(codes(pack_with(t, "a/data/runs/v2/real/mcp/run-001", "", "")).empty());
  EXPECT_TRUE(codes(pack_with(t, "elsewhere/synthetic/other/run-001", "", "")).empty()) << "not under data/runs/v2";
  EXPECT_EQ(codes(pack_with(t, "b/data/runs/v2/synthetic/mcp/run-001", "", "")),
            (std::multiset<std::string>{"location.category"}));
  EXPECT_EQ(codes(pack_with(t, "c/data/runs/v2/real/example/run-001", "", "")),
            (std::multiset<std::string>{"location.substrate"}));
  EXPECT_EQ(codes(pack_with(t, "d/data/runs/v2/non-indexable/example/run-001", "", "")),
            (std::multiset<std::string>{"location.category", "location.substrate"}));
  EXPECT_EQ(codes(pack_with(t, "e/data/runs/v2/real/run-001", "", "")), (std::multiset<std::string>{"location.depth"}));
  EXPECT_EQ(codes(pack_with(t, "f/data/runs/v2/synthetic/other/x", "/indexability_status", "\"INDEXABLE_SYNTHETIC\"")),
            (std::multiset<std::string>{"location.substrate"}));
  EXPECT_EQ(codes(pack_with(t, "g/data/runs/v2/non-indexable/mcp/x", "/indexability_status", "\"NON_INDEXABLE\"")),
            (std::multiset<std::string>{}));
  // A warning only: the run passes unless --strict.
  auto r = run_tool({"check", "--gate", gate, t / "b/data/runs/v2/synthetic/mcp/run-001"});
  EXPECT_EQ(r.exit_code, 0) << r.out;
  EXPECT_NE(r.out.find("belongs under data/runs/v2/real/"), std::string::npos) << r.out;
  // Checked through a relative path too (the place is the absolute one).
  std::string cwd = std::filesystem::current_path();
  std::filesystem::current_path(t / "c/data/runs/v2/real/example/run-001");
  auto rel = run_tool({"check", "--format", "json", "--gate", gate, "."});
  std::filesystem::current_path(cwd);
  EXPECT_EQ(codes_in(rel.out, gate), (std::multiset<std::string>{"location.substrate"})) << rel.out;
}

}  // namespace
}  // namespace mplp
