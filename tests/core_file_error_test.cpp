// Issue 17, point 5: file failures carry a status and the errno behind it
// (as ninja's FileReader does), on real files; callers decide on those and
// never on the message's words.
#include <gtest/gtest.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <iostream>

#include "core/safe_fs.h"
#include "test_util.h"

namespace mplp {
namespace {

namespace fs = std::filesystem;
using test::TempDir;

// A tree with one of each: a file, a directory, a link to the file, a file
// where a directory is expected, and an unreadable file and directory.
class FileErrors : public ::testing::Test {
 protected:
  TempDir tmp;
  std::optional<Dir> root;
  void SetUp() override {
    test::write_file(tmp / "file.json", "{}");
    test::write_file(tmp / "dir/inner.json", "[]");
    fs::create_symlink("file.json", tmp / "link.json");
    fs::create_directory_symlink("dir", tmp / "dirlink");
    test::write_file(tmp / "locked.json", "{}");
    ::chmod((tmp / "locked.json").c_str(), 0);
    test::write_file(tmp / "closed/inner.json", "{}");
    ::chmod((tmp / "closed").c_str(), 0);
    std::string err;
    root = Dir::open(tmp.path(), err);
    ASSERT_TRUE(root) << err;
  }
  void TearDown() override { ::chmod((tmp / "closed").c_str(), 0755); }
  static bool root_user() { return ::geteuid() == 0; }
};

void expect(const FileError& e, FileStatus status, int err) {
  EXPECT_EQ(e.status, status) << e.message;
  EXPECT_EQ(e.errno_value, err) << e.message << " (errno " << std::strerror(e.errno_value) << ")";
  EXPECT_FALSE(e.message.empty());
}

TEST_F(FileErrors, MissingIsNotFoundWithEnoent) {
  std::string out;
  FileError e;
  EXPECT_FALSE(read_file(tmp / "nope.json", 1000, out, e));
  expect(e, FileStatus::NotFound, ENOENT);
  e = {};
  EXPECT_FALSE(read_beneath(*root, "nope.json", 1000, out, e));
  expect(e, FileStatus::NotFound, ENOENT);
  // A missing directory above it is the same status: nothing is there.
  e = {};
  EXPECT_LT(open_regular_beneath(*root, "nodir/x.json", e), 0);
  expect(e, FileStatus::NotFound, ENOENT);
  e = {};
  EXPECT_FALSE(stat_beneath(*root, "nope.json", e));
  expect(e, FileStatus::NotFound, ENOENT);
  e = {};
  EXPECT_FALSE(Dir::open(tmp / "nodir", e));
  expect(e, FileStatus::NotFound, ENOENT);
  EXPECT_EQ(e.message, tmp / "nodir" + ": " + std::strerror(ENOENT));  // the words are unchanged
}

TEST_F(FileErrors, UnreadableIsDeniedWithEacces) {
  if (root_user()) {
    std::cout << "SKIPPED: running as root, which reads files of mode 000 (no EACCES to see)\n";
    GTEST_SKIP() << "running as root: permission bits do not stop root";
  }
  std::string out;
  FileError e;
  EXPECT_FALSE(read_file(tmp / "locked.json", 1000, out, e));
  expect(e, FileStatus::Denied, EACCES);
  e = {};
  EXPECT_FALSE(read_beneath(*root, "locked.json", 1000, out, e));
  expect(e, FileStatus::Denied, EACCES);
  e = {};
  EXPECT_FALSE(read_beneath(*root, "closed/inner.json", 1000, out, e));
  expect(e, FileStatus::Denied, EACCES);
}

TEST_F(FileErrors, LinkIsLinkWithEloopAndNeverFollowed) {
  std::string out = "untouched";
  FileError e;
  EXPECT_FALSE(read_beneath(*root, "link.json", 1000, out, e));
  expect(e, FileStatus::Link, ELOOP);
  EXPECT_EQ(e.message, "is a symbolic link");
  // A link where a directory is expected: Linux says ELOOP or ENOTDIR
  // (O_NOFOLLOW | O_DIRECTORY), and the status follows the errno.
  e = {};
  EXPECT_FALSE(read_beneath(*root, "dirlink/inner.json", 1000, out, e));
  EXPECT_TRUE(e.errno_value == ELOOP || e.errno_value == ENOTDIR) << e.errno_value << " " << e.message;
  EXPECT_EQ(e.status, file_status_of(e.errno_value));
  EXPECT_EQ(e.message, "'dirlink' is not a directory (or is a symbolic link)");
  e = {};
  EXPECT_FALSE(Dir::open_beneath(*root, "dirlink", e));
  EXPECT_TRUE(e.errno_value == ELOOP || e.errno_value == ENOTDIR) << e.errno_value << " " << e.message;
  EXPECT_EQ(e.status, file_status_of(e.errno_value));
  // stat_beneath reports the link itself: it succeeds and says what it is.
  e = {};
  std::optional<Entry> st = stat_beneath(*root, "link.json", e);
  ASSERT_TRUE(st) << e.message;
  EXPECT_EQ(st->type, EntryType::Symlink);
}

TEST_F(FileErrors, DirectoryIsNotRegularWithEisdir) {
  std::string out;
  FileError e;
  EXPECT_FALSE(read_file(tmp / "dir", 1000, out, e));
  expect(e, FileStatus::NotRegular, EISDIR);
  e = {};
  EXPECT_FALSE(read_beneath(*root, "dir", 1000, out, e));
  expect(e, FileStatus::NotRegular, EISDIR);
  EXPECT_EQ(e.message, "is a directory, not a regular file");
  // A FIFO is not regular either, but no system call failed: errno 0.
  ASSERT_EQ(::mkfifo((tmp / "fifo").c_str(), 0600), 0) << std::strerror(errno);
  e = {};
  EXPECT_FALSE(read_beneath(*root, "fifo", 1000, out, e));
  expect(e, FileStatus::NotRegular, 0);
}

TEST_F(FileErrors, FileWhereADirectoryIsExpectedIsNotDirectory) {
  std::string out;
  FileError e;
  EXPECT_FALSE(read_beneath(*root, "file.json/x", 1000, out, e));
  expect(e, FileStatus::NotDirectory, ENOTDIR);
  e = {};
  EXPECT_FALSE(Dir::open(tmp / "file.json", e));
  expect(e, FileStatus::NotDirectory, ENOTDIR);
}

TEST_F(FileErrors, LimitsAndUnsafePathsHaveAStatusButNoErrno) {
  std::string out;
  FileError e;
  EXPECT_FALSE(read_beneath(*root, "file.json", 1, out, e));
  expect(e, FileStatus::TooBig, 0);
  e = {};
  EXPECT_FALSE(read_file(tmp / "file.json", 1, out, e));
  expect(e, FileStatus::TooBig, 0);
  EXPECT_EQ(e.message, tmp / "file.json" + ": file is 2 bytes, over the limit of 1");
  for (const char* rel : {"../x", "/etc/passwd", "a//b", "./file.json", ""}) {
    e = {};
    EXPECT_LT(open_regular_beneath(*root, rel, e), 0) << rel;
    expect(e, FileStatus::UnsafePath, 0);
  }
}

TEST_F(FileErrors, SuccessLeavesTheErrorEmptyAndTheStringFormKeepsTheMessage) {
  std::string out;
  FileError e;
  ASSERT_TRUE(read_beneath(*root, "dir/inner.json", 1000, out, e)) << e.message;
  EXPECT_EQ(out, "[]");
  EXPECT_EQ(e.status, FileStatus::Ok);
  EXPECT_EQ(e.errno_value, 0);
  // The string form says exactly what the structured one says.
  std::string text;
  FileError why;
  EXPECT_FALSE(read_beneath(*root, "link.json", 1000, out, text));
  EXPECT_FALSE(read_beneath(*root, "link.json", 1000, out, why));
  EXPECT_EQ(text, why.message);
}

TEST_F(FileErrors, WritesCarryTheStatusAndNameTheFileAsGiven) {
  FileError e;
  EXPECT_FALSE(write_file_atomic(tmp / "nodir/out.json", "{}", e));
  expect(e, FileStatus::NotFound, ENOENT);
  EXPECT_EQ(e.message.rfind(tmp / "nodir/out.json" + ": write failed: ", 0), 0u) << e.message;
  e = {};
  ASSERT_TRUE(write_file_atomic(tmp / "dir/out.json", "{}", e)) << e.message;
  EXPECT_EQ(test::read_file(tmp / "dir/out.json"), "{}");
  if (root_user()) {
    std::cout << "SKIPPED case: running as root, which writes into a directory of mode 000\n";
    return;
  }
  e = {};
  EXPECT_FALSE(write_file_atomic(tmp / "closed/out.json", "{}", e));
  expect(e, FileStatus::Denied, EACCES);
  EXPECT_EQ(e.message.rfind(tmp / "closed/out.json: ", 0), 0u) << e.message;
}

TEST(FileStatusOf, MapsTheErrnosCallersDecideOn) {
  EXPECT_EQ(file_status_of(0), FileStatus::Ok);
  EXPECT_EQ(file_status_of(ENOENT), FileStatus::NotFound);
  EXPECT_EQ(file_status_of(EACCES), FileStatus::Denied);
  EXPECT_EQ(file_status_of(EPERM), FileStatus::Denied);
  EXPECT_EQ(file_status_of(ELOOP), FileStatus::Link);
  EXPECT_EQ(file_status_of(ENOTDIR), FileStatus::NotDirectory);
  EXPECT_EQ(file_status_of(EISDIR), FileStatus::NotRegular);
  EXPECT_EQ(file_status_of(EIO), FileStatus::Other);
  EXPECT_EQ(file_status_of(EMFILE), FileStatus::Other);
}

}  // namespace
}  // namespace mplp
