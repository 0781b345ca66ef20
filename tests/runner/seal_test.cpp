// Sealing without containers: `mplp-gate seal` over copies of the good pack,
// hostile packs, and SIGKILL at every step of the seal.
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>

#include "core/json.h"
#include "runner/seal.h"
#include "runner_test_util.h"
#include "test_util.h"

namespace mplp::test {
namespace {

namespace fs = std::filesystem;

std::vector<std::string> top_keys(const std::string& manifest_path) {
  JsonDoc d;
  EXPECT_TRUE(parse_json(read_file(manifest_path), {}, d));
  std::vector<std::string> keys;
  for (auto& m : d.value.GetObject()) keys.emplace_back(m.name.GetString());
  return keys;
}

// A good pack whose producer changed an artifact after sealing.
std::string stale_pack(const TempDir& tmp) {
  std::string pack = copy_good_pack(tmp);
  write_file(pack + "/artifacts/plan.json", "{\"steps\": [\"changed\"]}\n");
  write_file(pack + "/reports/extra.json", "{}\n");
  return pack;
}

TEST(Seal, StalePackPassesEveryGateAfterSealing) {
  TempDir tmp;
  std::string pack = stale_pack(tmp);
  EXPECT_EQ(status_of(check({pack}), "GATE-V2-INTEGRITY-01"), GateStatus::Fail);
  auto keys = top_keys(pack + "/manifest.json");
  RunResult r = run_tool({"seal", pack});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  RunReport rep = check({pack});
  for (const PackResult& p : rep.packs)
    for (const GateResult& g : p.gates) EXPECT_NE(g.status, GateStatus::Fail) << g.gate_id;
  EXPECT_EQ(top_keys(pack + "/manifest.json"), keys);  // every field kept, in order
  std::string sums = read_file(pack + "/integrity/sha256sums.txt");
  EXPECT_NE(sums.find("  reports/extra.json\n"), std::string::npos);
  EXPECT_NE(sums.find("  manifest.json\n"), std::string::npos);
  EXPECT_EQ(sums.find("integrity/"), std::string::npos);
  // Sorted by byte order.
  std::vector<std::string> paths;
  for (std::size_t at = 0; at < sums.size();) {
    std::size_t nl = sums.find('\n', at);
    paths.push_back(sums.substr(at + 66, nl - at - 66));
    at = nl + 1;
  }
  EXPECT_TRUE(std::is_sorted(paths.begin(), paths.end()));
  // No staging leftovers beside the pack.
  for (auto& e : fs::directory_iterator(tmp.path())) EXPECT_EQ(e.path().filename().string().find(".mplp-stage"), std::string::npos);
}

// QA-53: a v1 root hash (integrity/pack.sha256) left from before the files
// changed, or forged, survived the seal, and the sealed pack failed its
// check with v1_root.mismatch. Seal recomputes it, says so, and makes none
// where the pack had none.
TEST(Seal, RecomputesAV1RootHashThePackHas) {
  TempDir tmp;
  std::string pack = stale_pack(tmp);
  write_file(pack + "/integrity/pack.sha256", std::string(64, 'a') + "  -\n");
  RunResult r = run_tool({"seal", pack});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE((r.out + r.err).find("integrity/pack.sha256 recomputed"), std::string::npos) << r.out << r.err;
  const std::string v1 = read_file(pack + "/integrity/pack.sha256");
  EXPECT_EQ(v1.size(), 65u) << v1;
  RunReport rep = check({pack}, {"GATE-V2-INTEGRITY-01"});
  EXPECT_EQ(status_of(rep, "GATE-V2-INTEGRITY-01"), GateStatus::Pass);
  bool matched = false;
  const PackResult checked = rep.packs.at(0);
  for (const GateResult& g : checked.gates)
    for (const Finding& f : g.findings) matched = matched || f.code == "v1_root.match";
  EXPECT_TRUE(matched) << "the recomputed hash is not the v1 root hash";
  // Sealed again, nothing changes; a pack without one gets none.
  ASSERT_EQ(run_tool({"seal", pack}).exit_code, 0);
  EXPECT_EQ(read_file(pack + "/integrity/pack.sha256"), v1);
  std::string plain = copy_good_pack(tmp, "plain");
  ASSERT_EQ(run_tool({"seal", plain}).exit_code, 0);
  EXPECT_FALSE(fs::exists(plain + "/integrity/pack.sha256"));
}

TEST(Seal, IsIdempotent) {
  TempDir tmp;
  std::string pack = stale_pack(tmp);
  ASSERT_EQ(run_tool({"seal", pack}).exit_code, 0);
  auto first = snapshot(pack);
  ASSERT_EQ(run_tool({"seal", pack}).exit_code, 0);
  EXPECT_EQ(snapshot(pack), first);
}

TEST(Seal, EnvRefComesFromRunnerMetaAndLegacyDigestIsDropped) {
  TempDir tmp;
  std::string pack = copy_good_pack(tmp);
  std::string m = read_file(pack + "/manifest.json");
  std::string from = "\"container_digest\": \"sha256:dda10dec";
  m.replace(m.find(from), from.size(), "\"image_digest\": \"sha256:0000\", \"container_digest\": \"sha256:ffff0dec");
  write_file(pack + "/manifest.json", m);
  ASSERT_EQ(run_tool({"seal", pack}).exit_code, 0);
  std::string sealed = read_file(pack + "/manifest.json");
  EXPECT_NE(sealed.find("\"container_digest\": \"sha256:dda10dec"), std::string::npos);
  EXPECT_EQ(sealed.find("image_digest"), std::string::npos);
  EXPECT_EQ(sealed.find("\"env_ref\": {\n    \"runner_type\": \"container\",\n    \"runner_id\": \"node-20\""), sealed.find("\"env_ref\""));
  EXPECT_EQ(status_of(check({pack}), "GATE-V2-SSOT-01"), GateStatus::Pass);
}

TEST(Seal, RefusesHostilePacksAndLeavesThemUntouched) {
  struct Case {
    const char* name;
    std::function<void(const std::string&)> spoil;
    const char* expect;
  };
  std::vector<Case> cases = {
      {"symlink", [](const std::string& p) { fs::create_symlink("/etc/passwd", p + "/artifacts/link.json"); }, "symbolic link"},
      {"fifo", [](const std::string& p) { ::mkfifo((p + "/artifacts/pipe").c_str(), 0644); }, "artifacts/pipe"},
      {"manifest missing", [](const std::string& p) { fs::remove(p + "/manifest.json"); }, "manifest.json: missing"},
      {"manifest invalid", [](const std::string& p) { write_file(p + "/manifest.json", "{\"a\": 1,"); }, "manifest.json:1"},
      {"duplicate key", [](const std::string& p) { write_file(p + "/manifest.json", "{\"a\": 1, \"a\": 2}"); }, "duplicate key"},
      {"not object", [](const std::string& p) { write_file(p + "/manifest.json", "[1]"); }, "not a JSON object"},
      {"hashes not object", [](const std::string& p) {
         std::string m = read_file(p + "/manifest.json");
         write_file(p + "/manifest.json", m.substr(0, m.rfind('}')) + ", \"hashes\": 3}\n");
       }, ""},
      {"bad runner meta", [](const std::string& p) { write_file(p + "/reports/runner.meta.json", "{\"runner_id\": \"../x\"}"); }, "runner.meta.json"},
      // A value seal would write back as another (a digit lost, the sign of zero).
      {"big integer", [](const std::string& p) {
         std::string m = read_file(p + "/manifest.json");
         write_file(p + "/manifest.json", m.substr(0, m.rfind('}')) + ", \"x\": [1e2, 18446744073709551616]}\n");
       }, "18446744073709551616, would be written back as 18446744073709553000.0"},
      {"minus zero", [](const std::string& p) {
         std::string m = read_file(p + "/manifest.json");
         write_file(p + "/manifest.json", m.substr(0, m.rfind('}')) + ", \"x\": -0}\n");
       }, "-0, would be written back as 0"},
  };
  for (const Case& c : cases) {
    TempDir tmp;
    std::string pack = stale_pack(tmp);
    c.spoil(pack);
    auto before = snapshot(pack);
    RunResult r = run_tool({"seal", pack});
    EXPECT_EQ(r.exit_code, 2) << c.name;
    EXPECT_NE(r.err.find("mplp-gate seal: "), std::string::npos) << c.name << ": " << r.err;
    EXPECT_EQ(r.err.find("seal: seal: "), std::string::npos) << c.name << ": said twice: " << r.err;
    EXPECT_NE(r.err.find(c.expect), std::string::npos) << c.name << ": " << r.err;
    EXPECT_EQ(snapshot(pack), before) << c.name;
    int entries = 0;
    for (auto& e : fs::directory_iterator(tmp.path())) (void)e, ++entries;
    EXPECT_EQ(entries, 1) << c.name << ": staging left behind";
  }
}

TEST(Seal, RefusesBadArguments) {
  EXPECT_EQ(run_tool({"seal"}).exit_code, 2);
  EXPECT_EQ(run_tool({"seal", "/nonexistent/pack"}).exit_code, 2);
  EXPECT_EQ(run_tool({"seal", "a", "b"}).exit_code, 2);
}

// The runner contract's key order; our image_ref after the contract's keys.
TEST(Seal, RunnerMetaFormatIsExact) {
  runner::RunnerMeta m;
  m.runner_id = "node-20";
  m.container_digest = "sha256:" + std::string(64, 'a');
  m.image_ref = "localhost/x:1";
  m.fingerprint = {"linux", "x86_64", "node", "20.1.0", "2026-01-01T00:00:00Z"};
  m.executed_at = "2026-01-01T00:00:01Z";
  EXPECT_EQ(runner::format_runner_meta(m),
            "{\n  \"runner_id\": \"node-20\",\n  \"container_digest\": \"sha256:" + std::string(64, 'a') +
                "\",\n  \"environment_fingerprint\": {\n    \"os\": \"linux\",\n"
                "    \"arch\": \"x86_64\",\n    \"runtime_type\": \"node\",\n    \"runtime_version\": \"20.1.0\",\n"
                "    \"generated_at\": \"2026-01-01T00:00:00Z\"\n  },\n  \"workdir\": \"/workspace\",\n"
                "  \"executed_at\": \"2026-01-01T00:00:01Z\",\n  \"image_ref\": \"localhost/x:1\"\n}\n");
}

// SIGKILL at every step: before the commit the pack is untouched, after it
// the pack is completely sealed.
TEST(Seal, KilledAtAnyStepLeavesPackUntouchedOrSealed) {
  for (const char* step : {"staged", "sealed-manifest", "sealed-sums", "committed"}) {
    TempDir tmp;
    std::string pack = stale_pack(tmp);
    auto before = snapshot(pack);
    Paused p = run_and_kill_at({"seal", pack}, step);
    ASSERT_TRUE(p.reached) << step << ": " << p.err;
    if (std::string(step) != "committed") {
      EXPECT_EQ(snapshot(pack), before) << step;
    } else {
      EXPECT_NE(snapshot(pack), before);
      EXPECT_EQ(status_of(check({pack}), "GATE-V2-INTEGRITY-01"), GateStatus::Pass);
    }
    // The next seal sweeps what the killed one left, and seals.
    ASSERT_EQ(run_tool({"seal", pack}).exit_code, 0) << step;
    EXPECT_EQ(status_of(check({pack}), "GATE-V2-INTEGRITY-01"), GateStatus::Pass) << step;
    int entries = 0;
    for (auto& e : fs::directory_iterator(tmp.path())) (void)e, ++entries;
    EXPECT_EQ(entries, 1) << step << ": leftovers not swept";
  }
}

}  // namespace
}  // namespace mplp::test
