// GATE-V2-PACK-STRUCTURE-01: fixtures, the upstream packs, and the hostile
// inputs git cannot hold (links, FIFOs, huge timelines, odd names), made here.
#include "gates/gate_list.h"

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <map>
#include <set>

#include "test_util.h"

namespace mplp {
namespace {

namespace fs = std::filesystem;
using namespace mplp::test;

const std::string kGate = "GATE-V2-PACK-STRUCTURE-01";
std::string dump(const RunReport& r) { return test::dump(r, kGate); }
std::vector<Finding> findings_with(const RunReport& r, const std::string& code) { return findings_of(r, kGate, code); }

RunReport run(const std::string& pack, CheckRequest base = {}) { return check({pack}, {kGate}, base); }



std::set<std::string> code_set(const RunReport& r) {
  auto v = codes_of(r, kGate);
  return {v.begin(), v.end()};
}

// The fixtures' findings are in fixtures/pack-structure/*.expected-findings.txt.
TEST(PackStructure, GoodPackPassesWithoutFindings) {
  RunReport shared = run(fixture("packs/good-real"));
  EXPECT_EQ(status_of(shared, kGate), GateStatus::Pass) << dump(shared);
  EXPECT_TRUE(result_of(shared, kGate).findings.empty()) << dump(shared);
}

// QA-35: a web app's manifest.json among the artifacts is not a pack; one
// beside pack folders is (fixtures/pack-structure/fail-nested-pack).
TEST(PackStructure, OnlyAManifestBesidePackFoldersIsANestedPack) {
  TempDir t;
  const std::string pack = copy_good_pack(t);
  write_file(pack + "/artifacts/webapp/manifest.json", "{\"name\": \"app\", \"start_url\": \"/\"}\n");
  write_file(pack + "/artifacts/webapp/index.html", "<html></html>\n");
  EXPECT_EQ(code_set(run(pack)), std::set<std::string>{}) << dump(run(pack));
  write_file(pack + "/artifacts/webapp/timeline/events.ndjson", "");
  auto f = findings_with(run(pack), "pack.nested");
  ASSERT_EQ(f.size(), 1u);
  EXPECT_EQ(f[0].file, "artifacts/webapp/manifest.json");
}

// QA-39: a manifest over the 16 MiB a document may take was streamed by
// the JSON check, found well-formed, and passed without its schema, layout
// or paths checked.
TEST(PackStructure, AManifestTooLargeToLoadIsAnError) {
  TempDir t;
  const std::string pack = copy_good_pack(t);
  std::string m = read_file(pack + "/manifest.json");
  const std::size_t brace = m.rfind('}');
  ASSERT_NE(brace, std::string::npos);
  m.insert(brace, ", \"padding\": \"" + std::string((16u << 20) + 1, 'x') + "\"");
  write_file(pack + "/manifest.json", m);
  RunReport r = run(pack);
  EXPECT_EQ(code_set(r), std::set<std::string>{"manifest.too_large"}) << dump(r);
  auto f = findings_with(r, "manifest.too_large");
  ASSERT_EQ(f.size(), 1u);
  EXPECT_EQ(f[0].expected, "at most 16 MiB");
  EXPECT_EQ(f[0].actual, std::to_string(m.size()) + " bytes");
}

TEST(PackStructure, EveryCodeIsDocumented) {
  std::string doc = read_file(source_root() + "/gates/docs/GATE-V2-PACK-STRUCTURE-01.md");
  for (const FindingKind& k : find_gate(kGate)->info().kinds)
    EXPECT_NE(doc.find("`" + std::string(k.code) + "`"), std::string::npos) << k.code;
}

TEST(PackStructure, UpstreamVerdicts) {
  RunReport mcp = run(corpus("upstream/real/mcp/mcp-d1-real-runner-001"));
  EXPECT_EQ(status_of(mcp, kGate), GateStatus::Pass) << dump(mcp);
  RunReport lc = run(corpus("upstream/real/langchain/langchain-d1-real-runner-det-001"));
  EXPECT_EQ(status_of(lc, kGate), GateStatus::Pass) << dump(lc);
  RunReport syn = run(corpus("upstream/synthetic/mcp/mcp-d1-synthetic-001"));
  EXPECT_EQ(status_of(syn, kGate), GateStatus::Pass) << dump(syn);

  RunReport crew = run(corpus("upstream/real/crewai/crewai-d1-real-runner-det-001"));
  EXPECT_EQ(status_of(crew, kGate), GateStatus::Fail);
  std::set<std::string> missing;
  for (const Finding& f : result_of(crew, kGate).findings) {
    EXPECT_EQ(f.code, "file.missing") << dump(crew);
    missing.insert(f.file);
  }
  EXPECT_EQ(missing, (std::set<std::string>{"artifacts/confirm.json", "artifacts/plan.json",
                                            "reports/verify.report.json"}));
}

TEST(PackStructure, UpstreamManifestsAreSchemaValidWithinTheTree) {
  // One run over the whole corpus tree: the four packs are discovered and
  // none has a schema finding (extra fields are allowed).
  RunReport r = check({corpus("upstream")}, {kGate});
  ASSERT_EQ(r.packs.size(), 4u);
  for (const PackResult& p : r.packs)
    for (const GateResult& g : p.gates)
      for (const Finding& f : g.findings) EXPECT_NE(f.code, "manifest.schema") << p.path << ": " << f.message;
}

TEST(PackStructure, DirectoryWithoutManifestIsDiscoveredAndFails) {
  TempDir tmp;
  copy_tree(fixture("pack-structure/fail-no-manifest"), tmp / "tree/orphan");
  copy_tree(fixture("pack-structure/pass-good"), tmp / "tree/good");
  RunReport r = check({tmp / "tree"}, {kGate});
  ASSERT_EQ(r.packs.size(), 2u);
  EXPECT_EQ(status_of(r, kGate, "tree/good"), GateStatus::Pass);
  EXPECT_EQ(status_of(r, kGate, "tree/orphan"), GateStatus::Fail);
  const Finding f = result_of(r, kGate, "tree/orphan").findings.at(0);
  EXPECT_EQ(f.code, "manifest.missing");
  EXPECT_EQ(f.file, "manifest.json");
  EXPECT_NE(f.message.find("no manifest.json"), std::string::npos) << f.message;
  EXPECT_NE(f.message.find("artifacts/"), std::string::npos) << f.message;
  // Unusable manifest: read as INDEXABLE_REAL, so the real-only files are required too.
  RunReport only_timeline = [&] {
    write_file(tmp / "t2/timeline/events.ndjson", "");
    return run(tmp / "t2");
  }();
  auto missing = findings_with(only_timeline, "file.missing");
  EXPECT_EQ(missing.size(), 7u) << dump(only_timeline);  // 8 required + manifest, minus the timeline
  EXPECT_EQ(findings_with(only_timeline, "manifest.missing").size(), 1u);
}

TEST(PackStructure, CommandLineReportsTheOrphanDirectory) {
  TempDir tmp;
  copy_tree(fixture("pack-structure/fail-no-manifest"), tmp / "runs/orphan");
  copy_tree(fixture("pack-structure/pass-good"), tmp / "runs/good");
  RunResult r = run_tool({"check", "--gate", kGate, tmp / "runs"});
  EXPECT_EQ(r.exit_code, 1) << r.out << r.err;
  EXPECT_NE(r.out.find("no manifest.json"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("orphan"), std::string::npos) << r.out;
  RunResult ok = run_tool({"check", "--gate", kGate, tmp / "runs/good"});
  EXPECT_EQ(ok.exit_code, 0) << ok.out << ok.err;
}

TEST(PackStructure, InvalidManifestLocatesTheError) {
  RunReport r = run(fixture("pack-structure/fail-manifest-invalid-json"));
  auto f = findings_with(r, "json.invalid");
  ASSERT_EQ(f.size(), 1u);
  EXPECT_EQ(f[0].file, "manifest.json");
  EXPECT_EQ(f[0].location.line, 5u);  // the '}' after a trailing comma
  EXPECT_EQ(f[0].location.column, 1u);
  EXPECT_TRUE(f[0].location.has_offset);
  EXPECT_GT(f[0].location.offset, 0u);
}

TEST(PackStructure, DuplicateManifestKeyHasPointerAndLine) {
  RunReport r = run(fixture("pack-structure/fail-manifest-duplicate-key"));
  auto f = findings_with(r, "json.duplicate_key");
  ASSERT_EQ(f.size(), 1u);
  EXPECT_EQ(f[0].file, "manifest.json");
  EXPECT_EQ(f[0].location.pointer, "/pack_id");
  EXPECT_EQ(f[0].location.line, 6u);
  EXPECT_GT(f[0].location.column, 0u);
}

// Issue 14, point 1: a fingerprint with its keys out of order fails the
// schema's oneOf (a marker string, or the fingerprint object); valijson
// reported five errors (the oneOf, each child schema, the string branch's type
// error, the real one). One defect is one finding: the object branch's error.
TEST(PackStructure, OneOfFailureIsOneFindingFromTheBestBranch) {
  TempDir tmp;
  std::string p = copy_good_pack(tmp);
  set_json(p + "/manifest.json", "/env_ref/environment_fingerprint",
           R"({"arch":"x86_64","os":"linux","runtime_type":"node","runtime_version":"20.20.0"})");
  reseal(p);
  RunReport r = run(p);
  std::vector<Finding> schema;
  for (const Finding& f : test::findings_of(r, kGate))
    if (f.location.pointer.rfind("/env_ref/environment_fingerprint", 0) == 0) schema.push_back(f);
  ASSERT_EQ(schema.size(), 1u) << dump(r);
  EXPECT_NE(schema[0].message.find("keys must be exactly"), std::string::npos) << schema[0].message;
  EXPECT_EQ(schema[0].message.find("child schema"), std::string::npos);
  EXPECT_EQ(schema[0].message.find("Value type not permitted"), std::string::npos);
  EXPECT_GE(schema[0].location.line, 1u) << "located in the file";
  EXPECT_GT(schema[0].location.column, 1u);
}

TEST(PackStructure, LayoutVersionAndStatusAreReportedOnceEach) {
  TempDir tmp;
  std::string p = copy_good_pack(tmp);
  std::string m = read_file(p + "/manifest.json");
  m.replace(m.find("\"pack_layout_version\": \"2\","), 27, "");
  m.replace(m.find("\"INDEXABLE_REAL\""), 16, "[\"INDEXABLE_REAL\"]");
  write_file(p + "/manifest.json", m);
  RunReport r = run(p);
  EXPECT_EQ(code_set(r), (std::set<std::string>{"manifest.indexability", "manifest.layout_version"})) << dump(r);
  EXPECT_EQ(findings_with(r, "manifest.layout_version").at(0).actual, "missing");
  EXPECT_EQ(findings_with(r, "manifest.indexability").at(0).actual, "[\"INDEXABLE_REAL\"]");

  for (const char* bad : {"\"2.0\"", "2", "null", "\" 2\""}) {
    std::string m2 = read_file(fixture("packs/good-real/manifest.json"));
    m2.replace(m2.find("\"2\""), 3, bad);
    write_file(p + "/manifest.json", m2);
    RunReport r2 = run(p);
    EXPECT_EQ(code_set(r2), (std::set<std::string>{"manifest.layout_version"})) << bad << "\n" << dump(r2);
  }
}

// Issue 17, point 5: which schema errors repeat an own check is decided on
// the rule and the member valijson names, not on the words of its message.
TEST(PackStructure, OnlyTheOwnCheckedMembersAreLeftOutOfSchemaFindings) {
  TempDir tmp;
  std::string p = copy_good_pack(tmp);
  test::set_json(p + "/manifest.json", "/pack_id", "");
  test::set_json(p + "/manifest.json", "/pack_layout_version", "");
  RunReport r = run(p);
  EXPECT_EQ(code_set(r), (std::set<std::string>{"manifest.layout_version", "manifest.schema"})) << dump(r);
  std::vector<Finding> schema = findings_with(r, "manifest.schema");
  ASSERT_EQ(schema.size(), 1u) << dump(r);
  EXPECT_EQ(schema[0].message, "manifest schema: Missing required property 'pack_id'.");
  EXPECT_EQ(schema[0].location.pointer, "");
  EXPECT_TRUE(schema[0].schema_rule);
}

TEST(PackStructure, SchemaErrorsCarryPointers) {
  RunReport r = run(fixture("pack-structure/fail-manifest-schema"));
  std::set<std::string> pointers;
  for (const Finding& f : findings_with(r, "manifest.schema")) {
    EXPECT_EQ(f.file, "manifest.json");
    pointers.insert(f.location.pointer);
  }
  EXPECT_TRUE(pointers.count("/pack_id")) << dump(r);
  EXPECT_TRUE(pointers.count("/hashes")) << dump(r);
  EXPECT_TRUE(pointers.count("/env_ref/container_digest")) << dump(r);
  for (const Finding& f : findings_with(r, "manifest.schema")) {
    if (f.location.pointer == "/pack_id") {
      EXPECT_EQ(f.actual, "17");
    }
  }
}

TEST(PackStructure, SyntheticAndNonIndexableNeedOnlyTheBaseFiles) {
  TempDir tmp;
  std::string p = tmp / "syn";
  copy_tree(fixture("pack-structure/pass-synthetic-minimal"), p);
  EXPECT_EQ(status_of(run(p), kGate), GateStatus::Pass);
  fs::remove(p + "/artifacts/context.json");
  RunReport r = run(p);
  auto f = findings_with(r, "file.missing");
  ASSERT_EQ(f.size(), 1u) << dump(r);
  EXPECT_EQ(f[0].file, "artifacts/context.json");
}

TEST(PackStructure, RequiredFilesMustBeRegular) {
  TempDir tmp;
  std::string p = copy_good_pack(tmp);
  fs::remove(p + "/artifacts/plan.json");
  fs::create_symlink("context.json", p + "/artifacts/plan.json");
  fs::remove(p + "/reports/runner.meta.json");
  ASSERT_EQ(::mkfifo((p + "/reports/runner.meta.json").c_str(), 0600), 0);
  fs::remove(p + "/integrity/sha256sums.txt");
  fs::create_directory(p + "/integrity/sha256sums.txt");
  RunReport r = run(p);  // returns at all: opening the FIFO must not block (else the suite times out)
  std::map<std::string, std::string> got;
  for (const Finding& f : findings_with(r, "file.not_regular")) got[f.file] = f.actual;
  EXPECT_EQ(got, (std::map<std::string, std::string>{{"artifacts/plan.json", "symbolic link"},
                                                     {"integrity/sha256sums.txt", "directory"},
                                                     {"reports/runner.meta.json", "FIFO"}}))
      << dump(r);
  // The manifest's `paths` names the sums file as a file: it is a directory now.
  EXPECT_EQ(findings_with(r, "paths.wrong_type").size(), 1u) << dump(r);

  // A symlinked manifest is not followed: the pack has no usable manifest.
  TempDir tmp2;
  std::string q = copy_good_pack(tmp2);
  fs::rename(q + "/manifest.json", tmp2 / "elsewhere.json");
  fs::create_symlink(tmp2 / "elsewhere.json", q + "/manifest.json");
  RunReport r2 = run(q);
  auto nr = findings_with(r2, "file.not_regular");
  ASSERT_EQ(nr.size(), 1u) << dump(r2);
  EXPECT_EQ(nr[0].file, "manifest.json");
}

TEST(PackStructure, PathsAreCheckedInsideThePackOnly) {
  RunReport r = run(fixture("pack-structure/fail-paths-unsafe"));
  std::set<std::string> pointers;
  for (const Finding& f : findings_with(r, "paths.unsafe")) pointers.insert(f.location.pointer);
  EXPECT_EQ(pointers, (std::set<std::string>{"/paths/a~1b~0c", "/paths/abs", "/paths/empty", "/paths/up"}))
      << dump(r);

  // "../outside.json" exists beside the pack: still unsafe, never "found".
  TempDir tmp;
  copy_tree(fixture("pack-structure/fail-paths-unsafe"), tmp / "pack");
  write_file(tmp / "outside.json", "{}");
  EXPECT_EQ(findings_with(run(tmp / "pack"), "paths.unsafe").size(), 4u);

  RunReport m = run(fixture("pack-structure/fail-paths-missing"));
  std::map<std::string, std::string> got;
  for (const Finding& f : result_of(m, kGate).findings) got[f.location.pointer] = f.code;
  EXPECT_EQ(got, (std::map<std::string, std::string>{{"/paths/artifacts_dir", "paths.wrong_type"},
                                                     {"/paths/extra", "paths.missing"},
                                                     {"/paths/timeline", "paths.wrong_type"}}))
      << dump(m);
}

TEST(PackStructure, TimelineBadLinesAreNumbered) {
  RunReport r = run(fixture("pack-structure/fail-timeline-bad-lines"));
  std::map<std::uint64_t, std::string> got;
  for (const Finding& f : result_of(r, kGate).findings) {
    EXPECT_EQ(f.file, "timeline/events.ndjson");
    EXPECT_TRUE(got.emplace(f.location.line, f.code).second) << "one finding per line: " << f.location.line;
  }
  EXPECT_EQ(got, (std::map<std::uint64_t, std::string>{{2, "timeline.invalid_json"},
                                                      {4, "timeline.not_object"},
                                                      {5, "timeline.bad_event"},
                                                      {6, "timeline.bad_event"},
                                                      {7, "timeline.duplicate_key"},
                                                      {9, "timeline.invalid_json"},
                                                      {10, "timeline.bad_event"}}))
      << dump(r);
  // The invalid UTF-8 of line 9 is located by a byte offset into the file, within that line.
  std::string text = read_file(fixture("pack-structure/fail-timeline-bad-lines/timeline/events.ndjson"));
  std::size_t line9 = 0;
  for (int i = 1; i < 9; ++i) line9 = text.find('\n', line9) + 1;
  for (const Finding& f : result_of(r, kGate).findings) {
    if (f.location.line != 9) continue;
    ASSERT_TRUE(f.location.has_offset);
    EXPECT_GE(f.location.offset, line9);
    EXPECT_LT(f.location.offset, text.find('\n', line9));
    EXPECT_GT(f.location.column, 0u);
  }
}

TEST(PackStructure, TimelineCrlfBlankLinesAndNoFinalNewline) {
  TempDir tmp;
  std::string p = copy_good_pack(tmp);
  const std::string ev = "{\"timestamp\":\"2026-01-27T05:05:42Z\",\"event\":\"E\"}";
  for (const std::string& text :
       {ev + "\r\n" + ev + "\r\n", ev + "\n\n\n" + ev, "\r\n" + ev + "\r\n\r\n", std::string(), std::string("\n\n"),
        ev + "\n  \t \n" + ev + "\n", ev}) {
    write_file(p + "/timeline/events.ndjson", text);
    RunReport r = run(p);
    EXPECT_EQ(status_of(r, kGate), GateStatus::Pass) << "[" << text << "]\n" << dump(r);
  }
  // A CR in the middle of a line is not a line break: JSON whitespace inside, still one line.
  write_file(p + "/timeline/events.ndjson", ev + "\r" + ev + "\n" + ev + "\n");
  RunReport r = run(p);
  auto f = findings_with(r, "timeline.invalid_json");
  ASSERT_EQ(f.size(), 1u) << dump(r);
  EXPECT_EQ(f[0].location.line, 1u);
  // Line numbers count blank lines; CRLF files number like LF files.
  write_file(p + "/timeline/events.ndjson", ev + "\r\n\r\n{\"event\":\"E\"}\r\n");
  RunReport r2 = run(p);
  auto g = findings_with(r2, "timeline.bad_event");
  ASSERT_EQ(g.size(), 1u) << dump(r2);
  EXPECT_EQ(g[0].location.line, 3u);
  EXPECT_NE(g[0].message.find("timestamp"), std::string::npos);
  // A line of CRs (or CRs among blanks) is not blank: a CR is no line break (QA-39).
  write_file(p + "/timeline/events.ndjson", ev + "\n\r\r\r\n \r \n" + ev + "\n");
  RunReport r3 = run(p);
  std::vector<std::uint64_t> lines;
  for (const Finding& h : findings_with(r3, "timeline.invalid_json")) lines.push_back(h.location.line);
  EXPECT_EQ(lines, (std::vector<std::uint64_t>{2, 3})) << dump(r3);
}

TEST(PackStructure, HugeTimelineIsLinearAndCapped) {
  TempDir tmp;
  std::string p = copy_good_pack(tmp);
  // ~40 MiB of valid events in one file, then a file of 200,000 bad lines.
  std::string line = "{\"timestamp\":\"2026-01-27T05:05:42.323Z\",\"event\":\"TICK\",\"data\":{\"n\":12345678}}\n";
  std::string big;
  big.reserve(line.size() * 500000);
  for (int i = 0; i < 500000; ++i) big += line;
  write_file(p + "/timeline/events.ndjson", big);
  RunReport ok = run(p);
  EXPECT_EQ(status_of(ok, kGate), GateStatus::Pass) << dump(ok);

  std::string bad;
  for (int i = 0; i < 200000; ++i) bad += "{\"event\":\"NO_TIME\"}\n";
  write_file(p + "/timeline/events.ndjson", bad);
  RunReport r = run(p);
  EXPECT_EQ(findings_with(r, "timeline.bad_event").size(), 1000u);
  auto cap = findings_with(r, "timeline.too_many_errors");
  ASSERT_EQ(cap.size(), 1u);
  EXPECT_NE(cap[0].message.find("200000"), std::string::npos) << cap[0].message;

  // One line with no newline at all, megabytes long: parsed once, no hang.
  write_file(p + "/timeline/events.ndjson", std::string(8 << 20, '['));
  RunReport deep = run(p);
  auto d = findings_with(deep, "timeline.invalid_json");
  ASSERT_EQ(d.size(), 1u) << dump(deep);
  EXPECT_EQ(d[0].location.line, 1u);
}

TEST(PackStructure, EveryJsonFileParses) {
  TempDir tmp;
  std::string p = copy_good_pack(tmp);
  write_file(p + "/reports/extra/Data.JSON", "{\"a\": Infinity}");
  write_file(p + "/reports/odd\nname.json", "{\"a\": 1,}");
  write_file(p + "/reports/notes.txt", "{ not json, and not a .json file");
  write_file(p + "/reports/ok.json", "  {\"a\": [1, 2.5e3, \"\\u00e9\"]}  \n");
  write_file(p + "/reports/empty.json", "");
  write_file(p + "/reports/two.json", "{} {}");
  RunReport r = run(p);
  std::set<std::string> files;
  for (const Finding& f : findings_with(r, "json.invalid")) {
    files.insert(f.file);
    EXPECT_GT(f.location.line, 0u) << f.file;
  }
  EXPECT_EQ(files, (std::set<std::string>{"reports/empty.json", "reports/extra/Data.JSON",
                                          "reports/odd\nname.json", "reports/two.json"}))
      << dump(r);
  EXPECT_EQ(code_set(r), (std::set<std::string>{"json.invalid"})) << dump(r);
}

TEST(PackStructure, JsonDepthFollowsThePolicy) {
  TempDir tmp;
  std::string p = copy_good_pack(tmp);
  write_file(p + "/reports/nested.json", std::string(40, '[') + std::string(40, ']'));
  EXPECT_EQ(status_of(run(p), kGate), GateStatus::Pass);
  CheckRequest strict_depth;
  strict_depth.policy.limits.max_json_depth = 16;
  RunReport r = run(p, strict_depth);
  auto f = findings_with(r, "json.invalid");
  ASSERT_EQ(f.size(), 1u) << dump(r);
  EXPECT_EQ(f[0].file, "reports/nested.json");
  // The same limit applies to timeline lines.
  write_file(p + "/timeline/events.ndjson",
             "{\"timestamp\":\"t\",\"event\":\"e\",\"d\":" + std::string(30, '[') + std::string(30, ']') + "}\n");
  fs::remove(p + "/reports/nested.json");
  RunReport t = run(p, strict_depth);
  EXPECT_EQ(code_set(t), (std::set<std::string>{"timeline.invalid_json"})) << dump(t);
}

TEST(PackStructure, DuplicateKeysInAnyJsonFile) {
  RunReport r = run(fixture("pack-structure/fail-json-duplicate-key"));
  auto f = findings_with(r, "json.duplicate_key");
  ASSERT_EQ(f.size(), 1u);
  EXPECT_EQ(f[0].file, "artifacts/context.json");
  EXPECT_EQ(f[0].location.pointer, "/meta/k");
  EXPECT_EQ(f[0].location.line, 3u);
}

TEST(PackStructure, LimitsAndWalkErrorsAreFindings) {
  TempDir tmp;
  std::string p = copy_good_pack(tmp);
  CheckRequest few;
  few.policy.limits.max_files_per_pack = 5;
  RunReport r = run(p, few);
  EXPECT_EQ(findings_with(r, "walk.truncated").size(), 1u) << dump(r);
  EXPECT_EQ(status_of(r, kGate), GateStatus::Fail);

  // An oversized *.json file cannot be parsed: an error, never a silent pass.
  CheckRequest small;
  small.policy.limits.max_file_size = 1000;
  RunReport s = run(p, small);
  std::set<std::string> unreadable;
  for (const Finding& f : findings_with(s, "json.unreadable")) unreadable.insert(f.file);
  // Only the files over 1000 bytes; context.json (272 bytes) still parses.
  EXPECT_EQ(unreadable, (std::set<std::string>{"manifest.json", "reports/verify.report.json"})) << dump(s);
  EXPECT_EQ(findings_with(s, "timeline.unreadable").size(), 1u) << dump(s);
}

TEST(PackStructure, UnreadableDirectoryIsAWalkError) {
  TempDir tmp;
  std::string p = copy_good_pack(tmp);
  fs::permissions(tmp.path(), fs::perms::owner_all | fs::perms::others_read | fs::perms::others_exec);
  fs::permissions(p + "/reports", fs::perms::none);
  // Root reads any directory, so the check runs in a child that drops to nobody.
  pid_t pid = ::fork();
  ASSERT_GE(pid, 0);
  if (pid == 0) {
    if (::geteuid() == 0 && (::setgid(65534) != 0 || ::setuid(65534) != 0)) ::_exit(100);
    try {
      RunReport w = run(p);
      int walk_errors = static_cast<int>(findings_with(w, "walk.error").size());
      bool failed = status_of(w, kGate) == GateStatus::Fail;
      ::_exit(failed ? walk_errors : 101);
    } catch (...) {
      ::_exit(102);
    }
  }
  int status = 0;
  ::waitpid(pid, &status, 0);
  fs::permissions(p + "/reports", fs::perms::owner_all);
  ASSERT_TRUE(WIFEXITED(status));
  EXPECT_EQ(WEXITSTATUS(status), 1) << "exactly one walk.error, and the gate fails";
}

}  // namespace
}  // namespace mplp
