// check_json_fd (core/json.h) gives parse_json's verdict on the same bytes,
// read a chunk at a time: status, code, message, offset, line and column of
// the error, and every duplicate key with its place, for chunks of any size
// (each input is also read a byte at a time, so every boundary is crossed).
#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/mman.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <random>
#include <string>
#include <vector>

#include "core/json.h"
#include "core/json_strings.h"
#include "core/text.h"
#include "test_util.h"

namespace mplp {
namespace {

// An unnamed file holding `bytes`, read from its start.
int file_of(const std::string& bytes) {
  int fd = ::memfd_create("json", MFD_CLOEXEC);
  EXPECT_GE(fd, 0);
  EXPECT_EQ(::write(fd, bytes.data(), bytes.size()), static_cast<ssize_t>(bytes.size()));
  ::lseek(fd, 0, SEEK_SET);
  return fd;
}

void expect_same_verdict(const std::string& text, unsigned max_depth = 16) {
  JsonDoc doc;
  const bool ok = parse_json(text, JsonOptions{max_depth}, doc);
  for (std::size_t chunk : {std::size_t{1}, std::size_t{2}, std::size_t{3}, std::size_t{7}, std::size_t{64},
                            std::size_t{1} << 20}) {
    int fd = file_of(text);
    JsonError error;
    std::vector<DuplicateKey> dups;
    std::string read_error;
    ASSERT_TRUE(check_json_fd(fd, JsonOptions{max_depth}, error, dups, read_error, chunk)) << read_error;
    ::close(fd);
    const std::string where = "chunk " + std::to_string(chunk) + " of: " + text.substr(0, 200);
    ASSERT_EQ(error.status == JsonStatus::Ok, ok) << error.message << " / " << doc.error.message << "\n" << where;
    if (!ok) {
      EXPECT_EQ(error.status, doc.error.status) << where;
      EXPECT_EQ(error.code, doc.error.code) << where;
      EXPECT_EQ(error.message, doc.error.message) << where;
      EXPECT_EQ(error.offset, doc.error.offset) << where;
      EXPECT_EQ(error.line, doc.error.line) << where;
      EXPECT_EQ(error.column, doc.error.column) << where;
      continue;
    }
    ASSERT_EQ(dups.size(), doc.duplicates.size()) << where;
    for (std::size_t i = 0; i < dups.size(); ++i) {
      EXPECT_EQ(dups[i].pointer, doc.duplicates[i].pointer) << where;
      EXPECT_EQ(dups[i].offset, doc.duplicates[i].offset) << where;
      EXPECT_EQ(dups[i].line, doc.duplicates[i].line) << where;
      EXPECT_EQ(dups[i].column, doc.duplicates[i].column) << where;
    }
  }
}

const std::vector<std::string>& hand_cases() {
  static const std::vector<std::string> cases = {
      "", " ", "{}", "[]", "{\"a\":1}", "{\"a\":1,\"a\":2}", "{\n \"a\": {\"b\": 1,\n \"b\": 2}, \"a\": 3}\n",
      "[1,2,", "{\"a\" 1}", "{\"a\":tru}", "nul", "[1e400]", "[-1e400]", "[0e-30]", "[125e-300]",
      "{\"k\":\"\\ud800\"}", "{\"k\":\"\\ude00\"}", "{\"k\":\"\\ud83d\\ude00\"}", "{\"k\":\"\\uZZZZ\"}",
      std::string("{\"a\":\"x\0y\"}", 11), std::string("{}\0", 3), std::string("[1,\0]", 5),
      std::string("[1 2] \0", 7), std::string("{\"a\":1}\n\n\0\n", 11), "\xef\xbb\xbf{}", "{\"a\":\"\xc3\"}",
      "{\"a\":\"\xe2\x82\"}", "\"\xe2\x82", "\"\xf0\x9f\x98", "{\"\xff\":1}", "[\"\xed\xa0\x80\"]",
      "[[[[[[[[[[[[[[[[[[[[]]]]]]]]]]]]]]]]]]]]", "{}{}", "{} x", "[01]", "[1.]", "[.5]", "[-]", "[1e]",
      "\"a\\qb\"", "\"tab\there\"", "{\"a\":[{\"b\":1,\"b\":2},{\"c\":[],\"c\":{}}],\"d\":{\"e\":1,\"e\":1}}",
      "[\"" + std::string(5000, 'x') + "\"]", "[" + std::string(3000, '1') + "]",
      "[0." + std::string(3000, '1') + "e99999]", "{\"" + std::string(300, 'k') + "\":1,\"" + std::string(300, 'k') + "\":2}",
      "{\"u\":\"http:\\/\\/10.0.0.1\\u002fx\",\"k\\\"q\":[\"a\\\\\",\"git\\u0040h:r\"],\n\"\\ud83d\\ude00://\":\"\\\"\"}",
  };
  return cases;
}

TEST(JsonStream, SameVerdictAsTheWholeTextParse) {
  for (const std::string& c : hand_cases()) expect_same_verdict(c);
}

// The fixtures' JSON files and the JSON fuzz corpus.
std::vector<std::string> corpus_texts() {
  std::vector<std::string> texts;
  for (const auto& e : std::filesystem::recursive_directory_iterator(test::source_root() + "/fixtures/packs"))
    if (e.is_regular_file() && e.path().extension() == ".json") texts.push_back(test::read_file(e.path()));
  for (const auto& e : std::filesystem::directory_iterator(test::source_root() + "/fuzz/corpus/json"))
    texts.push_back(test::read_file(e.path()));
  return texts;
}

// `t` with three random bytes changed, inserted or erased.
std::string mutated(std::string m, std::mt19937& rng) {
  const std::string bytes = "{}[]\",:\\ \n\0\xff\xc3\x80" "0e-.tfnu";
  for (int k = 0; k < 3 && !m.empty(); ++k) {
    const std::size_t at = rng() % m.size();
    const int what = static_cast<int>(rng() % 3);
    if (what == 0) m[at] = bytes[rng() % bytes.size()];
    else if (what == 1) m.insert(at, 1, bytes[rng() % bytes.size()]);
    else m.erase(at, 1 + rng() % 8);
  }
  return m;
}

TEST(JsonStream, SameVerdictOnTheFixturesAndMutationsOfThem) {
  const std::vector<std::string> texts = corpus_texts();
  ASSERT_GT(texts.size(), 10u);
  std::mt19937 rng(13);
  for (const std::string& t : texts) {
    expect_same_verdict(t);
    for (int i = 0; i < 20 && !t.empty(); ++i) expect_same_verdict(mutated(t, rng), 4);
  }
}

// A file's place in it is where the reader starts: what check_json_fd reads
// is the rest of the file; a read error says so instead of a verdict.
TEST(JsonStream, ReadErrorIsNotAVerdict) {
  JsonError error;
  std::vector<DuplicateKey> dups;
  std::string read_error;
  int fd = ::open(test::source_root().c_str(), O_RDONLY | O_DIRECTORY);
  ASSERT_GE(fd, 0);
  EXPECT_FALSE(check_json_fd(fd, JsonOptions{}, error, dups, read_error));
  EXPECT_NE(read_error.find("directory"), std::string::npos) << read_error;
  ::close(fd);
}

// scan_json_file_strings (core/json_strings.h) reports what
// collect_json_strings reports on the same text: the same verdict (a NUL
// byte apart, which it names), the same strings offered to `want` in the
// same order (the count a caller's first pass relies on, even when the
// text does not parse), and the same hits with their places.
struct Offered {
  std::vector<std::string> texts;  // every string offered to `want`
  std::vector<std::string> hits;   // offsets, key flag, pointer and text of each hit
};

std::string describe(const JsonStringHit& h, std::uint64_t shift) {
  return std::to_string(h.raw_begin - shift) + "-" + std::to_string(h.raw_end - shift) + (h.is_key ? " key " : " ") +
         h.pointer + " " + h.text;
}

// Every string is offered; those holding '/' or an escape are hits.
bool selective(Offered& o, std::string_view s, bool escaped) {
  o.texts.emplace_back(s);
  return escaped || s.find('/') != std::string_view::npos;
}

// The text at `begin` in `file` (one line of it with `one_line`) read in
// chunks of `chunk`, against `text` (that text alone) held whole.
void expect_same_strings(const std::string& file, std::uint64_t begin, bool one_line, const std::string& text,
                         std::size_t chunk, unsigned max_depth = 16) {
  // A caller that knows the file is UTF-8 says so; the verdict is the same.
  const bool known_utf8 = is_valid_utf8(file) && chunk % 2 == 0;
  Offered whole, read;
  std::vector<JsonStringHit> hits;
  JsonError error;
  const bool ok = collect_json_strings(
      text, max_depth, [&](std::string_view s, bool e) { return selective(whole, s, e); }, hits, error);
  for (const JsonStringHit& h : hits) whole.hits.push_back(describe(h, 0));
  const int fd = file_of(file);
  const JsonFileParse got = scan_json_file_strings(
      fd, {begin, one_line, known_utf8, chunk}, max_depth,
      [&](std::string_view s, bool e) { return selective(read, s, e); },
      [&](const JsonFileHit& at) {
        read.hits.push_back(describe(at.hit, begin));
        std::uint64_t line = 0, column = 0;
        line_and_column(text, at.hit.raw_begin - begin, line, column);
        EXPECT_EQ(at.line, line);
        EXPECT_EQ(at.column, column);
        EXPECT_EQ(at.raw, text.substr(at.hit.raw_begin - begin, at.hit.raw_end - at.hit.raw_begin));
      });
  ::close(fd);
  const std::string where = "chunk " + std::to_string(chunk) + " of: " + text.substr(0, 200);
  EXPECT_EQ(got.read_error, "") << where;
  ASSERT_EQ(got.parsed, ok) << error.message << "\n" << where;
  EXPECT_EQ(got.nul, error.status == JsonStatus::NulByte) << where;
  if (got.nul) return;  // collect_json_strings offers nothing then
  EXPECT_EQ(read.texts, whole.texts) << where;
  if (ok) {
    EXPECT_EQ(read.hits, whole.hits) << where;
  }
}

void expect_same_strings_everywhere(const std::string& text, unsigned max_depth = 16) {
  for (std::size_t chunk : {std::size_t{1}, std::size_t{2}, std::size_t{3}, std::size_t{7}, std::size_t{64},
                            std::size_t{1} << 20}) {
    expect_same_strings(text, 0, false, text, chunk, max_depth);
    // As one line of an NDJSON file, between two others (and as its last).
    std::string line = text;
    std::replace(line.begin(), line.end(), '\n', ' ');
    const std::string before = "{\"a\":\"x\"}\n[\"z:\\/\\/y\"]\n";
    expect_same_strings(before + line + "\n{\"b\":\"http://h\"}\n", before.size(), true, line, chunk, max_depth);
    expect_same_strings(before + line, before.size(), true, line, chunk, max_depth);
  }
}

TEST(JsonFileStrings, SameStringsAsTheWholeTextScan) {
  for (const std::string& c : hand_cases()) expect_same_strings_everywhere(c);
}

TEST(JsonFileStrings, SameStringsOnTheFixturesAndMutationsOfThem) {
  std::mt19937 rng(17);
  for (const std::string& t : corpus_texts()) {
    expect_same_strings_everywhere(t);
    for (int i = 0; i < 10 && !t.empty(); ++i) expect_same_strings_everywhere(mutated(t, rng), 4);
  }
}

}  // namespace
}  // namespace mplp
