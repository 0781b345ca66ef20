#include "core/file_batch.h"

#include <fcntl.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include <cstdint>
#include <vector>

#include "core/io_ring.h"

namespace mplp {

namespace {

// What fstat would say, from what statx said (every field entry_of and the
// file's stamp read).
constexpr unsigned kNeeded = STATX_TYPE | STATX_MODE | STATX_NLINK | STATX_UID | STATX_GID | STATX_MTIME |
                             STATX_CTIME | STATX_INO | STATX_SIZE;

struct stat stat_of(const struct statx& sx) {
  struct stat st {};
  st.st_dev = makedev(sx.stx_dev_major, sx.stx_dev_minor);
  st.st_rdev = makedev(sx.stx_rdev_major, sx.stx_rdev_minor);
  st.st_ino = sx.stx_ino;
  st.st_mode = sx.stx_mode;
  st.st_nlink = sx.stx_nlink;
  st.st_uid = sx.stx_uid;
  st.st_gid = sx.stx_gid;
  st.st_size = static_cast<off_t>(sx.stx_size);
  st.st_blksize = sx.stx_blksize;
  st.st_blocks = static_cast<blkcnt_t>(sx.stx_blocks);
  st.st_atim = {sx.stx_atime.tv_sec, sx.stx_atime.tv_nsec};
  st.st_mtim = {sx.stx_mtime.tv_sec, sx.stx_mtime.tv_nsec};
  st.st_ctim = {sx.stx_ctime.tv_sec, sx.stx_ctime.tv_nsec};
  return st;
}

// Reads of more than this are left to the one-file path (the ring's length
// field is 32 bits; callers read whole only what they keep, far less).
constexpr off_t kMaxBatchRead = off_t{1} << 30;

}  // namespace

bool open_batch(const Dir& dir, std::span<BatchFile> files) {
  IoRing* ring = IoRing::of_this_thread();
  if (ring == nullptr || files.size() > kBatchFiles || files.size() > ring->room()) return false;
  for (std::size_t i = 0; i < files.size(); ++i) {
    const std::string* rel = files[i].rel;
    files[i] = BatchFile();
    files[i].rel = rel;
    if (is_safe_relative_path(*files[i].rel)) ring->open_beneath(dir.fd(), files[i].rel->c_str(), i);
  }
  if (!ring->run([&](std::uint64_t i, int result) { files[i].fd = result >= 0 ? result : -1; })) return false;
  std::vector<struct statx> stated(files.size());
  std::vector<int> stat_result(files.size(), -1);
  for (std::size_t i = 0; i < files.size(); ++i)
    if (files[i].fd >= 0) ring->stat_fd(files[i].fd, &stated[i], i);
  bool ran = ring->run([&](std::uint64_t i, int result) { stat_result[i] = result; });
  for (std::size_t i = 0; i < files.size(); ++i) {
    BatchFile& f = files[i];
    if (f.fd < 0) continue;
    if (ran && stat_result[i] == 0 && (stated[i].stx_mask & kNeeded) == kNeeded) f.st = stat_of(stated[i]);
    else if (::fstat(f.fd, &f.st) != 0) f.st.st_mode = 0;
    if (!S_ISREG(f.st.st_mode)) {
      ::close(f.fd);
      f.fd = -1;
    }
  }
  return true;
}

void read_batch(std::span<BatchFile> files) {
  IoRing* ring = IoRing::of_this_thread();
  std::vector<int> result(files.size(), -1);
  bool queued = false;
  for (std::size_t i = 0; i < files.size(); ++i) {
    BatchFile& f = files[i];
    if (!f.want_read || f.fd < 0 || ring == nullptr || f.st.st_size >= kMaxBatchRead) continue;
    // One byte past the size stated: a file of that size ends short.
    f.bytes.resize(static_cast<std::size_t>(f.st.st_size) + 1);
    ring->read_then_close(f.fd, f.bytes.data(), static_cast<unsigned>(f.bytes.size()), 0, i);
    f.fd = -1;
    queued = true;
  }
  // A failed submission leaves unknown which reads and closes ran: the
  // descriptors are not closed again (one could be another thread's by now).
  if (queued && ring->run([&](std::uint64_t i, int r) { result[i] = r; })) {
    for (std::size_t i = 0; i < files.size(); ++i) {
      BatchFile& f = files[i];
      if (result[i] >= 0 && result[i] == f.st.st_size) {
        f.bytes.resize(static_cast<std::size_t>(result[i]));
        f.read = true;
      }
    }
  }
  for (BatchFile& f : files)
    if (!f.read) f.bytes = std::string();
}

}  // namespace mplp
