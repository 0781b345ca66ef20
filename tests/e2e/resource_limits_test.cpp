// Hostile inputs against the machine running the gate, through the built
// binary under a memory limit: YAML alias bombs in a registry, runner.yaml
// or policy, and packs holding millions of failing URLs. A run that needs
// more memory than the limit dies (a signal, bad_alloc as exit 2) and fails
// these tests; the fixed binary stays far below it.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdio>
#include <fstream>

#include "core/json.h"
#include "test_util.h"

namespace mplp {
namespace {

using test::RunOptions;
using test::run_tool_with;
using test::TempDir;

// Far above what a bounded run needs (tens of MiB), far below what the
// unbounded ones took (1 to 3 GiB, or exabytes for the bombs).
constexpr std::size_t kLimitMib = 1024;

RunOptions limited() {
  RunOptions o;
  o.memory_mib = kLimitMib;
  return o;
}

// Every alias expands to a 64 KiB string, 64^3 times: 16 GiB as JSON, from
// 66 KiB of YAML (what crashed the checker with SIGSEGV).
std::string big_scalar_bomb() {
  std::string y = "a: &a \"" + std::string(65536, 'x') + "\"\n";
  for (const char* level : {"b", "c", "d"}) {
    std::string prev(1, static_cast<char>(level[0] - 1));
    y += std::string(level) + ": &" + level + " [";
    for (int i = 0; i < 64; ++i) y += (i ? ",*" : "*") + prev;
    y += "]\n";
  }
  return y;
}

// The classic "billion laughs": 10^9 short strings from 520 bytes.
std::string billion_laughs() {
  std::string y = "l0: &l0 [\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\"]\n";
  for (int i = 1; i < 10; ++i) {
    y += "l" + std::to_string(i) + ": &l" + std::to_string(i) + " [";
    for (int k = 0; k < 10; ++k) y += (k ? ",*l" : "*l") + std::to_string(i - 1);
    y += "]\n";
  }
  return y;
}

TEST(YamlBomb, RegistryAliasBombsExitTwoNamingTheFile) {
  TempDir t;
  std::string pack = test::copy_good_pack(t);
  for (const auto& [name, yaml] : {std::pair{"bomb.yaml", big_scalar_bomb()}, {"laughs.yaml", billion_laughs()}}) {
    test::write_file(t / name, yaml);
    auto r = run_tool_with({"check", "--registry", t / name, pack}, limited());
    EXPECT_EQ(r.exit_code, 2) << name << "\n" << r.err;
    EXPECT_NE(r.err.find(t / name), std::string::npos) << r.err;
    // Expanded, the aliases pass the size budget or the node limit first.
    EXPECT_TRUE(r.err.find("expands to more than") != std::string::npos ||
                r.err.find("document has too many nodes") != std::string::npos)
        << r.err;
    EXPECT_TRUE(r.out.empty()) << r.out;
  }
}

TEST(YamlBomb, RunnerYamlAliasBombIsAFindingNamingTheFile) {
  TempDir t;
  test::copy_tree(test::fixture("substrate-registry/pass-basic"), t / "repo");
  test::write_file(t / "repo/runners/node-20/runner.yaml", big_scalar_bomb());
  auto r = run_tool_with(
      {"check", "--runners", t / "repo/runners", "--gate", "GATE-V2-SUBSTRATE-REGISTRY-01", "--format", "json"},
      limited());
  ASSERT_EQ(r.exit_code, 1) << r.err << r.out;
  EXPECT_NE(r.out.find("\"code\": \"runner.yaml_invalid\""), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("node-20/runner.yaml"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("expands to more than"), std::string::npos) << r.out;

  // The registry beside the runners directory is read before any gate runs.
  test::write_file(t / "repo/producers/_registry/substrates.v2.yaml", billion_laughs());
  auto reg = run_tool_with({"check", "--runners", t / "repo/runners"}, limited());
  EXPECT_EQ(reg.exit_code, 2) << reg.err;
  EXPECT_NE(reg.err.find("substrates.v2.yaml"), std::string::npos) << reg.err;
}

TEST(YamlBomb, PolicyAliasBombIsAnInvalidPolicy) {
  TempDir t;
  std::string pack = test::copy_good_pack(t);
  test::write_file(t / "policy.yaml", big_scalar_bomb() + "hosts:\n  allowed: *d\n");
  auto r = run_tool_with({"check", "--policy", t / "policy.yaml", pack}, limited());
  EXPECT_EQ(r.exit_code, 2) << r.err;
  EXPECT_NE(r.err.find("policy.yaml"), std::string::npos) << r.err;
}

// A pack of `files` files, each holding 1,000 URLs to private addresses.
std::string failing_url_pack(const TempDir& t, int files) {
  std::string root = t / "urls/p";
  test::write_file(root + "/manifest.json", "{\"pack_layout_version\": \"2\"}\n");
  for (int f = 0; f < files; ++f) {
    std::string line;
    for (int i = 0; i < 1000; ++i)
      line += "http://10." + std::to_string(f % 250) + "." + std::to_string(i / 250) + "." + std::to_string(i % 250) +
              "/ ";
    char name[32];
    std::snprintf(name, sizeof name, "/artifacts/f%04d.txt", f);
    test::write_file(root + name, line + "\n");
  }
  return root;
}

std::size_t count(const std::string& s, const std::string& what) {
  std::size_t n = 0;
  for (std::size_t p = s.find(what); p != std::string::npos; p = s.find(what, p + what.size())) ++n;
  return n;
}

TEST(FindingCap, MegabytesOfFailingUrlsStayBoundedInEveryFormat) {
  TempDir t;
  // 1.5 million failing URLs (33 MB); a third of that under ASan, where each
  // finding costs several times more (the sanitizer stage runs it too).
  const int files = test::built_with_asan() ? 500 : 1500;
  std::string pack = failing_url_pack(t, files);
  auto r = run_tool_with({"check", "--gate", "GATE-V2-HOST-ALLOW-01", "--format", "junit", "--report",
                     "json=" + (t / "r.json"), "--report", "sarif=" + (t / "r.sarif"), "--report",
                     "text=" + (t / "r.txt"), "--report", "github=" + (t / "r.github"), "--max-annotations",
                     "1000000", t / "urls"},
                    limited());
  ASSERT_EQ(r.exit_code, 1) << r.err;
  const std::string omitted =
      std::to_string(files * 1000 - 10000) + " more findings of this gate left out of the report";
  // JUnit on stdout: one failure listing 10,000 findings and the note.
  EXPECT_EQ(count(r.out, "<failure "), 1u);
  EXPECT_EQ(count(r.out, "\nerror host.forbidden "), 10000u);  // the note sorts first
  EXPECT_EQ(count(r.out, omitted), 1u) << r.out.substr(0, 2000);
  for (const char* f : {"r.json", "r.sarif", "r.txt", "r.github"}) {
    std::string bytes = test::read_file(t / f);
    EXPECT_EQ(count(bytes, omitted), 1u) << f;
    EXPECT_LT(bytes.size(), std::size_t{30} << 20) << f;
  }
  JsonDoc doc;
  ASSERT_TRUE(parse_json(test::read_file(t / "r.json"), {}, doc)) << doc.error.message;
  const rapidjson::Value& findings = doc.value["packs"][0]["gates"][0]["findings"];
  EXPECT_EQ(findings.Size(), 10001u);
  EXPECT_EQ(std::string(findings[0]["code"].GetString()), "findings.omitted");
  EXPECT_EQ(std::string(findings[0]["severity"].GetString()), "error");
  EXPECT_EQ(count(test::read_file(t / "r.github"), "::error "), 10001u);
}

TEST(FindingCap, PolicyLimitKeepsTheMostSevereAndTheVerdict) {
  TempDir t;
  std::string pack = test::copy_good_pack(t);
  // 30 unlisted files (INTEGRITY-01 warnings), 5 failing URLs (HOST-ALLOW-01 errors).
  for (int i = 0; i < 30; ++i) test::write_file(pack + "/extra/u" + std::to_string(i) + ".txt", "unlisted\n");
  test::write_file(pack + "/extra/u7.txt", "http://10.0.0.1/ http://10.0.0.2/ http://10.0.0.3/ http://10.0.0.4/ "
                                           "http://10.0.0.5/\n");
  test::write_file(t / "policy.yaml", "limits:\n  max_findings_per_pack: 4\n");
  auto run = [&](std::vector<std::string> extra) {
    std::vector<std::string> args = {"check", "--policy", t / "policy.yaml", "--format", "json"};
    args.insert(args.end(), extra.begin(), extra.end());
    args.push_back(pack);
    return run_tool_with(args, RunOptions{});
  };
  auto r = run({});
  ASSERT_EQ(r.exit_code, 1) << r.err;
  JsonDoc doc;
  ASSERT_TRUE(parse_json(r.out, {}, doc)) << doc.error.message;
  std::size_t kept = 0, notes = 0;
  for (const auto& g : doc.value["packs"][0]["gates"].GetArray()) {
    std::string id = g["id"].GetString(), status = g["status"].GetString();
    for (const auto& f : g["findings"].GetArray()) {
      std::string code = f["code"].GetString(), sev = f["severity"].GetString();
      if (code == "findings.omitted") {
        ++notes;
        std::string msg = f["message"].GetString();
        if (id == "GATE-V2-HOST-ALLOW-01") {
          EXPECT_EQ(sev, "error") << msg;  // one URL left out
        } else if (id == "GATE-V2-INTEGRITY-01") {
          EXPECT_EQ(sev, "warning") << msg;  // warnings and infos left out
        }
        continue;
      }
      ++kept;
      EXPECT_EQ(sev, "error") << id << " " << code;  // the most severe are kept
    }
    if (id == "GATE-V2-INTEGRITY-01") {
      EXPECT_EQ(status, "PASS");  // warnings only, as without the cap
    } else if (id == "GATE-V2-HOST-ALLOW-01") {
      EXPECT_EQ(status, "FAIL");
    }
  }
  EXPECT_EQ(kept, 4u);
  EXPECT_GE(notes, 2u);
  // The same bytes whatever the order gates and threads report in.
  EXPECT_EQ(run({"--jobs", "1"}).out, r.out);
  // Under --strict the warnings that were left out still fail INTEGRITY-01.
  JsonDoc strict;
  ASSERT_TRUE(parse_json(run({"--strict"}).out, {}, strict));
  for (const auto& g : strict.value["packs"][0]["gates"].GetArray())
    if (std::string(g["id"].GetString()) == "GATE-V2-INTEGRITY-01") {
      EXPECT_STREQ(g["status"].GetString(), "FAIL");
    }
}

}  // namespace
}  // namespace mplp

namespace mplp {
namespace {

// Issue 13, points 2 and 6: a run must not hold a descriptor per pack. With
// 64 descriptors allowed, 150 packs were checked until the limit and the
// rest failed with "Too many open files" (each pack's directory stayed open
// until the collection gates ran).
TEST(ResourceLimits, ManyPacksWithFewDescriptors) {
  TempDir t;
  for (int i = 0; i < 150; ++i) test::copy_tree(test::fixture("packs/good-real"), t / ("runs/p" + std::to_string(i)));
  std::string out;
  int status = test::run_shell("ulimit -n 64 && " + test::shell_quote(test::gate_binary()) +
                                   " check --jobs 2 --format json " + test::shell_quote(t / "runs") + " 2>&1",
                               out);
  EXPECT_EQ(out.find("Too many open files"), std::string::npos) << out.substr(0, 2000);
  EXPECT_EQ(out.find("pack.unopenable"), std::string::npos) << out.substr(0, 2000);
  EXPECT_NE(out.find("\"packs\""), std::string::npos) << out.substr(0, 2000);
  // good-real copies share a scenario: DET-01 compares them, so the exit is
  // what the gates decide, never 2.
  EXPECT_NE(status, 2) << out.substr(0, 2000);
}

// Issue 13, point 2: memory does not grow with a file, whatever it holds.
// A 320 MB JSON artifact of small objects (its document took 1.1 GB, and
// HOST-ALLOW-01's string scan held the file: 313 MB) and a timeline whose
// one event line is 320 MB (1.2 GB) are judged by every gate in a few tens
// of MB: the artifact read through fixed buffers with no document (its one
// escaped URL found with its pointer), the long line as too long to read as
// an event. The files are written in pieces, so the test stays small too.
TEST(LargeFiles, JsonArtifactAndTimelineLineStayBounded) {
  TempDir t;
  std::string pack = test::copy_good_pack(t);
  std::size_t lines = 0;  // of the good pack's timeline, which ends with a newline
  {
    std::ofstream json(pack + "/artifacts/huge.json", std::ios::binary);
    json << "[";
    std::string piece;
    for (int i = 0; i < 3200000; ++i) {
      piece += "{\"k\":\"" + std::to_string(1000000000 + i) + std::string(80, 'v') + "\"},";
      if (piece.size() > (1u << 20)) json << piece, piece.clear();
    }
    json << piece << "{\"d\":1,\"d\":2,\"u\":\"http:\\/\\/10.0.0.1\\/x\"}]";
    ASSERT_TRUE(json.good());
  }
  {
    const std::string before = test::read_file(pack + "/timeline/events.ndjson");
    lines = static_cast<std::size_t>(std::count(before.begin(), before.end(), '\n'));
    std::ofstream timeline(pack + "/timeline/events.ndjson", std::ios::binary | std::ios::app);
    timeline << "{\"timestamp\":\"2026-01-01T00:00:00Z\",\"event\":\"";
    const std::string piece(1u << 20, 'e');
    for (int i = 0; i < 320; ++i) timeline << piece;
    timeline << "\"}\n{\"timestamp\":\"2026-01-01T00:00:01Z\"}\n";
    ASSERT_TRUE(timeline.good());
  }
  auto r = run_tool_with({"check", "--format", "json", pack}, limited());
  ASSERT_EQ(r.exit_code, 1) << r.err;
  JsonDoc doc;
  ASSERT_TRUE(parse_json(r.out, {}, doc)) << r.out.substr(0, 2000);
  std::vector<std::string> seen;
  for (const auto& g : doc.value["packs"][0]["gates"].GetArray())
    for (const auto& f : g["findings"].GetArray())
      seen.push_back(std::string(f["code"].GetString()) + " " + f["file"].GetString() + ":" +
                     std::to_string(f.HasMember("line") ? f["line"].GetUint64() : 0) +
                     (f.HasMember("pointer") ? std::string("#") + f["pointer"].GetString() : ""));
  const std::vector<std::string> expected = {
      "json.duplicate_key artifacts/huge.json:1#/3200000/d",
      "host.forbidden artifacts/huge.json:1#/3200000/u",
      "timeline.line_too_long timeline/events.ndjson:" + std::to_string(lines + 1),
      "timeline.bad_event timeline/events.ndjson:" + std::to_string(lines + 2),
  };
  for (const std::string& e : expected)
    EXPECT_NE(std::find(seen.begin(), seen.end(), e), seen.end()) << e << "\n" << r.out.substr(0, 4000);
  // Memory, not time: the run's peak is far below either file (AddressSanitizer's
  // shadow memory aside, which the limit above bounds).
  if (!test::built_with_asan()) {
    EXPECT_LT(r.max_rss_kib, 128 * 1024) << "peak RSS in KiB";
  }
}

// Out of memory inside RapidJSON (a 64 MiB string in an artifact, under a
// 60 MiB address-space limit) is an internal.error finding of the pack that
// says so: its allocator returned null and the parser wrote through it, a
// segmentation fault (QA-36).
TEST(ResourceLimits, OutOfMemoryInAJsonStringIsAFindingNotACrash) {
  if (test::built_with_asan())
    GTEST_SKIP() << "AddressSanitizer limits memory by RSS and kills the run there: malloc never returns null";
  TempDir t;
  const std::string pack = test::copy_good_pack(t, "p");
  {
    std::ofstream f(pack + "/artifacts/big.json", std::ios::binary);
    f << "{\"a\":\"" << std::string(std::size_t{64} << 20, 'x') << "\"}";
  }
  RunOptions o;
  o.memory_mib = 60;
  auto good = run_tool_with({"check", "-q", "--jobs", "1", test::fixture("packs/good-real")}, o);
  ASSERT_EQ(good.exit_code, 0) << "the good pack must pass under the limit: " << good.err;
  auto r = run_tool_with({"check", "--jobs", "1", "--format", "json", pack}, o);
  EXPECT_EQ(r.exit_code, 1) << r.err;
  EXPECT_NE(r.out.find("\"message\": \"internal error in gate: out of memory (std::bad_alloc)\""), std::string::npos)
      << r.out.substr(0, 4000);
  EXPECT_NE(r.out.find("give the check more memory"), std::string::npos);
}

}  // namespace
}  // namespace mplp

namespace mplp {
namespace {

// A policy may raise limits.max_json_depth to 100,000. JSON nested that deep
// parses without recursion, and every reader after the parse must walk it the
// same way: quoting the value in a finding (Value::Accept recursed once a
// level and crashed the run with SIGSEGV), sealing (the manifest is written
// back), the signed-provenance envelope, every report format.
TEST(DeepJson, NestingAtThePolicysLimitIsAFindingNeverACrash) {
  TempDir t;
  const std::size_t n = 99990;
  const std::string deep = std::string(n, '[') + std::string(n, ']');
  test::write_file(t / "policy.yaml", "limits:\n  max_json_depth: 100000\n");
  test::write_file(t / "pack/manifest.json", "{\"pack_id\": " + deep + "}");
  for (const char* format : {"text", "json", "sarif", "html"}) {
    SCOPED_TRACE(format);
    auto r = test::run_tool({"check", "--policy", t / "policy.yaml", "--format", format, t / "pack"});
    EXPECT_EQ(r.exit_code, 1) << r.err.substr(0, 2000);
    if (std::string(format) == "json") {
      EXPECT_NE(r.out.find("manifest.schema"), std::string::npos);
    }
  }

  // A pack whose manifest nests as deep is sealed (seal writes the manifest
  // back), then its provenance envelope nests as deep too.
  std::string pack = test::copy_good_pack(t);
  std::string manifest = test::read_file(pack + "/manifest.json");
  manifest.insert(manifest.rfind('}'), ", \"deep\": " + deep);
  test::write_file(pack + "/manifest.json", manifest);
  auto sealed = test::run_tool({"seal", "--policy", t / "policy.yaml", pack});
  ASSERT_EQ(sealed.exit_code, 0) << sealed.err.substr(0, 2000);
  EXPECT_NE(test::read_file(pack + "/manifest.json").find(std::string(100, '[')), std::string::npos);
  test::write_file(pack + "/integrity/provenance.intoto.jsonl",
                   "{\"payloadType\":\"application/vnd.in-toto+json\",\"payload\":" + deep + ",\"signatures\":[]}\n");
  auto r = test::run_tool({"check", "--policy", t / "policy.yaml", "--trusted-key", test::fixture("keys/test-a.pub"), pack});
  EXPECT_EQ(r.exit_code, 1) << r.err.substr(0, 2000);
}

}  // namespace
}  // namespace mplp
