// Bytes a run sets aside until it needs them again, kept on disk instead of
// in memory (issue 13, point 2): a check over 30,000 packs holds every
// pack's result and what its collection gates compare until the report is
// written, and held in memory that grew the run by kilobytes a pack.
//
// The file has no name (O_TMPFILE, or a name removed at once), is readable
// by its owner only, and goes away with the process however it ends.
// Records are appended, never changed; each is read back by its handle:
//
//   std::unique_ptr<SpillFile> spill = SpillFile::create(SpillFile::default_dir(), error);
//   SpillFile::Record r = spill->append(bytes);
//   std::string again = spill->read(r);
//
// append() and read() may be called from several threads at once. A failed
// write or read throws std::runtime_error naming the directory: the run
// cannot go on without what it set aside.
//
// Where the directory is a tmpfs inside a memory-limited container, its
// pages count against that container's memory: TMPDIR chooses another.
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>

namespace mplp {

class SpillFile {
 public:
  struct Record {
    std::uint64_t offset = 0;
    std::uint32_t size = 0;
  };

  // An unnamed file in `dir`; null, with `error`, when none can be made there.
  static std::unique_ptr<SpillFile> create(const std::string& dir, std::string& error);
  // $TMPDIR when set and not empty, else /tmp.
  static std::string default_dir();

  SpillFile(const SpillFile&) = delete;
  SpillFile& operator=(const SpillFile&) = delete;
  ~SpillFile();

  Record append(std::string_view bytes);
  std::string read(Record r) const;
  // Bytes appended so far.
  std::uint64_t size() const;
  // pread calls made so far (what tests count: reads in order share them).
  std::uint64_t file_reads() const;

 private:
  SpillFile(int fd, std::string dir) : fd_(fd), dir_(std::move(dir)) {}
  void flush_locked();
  void pread_all(char* out, std::size_t size, std::uint64_t offset) const;
  [[noreturn]] void fail(const char* what, int err) const;

  int fd_;
  std::string dir_;
  mutable std::mutex mutex_;
  // Appends gather here and reach the file a buffer at a time: one write
  // per record would cost a system call for every pack's every change.
  std::string buffer_;
  std::uint64_t flushed_ = 0;  // bytes in the file; the buffer follows them
  // The last stretch of the file read: records read in order come from here.
  mutable std::string window_;
  mutable std::uint64_t window_offset_ = 0;
  mutable std::atomic<std::uint64_t> file_reads_{0};
};

}  // namespace mplp
