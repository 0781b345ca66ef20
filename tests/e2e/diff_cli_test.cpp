// Issue 15, `mplp-gate diff A B` through the built binary, and DET-01's
// mismatch finding pointing at it.
#include <gtest/gtest.h>

#include <filesystem>
#include <set>

#include "core/base64.h"
#include "core/json.h"
#include "core/text.h"
#include "test_util.h"

namespace mplp {
namespace {

namespace fs = std::filesystem;
using test::run_tool;
using test::TempDir;

std::string det(const std::string& run) { return test::fixture("det/fail-mismatch/" + run); }

TEST(DiffCli, DeterminismPairNamesTheDifferingFilesAndFields) {
  auto r = run_tool({"diff", det("run-1"), det("run-2")});
  EXPECT_EQ(r.exit_code, 1) << r.err;
  EXPECT_NE(r.out.find("files (2 changed, 0 added, 0 removed):\n"
                       "  ~ integrity/sha256sums.txt  sha256:"),
            std::string::npos)
      << r.out;
  EXPECT_NE(r.out.find("\n  ~ manifest.json  sha256:"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("  manifest.json#/hashes/canonical_pack_root_hash: "
                       "\"17036587cb26c89f79378fe6dfa7e94c0765ceab2a8fbc8e151fc98c4725dd8f\" -> "
                       "\"aaaaaaaacb26c89f79378fe6dfa7e94c0765ceab2a8fbc8e151fc98c4725dd8f\""),
            std::string::npos)
      << r.out;
  EXPECT_NE(r.out.find("  manifest.json#/pack_id: \"det-mismatch-1\" -> \"det-mismatch-2\""), std::string::npos);
  EXPECT_EQ(r.out.find("environment drift"), std::string::npos) << "same runner, image and fingerprint";
  EXPECT_NE(r.out.find("the same sequence"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("RESULT: DIFFERENT (2 files differ)"), std::string::npos);

  auto j = run_tool({"diff", "--format", "json", det("run-1"), det("run-2")});
  EXPECT_EQ(j.exit_code, 1) << "the exit code does not depend on the format";
  JsonDoc doc;
  ASSERT_TRUE(parse_json(j.out, {}, doc)) << j.out;
  EXPECT_FALSE(doc.value["equal"].GetBool());
  const auto& files = doc.value["files"];
  ASSERT_EQ(files.Size(), 2u);
  EXPECT_EQ(as_view(files[0]["path"]), "integrity/sha256sums.txt");
  EXPECT_EQ(as_view(files[0]["change"]), "changed");
  EXPECT_EQ(as_view(files[1]["path"]), "manifest.json");
  const auto& fields = doc.value["fields"];
  ASSERT_EQ(fields.Size(), 2u);
  EXPECT_EQ(as_view(fields[1]["pointer"]), "/pack_id");
  EXPECT_EQ(as_view(fields[1]["a"]), "det-mismatch-1") << "values are JSON values, not text";
  EXPECT_EQ(doc.value["environment"].Size(), 0u);
  EXPECT_EQ(doc.value["timeline"]["changes"].GetUint(), 0u);
}

TEST(DiffCli, EqualCopiesExitZero) {
  TempDir t;
  test::copy_tree(test::fixture("packs/good-real"), t / "copy");
  auto r = run_tool({"diff", test::fixture("packs/good-real"), t / "copy"});
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_NE(r.out.find("RESULT: EQUAL"), std::string::npos);
  auto j = run_tool({"diff", "--format=json", t / "copy", test::fixture("packs/good-real")});
  EXPECT_EQ(j.exit_code, 0);
  EXPECT_NE(j.out.find("\"equal\": true"), std::string::npos) << j.out;
}

// A link given as A or B is not followed, as check does not (QA-36).
TEST(DiffCli, ALinkGivenAsAPackIsRefused) {
  TempDir t;
  test::copy_tree(test::fixture("packs/good-real"), t / "A");
  fs::create_symlink("A", t / "L");
  for (const std::string& link : {t / "L", t / "L/", t / "L/.", t / "L//./"}) {
    for (const auto& [a, b] : {std::pair{t / "A", link}, std::pair{link, t / "A"}}) {
      auto r = run_tool({"diff", a, b});
      EXPECT_EQ(r.exit_code, 2) << link << "\n" << r.out << r.err;
      EXPECT_NE(r.err.find(link + ": a symbolic link; links are never followed"), std::string::npos) << r.err;
    }
    // check reads a PATH the same way.
    auto c = run_tool({"check", link});
    EXPECT_EQ(c.exit_code, 2) << link << "\n" << c.out << c.err;
    EXPECT_NE(c.err.find("a symbolic link; links are never followed"), std::string::npos) << c.err;
  }
  EXPECT_EQ(run_tool({"diff", t / "A/", t / "A/."}).exit_code, 0) << "a directory spelled so is still read";
}

// Two values that differ only past the 200 bytes a line shows are shown
// from a little before their first difference, never as two equal texts.
TEST(DiffCli, LongValuesDifferingLateReadDifferently) {
  TempDir t;
  test::copy_tree(test::fixture("packs/good-real"), t / "a");
  test::copy_tree(test::fixture("packs/good-real"), t / "b");
  const std::string common(300, 'x');
  test::set_json(t / "a/manifest.json", "/pack_id", "\"" + common + "A-tail\"");
  test::set_json(t / "b/manifest.json", "/pack_id", "\"" + common + "B-tail\"");
  auto r = run_tool({"diff", t / "a", t / "b"});
  EXPECT_EQ(r.exit_code, 1) << r.out << r.err;
  const std::size_t at = r.out.find("manifest.json#/pack_id: ");
  ASSERT_NE(at, std::string::npos) << r.out;
  const std::string line = r.out.substr(at, r.out.find('\n', at) - at);
  // Values are shown as JSON text: byte 0 is the opening quote.
  EXPECT_NE(line.find("(from byte 261) ..." + std::string(40, 'x') + "A-tail\" -> (from byte 261) ..." +
                      std::string(40, 'x') + "B-tail\""),
            std::string::npos)
      << line;
}

TEST(DiffCli, EnvironmentDriftComesFirstAndTimelineIsAligned) {
  TempDir t;
  std::string a = t / "a", b = t / "b";
  test::copy_tree(test::fixture("packs/good-real"), a);
  test::copy_tree(test::fixture("packs/good-real"), b);
  test::set_json(b + "/manifest.json", "/env_ref/container_digest", "\"sha256:" + std::string(64, 'e') + "\"");
  test::set_json(b + "/reports/runner.meta.json", "/environment_fingerprint/runtime_version", "\"22.1.0\"");
  test::set_json(b + "/manifest.json", "/scenario_id", "\"other\"");
  // B's timeline: every timestamp changed, one event removed, one inserted.
  std::string timeline = test::read_file(a + "/timeline/events.ndjson");
  std::vector<std::string> lines;
  for (std::size_t at = 0; at < timeline.size();) {
    std::size_t nl = timeline.find('\n', at);
    lines.push_back(timeline.substr(at, nl - at));
    at = nl + 1;
  }
  std::string removed_event = "ARTIFACT_WRITTEN";
  ASSERT_NE(lines[4].find(removed_event), std::string::npos) << lines[4];
  std::string out;
  for (std::size_t i = 0; i < lines.size(); ++i) {
    if (i == 4) continue;
    std::string l = lines[i];
    l.replace(l.find("2026-01-27"), 10, "2031-12-31");
    out += l + "\n";
    if (i == 8) out += "{\"timestamp\":\"x\",\"event\":\"INJECTED <b>\\u2028\"}\n";
  }
  test::write_file(b + "/timeline/events.ndjson", out);
  auto r = run_tool({"diff", a, b});
  EXPECT_EQ(r.exit_code, 1) << r.err;
  std::size_t env = r.out.find("environment drift (2):\n"), fields = r.out.find("fields (");
  ASSERT_NE(env, std::string::npos) << r.out;
  ASSERT_NE(fields, std::string::npos) << r.out;
  EXPECT_LT(env, fields);
  EXPECT_NE(r.out.find("  manifest.json#/env_ref/container_digest: \"sha256:dda10dec"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("  reports/runner.meta.json#/environment_fingerprint/runtime_version: \"20.20.0\" -> \"22.1.0\""),
            std::string::npos)
      << r.out;
  EXPECT_NE(r.out.find("16 events in A, 16 in B; 1 only in B (+), 1 only in A (-):"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("  - ARTIFACT_WRITTEN  (A line "), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("  + INJECTED <b>\\u2028  (B line 9)"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("unchanged event"), std::string::npos) << "long equal runs are elided";
  auto j = run_tool({"diff", "--format", "json", a, b});
  JsonDoc doc;
  ASSERT_TRUE(parse_json(j.out, {}, doc));
  ASSERT_EQ(doc.value["environment"].Size(), 2u);
  EXPECT_EQ(as_view(doc.value["environment"][1]["file"]), "reports/runner.meta.json");
  EXPECT_TRUE(doc.value["timeline"]["compared"].GetBool());
  EXPECT_EQ(doc.value["timeline"]["changes"].GetUint(), 2u);
  EXPECT_EQ(doc.value["timeline"]["steps"].Size(), 17u);
}

TEST(DiffCli, HostileNamesStayPrintableAndJsonStaysValid) {
  TempDir t;
  std::string a = t / "a", b = t / "b";
  test::copy_tree(test::fixture("packs/good-real"), a);
  test::copy_tree(test::fixture("packs/good-real"), b);
  test::write_file(b + "/artifacts/line\nbreak \x1b[31m\xff.json", "{}");
  fs::create_symlink("/etc/passwd", b + "/artifacts/link");
  auto r = run_tool({"diff", a, b});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.out.find("  + artifacts/line\\nbreak \\x1b[31m\\xff.json  sha256:"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("  + artifacts/link  symbolic link"), std::string::npos) << r.out;
  EXPECT_EQ(r.out.find("root:"), std::string::npos) << "the link is not followed";
  EXPECT_TRUE(is_valid_utf8(r.out));
  auto j = run_tool({"diff", "--format", "json", a, b});
  JsonDoc doc;
  ASSERT_TRUE(parse_json(j.out, {}, doc)) << j.out;
  // Names that differ only in ill-formed bytes read differently, in both formats.
  test::write_file(a + "/artifacts/n\xfe", "x");
  test::write_file(b + "/artifacts/n\xff", "x");
  auto bytes = run_tool({"diff", a, b});
  EXPECT_NE(bytes.out.find("  - artifacts/n\\xfe  sha256:"), std::string::npos) << bytes.out;
  EXPECT_NE(bytes.out.find("  + artifacts/n\\xff  sha256:"), std::string::npos) << bytes.out;
  auto exact = run_tool({"diff", "--format", "json", a, b});
  ASSERT_TRUE(parse_json(exact.out, {}, doc)) << exact.out;
  std::set<std::string> b64;
  for (const auto& f : doc.value["files"].GetArray())
    if (f.HasMember("path_b64")) b64.insert(std::string(as_view(f["path_b64"])));
  EXPECT_EQ(b64, (std::set<std::string>{base64_encode("artifacts/line\nbreak \x1b[31m\xff.json"),
                                        base64_encode("artifacts/n\xfe"), base64_encode("artifacts/n\xff")}));
}

TEST(DiffCli, CannotCompareExitsTwo) {
  TempDir t;
  test::write_file(t / "file", "x");
  fs::create_directories(t / "empty1");
  fs::create_directories(t / "empty2/docs");
  // Two directories with no part of a pack were "equal" (exit 0).
  auto none = run_tool({"diff", t / "empty1", t / "empty2"});
  EXPECT_EQ(none.exit_code, 2);
  EXPECT_NE(none.err.find(t / "empty1" + ": not an evidence pack (no manifest.json, artifacts/, integrity/ or timeline/)"),
            std::string::npos)
      << none.err;
  for (const std::vector<std::string>& args : std::vector<std::vector<std::string>>{
           {"diff", det("run-1"), t / "empty2"},
           {"diff"},
           {"diff", det("run-1")},
           {"diff", det("run-1"), det("run-2"), det("run-3")},
           {"diff", det("run-1"), t / "nope"},
           {"diff", t / "file", det("run-1")},
           {"diff", "--format", "xml", det("run-1"), det("run-2")},
       }) {
    auto r = run_tool(args);
    EXPECT_EQ(r.exit_code, 2) << args.size();
    EXPECT_TRUE(r.out.empty()) << r.out;
    EXPECT_FALSE(r.err.empty());
  }
  auto help = run_tool({"help", "diff"});
  EXPECT_EQ(help.exit_code, 0);
  EXPECT_EQ(help.out, run_tool({"diff", "--help"}).out);
  EXPECT_NE(help.out.find("environment drift"), std::string::npos);
  EXPECT_EQ(run_tool({"help", "nosuch"}).exit_code, 2);
}

TEST(DetHint, MismatchPrintsTheDiffCommandThatRuns) {
  TempDir t;
  test::copy_tree(test::fixture("det/fail-mismatch"), t / "runs x");
  std::string cwd = fs::current_path();
  fs::current_path(t.path());
  auto r = run_tool({"check", "--gate", "GATE-V2-DET-01", "runs x"});
  auto j = run_tool({"check", "--gate", "GATE-V2-DET-01", "--format", "json", "runs x"});
  fs::current_path(cwd);
  EXPECT_EQ(r.exit_code, 1);
  // Each pack is compared with one of another value (run-2 is the odd one out).
  EXPECT_NE(r.out.find("compare:  mplp-gate diff 'runs x/run-1' 'runs x/run-"), std::string::npos) << r.out;
  EXPECT_NE(j.out.find("\"diff_with\": \"run-"), std::string::npos) << j.out;
  EXPECT_EQ(j.out.find("runs x"), std::string::npos) << "the JSON names packs relative to the checked directory";
  // The printed command runs, from the same directory, and names what differs.
  std::size_t at = r.out.find("compare:  ") + 10;
  std::string command = r.out.substr(at, r.out.find('\n', at) - at);
  std::string out;
  EXPECT_EQ(test::run_shell("cd " + test::shell_quote(t.path()) + " && " +
                                test::shell_quote(test::gate_binary()) + command.substr(std::string("mplp-gate").size()),
                            out),
            1)
      << command << "\n" << out;
  EXPECT_NE(out.find("manifest.json#/hashes/canonical_pack_root_hash"), std::string::npos) << out;
}

}  // namespace
}  // namespace mplp
