// SpillFile (core/spill_file.h): every record reads back as it was appended,
// from the buffer or the file, from several threads at once; a directory
// where no file can be made is an error naming it.
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <random>
#include <string>
#include <vector>

#include "core/spill_file.h"
#include "core/thread_pool.h"
#include "test_util.h"

namespace mplp {
namespace {

std::unique_ptr<SpillFile> make_spill() {
  std::string error;
  std::unique_ptr<SpillFile> spill = SpillFile::create(SpillFile::default_dir(), error);
  EXPECT_NE(spill, nullptr) << error;
  return spill;
}

// Sizes from empty to several times the write buffer, so that records lie in
// the buffer, in the file, and one is larger than the buffer itself.
std::string record_text(std::size_t i) {
  std::mt19937 rng(static_cast<unsigned>(i));
  const std::size_t size = i % 97 == 0 ? (i * 7919) % (1u << 20) : rng() % 3000;
  std::string s(size, '\0');
  for (char& c : s) c = static_cast<char>(rng());
  return s;
}

TEST(SpillFile, RecordsReadBackAsAppendedFromManyThreads) {
  std::unique_ptr<SpillFile> spill = make_spill();
  ASSERT_NE(spill, nullptr);
  constexpr std::size_t kRecords = 2000;
  std::vector<SpillFile::Record> records(kRecords);
  ThreadPool pool(4);
  parallel_for(pool, kRecords, [&](std::size_t i) {
    records[i] = spill->append(record_text(i));
    // What was just appended reads back at once (it may still be buffered).
    if (spill->read(records[i]) != record_text(i)) ADD_FAILURE() << "record " << i << " changed on its first read";
  });
  std::uint64_t total = 0;
  for (std::size_t i = 0; i < kRecords; ++i) {
    EXPECT_EQ(records[i].size, record_text(i).size());
    total += records[i].size;
  }
  EXPECT_EQ(spill->size(), total);
  parallel_for(pool, kRecords, [&](std::size_t i) {
    if (spill->read(records[i]) != record_text(i)) ADD_FAILURE() << "record " << i << " changed";
  });
  EXPECT_GT(total, 4u << 20) << "the records should overflow the write buffer many times";
}

// A pass over small records in the order they were appended reads the file
// a window at a time, not once a record; any order still reads them right.
TEST(SpillFile, RecordsReadInOrderShareFileReads) {
  std::unique_ptr<SpillFile> spill = make_spill();
  ASSERT_NE(spill, nullptr);
  constexpr std::size_t kRecords = 5000;
  std::vector<SpillFile::Record> records;
  std::vector<std::string> texts;
  std::mt19937 rng(7);
  for (std::size_t i = 0; i < kRecords; ++i) {
    // Mostly small, now and then one larger than the read window.
    std::string text(i % 1000 == 999 ? 100000 + i : rng() % 400, static_cast<char>('a' + i % 26));
    records.push_back(spill->append(text));
    texts.push_back(std::move(text));
  }
  const std::uint64_t before = spill->file_reads();
  for (std::size_t i = 0; i < kRecords; ++i) ASSERT_EQ(spill->read(records[i]), texts[i]) << "record " << i;
  const std::uint64_t in_order = spill->file_reads() - before;
  // About 1.5 MB in 64 KiB windows, plus the large records read on their own.
  EXPECT_LT(in_order, 100u);
  EXPECT_GT(in_order, 5u);  // the records did reach the file
  std::vector<std::size_t> order(kRecords);
  for (std::size_t i = 0; i < kRecords; ++i) order[i] = i;
  std::shuffle(order.begin(), order.end(), rng);
  for (std::size_t i : order) ASSERT_EQ(spill->read(records[i]), texts[i]) << "record " << i;
  for (std::size_t i = kRecords; i-- > 0;) ASSERT_EQ(spill->read(records[i]), texts[i]) << "record " << i;
}

TEST(SpillFile, EmptyRecordsAndRecordsPastTheEnd) {
  std::unique_ptr<SpillFile> spill = make_spill();
  ASSERT_NE(spill, nullptr);
  const SpillFile::Record empty = spill->append("");
  const SpillFile::Record abc = spill->append("abc");
  EXPECT_EQ(spill->read(empty), "");
  EXPECT_EQ(spill->read(abc), "abc");
  EXPECT_THROW(spill->read(SpillFile::Record{abc.offset, 4}), std::logic_error);
  EXPECT_THROW(spill->read(SpillFile::Record{1u << 30, 1}), std::logic_error);
}

TEST(SpillFile, NoFileWhereNoneCanBeMadeAndTheErrorNamesTheDirectory) {
  test::TempDir tmp;
  std::string error;
  EXPECT_EQ(SpillFile::create(tmp / "missing", error), nullptr);
  EXPECT_NE(error.find(tmp / "missing"), std::string::npos) << error;
  // The file has no name: nothing is left in the directory it was made in.
  std::unique_ptr<SpillFile> spill = SpillFile::create(tmp.path(), error);
  ASSERT_NE(spill, nullptr) << error;
  spill->append(std::string(1 << 20, 'x'));
  EXPECT_TRUE(std::filesystem::is_empty(tmp.path()));
}

TEST(SpillFile, DefaultDirectoryIsTmpdirElseTmp) {
  {
    test::ScopedEnv env("TMPDIR", "/somewhere/else");
    EXPECT_EQ(SpillFile::default_dir(), "/somewhere/else");
  }
  {
    test::ScopedEnv env("TMPDIR", "");
    EXPECT_EQ(SpillFile::default_dir(), "/tmp");
  }
  test::ScopedEnv env("TMPDIR", nullptr);
  EXPECT_EQ(SpillFile::default_dir(), "/tmp");
}

}  // namespace
}  // namespace mplp
