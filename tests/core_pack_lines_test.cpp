// for_each_line (core/pack_lines.h) and Pack::check_json: a file held in
// memory and the same file read again through a fixed buffer give the same
// lines and the same JSON verdicts; a long line comes cut; a file changed
// after its hash read is an error, not lines.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "core/pack.h"
#include "core/pack_lines.h"
#include "test_util.h"

namespace mplp {
namespace {

using test::TempDir;
using test::write_file;

std::unique_ptr<Pack> load(const std::string& dir, bool keep_contents) {
  std::string err;
  auto p = Pack::open(dir, "p", Limits{}, err);
  EXPECT_TRUE(p) << err;
  ThreadPool pool(2);
  p->load_files(pool, nullptr, keep_contents);
  return p;
}

struct Seen {
  std::uint64_t number, offset;
  std::string text;
  bool cut;
  bool operator==(const Seen&) const = default;
};

std::vector<Seen> lines(const Pack& p, const std::string& rel, std::size_t max_line) {
  std::vector<Seen> out;
  std::string err;
  EXPECT_TRUE(for_each_line(p, rel, max_line, [&](const PackLine& l) {
    out.push_back({l.number, l.offset, std::string(l.text), l.cut});
  }, err)) << err;
  return out;
}

TEST(PackLines, HeldAndStreamedFilesGiveTheSameLines) {
  TempDir t;
  const std::vector<std::string> texts = {
      "", "\n", "a", "a\n", "a\nb", "a\n\nb\n", "x\r\ny\r\n", "\n\n\n",
      "short\n" + std::string(3u << 20, 'L') + "\nafter\n" + std::string(1u << 20, 'M'),  // lines across chunks
  };
  for (std::size_t i = 0; i < texts.size(); ++i) {
    write_file(t / ("p" + std::to_string(i) + "/t.txt"), texts[i]);
    auto held = load(t / ("p" + std::to_string(i)), true);
    auto streamed = load(t / ("p" + std::to_string(i)), false);
    ASSERT_TRUE(held->file("t.txt")->bytes);
    ASSERT_FALSE(streamed->file("t.txt")->bytes);
    for (std::size_t max_line : {std::size_t{1}, std::size_t{4}, kMaxLineBytes}) {
      const std::vector<Seen> a = lines(*held, "t.txt", max_line), b = lines(*streamed, "t.txt", max_line);
      EXPECT_EQ(a, b) << "text " << i << ", max_line " << max_line;
    }
  }
  // What the lines are: numbered from 1, placed by offset, cut past max_line.
  const std::vector<Seen> l = lines(*load(t / "p5", false), "t.txt", 4);
  ASSERT_EQ(l.size(), 3u);
  EXPECT_EQ(l[0], (Seen{1, 0, "a", false}));
  EXPECT_EQ(l[1], (Seen{2, 2, "", false}));
  EXPECT_EQ(l[2], (Seen{3, 3, "b", false}));
  const std::vector<Seen> big = lines(*load(t / "p8", false), "t.txt", 4);
  ASSERT_EQ(big.size(), 4u);
  EXPECT_EQ(big[1], (Seen{2, 6, "LLLL", true}));
  EXPECT_EQ(big[2], (Seen{3, 6 + (3u << 20) + 1, "afte", true}));
  EXPECT_EQ(big[3].offset, 6 + (3u << 20) + 7);
}

TEST(PackLines, AFileChangedSinceItsHashReadIsAnError) {
  TempDir t;
  write_file(t / "p/t.txt", "one\ntwo\n");
  auto p = load(t / "p", false);
  write_file(t / "p/t.txt", "one\nTWO\n");
  std::string err;
  int calls = 0;
  EXPECT_FALSE(for_each_line(*p, "t.txt", kMaxLineBytes, [&](const PackLine&) { ++calls; }, err));
  EXPECT_FALSE(err.empty());
  EXPECT_EQ(calls, 0) << "lines of a file that is not the hashed one";
}

TEST(PackCheckJson, HeldAndStreamedFilesGetTheSameVerdict) {
  TempDir t;
  const std::vector<std::string> texts = {
      "{\"a\":1}", "{\"a\":1,\n\"a\":2}", "[1,2,", std::string("{\"a\":\"\0\"}", 9), "{\"a\":\"\\ude00\"}",
      "{\"b\":[" + std::string(2u << 20, ' ') + "1,{\"c\":1,\"c\":2}]}",
  };
  for (std::size_t i = 0; i < texts.size(); ++i) {
    const std::string dir = t / ("p" + std::to_string(i));
    write_file(dir + "/f.json", texts[i]);
    auto held = load(dir, true);
    auto streamed = load(dir, false);
    const JsonCheck a = held->check_json("f.json"), b = streamed->check_json("f.json");
    ASSERT_TRUE(a.readable && b.readable) << a.read_error << b.read_error;
    EXPECT_EQ(a.parsed(), b.parsed()) << i;
    EXPECT_EQ(a.error.message, b.error.message) << i;
    EXPECT_EQ(a.error.offset, b.error.offset) << i;
    EXPECT_EQ(a.error.line, b.error.line) << i;
    EXPECT_EQ(a.error.column, b.error.column) << i;
    ASSERT_EQ(a.duplicates.size(), b.duplicates.size()) << i;
    for (std::size_t k = 0; k < a.duplicates.size(); ++k) {
      EXPECT_EQ(a.duplicates[k].pointer, b.duplicates[k].pointer);
      EXPECT_EQ(a.duplicates[k].line, b.duplicates[k].line);
      EXPECT_EQ(a.duplicates[k].column, b.duplicates[k].column);
    }
  }
  // Changed after the hash read: not a verdict on other bytes.
  write_file(t / "p0/f.json", "{\"a\":2}");
  auto p = load(t / "p1", false);
  write_file(t / "p1/f.json", "{\"a\":1}");
  const JsonCheck changed = p->check_json("f.json");
  EXPECT_FALSE(changed.readable);
  EXPECT_FALSE(changed.read_error.empty());
}

}  // namespace
}  // namespace mplp
