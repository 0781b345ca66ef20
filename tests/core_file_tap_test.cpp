// The one read of a large file that both hashes it and feeds the taps.
#include "core/file_tap.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <stdexcept>

#include "test_util.h"

namespace mplp {
namespace {

using test::TempDir;

// Keeps what it was fed, counts end() calls; throws on chunk `throw_at`.
class Recorder : public FileTap {
 public:
  explicit Recorder(int throw_at = -1) : throw_at_(throw_at) {}
  void feed(std::string_view chunk) override {
    if (chunks_++ == throw_at_) throw std::runtime_error("tap failed");
    bytes_.append(chunk);
  }
  void end() override { ++ends_; }
  std::string bytes_;
  int chunks_ = 0, ends_ = 0;

 private:
  int throw_at_;
};

std::string pattern(std::size_t n) {
  std::string s(n, '\0');
  for (std::size_t i = 0; i < n; ++i) s[i] = static_cast<char>((i * 7919) >> 3);
  return s;
}

int open_file(const std::string& path) { return ::open(path.c_str(), O_RDONLY | O_CLOEXEC); }

TEST(FileTap, EveryTapSeesExactlyTheHashedBytesOnce) {
  constexpr std::size_t kChunk = std::size_t{4} << 20;  // file_tap.cpp's chunk size
  for (std::size_t size : {std::size_t{0}, std::size_t{1}, kChunk - 1, kChunk, kChunk + 1, 3 * kChunk + 5}) {
    TempDir t;
    std::string content = pattern(size);
    test::write_file(t / "f", content);
    int fd = open_file(t / "f");
    ASSERT_GE(fd, 0);
    Recorder a, b;
    bool ended = false;
    std::string err;
    std::optional<Digest> d = sha256_fd_tapped(fd, {&a, &b}, ended, err);
    ::close(fd);
    ASSERT_TRUE(d) << err;
    EXPECT_EQ(to_hex(*d), sha256_hex(content)) << size;
    EXPECT_TRUE(ended);
    EXPECT_TRUE(a.bytes_ == content) << size << ": the tap saw " << a.bytes_.size() << " bytes";
    EXPECT_TRUE(b.bytes_ == content) << size;
    EXPECT_EQ(a.ends_, 1);
    EXPECT_EQ(b.ends_, 1);
  }
}

TEST(FileTap, AFailingTapIsNotEndedAndTheHashGoesOn) {
  TempDir t;
  std::string content = pattern((std::size_t{4} << 20) * 3 + 17);
  test::write_file(t / "f", content);
  int fd = open_file(t / "f");
  Recorder bad(1), good;
  bool ended = true;
  std::string err;
  std::optional<Digest> d = sha256_fd_tapped(fd, {&good, &bad}, ended, err);
  ::close(fd);
  ASSERT_TRUE(d) << err;
  EXPECT_EQ(to_hex(*d), sha256_hex(content));
  EXPECT_FALSE(ended);
  EXPECT_EQ(bad.ends_, 0);
  EXPECT_EQ(good.ends_, 0);
  EXPECT_EQ(bad.chunks_, 2) << "not fed after it failed";
}

TEST(FileTap, AReadErrorIsNoDigestAndNoEnd) {
  TempDir t;
  int fd = ::open(t.path().c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);  // read() gives EISDIR
  ASSERT_GE(fd, 0);
  Recorder r;
  bool ended = true;
  std::string err;
  EXPECT_FALSE(sha256_fd_tapped(fd, {&r}, ended, err));
  ::close(fd);
  EXPECT_FALSE(ended);
  EXPECT_EQ(r.ends_, 0);
  EXPECT_FALSE(err.empty());
}

}  // namespace
}  // namespace mplp
