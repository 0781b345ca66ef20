// GATE-V2-SUBSTRATE-REGISTRY-01: fixture repo trees, upstream's registry in a
// temporary repo, hostile ids and paths, links, and the CLI's --runners mode.
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <filesystem>
#include <map>
#include <set>

#include "gates/gate_list.h"
#include "test_util.h"

namespace mplp {
namespace {

namespace fs = std::filesystem;
using namespace mplp::test;

const std::string kGate = "GATE-V2-SUBSTRATE-REGISTRY-01";
std::string dump(const RunReport& r) { return test::dump(r, kGate); }
std::vector<Finding> findings_with(const RunReport& r, const std::string& code) { return findings_of(r, kGate, code); }
const std::string kRegistryRel = "../producers/_registry/substrates.v2.yaml";

// Runs the gate over `repo`/runners; `registry` given like --registry when set.
RunReport run_runners(const std::string& repo, const std::string& registry = "", bool strict = false) {
  CheckRequest req;
  req.options.runners_dir = repo + "/runners";
  req.options.strict = strict;
  if (!registry.empty()) req.registry_path = registry;
  return check({}, {kGate}, req);
}



std::set<std::string> code_set(const RunReport& r, Severity min = Severity::Info) {
  auto v = codes_of(r, kGate, min);
  return {v.begin(), v.end()};
}

// 1-based line of the first line of `text` containing `needle`.
std::uint64_t line_containing(const std::string& text, const std::string& needle, std::size_t nth = 0) {
  std::size_t at = text.find(needle);
  for (std::size_t i = 0; i < nth && at != std::string::npos; ++i) at = text.find(needle, at + 1);
  if (at == std::string::npos) return 0;
  return 1 + static_cast<std::uint64_t>(std::count(text.begin(), text.begin() + static_cast<long>(at), '\n'));
}

// A runner whose first FROM is the base_image registries here give its id.
void write_runner(const std::string& repo, const std::string& id, const std::string& file = "Containerfile") {
  const std::map<std::string, std::string> base = {
      {"node-20", "node:20-slim"}, {"python-3.11", "python:3.11-slim"}, {"dotnet-8", "mcr.microsoft.com/dotnet/sdk:8.0"}};
  write_file(repo + "/runners/" + id + "/" + file, "FROM " + (base.count(id) ? base.at(id) : "debian:12") + "\n");
  write_file(repo + "/runners/" + id + "/runner.yaml",
             "runtime_type: node\nversion_command: node --version\nversion_prefix: \"v20.\"\n"
             "smoke_command: node -e 0\n");
}

// The fixtures' findings are in fixtures/substrate-registry/*.expected-findings.txt.
TEST(SubstrateRegistry, EveryCodeIsDocumented) {
  std::set<std::string> documented;
  for (const FindingKind& k : find_gate(kGate)->info().kinds) documented.insert(std::string(k.code));
  EXPECT_TRUE(documented.count("runner.unregistered"));
  std::string doc = read_file(source_root() + "/gates/docs/GATE-V2-SUBSTRATE-REGISTRY-01.md");
  for (const std::string& c : documented) EXPECT_NE(doc.find("`" + c + "`"), std::string::npos) << c;
}

TEST(SubstrateRegistry, UpstreamRegistryMismatches) {
  TempDir repo;
  const std::string reg_text = read_file(corpus("upstream/registry/substrates.v2.yaml"));
  write_file(repo / "producers/_registry/substrates.v2.yaml", reg_text);
  // What upstream has: runner dirs for node-20, python-3.11 and dotnet-8, and the
  // shared runners/python/Dockerfile; not node-18, python-3.9, python-3.10.
  write_runner(repo.path(), "node-20");
  write_runner(repo.path(), "python-3.11", "Dockerfile");
  write_runner(repo.path(), "dotnet-8");
  write_file(repo / "runners/python/Dockerfile", "FROM python:3.11-slim\n");
  RunReport r = run_runners(repo.path());
  EXPECT_EQ(status_of(r, kGate), GateStatus::Fail);
  EXPECT_TRUE(findings_with(r, "registry.schema").empty()) << "upstream's registry fits the schema\n" << dump(r);

  std::map<std::string, std::uint64_t> missing;  // runner id -> line
  for (const Finding& f : findings_with(r, "runner.missing")) {
    EXPECT_EQ(f.file, kRegistryRel);
    std::string id = f.message.substr(f.message.find('\'') + 1);
    missing[id.substr(0, id.find('\''))] = f.location.line;
  }
  // Each is reported once, at its declaration in the runners: section.
  EXPECT_EQ(missing, (std::map<std::string, std::uint64_t>{
                         {"node-18", line_containing(reg_text, "- runner_id: \"node-18\"")},
                         {"python-3.10", line_containing(reg_text, "- runner_id: \"python-3.10\"")},
                         {"python-3.9", line_containing(reg_text, "- runner_id: \"python-3.9\"")}}))
      << dump(r);

  // node-18's missing runners/node/Dockerfile is part of its runner.missing: one defect, one finding.
  std::set<std::uint64_t> dockerfile_lines;
  for (const Finding& f : findings_with(r, "registry.dockerfile_missing")) {
    EXPECT_EQ(f.file, kRegistryRel);
    dockerfile_lines.insert(f.location.line);
    EXPECT_EQ(f.message.find("times in this file"), std::string::npos) << f.message;
  }
  EXPECT_EQ(dockerfile_lines, (std::set<std::uint64_t>{line_containing(reg_text, "runners/node/Dockerfile", 1),
                                                        line_containing(reg_text, "runners/dotnet/Dockerfile")}))
      << dump(r);
  // python-3.11's dockerfile: is the legacy runners/python/Dockerfile, not its own definition.
  auto mismatch = findings_with(r, "registry.dockerfile_mismatch");
  ASSERT_EQ(mismatch.size(), 1u) << dump(r);
  EXPECT_EQ(mismatch[0].location.line, line_containing(reg_text, "runners/python/Dockerfile", 2));
  EXPECT_EQ(mismatch[0].expected, "runners/python-3.11/Dockerfile");

  auto unregistered = findings_with(r, "runner.unregistered");
  ASSERT_EQ(unregistered.size(), 1u) << dump(r);
  EXPECT_EQ(unregistered[0].file, "python/");
  EXPECT_EQ(unregistered[0].severity, Severity::Error);
  EXPECT_EQ(code_set(r), (std::set<std::string>{"registry.dockerfile_missing", "registry.dockerfile_mismatch",
                                                "runner.missing", "runner.unregistered"}))
      << dump(r);
}

TEST(SubstrateRegistry, RegistryGivenExplicitlyOrMissing) {
  TempDir repo;
  write_runner(repo.path(), "node-20");
  write_runner(repo.path(), "python-3.11", "Dockerfile");
  RunReport none = run_runners(repo.path());
  auto m = findings_with(none, "registry.missing");
  ASSERT_EQ(m.size(), 1u);
  EXPECT_EQ(status_of(none, kGate), GateStatus::Fail);

  // --registry elsewhere: the file is named relative to the runners directory.
  TempDir other;
  copy_tree(fixture("substrate-registry/pass-basic/producers"), other / "producers");
  RunReport given = run_runners(repo.path(), other / "producers/_registry/substrates.v2.yaml");
  EXPECT_EQ(status_of(given, kGate), GateStatus::Pass) << dump(given);
}

// Pre-merge validation must not pass a runner nobody registered.
TEST(SubstrateRegistry, UnregisteredDirectoryIsAnError) {
  RunReport r = run_runners(fixture("substrate-registry/fail-unregistered-dir"));
  auto w = findings_with(r, "runner.unregistered");
  ASSERT_EQ(w.size(), 1u);
  EXPECT_EQ(w[0].file, "dotnet-8/");
  EXPECT_EQ(w[0].severity, Severity::Error);
  EXPECT_EQ(status_of(r, kGate), GateStatus::Fail);

  // Helper directories (leading '_' or '.') and the contract's base/ are not runners; any other name is.
  TempDir repo;
  copy_tree(fixture("substrate-registry/pass-basic"), repo.path());
  write_file(repo / "runners/_lib/run.sh", "#!/bin/sh\n");
  write_file(repo / "runners/.cache/x", "");
  write_file(repo / "runners/README.md", "not a directory\n");
  write_file(repo / "runners/Node-20/Containerfile", "FROM debian:12\n");
  write_file(repo / "runners/base/Dockerfile", "FROM ubuntu:22.04\n");
  RunReport h = run_runners(repo.path(), "", true);
  auto u = findings_with(h, "runner.unregistered");
  ASSERT_EQ(u.size(), 1u) << dump(h);
  EXPECT_EQ(u[0].file, "Node-20/");
}

TEST(SubstrateRegistry, UnsafeIdsNeverBecomePaths) {
  // The fixture holds a valid runner definition at <repo>/outside/: the id
  // "../outside" would find it if it were ever used as a path.
  RunReport r = run_runners(fixture("substrate-registry/fail-unsafe-ids-and-paths"));
  auto schema = findings_with(r, "registry.schema");
  ASSERT_EQ(schema.size(), 1u) << dump(r);
  EXPECT_EQ(schema[0].location.pointer, "/substrates/2/runner_id");
  EXPECT_GT(schema[0].location.line, 0u);
  for (const Finding& f : result_of(r, kGate).findings)
    EXPECT_EQ(f.message.find("runners/../"), std::string::npos) << f.message;
  EXPECT_TRUE(findings_with(r, "runner.missing").empty()) << dump(r);
  std::set<std::string> unsafe;
  for (const Finding& f : findings_with(r, "registry.unsafe_path")) unsafe.insert(f.location.pointer);
  EXPECT_EQ(unsafe, (std::set<std::string>{"/runners/0/dockerfile", "/runners/1/dockerfile"}));
}

TEST(SubstrateRegistry, SchemaErrorsHaveLines) {
  RunReport r = run_runners(fixture("substrate-registry/fail-registry-schema"));
  const std::string text =
      read_file(fixture("substrate-registry/fail-registry-schema/producers/_registry/substrates.v2.yaml"));
  std::map<std::string, std::uint64_t> got;
  for (const Finding& f : findings_with(r, "registry.schema")) got[f.location.pointer] = f.location.line;
  EXPECT_EQ(got, (std::map<std::string, std::uint64_t>{{"/version", line_containing(text, "version:")},
                                                      {"/substrates/0/type", line_containing(text, "library")}}))
      << dump(r);
}

TEST(SubstrateRegistry, DefinitionsAreCheckedWithoutFollowingLinks) {
  TempDir repo;
  copy_tree(fixture("substrate-registry/pass-basic"), repo.path());
  // node-20 becomes a link to a valid definition; python-3.11's Dockerfile a link.
  fs::rename(repo / "runners/node-20", repo / "real-node");
  fs::create_directory_symlink(repo / "real-node", repo / "runners/node-20");
  fs::rename(repo / "runners/python-3.11/Dockerfile", repo / "Dockerfile.real");
  fs::create_symlink(repo / "Dockerfile.real", repo / "runners/python-3.11/Dockerfile");
  RunReport r = run_runners(repo.path());
  auto nd = findings_with(r, "runner.not_directory");
  ASSERT_EQ(nd.size(), 1u) << dump(r);
  EXPECT_NE(nd[0].message.find("node-20"), std::string::npos);
  auto nc = findings_with(r, "runner.no_containerfile");
  ASSERT_EQ(nc.size(), 1u) << dump(r);
  EXPECT_EQ(nc[0].file, "python-3.11/");
  EXPECT_NE(nc[0].actual.find("symbolic link"), std::string::npos) << nc[0].actual;
  // python-3.11's dockerfile: now passes through a link: refused. node-20's
  // is not looked at: runner.not_directory already says the runner is unusable.
  auto missing = findings_with(r, "registry.dockerfile_missing");
  ASSERT_EQ(missing.size(), 1u) << dump(r);
  EXPECT_EQ(missing[0].location.pointer, "/runners/1/dockerfile");
}

// A link or special file anywhere in runners/ is an error, once: a linked
// directory used to pass and hide an unregistered runner.
TEST(SubstrateRegistry, LinksAnywhereInRunnersAreErrors) {
  TempDir repo;
  copy_tree(fixture("substrate-registry/pass-basic"), repo.path());
  ASSERT_EQ(status_of(run_runners(repo.path()), kGate), GateStatus::Pass);
  write_file(repo / "elsewhere/evil/Containerfile", "FROM debian:12\n");
  fs::create_directory_symlink(repo / "elsewhere/evil", repo / "runners/evil");
  fs::create_symlink("/etc/passwd", repo / "runners/node-20/extra.sh");
  // node-20 keeps its regular Containerfile: a linked Dockerfile beside it is
  // no runner.no_containerfile, so it is this finding's.
  fs::create_symlink(repo / "runners/node-20/Containerfile", repo / "runners/node-20/Dockerfile");
  fs::create_directories(repo / "runners/_lib");
  ASSERT_EQ(::mkfifo((repo / "runners/_lib/pipe").c_str(), 0600), 0);
  RunReport r = run_runners(repo.path());
  std::map<std::string, std::string> got;
  for (const Finding& f : findings_with(r, "runner.not_regular")) {
    EXPECT_EQ(f.severity, Severity::Error);
    got[f.file] = f.actual;
  }
  EXPECT_EQ(got, (std::map<std::string, std::string>{{"evil", "symbolic link"},
                                                      {"node-20/extra.sh", "symbolic link"},
                                                      {"node-20/Dockerfile", "symbolic link"},
                                                      {"_lib/pipe", "FIFO"}}))
      << dump(r);
  EXPECT_EQ(status_of(r, kGate), GateStatus::Fail);
  // What runner.not_directory says (a registered runner that is a link) is not said twice.
  fs::remove_all(repo / "runners/node-20");
  fs::create_directory_symlink(repo / "elsewhere/evil", repo / "runners/node-20");
  RunReport n = run_runners(repo.path());
  EXPECT_EQ(findings_with(n, "runner.not_directory").size(), 1u) << dump(n);
  for (const Finding& f : findings_with(n, "runner.not_regular")) EXPECT_NE(f.file, "node-20") << dump(n);
}

TEST(SubstrateRegistry, RunnerYamlProblemsAreLocated) {
  RunReport r = run_runners(fixture("substrate-registry/fail-bad-definition"));
  std::map<std::string, std::uint64_t> got;
  for (const Finding& f : findings_with(r, "runner.yaml_schema")) {
    EXPECT_EQ(f.file, "python-3.11/runner.yaml");
    got[f.location.pointer] = f.location.line;
  }
  // runtime_type fails its pattern (line 1), smoke_command is a number (line 3),
  // version_prefix is missing and `image` is not allowed (root, line 1).
  EXPECT_EQ(got.at("/runtime_type"), 1u) << dump(r);
  EXPECT_EQ(got.at("/smoke_command"), 3u) << dump(r);
  EXPECT_TRUE(got.count("")) << dump(r);

  RunReport y = run_runners(fixture("substrate-registry/fail-runner-yaml-syntax"));
  auto f = findings_with(y, "runner.yaml_invalid");
  ASSERT_EQ(f.size(), 1u);
  EXPECT_EQ(f[0].file, "node-20/runner.yaml");
  EXPECT_GT(f[0].location.line, 0u);
  EXPECT_EQ(f[0].message.find("runner.yaml:"), std::string::npos) << "the place is the finding's: " << f[0].message;

  // A runner.yaml that is a directory, or huge, is reported, not read.
  TempDir repo;
  copy_tree(fixture("substrate-registry/pass-basic"), repo.path());
  fs::remove(repo / "runners/node-20/runner.yaml");
  fs::create_directory(repo / "runners/node-20/runner.yaml");
  write_file(repo / "runners/python-3.11/runner.yaml", "runtime_type: python\n#" + std::string(2 << 20, 'x') + "\n");
  RunReport h = run_runners(repo.path());
  EXPECT_EQ(findings_with(h, "runner.no_runner_yaml").size(), 1u) << dump(h);
  EXPECT_EQ(findings_with(h, "runner.yaml_invalid").size(), 1u) << dump(h);

  // A smoke_output `run` would refuse (the schema's pattern allows "..").
  TempDir dots;
  copy_tree(fixture("substrate-registry/pass-basic"), dots.path());
  const std::string yaml = dots / "runners/node-20/runner.yaml";
  for (const char* bad : {"../../etc/x", "a/../../b", "./x", "x/."}) {
    write_file(yaml, read_file(fixture("substrate-registry/pass-basic/runners/node-20/runner.yaml")) +
                         "smoke_output: \"" + bad + "\"\n");
    RunReport d = run_runners(dots.path());
    auto s = findings_with(d, "runner.yaml_schema");
    ASSERT_EQ(s.size(), 1u) << bad << dump(d);
    EXPECT_EQ(s[0].location.pointer, "/smoke_output");
    EXPECT_GT(s[0].location.line, 0u);
    EXPECT_NE(s[0].message.find("not a clean relative path: a '"), std::string::npos) << s[0].message;
  }
  write_file(yaml, read_file(fixture("substrate-registry/pass-basic/runners/node-20/runner.yaml")) +
                       "smoke_output: \"out/smoke.txt\"\n");
  EXPECT_TRUE(findings_with(run_runners(dots.path()), "runner.yaml_schema").empty());
}

TEST(SubstrateRegistry, DuplicatesAndUndeclaredRunners) {
  RunReport r = run_runners(fixture("substrate-registry/fail-duplicates"));
  EXPECT_EQ(findings_with(r, "registry.duplicate_runner").size(), 1u) << dump(r);
  EXPECT_EQ(findings_with(r, "registry.duplicate_substrate").size(), 1u) << dump(r);
  auto unknown = findings_with(r, "registry.unknown_runner");
  ASSERT_EQ(unknown.size(), 1u);
  EXPECT_EQ(unknown[0].actual, "python-3.10");
  auto missing = findings_with(r, "runner.missing");
  ASSERT_EQ(missing.size(), 1u);
  EXPECT_EQ(missing[0].location.pointer, "/substrates/3/runner_id");
}

TEST(SubstrateRegistry, CommandLineRunnersMode) {
  RunResult ok = run_tool({"check", "--runners", fixture("substrate-registry/pass-basic/runners"), "--gate", kGate});
  EXPECT_EQ(ok.exit_code, 0) << ok.out << ok.err;
  RunResult bad =
      run_tool({"check", "--runners", fixture("substrate-registry/fail-missing-runner-dir/runners"), "--gate", kGate});
  EXPECT_EQ(bad.exit_code, 1) << bad.out << bad.err;
  EXPECT_NE(bad.out.find("node-18"), std::string::npos) << bad.out;
  RunResult json = run_tool({"check", "--format", "json", "--runners",
                             fixture("substrate-registry/fail-missing-runner-dir/runners"), "--gate", kGate});
  EXPECT_EQ(json.exit_code, 1);
  // A registry that is not YAML at all is unusable input: exit 2 naming file, line and column.
  TempDir repo;
  copy_tree(fixture("substrate-registry/pass-basic"), repo.path());
  write_file(repo / "producers/_registry/substrates.v2.yaml", "version: \"2.0.0\"\nrunners: [unclosed\n");
  RunResult broken = run_tool({"check", "--runners", repo / "runners", "--gate", kGate});
  EXPECT_EQ(broken.exit_code, 2) << broken.out << broken.err;
  EXPECT_NE(broken.err.find("substrates.v2.yaml:3:"), std::string::npos) << broken.err;
  // The registry is named relative to the runners directory, never by an absolute path.
  EXPECT_NE(json.out.find("\"" + kRegistryRel + "\""), std::string::npos) << json.out;
}

}  // namespace
}  // namespace mplp
