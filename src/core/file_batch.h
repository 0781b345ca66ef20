// Opening and reading a batch of files beneath one directory in two
// io_uring submissions (io_ring.h) and an fstat each, where one file at a
// time costs four system calls (openat2, fstat, read, close).
//
// The batch does what open_regular_beneath and read_fd_limited do, and no
// more: a file it cannot open, or finds not to be a regular file, or whose
// read does not come out at the size stated, is left unopened, and the
// caller takes the one-file path for it (which opens it again and words
// the error). So the results are those of the one-file path; only the
// number of system calls differs.
//
//   std::vector<BatchFile> batch = ...;          // rel set
//   if (open_batch(dir, batch)) {
//     for (BatchFile& f : batch) f.want_read = f.fd >= 0 && small(f.st);
//     read_batch(batch);   // f.read: f.bytes holds the file, f.fd is closed
//   }
#pragma once

#include <sys/stat.h>

#include <cstddef>
#include <span>
#include <string>

#include "core/safe_fs.h"

namespace mplp {

// Files per batch: the ring holds two operations for each.
constexpr std::size_t kBatchFiles = 32;

struct BatchFile {
  const std::string* rel = nullptr;  // beneath the batch's directory
  int fd = -1;                       // an open regular file, once open_batch ran
  struct stat st {};                 // what fstat says of it, when fd >= 0
  bool want_read = false;            // read_batch reads it whole (set by the caller)
  bool read = false;                 // read whole into `bytes` (fd then closed)
  std::string bytes;
};

// Opens and states each file (at most kBatchFiles). A file it could not
// open as a regular file keeps fd -1. False when io_uring is not available
// to this thread: then nothing was opened.
bool open_batch(const Dir& dir, std::span<BatchFile> files);

// Reads whole each file marked want_read and closes it; fd is -1 after.
// `read` says whether the read gave the size stated (a file that changed
// size since, or failed to read, is for the one-file path).
void read_batch(std::span<BatchFile> files);

}  // namespace mplp
