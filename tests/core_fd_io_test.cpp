// core/fd_io.h: whole reads and writes over descriptors that move bytes a
// piece at a time (a pipe fed in small writes), short files, and a device
// that takes nothing.
#include "core/fd_io.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/mman.h>
#include <unistd.h>

#include <cerrno>
#include <string>
#include <thread>

namespace mplp {
namespace {

// A memfd holding `bytes`.
int file_holding(const std::string& bytes) {
  const int fd = ::memfd_create("fd_io_test", MFD_CLOEXEC);
  EXPECT_GE(fd, 0);
  EXPECT_TRUE(write_all(fd, bytes));
  return fd;
}

TEST(FdIo, ReadFullGathersAPipeFedInSmallPieces) {
  int p[2];
  ASSERT_EQ(::pipe(p), 0);
  const std::string sent(10000, 'x');
  std::thread writer([&] {
    for (std::size_t i = 0; i < sent.size(); i += 7) {
      ASSERT_TRUE(write_all(p[1], std::string_view(sent).substr(i, 7)));
      if (i % 700 == 0) std::this_thread::yield();
    }
    ::close(p[1]);
  });
  std::string got(sent.size() + 5, '\0');
  const ssize_t n = read_full(p[0], got.data(), 6000);  // more than any single piece
  EXPECT_EQ(n, 6000);
  const ssize_t rest = read_full(p[0], got.data() + 6000, got.size() - 6000);  // ends early: the pipe closes
  writer.join();
  EXPECT_EQ(rest, 4000);
  got.resize(10000);
  EXPECT_EQ(got, sent);
  ::close(p[0]);
}

TEST(FdIo, PreadFullStopsAtTheEndOfTheFile) {
  const int fd = file_holding("0123456789");
  char buf[16] = {};
  EXPECT_EQ(pread_full(fd, buf, 4, 3), 4);
  EXPECT_EQ(std::string(buf, 4), "3456");
  EXPECT_EQ(pread_full(fd, buf, 16, 7), 3);
  EXPECT_EQ(std::string(buf, 3), "789");
  EXPECT_EQ(pread_full(fd, buf, 16, 10), 0);
  EXPECT_EQ(pread_some(fd, buf, 2, 0), 2);
  EXPECT_EQ(read_some(fd, buf, 16), 0);  // write_all left the position at the end
  ::close(fd);
}

TEST(FdIo, PwriteAllWritesAtItsOffsetOnly) {
  const int fd = file_holding("aaaaaaaa");
  ASSERT_TRUE(pwrite_all(fd, "bcd", 2));
  char buf[8] = {};
  EXPECT_EQ(pread_full(fd, buf, 8, 0), 8);
  EXPECT_EQ(std::string(buf, 8), "aabcdaaa");
  ::close(fd);
}

TEST(FdIo, ErrorsAreTheSystemCallsOwn) {
  const int full = ::open("/dev/full", O_WRONLY | O_CLOEXEC);
  ASSERT_GE(full, 0) << "/dev/full is on every Linux system";
  errno = 0;
  EXPECT_FALSE(write_all(full, "x"));
  EXPECT_EQ(errno, ENOSPC);
  ::close(full);
  char buf[4];
  errno = 0;
  EXPECT_EQ(read_some(-1, buf, sizeof buf), -1);
  EXPECT_EQ(errno, EBADF);
  EXPECT_EQ(pread_full(-1, buf, sizeof buf, 0), -1);
  EXPECT_FALSE(pwrite_all(-1, "x", 0));
  EXPECT_EQ(errno, EBADF);
  EXPECT_TRUE(write_all(-1, ""));  // nothing to write, nothing called
}

}  // namespace
}  // namespace mplp
