// core/pack_diff: the alignment against an independent LCS, and the diff of
// packs built here (files, fields, environment, timeline, links).
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <random>

#include "core/pack_diff.h"
#include "test_util.h"

namespace mplp {
namespace {

namespace fs = std::filesystem;
using test::TempDir;

// Textbook O(nm) LCS length, written independently of pack_diff.cpp.
std::size_t lcs_length(const std::vector<std::uint32_t>& a, const std::vector<std::uint32_t>& b) {
  std::vector<std::vector<std::size_t>> t(a.size() + 1, std::vector<std::size_t>(b.size() + 1, 0));
  for (std::size_t i = 1; i <= a.size(); ++i)
    for (std::size_t j = 1; j <= b.size(); ++j)
      t[i][j] = a[i - 1] == b[j - 1] ? t[i - 1][j - 1] + 1 : std::max(t[i - 1][j], t[i][j - 1]);
  return t[a.size()][b.size()];
}

// The steps must replay both sequences in order, '=' only on equal elements.
void expect_valid(const std::vector<AlignStep>& steps, const std::vector<std::uint32_t>& a,
                  const std::vector<std::uint32_t>& b) {
  std::size_t i = 0, j = 0;
  for (const AlignStep& s : steps) {
    if (s.op == '=') {
      ASSERT_EQ(s.ai, i);
      ASSERT_EQ(s.bi, j);
      ASSERT_EQ(a[i], b[j]);
      ++i, ++j;
    } else if (s.op == '-') {
      ASSERT_EQ(s.ai, i++);
    } else {
      ASSERT_EQ(s.op, '+');
      ASSERT_EQ(s.bi, j++);
    }
  }
  EXPECT_EQ(i, a.size());
  EXPECT_EQ(j, b.size());
}

TEST(Align, RandomSequencesGiveALongestCommonSubsequence) {
  std::mt19937 rng(15);
  for (int round = 0; round < 400; ++round) {
    std::uniform_int_distribution<std::size_t> len(0, round < 200 ? 12 : 90);
    std::uniform_int_distribution<std::uint32_t> sym(0, round % 3 == 0 ? 1 : 6);
    std::vector<std::uint32_t> a(len(rng)), b(len(rng));
    for (auto& x : a) x = sym(rng);
    for (auto& x : b) x = sym(rng);
    SCOPED_TRACE(round);
    std::vector<AlignStep> steps = align_sequences(a, b);
    expect_valid(steps, a, b);
    std::size_t same = 0;
    for (const AlignStep& s : steps) same += s.op == '=' ? 1 : 0;
    EXPECT_EQ(same, lcs_length(a, b));
    EXPECT_EQ(steps.size(), a.size() + b.size() - same);
  }
}

TEST(Align, OneInsertionAndOneRemovalAreExactlyThat) {
  std::vector<std::uint32_t> a = {1, 2, 3, 4, 5, 6}, b = {1, 2, 9, 3, 4, 6};
  std::vector<AlignStep> steps = align_sequences(a, b);
  std::string ops;
  for (const AlignStep& s : steps) ops += s.op;
  EXPECT_EQ(ops, "==+==-=");
  EXPECT_EQ(align_sequences(a, a).size(), a.size());
  EXPECT_TRUE(align_sequences({}, {}).empty());
}

// A pack made of a few files, written here.
std::string pack(const TempDir& t, const std::string& name, const std::string& manifest, const std::string& meta,
                 const std::vector<std::string>& events) {
  std::string p = t / name;
  test::write_file(p + "/manifest.json", manifest);
  if (!meta.empty()) test::write_file(p + "/reports/runner.meta.json", meta);
  std::string timeline;
  for (std::size_t i = 0; i < events.size(); ++i)
    timeline += "{\"timestamp\":\"2026-01-0" + std::to_string(i % 9 + 1) + "T00:00:00Z\",\"event\":\"" + events[i] +
                "\",\"data\":{\"n\":" + std::to_string(i) + "}}\n";
  test::write_file(p + "/timeline/events.ndjson", timeline);
  return p;
}

TEST(PackDiff, FieldsEnvironmentFirstFilesAndTimeline) {
  TempDir t;
  std::string a = pack(t, "a",
                       R"({"pack_id":"x","env_ref":{"runner_id":"node-20","executed_at":"t1"},"list":[1,2,3],"gone":true})",
                       R"({"runner_id":"node-20","container_digest":"sha256:aa","workdir":"/w"})",
                       {"RUN_STARTED", "TOOL_CALLED", "TOOL_DONE", "RUN_FINISHED"});
  std::string b = pack(t, "b",
                       R"({"pack_id":"y","env_ref":{"runner_id":"node-22","executed_at":"t2"},"list":[1,2],"new":{"k":null}})",
                       R"({"runner_id":"node-20","container_digest":"sha256:bb","workdir":"/w"})",
                       {"RUN_STARTED", "TOOL_CALLED", "RETRY", "RUN_FINISHED"});
  test::write_file(a + "/artifacts/only-a.json", "{}");
  test::write_file(b + "/artifacts/only-b.json", "{}");
  PackDiff d;
  std::string err;
  ASSERT_TRUE(diff_packs(a, b, {}, d, err)) << err;
  EXPECT_FALSE(d.equal());
  std::vector<std::string> got;
  for (const FieldDiff& f : d.fields)
    got.push_back(std::string(f.environment ? "env " : "") + f.file + "#" + f.pointer + " " + f.a.value_or("-") +
                  " " + f.b.value_or("-"));
  EXPECT_EQ(got, (std::vector<std::string>{
                     "env manifest.json#/env_ref/runner_id \"node-20\" \"node-22\"",
                     "env reports/runner.meta.json#/container_digest \"sha256:aa\" \"sha256:bb\"",
                     "manifest.json#/env_ref/executed_at \"t1\" \"t2\"",
                     "manifest.json#/gone true -",
                     "manifest.json#/list/2 3 -",
                     "manifest.json#/new - {\"k\":null}",
                     "manifest.json#/pack_id \"x\" \"y\"",
                 }));
  std::vector<std::string> files;
  for (const FileDiff& f : d.files) files.push_back(std::string(1, f.op) + f.path);
  EXPECT_EQ(files, (std::vector<std::string>{"-artifacts/only-a.json", "+artifacts/only-b.json", "~manifest.json",
                                             "~reports/runner.meta.json", "~timeline/events.ndjson"}));
  // Timestamps and data differ on every line; only the names count.
  std::string ops;
  for (const TimelineStep& s : d.timeline) ops += s.op + s.event + " ";
  EXPECT_EQ(ops, "=RUN_STARTED =TOOL_CALLED -TOOL_DONE +RETRY =RUN_FINISHED ");
  EXPECT_EQ(d.timeline_changes, 2u);
  EXPECT_EQ(d.timeline[2].a_line, 3u);
  EXPECT_EQ(d.timeline[3].b_line, 3u);
}

TEST(PackDiff, IdenticalCopiesAreEqualAndLinksAreNeverFollowed) {
  TempDir t;
  test::copy_tree(test::fixture("packs/good-real"), t / "a");
  test::copy_tree(test::fixture("packs/good-real"), t / "b");
  PackDiff d;
  std::string err;
  ASSERT_TRUE(diff_packs(t / "a", t / "b", {}, d, err)) << err;
  EXPECT_TRUE(d.equal());
  EXPECT_TRUE(d.fields.empty());
  EXPECT_EQ(d.timeline_changes, 0u);
  EXPECT_EQ(d.timeline.size(), 16u);
  // A file replaced by a link to a secret, and a FIFO: kinds, never contents, and no hang.
  fs::remove(t / "b/artifacts/plan.json");
  fs::create_symlink("/etc/shadow", t / "b/artifacts/plan.json");
  ASSERT_EQ(::mkfifo((t / "b/artifacts/pipe").c_str(), 0644), 0);
  ASSERT_TRUE(diff_packs(t / "a", t / "b", {}, d, err)) << err;
  ASSERT_EQ(d.files.size(), 2u);
  EXPECT_EQ(d.files[0].path, "artifacts/pipe");
  EXPECT_EQ(d.files[0].b, "FIFO");
  EXPECT_EQ(d.files[1].b, "symbolic link");
  EXPECT_EQ(d.files[1].a.rfind("sha256:", 0), 0u);
}

TEST(PackDiff, UnreadableOrBrokenInputs) {
  TempDir t;
  std::string a = pack(t, "a", "{\"x\":1}", "", {"E"});
  std::string b = pack(t, "b", "{\"x\":", "", {});
  test::write_file(b + "/timeline/events.ndjson", "not json\n\n{\"event\":5}\n");
  PackDiff d;
  std::string err;
  ASSERT_TRUE(diff_packs(a, b, {}, d, err)) << err;
  ASSERT_EQ(d.notes.size(), 1u);
  EXPECT_NE(d.notes[0].find("manifest.json: fields not compared: not JSON (line 1, column "), std::string::npos)
      << d.notes[0];
  // Lines that are not events still align with each other, by line number of their file.
  ASSERT_EQ(d.timeline.size(), 3u);
  EXPECT_EQ(d.timeline[2].b_line, 3u) << "the blank line is skipped but counted";
  EXPECT_FALSE(diff_packs(t / "nope", b, {}, d, err));
  EXPECT_NE(err.find(t / "nope"), std::string::npos) << err;
  test::write_file(t / "file", "x");
  EXPECT_FALSE(diff_packs(a, t / "file", {}, d, err));
  // Over the file-count limit: an error, never a partial "equal".
  DiffOptions small;
  small.limits.max_files_per_pack = 2;
  EXPECT_FALSE(diff_packs(a, a, small, d, err));
  EXPECT_NE(err.find("limits.max_files_per_pack"), std::string::npos) << err;
  // Over the size limit: the file cannot be compared.
  DiffOptions tiny;
  tiny.limits.max_file_size = 4;
  EXPECT_FALSE(diff_packs(a, b, tiny, d, err));
  EXPECT_NE(err.find("cannot be compared"), std::string::npos) << err;
}

// A stranger's event named "(not an event)" is still an event: it never
// aligns with a broken line of the other timeline (QA-49 found "the same
// sequence").
TEST(PackDiff, AnEventNamedLikeABrokenLineIsNotOne) {
  TempDir t;
  std::string a = pack(t, "a", "{\"x\":1}", "", {"E"});
  std::string b = pack(t, "b", "{\"x\":1}", "", {"E"});
  test::write_file(a + "/timeline/events.ndjson", test::read_file(a + "/timeline/events.ndjson") + "garbage\n");
  test::write_file(b + "/timeline/events.ndjson",
                   test::read_file(b + "/timeline/events.ndjson") + "{\"event\":\"(not an event)\"}\n");
  PackDiff d;
  std::string err;
  ASSERT_TRUE(diff_packs(a, b, {}, d, err)) << err;
  EXPECT_EQ(d.timeline_changes, 2u);
  std::string ops;
  for (const TimelineStep& s : d.timeline) ops += std::string(1, s.op) + s.event + " ";
  EXPECT_EQ(ops, "=E -(not an event) +(not an event) ");
  // Two broken lines still align.
  test::write_file(b + "/timeline/events.ndjson", test::read_file(a + "/timeline/events.ndjson"));
  ASSERT_TRUE(diff_packs(a, b, {}, d, err)) << err;
  EXPECT_EQ(d.timeline_changes, 0u);
}

// A key written twice is compared by its first value (as every gate reads
// it) and said in a note: readers that take the last would see another
// value, which the field list alone would hide.
TEST(PackDiff, ARepeatedKeyIsANote) {
  TempDir t;
  std::string a = pack(t, "a", "{\"x\":1,\"y\":{\"r\":\"n\"}}", "", {});
  std::string b = pack(t, "b", "{\"x\":1,\"y\":{\"r\":\"n\",\n\"r\":\"evil\"}}", "", {});
  PackDiff d;
  std::string err;
  ASSERT_TRUE(diff_packs(a, b, {}, d, err)) << err;
  EXPECT_TRUE(d.fields.empty()) << "the first values agree";
  ASSERT_EQ(d.notes.size(), 2u);
  EXPECT_NE(d.notes[0].find("manifest.json: B repeats the key at /y/r (line 2)"), std::string::npos) << d.notes[0];
  EXPECT_NE(d.notes[1].find("manifest.json: the bytes differ but every field reads the same"), std::string::npos)
      << d.notes[1];
}

// QA-41: integers past 2^53 that differ read as one double; the file was
// listed as changed with no reason. Equal fields in other bytes are said.
TEST(PackDiff, OtherBytesWithEqualFieldsAreANote) {
  TempDir t;
  for (const auto& [ja, jb] : {std::pair{"{\"x\":12345678901234567890123}", "{\"x\":12345678901234567890124}"},
                               std::pair{"{\"x\":1,\"y\":2}", "{\"y\":2,\n \"x\":1}"},
                               std::pair{"{\"x\":\"a\"}", "{\"x\":\"\\u0061\"}"}}) {
    SCOPED_TRACE(ja);
    std::string a = pack(t, std::string("a") + std::to_string(std::hash<std::string>{}(ja)), ja, "", {});
    std::string b = pack(t, std::string("b") + std::to_string(std::hash<std::string>{}(ja)), jb, "", {});
    PackDiff d;
    std::string err;
    ASSERT_TRUE(diff_packs(a, b, {}, d, err)) << err;
    EXPECT_TRUE(d.fields.empty());
    ASSERT_EQ(d.notes.size(), 1u);
    EXPECT_EQ(d.notes[0], "manifest.json: the bytes differ but every field reads the same (spacing, key order, "
                          "escapes, or numbers that differ past a double's precision)");
  }
  // Past 2^53 but within a double's reach of one another: a field.
  std::string a = pack(t, "c", "{\"x\":9007199254740993}", "", {});
  std::string b = pack(t, "d", "{\"x\":9007199254740996}", "", {});
  PackDiff d;
  std::string err;
  ASSERT_TRUE(diff_packs(a, b, {}, d, err)) << err;
  EXPECT_EQ(d.fields.size(), 1u);
  EXPECT_TRUE(d.notes.empty());
}

TEST(PackDiff, TimelinesTooLongToAlignAreShownReplacedNotHung) {
  TempDir t;
  std::vector<std::string> ea, eb;
  for (int i = 0; i < 300; ++i) ea.push_back("A" + std::to_string(i)), eb.push_back("B" + std::to_string(i));
  ea.insert(ea.begin(), "START");
  eb.insert(eb.begin(), "START");
  std::string a = pack(t, "a", "{}", "", ea), b = pack(t, "b", "{}", "", eb);
  DiffOptions o;
  o.max_alignment = 1000;
  PackDiff d;
  std::string err;
  ASSERT_TRUE(diff_packs(a, b, o, d, err)) << err;
  EXPECT_EQ(d.timeline_changes, 600u);
  EXPECT_EQ(d.timeline[0].op, '=');
  ASSERT_FALSE(d.notes.empty());
  EXPECT_NE(d.notes.back().find("too many to align"), std::string::npos);
}

// Memory and output stay bounded whatever a timeline holds: past the limit
// the timelines are not compared, and a note says which one is too long.
TEST(PackDiff, TimelinesOverTheEventLimitAreNotCompared) {
  TempDir t;
  std::vector<std::string> ea(50, "E"), eb(40, "E");
  eb.push_back("other");
  std::string a = pack(t, "a", "{}", "", ea), b = pack(t, "b", "{}", "", eb);
  DiffOptions o;
  o.max_timeline_events = 41;
  PackDiff d;
  std::string err;
  ASSERT_TRUE(diff_packs(a, b, o, d, err)) << err;
  EXPECT_TRUE(d.timeline.empty());
  EXPECT_EQ(d.timeline_changes, 0u);
  EXPECT_FALSE(d.timeline_compared);
  ASSERT_EQ(d.notes.size(), 1u);
  EXPECT_EQ(d.notes[0], "timeline/events.ndjson: events not compared: more than 41 events (the limit of diff) in A");
  // At the limit, they are.
  o.max_timeline_events = 50;
  PackDiff whole;
  ASSERT_TRUE(diff_packs(a, b, o, whole, err)) << err;
  EXPECT_TRUE(whole.notes.empty());
  EXPECT_TRUE(whole.timeline_compared);
  EXPECT_EQ(whole.timeline_changes, 11u);  // 10 E only in A, "other" only in B
}

}  // namespace
}  // namespace mplp
