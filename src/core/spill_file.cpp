#include "core/spill_file.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <limits>
#include <stdexcept>
#include <vector>

#include "core/fd_io.h"

namespace mplp {

namespace {

constexpr std::size_t kBufferBytes = 256 * 1024;
// Reads come in passes over the packs in order (a gate's summaries, then the
// report's results), each record a few hundred bytes after the last: one
// pread of this much serves the records that follow it.
constexpr std::size_t kWindowBytes = 64 * 1024;

// An unnamed file: O_TMPFILE where the file system has it, else a fresh
// name removed as soon as it is open.
int open_unnamed(const std::string& dir) {
  int fd = ::open(dir.c_str(), O_TMPFILE | O_RDWR | O_CLOEXEC, S_IRUSR | S_IWUSR);
  if (fd >= 0 || (errno != EOPNOTSUPP && errno != EISDIR && errno != EINVAL)) return fd;
  std::string name = dir + "/mplp-gate-spill-XXXXXX";
  std::vector<char> path(name.begin(), name.end());
  path.push_back('\0');
  fd = ::mkostemp(path.data(), O_CLOEXEC);
  if (fd >= 0) ::unlink(path.data());
  return fd;
}

}  // namespace

std::unique_ptr<SpillFile> SpillFile::create(const std::string& dir, std::string& error) {
  const int fd = open_unnamed(dir);
  if (fd < 0) {
    error = "cannot make a temporary file in " + dir + ": " + std::strerror(errno);
    return nullptr;
  }
  return std::unique_ptr<SpillFile>(new SpillFile(fd, dir));
}

std::string SpillFile::default_dir() {
  const char* tmp = std::getenv("TMPDIR");
  return tmp != nullptr && *tmp != '\0' ? std::string(tmp) : std::string("/tmp");
}

SpillFile::~SpillFile() { ::close(fd_); }

void SpillFile::fail(const char* what, int err) const {
  throw std::runtime_error(std::string("cannot ") + what + " the temporary file in " + dir_ + ": " +
                           (err != 0 ? std::strerror(err) : "it ended early") +
                           " (TMPDIR chooses where it is made)");
}

void SpillFile::flush_locked() {
  if (!pwrite_all(fd_, buffer_, flushed_)) fail("write", errno);
  flushed_ += buffer_.size();
  buffer_.clear();
}

SpillFile::Record SpillFile::append(std::string_view bytes) {
  if (bytes.size() > std::numeric_limits<std::uint32_t>::max()) fail("write a record of 4 GiB or more to", EFBIG);
  std::lock_guard<std::mutex> lock(mutex_);
  if (buffer_.size() + bytes.size() > kBufferBytes) flush_locked();
  Record r{flushed_ + buffer_.size(), static_cast<std::uint32_t>(bytes.size())};
  buffer_.append(bytes);
  return r;
}

void SpillFile::pread_all(char* out, std::size_t size, std::uint64_t offset) const {
  ++file_reads_;
  const ssize_t n = pread_full(fd_, out, size, offset);
  if (n != static_cast<ssize_t>(size)) fail("read", n < 0 ? errno : 0);
}

std::string SpillFile::read(Record r) const {
  std::string out(r.size, '\0');
  {
    std::lock_guard<std::mutex> lock(mutex_);
    if (r.offset + r.size > flushed_ + buffer_.size()) throw std::logic_error("spill file: a record past its end");
    // A record lies whole in the file or whole in the buffer: appends
    // flush the buffer before a record that would not fit in it.
    if (r.offset >= flushed_) {
      out.assign(buffer_, r.offset - flushed_, r.size);
      return out;
    }
    if (r.size <= kWindowBytes) {
      const bool in_window = r.offset >= window_offset_ && r.offset + r.size <= window_offset_ + window_.size();
      if (!in_window) {
        // The file only grows and its records never change: a window read
        // once stays true, and reaches no further than what was flushed.
        window_.resize(static_cast<std::size_t>(std::min<std::uint64_t>(kWindowBytes, flushed_ - r.offset)));
        pread_all(window_.data(), window_.size(), r.offset);
        window_offset_ = r.offset;
      }
      out.assign(window_, static_cast<std::size_t>(r.offset - window_offset_), r.size);
      return out;
    }
  }
  pread_all(out.data(), out.size(), r.offset);  // a large record: read alone, without the lock
  return out;
}

std::uint64_t SpillFile::file_reads() const { return file_reads_.load(); }

std::uint64_t SpillFile::size() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return flushed_ + buffer_.size();
}

}  // namespace mplp
