// GATE-V2-HOST-ALLOW-01: fixtures, upstream packs, both scans (bytes and
// decoded JSON strings), exemptions, policy lists, limits, runner mode.
#include "gates/gate_list.h"
#include "gates/host_scan.h"

#include <gtest/gtest.h>
#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <map>
#include <random>
#include <set>

#include "test_util.h"

namespace mplp {
namespace {

namespace fs = std::filesystem;
using namespace mplp::test;

const std::string kGate = "GATE-V2-HOST-ALLOW-01";
std::string dump(const RunReport& r) { return test::dump(r, kGate); }
std::vector<Finding> findings(const RunReport& r, const std::string& code = "") { return findings_of(r, kGate, code); }

RunReport run(const std::string& pack, CheckRequest base = {}) { return check({pack}, {kGate}, base); }
const Gate& gate() { return *find_gate(kGate); }



// A minimal pack: a manifest plus `files` (path -> bytes).
std::string make_pack(const TempDir& dir, const std::map<std::string, std::string>& files,
                      const std::string& name = "p") {
  std::string root = dir / name;
  write_file(root + "/manifest.json", "{\"pack_layout_version\": \"2\"}\n");
  for (const auto& [path, bytes] : files) write_file(root + "/" + path, bytes);
  return root;
}

// (code, location) of every finding, for exact comparisons.
std::set<std::pair<std::string, std::string>> where(const RunReport& r) {
  std::set<std::pair<std::string, std::string>> out;
  for (const Finding& f : findings(r)) out.emplace(f.code, format_location(f));
  return out;
}

TEST(HostAllow, FindingNamesUrlHostAndEntry) {
  RunReport r = run(fixture("host-allow/fail-loopback-url"));
  std::vector<Finding> all = findings(r);
  ASSERT_EQ(all.size(), 1u);  // found by both scans, reported once
  const Finding& f = all[0];
  EXPECT_NE(f.message.find("http://127.0.0.1:8080/api"), std::string::npos) << f.message;
  EXPECT_NE(f.message.find("host 127.0.0.1"), std::string::npos) << f.message;
  EXPECT_NE(f.message.find("ip:loopback"), std::string::npos) << f.message;
  EXPECT_EQ(f.actual, "http://127.0.0.1:8080/api");
  EXPECT_FALSE(f.hint.empty());
  RunReport d = run(fixture("host-allow/fail-disguised-ip"));
  bool resolved = false;
  for (const Finding& g : findings(d)) resolved = resolved || g.detail.find("= 127.0.0.1") != std::string::npos ||
                                                  g.detail.find("address 127.0.0.1") != std::string::npos;
  EXPECT_TRUE(resolved) << dump(d);
}

TEST(HostAllow, UpstreamPacksPass) {
  for (const char* p : {"upstream/real/mcp/mcp-d1-real-runner-001",
                        "upstream/real/langchain/langchain-d1-real-runner-det-001",
                        "upstream/real/crewai/crewai-d1-real-runner-det-001",
                        "upstream/synthetic/mcp/mcp-d1-synthetic-001"}) {
    RunReport r = run(corpus(p));
    EXPECT_EQ(status_of(r, kGate), GateStatus::Pass) << p << "\n" << dump(r);
    EXPECT_TRUE(findings(r).empty()) << p << "\n" << dump(r);
  }
}

TEST(HostAllow, GoodPackPasses) {
  RunReport r = run(fixture("packs/good-real"));
  EXPECT_EQ(status_of(r, kGate), GateStatus::Pass) << dump(r);
}

TEST(HostAllow, JsonStringScanCatchesEscapesInKeysValuesAndNdjson) {
  TempDir t;
  std::string p = make_pack(t, {
      {"a.json", "{\"k\\u003a\": [1, {\"http:\\/\\/10.0.0.1\": \"\\u0077ss://evil.example\"}]}"},
      {"events.ndjson", "{\"x\": 1}\n\n{\"u\": \"ftp:\\/\\/[::1]/\"}\n"},
      {"B.JSON", "\"https:\\/\\/192.168.0.1\"\n"},
  });
  RunReport r = run(p);
  EXPECT_EQ(where(r), (std::set<std::pair<std::string, std::string>>{
                          {"host.forbidden", "a.json:1:19#/k:/1/http:~1~110.0.0.1"},
                          {"host.not-allowed", "a.json:1:40#/k:/1/http:~1~110.0.0.1"},
                          {"host.forbidden", "events.ndjson:3:8#/u"},
                          {"host.forbidden", "B.JSON:1:2"}}))
      << dump(r);
}

TEST(HostAllow, ByteScanStillRunsWhenJsonDoesNotParse) {
  TempDir t;
  std::string p = make_pack(t, {{"bad.json", "{\"a\": \"http://10.0.0.1/\", \"b\": \"https:\\/\\/10.0.0.2\", "},
                                {"deep.json", std::string(100000, '[') + "\"http://10.0.0.3\""}});
  RunReport r = run(p);
  // Only the byte scan sees these files; it reads "https:\/\/" as a browser
  // does (any run of / and \ after a special scheme).
  EXPECT_EQ(where(r), (std::set<std::pair<std::string, std::string>>{{"host.forbidden", "bad.json:1:8"},
                                                                     {"host.forbidden", "bad.json:1:33"},
                                                                     {"host.forbidden", "deep.json:1:100002"}}))
      << dump(r);
}

// Issue 13, point 3: a megabyte of random bytes holds many scp-looking and
// URL-looking runs ("d@.:g\xa6"); none is a host. A real URL with a plain
// host inside the same noise is still found, with its place.
TEST(HostAllow, RandomBinaryBytesGiveNoHostsButRealUrlsInThemDo) {
  std::string noise;
  std::uint64_t x = 0x9e3779b97f4a7c15ull;
  // xorshift, biased towards the bytes URL and scp matches are made of.
  const std::string_view common = ":@/.%[]abcdgx0123-";
  for (int i = 0; i < (1 << 20); ++i) {
    x ^= x << 13, x ^= x >> 7, x ^= x << 17;
    noise += (x & 3) == 0 ? common[(x >> 8) % common.size()] : static_cast<char>(x >> 24);
  }
  ASSERT_GT(test::count_of(noise, "@"), 10000u);
  TempDir t;
  std::string p = make_pack(t, {{"artifacts/noise.bin", noise}});
  RunReport r = run(p);
  EXPECT_EQ(status_of(r, kGate), GateStatus::Pass) << dump(r);
  EXPECT_TRUE(findings(r).empty()) << dump(r);
  TempDir t2;
  std::string with_url = noise.substr(0, 5000) + "\n http://10.0.0.1/x git@10.0.0.2:r \n" + noise.substr(5000);
  std::string q = make_pack(t2, {{"artifacts/noise.bin", with_url}});
  RunReport r2 = run(q);
  std::vector<Finding> f = findings(r2);
  ASSERT_EQ(f.size(), 1u) << dump(r2);  // the scp reference is not read in binary bytes
  EXPECT_EQ(f[0].code, "host.forbidden");
  EXPECT_NE(f[0].actual.find("http://10.0.0.1/x"), std::string::npos) << f[0].actual;
  // The same reference in a text file counts.
  TempDir t3;
  RunReport r3 = run(make_pack(t3, {{"artifacts/log.txt", "clone git@10.0.0.2:r\nbad d@.:g here\n"}}));
  EXPECT_EQ(where(r3), (std::set<std::pair<std::string, std::string>>{{"host.forbidden", "artifacts/log.txt:1:7"}}))
      << dump(r3);
}

TEST(HostAllow, ExemptionsAreLineAndStringScoped) {
  TempDir t;
  std::string p = make_pack(t, {
      {"log.txt", "ok http://10.0.0.1/ @v2-exempt HOST_ALLOW mock server\nbad http://10.0.0.2/\n"
                  "# @v2-exempt   HOST_ALLOW -- ...\nhttp://10.0.0.3/ @v2-exempt\tHOST_ALLOW 1\n"},
      // One line of JSON: the marker in one string does not exempt another.
      {"min.json", "{\"note\": \"@v2-exempt HOST_ALLOW fixture\", \"u\": \"http://10.0.0.4/\","
                   " \"v\": \"http://10.0.0.5/ @v2-exempt HOST_ALLOW local\"}"},
  });
  RunReport r = run(p);
  EXPECT_EQ(where(r), (std::set<std::pair<std::string, std::string>>{
                          {"host.exempt", "log.txt:1:4"},
                          {"host.forbidden", "log.txt:2:5"},
                          {"host.exempt-no-reason", "log.txt:3:3"},
                          {"host.exempt", "log.txt:4:1"},
                          {"host.forbidden", "min.json:1:49#/u"},
                          {"host.exempt", "min.json:1:74"}}))
      << dump(r);
  for (const Finding& f : findings(r, "host.exempt")) EXPECT_EQ(f.severity, Severity::Info);
  EXPECT_NE(findings(r, "host.exempt")[0].message.find("mock server"), std::string::npos);
}

TEST(HostAllow, PolicyListsDecide) {
  TempDir t;
  std::string p = make_pack(t, {{"a.txt", "https://example.com/ https://sub.example.com/ https://bad.example.com/ "
                                          "https://github.com/ http://10.0.0.1/\n"}});
  CheckRequest req;
  std::string err;
  ASSERT_TRUE(parse_policy("hosts:\n  allowed: [example.com, '*.example.com', 'ip:private']\n"
                           "  forbidden: [bad.example.com]\n",
                           "p.yaml", req.policy, err))
      << err;
  RunReport r = run(p, req);
  EXPECT_EQ(where(r), (std::set<std::pair<std::string, std::string>>{{"host.forbidden", "a.txt:1:47"},
                                                                     {"host.not-allowed", "a.txt:1:72"}}))
      << dump(r);
  // A bad entry is an invalid policy (exit 2), named with its line and key.
  EXPECT_FALSE(parse_policy("hosts:\n  forbidden: ['ip:bogus']\n", "p.yaml", req.policy, err));
  EXPECT_NE(err.find("p.yaml:2:"), std::string::npos) << err;
  EXPECT_NE(err.find("ip:bogus"), std::string::npos) << err;
}

TEST(HostAllow, OversizedFileIsReportedNotSkipped) {
  TempDir t;
  std::string p = make_pack(t, {{"big.txt", std::string(4096, 'x') + " http://10.0.0.1/"}});
  CheckRequest req;
  req.policy.limits.max_file_size = 1024;
  RunReport r = run(p, req);
  EXPECT_EQ(status_of(r, kGate), GateStatus::Fail);
  EXPECT_EQ(findings(r, "host.unscanned").size(), 1u) << dump(r);
}

TEST(HostAllow, SymlinksAreNeverFollowed) {
  TempDir t;
  write_file(t / "outside.txt", "http://10.9.9.9/\n");
  std::string p = make_pack(t, {{"a.txt", "https://github.com/\n"}});
  ASSERT_EQ(::symlink((t / "outside.txt").c_str(), (p + "/link.txt").c_str()), 0);
  RunReport r = run(p);
  EXPECT_EQ(status_of(r, kGate), GateStatus::Pass) << dump(r);
}

TEST(HostAllow, LargeFileScansFastAndFindsTheEnd) {
  TempDir t;
  std::string big;
  big.reserve(64u << 20);
  std::string line = "{\"ts\": 1, \"msg\": \"GET https://github.com/a/b 200\", \"who\": \"user@example\"}\n";
  while (big.size() < (64u << 20)) big += line;
  std::size_t lines = big.size() / line.size();
  big += "tail http://10.0.0.1/\n";
  std::string p = make_pack(t, {{"big.log", big}});
  RunReport r = run(p);
  EXPECT_EQ(where(r), (std::set<std::pair<std::string, std::string>>{
                          {"host.forbidden", "big.log:" + std::to_string(lines + 1) + ":6"}}))
      << dump(r);
}

// Issue 13, points 1-3: a large file is scanned in windows (bounded memory)
// and gives what the whole-file scan gives, wherever the windows fall.
class Collect : public FindingSink {
 public:
  void report(Finding f) override {
    got.push_back(f.code + " " + format_location(f) + " " + f.actual + (full ? " | " + f.message : ""));
  }
  bool full = false;  // with each message
  void skip(std::string) override {}
  std::vector<std::string> got;
};

std::vector<std::string> streamed(const std::string& bytes, HostScanSizes sizes, const std::string& name = "f.txt") {
  TempDir t;
  write_file(t / name, bytes);
  int fd = ::open((t / name).c_str(), O_RDONLY | O_CLOEXEC);
  EXPECT_GE(fd, 0);
  HostRules rules;
  std::string err;
  EXPECT_TRUE(HostRules::from_policy(default_policy(), rules, err)) << err;
  Collect c;
  c.full = name != "f.txt";
  EXPECT_TRUE(scan_file_hosts_streamed(gate().info(), name, fd, rules, 8, c, err, sizes)) << err;
  ::close(fd);
  return c.got;
}
std::vector<std::string> streamed(const std::string& bytes, std::size_t window) {
  return streamed(bytes, {.window = window});
}

std::vector<std::string> whole(const std::string& bytes, const std::string& name = "f.txt") {
  HostRules rules;
  std::string err;
  EXPECT_TRUE(HostRules::from_policy(default_policy(), rules, err)) << err;
  Collect c;
  c.full = name != "f.txt";
  scan_file_hosts(gate().info(), name, bytes, rules, 8, c);
  return c.got;
}

TEST(HostAllowWindows, EveryWindowSizeGivesTheWholeFileFacts) {
  const std::string text =
      "clone git@10.0.0.2:r and http://github.com/x\n"
      "ok http://10.0.0.1/ @v2-exempt HOST_ALLOW mock server\n"
      "@v2-exempt HOST_ALLOW\n"
      "caf\xc3\xa9 https://localhost:8080/p x@y.evil:z\n"
      "tail http://[::1]/\n";
  const std::vector<std::string> expected = whole(text);
  ASSERT_GE(expected.size(), 5u);
  std::size_t longest = 0, start = 0;
  for (std::size_t i = 0; i < text.size(); ++i)
    if (text[i] == '\n') longest = std::max(longest, i - start + 1), start = i + 1;
  for (std::size_t w = longest + 1; w <= text.size() + 1; ++w) EXPECT_EQ(streamed(text, w), expected) << "window " << w;
}

TEST(HostAllowWindows, LongLinesAreCutAtBlanksAndKeepTheirColumns) {
  std::string line;
  for (int i = 0; i < 300; ++i) line += "word http://github.com/" + std::to_string(i) + " ";
  std::string text = line + "http://10.0.0.9/x git@10.0.0.8:r\nnext http://10.0.0.7/\n";
  const std::vector<std::string> expected = whole(text);
  ASSERT_EQ(expected.size(), 3u);
  for (std::size_t w : {64, 100, 257, 1000, 4096}) EXPECT_EQ(streamed(text, w), expected) << "window " << w;
}

// Minified JSON has no blank to cut a long line at, but quotes end URLs
// too: a window ends after its last quote, and no URL is cut.
TEST(HostAllowWindows, MinifiedJsonIsCutAtQuotes) {
  std::string text = "[";
  for (int i = 0; i < 300; ++i) text += "{\"u\":\"http://github.com/" + std::to_string(i) + "\",\"s\":\"git@github.com:o/r\"},";
  text += "\"http://10.0.0.9/x\",'git@10.0.0.8:r']";
  const std::vector<std::string> expected = whole(text);
  ASSERT_EQ(expected.size(), 2u);
  for (std::size_t w : {64, 100, 257, 1000, 4096}) EXPECT_EQ(streamed(text, w), expected) << "window " << w;
}

// The file is binary because of a byte in its last window: the scp
// reference of the first window is dropped then, the plain-host URL kept.
TEST(HostAllowWindows, BinaryDecidedAtTheEndDropsEarlierTextOnlyHits) {
  std::string text = "git@10.0.0.2:r\nhttp://10.0.0.1/\n" + std::string(200, 'x') + "\n\xff\xfe\n";
  std::vector<std::string> w = streamed(text, 40);
  EXPECT_EQ(w, whole(text));
  ASSERT_EQ(w.size(), 1u);
  EXPECT_NE(w[0].find("http://10.0.0.1/"), std::string::npos) << w[0];
}

// A large JSON or NDJSON file: its string scan reads the file again, a
// document at a time (an NDJSON line longer than max_line from the file,
// as a .json file), and finds what the whole-file scan finds, wherever the
// buffer's chunks end.
std::vector<std::string> json_texts() {
  const std::string doc =
      "{\"u\": \"http:\\/\\/10.0.0.1\\/x\", \"ok\": \"https://github.com/a\",\n"
      " \"git\\u0040evil.example:r\": [\"x\", \"https:\\/\\/ev\\u0069l.example\\/\"],\n"
      " \"m\": \"http:\\/\\/10.0.0.3 @v2-exempt HOST_ALLOW mock\", \"n\": \"@v2-exempt HOST_ALLOW\",\n"
      " \"\\ud83d\\ude00\": \"caf\\u00e9 x@localhost:p\", \"plain\": \"http://10.0.0.4/\"}\n";
  std::string lines;
  for (std::size_t i = 0, start = 0; i < doc.size(); ++i)
    if (doc[i] == '\n') lines += doc.substr(start, i - start) + "\n", start = i + 1;
  std::string ndjson;
  for (char c : doc) ndjson += c == '\n' ? ' ' : c;
  ndjson = "{\"a\": \"git\\u0040h.example:x\"}\n" + ndjson + "\n\n  \n[\"http:\\/\\/10.0.0.5\", \n" +
           "{\"b\": \"http:\\/\\/10.0.0.6\"}\r\n" + std::string("{\"nul\": \"http:\\/\\/10.0.0.7\"}\0\n", 31) +
           "[\"\\u0068ttp://10.0.0.8/\"]";
  return {doc, lines, ndjson, ndjson + "\n\xff\n", doc + "{", "[\"@v2-exempt HOST_ALLOW\", \"http://10.0.0.9/\"]"};
}

// A scheme spelled with an escape names its host however many slashes
// follow (https:/x, https:\\x and https:x.io do), in a JSON string as in
// plain text, and in a file held whole or streamed.
TEST(HostAllowWindows, EscapedSchemesWithoutTwoSlashesAreFound) {
  const std::string text =
      "{\"meta\":\"\\u0068ttps:/169.254.169.254/latest\",\"db\":\"\\u0068ttp:\\\\\\\\10.0.0.1:5432/\","
      "\"c\":\"\\u0068ttps:127.0.0.1\",\"time\":\"12:30\\u00e9\"}\n";
  for (const std::string name : {"a.json", "a.ndjson"}) {
    const std::vector<std::string> got = whole(text, name);
    EXPECT_EQ(got.size(), 3u) << name << ": " << ::testing::PrintToString(got);
    for (const char* host : {"169.254.169.254", "10.0.0.1", "127.0.0.1"}) {
      const bool found = std::any_of(got.begin(), got.end(), [&](const std::string& f) { return f.find(host) != std::string::npos; });
      EXPECT_TRUE(found) << name << " " << host << ": " << ::testing::PrintToString(got);
    }
    for (std::size_t chunk : {std::size_t{1}, std::size_t{7}})
      EXPECT_EQ(streamed(text, {text.size() + 1, chunk, kMaxLineBytes, 0}, name), got) << name << " chunk " << chunk;
  }
}

void expect_json_scans_agree(const std::string& text) {
  for (const std::string name : {"a.json", "a.ndjson"}) {
    const std::vector<std::string> expected = whole(text, name);
    for (std::size_t chunk : {std::size_t{1}, std::size_t{3}, std::size_t{64}, std::size_t{1} << 20})
      for (std::size_t max_line : {std::size_t{1}, std::size_t{40}, kMaxLineBytes})
        for (std::size_t held : {std::size_t{0}, std::size_t{100}, std::size_t{8} << 20})
          EXPECT_EQ(streamed(text, {text.size() + 1, chunk, max_line, held}, name), expected)
              << name << ", chunk " << chunk << ", max_line " << max_line << ", held " << held << ": " << text;
  }
}

TEST(HostAllowWindows, JsonFilesStreamedGiveTheWholeFileFacts) {
  const std::vector<std::string> texts = json_texts();
  // The cases reach the JSON string scan: pointers, in both kinds of file.
  const std::vector<std::string> json = whole(texts[0], "a.json"), ndjson = whole(texts[2], "a.ndjson");
  EXPECT_GE(json.size(), 6u);
  auto has = [](const std::vector<std::string>& v, const std::string& what) {
    return std::any_of(v.begin(), v.end(), [&](const std::string& f) { return f.find(what) != std::string::npos; });
  };
  EXPECT_TRUE(has(json, "a.json:1:8#/u http://10.0.0.1/x ")) << ::testing::PrintToString(json);
  EXPECT_TRUE(has(json, "a.json:2:3#/git@evil.example:r ")) << ::testing::PrintToString(json);
  EXPECT_TRUE(has(ndjson, "a.ndjson:6:8#/b ")) << ::testing::PrintToString(ndjson);
  EXPECT_FALSE(has(ndjson, "#/nul")) << "a line with a NUL does not parse";
  for (const std::string& t : texts) expect_json_scans_agree(t);
  std::mt19937 rng(29);
  const std::string bytes = "{}[]\",:\\/u@ \n\0\xff";
  for (int i = 0; i < 150; ++i) {
    std::string m = texts[rng() % texts.size()];
    for (int k = 0; k < 3; ++k) {
      const std::size_t at = rng() % m.size();
      if (rng() % 2 == 0) m[at] = bytes[rng() % bytes.size()];
      else m.erase(at, 1 + rng() % 6);
    }
    expect_json_scans_agree(m);
  }
}

// Strings counted against the cap in a document that does not parse count
// in a streamed file too: the cap falls where it falls in the whole file.
TEST(HostAllowWindows, StreamedJsonScanCountsLikeTheWholeFile) {
  std::string failing = "[", passing = "[";
  for (int i = 0; i < 150000; ++i) failing += "\"git\\u0040github.com:o/r\",";
  failing += "\n";  // no closing bracket: the line does not parse
  for (int i = 0; i < 60000; ++i) passing += "\"git\\u0040github.com:o/r\",";
  passing += "\"http:\\/\\/10.0.0.1\"]\n";
  const std::string text = "[\"http:\\/\\/10.0.0.2\"]\n" + failing + passing;
  const std::vector<std::string> expected = whole(text, "a.ndjson");
  // The cap is reached within the last line: its last URL is the byte
  // scan's (escaped as written), not the JSON scan's (decoded, at /60000).
  EXPECT_EQ(expected, (std::vector<std::string>{
                          "host.forbidden a.ndjson:1:3#/0 http://10.0.0.2 | URL http://10.0.0.2: host 10.0.0.2 is "
                          "forbidden (policy entry 'ip:private')",
                          "host.forbidden a.ndjson:3:1560003 http:\\/\\/10.0.0.1 | URL http:\\/\\/10.0.0.1: host "
                          "10.0.0.1 is forbidden (policy entry 'ip:private')",
                          "host.too-many a.ndjson  | more than 200000 escaped strings may hold a URL: the JSON "
                          "string scan stopped there"}));
  for (std::size_t max_line : {std::size_t{1000}, kMaxLineBytes})
    for (std::size_t held : {std::size_t{0}, std::size_t{8} << 20})
      EXPECT_EQ(streamed(text, {.window = text.size() + 1, .max_line = max_line, .held_json = held}, "a.ndjson"),
                expected)
          << "max_line " << max_line << ", held " << held;
}

// Issue 13, point 6: a large file swapped for a clean one between its hash
// read and the host scan's read turned a FAIL into a PASS. The scan now
// checks that it read the hashed file, and reports it unscanned otherwise.
TEST(HostAllow, LargeFileChangedAfterHashingIsNotPassed) {
  TempDir t;
  std::string dirty = std::string(17u << 20, 'x') + "\nhttp://10.0.0.1/\n";
  std::string p = make_pack(t, {{"big.log", dirty}});
  std::string err;
  auto pack = Pack::open(p, p, default_policy().limits, err);
  ASSERT_TRUE(pack) << err;
  ThreadPool pool(1);
  pack->load_files(pool);
  write_file(p + "/clean", std::string(dirty.size(), 'x'));
  fs::rename(p + "/clean", p + "/big.log");
  CheckOptions options;
  GateContext ctx{default_policy(), options, nullptr, "", nullptr};
  Collect c;
  gate().check_pack(*pack, ctx, c);
  ASSERT_EQ(c.got.size(), 1u);
  EXPECT_EQ(c.got[0].rfind("host.unscanned big.log", 0), 0u) << c.got[0];
}

TEST(HostAllow, ManyBadUrlsAreCapped) {
  TempDir t;
  std::string s;
  for (int i = 0; i < 200000; ++i) s += "x@y.z:w http://10.0.0.1/ ";
  std::string p = make_pack(t, {{"spam.txt", s}});
  RunReport r = run(p);
  EXPECT_EQ(findings(r, "host.too-many").size(), 1u);
  EXPECT_LE(findings(r).size(), 1001u);
  // The same finding about the same file, repeated, is one finding with the
  // count and the first places (issue 14, point 1).
  std::size_t repeats = 0;
  for (const Finding& f : findings(r))
    if (f.message.find(" times in this file)") != std::string::npos) {
      EXPECT_NE(f.detail.find("found "), std::string::npos) << f.detail;
      EXPECT_NE(f.detail.find(", ..."), std::string::npos) << "at most five places shown";
      repeats += std::stoul(f.message.substr(f.message.rfind('(') + 1));
    }
  EXPECT_GE(repeats, 999u);
}

TEST(HostAllow, HostileJsonStaysBounded) {
  TempDir t;
  // 300,000 escaped strings, each an scp reference to an allowed host.
  std::string doc = "[";
  for (int i = 0; i < 300000; ++i) doc += "\"git\\u0040github.com:o/r\",";
  doc += "\"http:\\/\\/10.0.0.1\"]";
  std::string p = make_pack(t, {{"a.json", doc}});
  RunReport r = run(p);
  // The JSON scan stopped; the byte scan still found the last URL.
  EXPECT_EQ(where(r), (std::set<std::pair<std::string, std::string>>{{"host.too-many", "a.json"},
                                                                     {"host.forbidden", "a.json:1:7800003"}}))
      << dump(r);
}

// Runner mode: a runners/ tree, scanned as a whole.
RunReport run_runners(const std::string& dir, CheckRequest req = {}) {
  req.options.runners_dir = dir;
  return check({}, {kGate}, req);
}

// The policy's host lists are compiled once per run (Gate::prepare). Lists
// that do not compile (a policy made in code, as parse_policy refuses them)
// are reported by every pack and by the runners check, as when each call
// compiled them itself; a gate called without its prepare() compiles them.
TEST(HostAllow, InvalidPolicyListsAreReportedWherePrepared) {
  TempDir t;
  std::string a = make_pack(t, {{"a.txt", "http://10.0.0.1/\n"}}, "a");
  std::string b = make_pack(t, {{"big.log", std::string(17u << 20, 'x') + "\nhttp://10.0.0.1/\n"}}, "b");
  write_file(t / "runners/r1/Containerfile", "FROM evil.example/x\n");
  CheckRequest req;
  req.policy.source = "p.yaml";
  req.policy.forbidden_hosts = {"ip:bogus"};
  const std::string message = "p.yaml: hosts.forbidden: ";
  auto only_policy_invalid = [&](const PackResult& pr) {
    ASSERT_EQ(pr.gates.size(), 1u);
    const std::vector<Finding>& f = pr.gates[0].findings;
    ASSERT_EQ(f.size(), 1u) << pr.path;
    EXPECT_EQ(f[0].code, "host.policy-invalid");
    EXPECT_EQ(f[0].severity, Severity::Error);
    EXPECT_EQ(f[0].file, "");
    EXPECT_EQ(f[0].message.rfind(message, 0), 0u) << f[0].message;
    EXPECT_EQ(f[0].hint, "fix the policy's hosts section");
  };
  RunReport packs = check({a, b}, {kGate}, req);
  ASSERT_EQ(packs.packs.size(), 2u);
  for (const PackResult& pr : packs.packs) only_policy_invalid(pr);
  RunReport runners = run_runners(t / "runners", req);
  ASSERT_EQ(runners.packs.size(), 1u);
  only_policy_invalid(runners.packs[0]);

  // Directly, with and without the run's preparation: the same finding.
  std::string err;
  auto pack = Pack::open(a, a, req.policy.limits, err);
  ASSERT_TRUE(pack) << err;
  ThreadPool pool(1);
  pack->load_files(pool);
  GateContext ctx{req.policy, req.options, nullptr, "", nullptr};
  std::unique_ptr<PreparedRun> prepared = gate().prepare(ctx);
  ASSERT_NE(prepared, nullptr);
  Collect unprepared, with_prepared;
  gate().check_pack(*pack, ctx, unprepared);
  ctx.prepared = prepared.get();
  gate().check_pack(*pack, ctx, with_prepared);
  EXPECT_EQ(unprepared.got, (std::vector<std::string>{"host.policy-invalid  "}));
  EXPECT_EQ(with_prepared.got, unprepared.got);
}

// With valid lists, a prepared run judges as a gate that compiles its own.
TEST(HostAllow, PreparedRulesJudgeAsCompiledOnes) {
  TempDir t;
  std::string p = make_pack(t, {{"a.txt", "http://10.0.0.1/ https://github.com/ https://x.example/\n"}});
  std::string err;
  auto pack = Pack::open(p, p, default_policy().limits, err);
  ASSERT_TRUE(pack) << err;
  ThreadPool pool(1);
  pack->load_files(pool);
  CheckOptions options;
  GateContext ctx{default_policy(), options, nullptr, "", nullptr};
  Collect unprepared, with_prepared;
  gate().check_pack(*pack, ctx, unprepared);
  std::unique_ptr<PreparedRun> prepared = gate().prepare(ctx);
  ctx.prepared = prepared.get();
  gate().check_pack(*pack, ctx, with_prepared);
  EXPECT_EQ(unprepared.got.size(), 2u);
  EXPECT_EQ(with_prepared.got, unprepared.got);
}

TEST(HostAllowRunners, ScansRunnerFilesAndFromImages) {
  TempDir t;
  std::string rd = t / "runners";
  write_file(rd + "/node-20/Containerfile",
             "# syntax=docker/dockerfile:1\n"
             "ARG BASE=node:20-bookworm\n"
             "FROM --platform=linux/amd64 ${BASE} AS build\n"
             "FROM build\n"
             "FROM scratch\n"
             "FROM docker.io/library/debian:12@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef\n"
             "FROM mcr.microsoft.com/dotnet/sdk:8.0\n"
             "from ghcr.io/acme/tool:1\n"
             "FROM \\\n  localhost:5000/base:1\n"
             "FROM localhost/base  # built here by podman: no registry\n"
             "FROM quay.io/x/y @v2-exempt HOST_ALLOW mirrored for the offline build\n"
             "FROM $UNSET_ARG\n"
             "RUN curl -fsSL https://deb.nodesource.com/setup_20.x | sh\n"
             "COPY --from=LOCALHOST/evil:1 /x /x\n");
  write_file(rd + "/node-20/runner.yaml", "runtime_type: node\nsmoke: curl http://169.254.169.254/\n");
  write_file(rd + "/node-20/scripts/fetch.sh", "git clone git@github.com:org/repo.git\n");
  write_file(rd + "/python-3.11/Dockerfile", "FROM python:3.11-slim\n");
  write_file(rd + "/python-3.11/meta.json", "{\"src\": \"https:\\/\\/10.0.0.1\\/x\"}\n");
  RunReport r = run_runners(rd);
  EXPECT_EQ(status_of(r, kGate), GateStatus::Fail);
  EXPECT_EQ(where(r), (std::set<std::pair<std::string, std::string>>{
                          {"host.registry-not-allowed", "node-20/Containerfile:8"},
                          {"host.registry-forbidden", "node-20/Containerfile:9"},
                          {"host.exempt", "node-20/Containerfile:12"},
                          {"host.registry-unresolved", "node-20/Containerfile:13"},
                          {"host.not-allowed", "node-20/Containerfile:14:16"},
                          {"host.registry-forbidden", "node-20/Containerfile:15"},
                          {"host.forbidden", "node-20/runner.yaml:2:13"},
                          {"host.forbidden", "python-3.11/meta.json:1:10#/src"}}))
      << dump(r);
}

TEST(HostAllowRunners, CleanRunnersPassAndRegistriesComeFromPolicy) {
  TempDir t;
  std::string rd = t / "runners";
  write_file(rd + "/node-20/Containerfile", "FROM node:20\nRUN echo https://github.com/nodejs/node\n");
  write_file(rd + "/dotnet-8/Containerfile",
             "FROM mcr.microsoft.com/dotnet/sdk:8.0 AS sdk\nFROM sdk AS final\nFROM final\n");
  EXPECT_EQ(status_of(run_runners(rd), kGate), GateStatus::Pass);
  CheckRequest req;
  std::string err;
  ASSERT_TRUE(parse_policy("hosts:\n  registries: [mcr.microsoft.com]\n", "p.yaml", req.policy, err)) << err;
  RunReport r = run_runners(rd + "/", req);
  EXPECT_EQ(where(r), (std::set<std::pair<std::string, std::string>>{
                          {"host.registry-not-allowed", "node-20/Containerfile:1"}}))
      << dump(r);
  // A stage name is not an image from the next FROM on only.
  write_file(rd + "/node-20/Containerfile", "FROM ghcr.io/x/node AS node\nFROM node\n");
  write_file(rd + "/dotnet-8/Containerfile", "FROM node AS node\n");
  r = run_runners(rd);
  EXPECT_EQ(where(r), (std::set<std::pair<std::string, std::string>>{
                          {"host.registry-not-allowed", "node-20/Containerfile:1"}}))
      << dump(r);
}

}  // namespace
}  // namespace mplp
