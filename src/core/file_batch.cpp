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

namespace {

// Opens each path beneath `dir` and states what it opened: fds[i] is -1
// when the open failed; sts[i] is valid where fds[i] is not. False when the
// ring refused the submission (nothing opened).
bool open_and_state(IoRing& ring, int dir, IoRing::Open what, std::span<const std::string* const> rels,
                    std::span<int> fds, std::span<struct stat> sts) {
  for (std::size_t i = 0; i < rels.size(); ++i) {
    fds[i] = -1;
    if (is_safe_relative_path(*rels[i])) ring.open_beneath(dir, rels[i]->c_str(), what, i);
  }
  if (!ring.run([&](std::uint64_t i, int result) { fds[i] = result >= 0 ? result : -1; })) return false;
  std::vector<struct statx> stated(rels.size());
  std::vector<int> stat_result(rels.size(), -1);
  for (std::size_t i = 0; i < rels.size(); ++i)
    if (fds[i] >= 0) ring.stat_fd(fds[i], &stated[i], i);
  const bool ran = ring.run([&](std::uint64_t i, int result) { stat_result[i] = result; });
  for (std::size_t i = 0; i < rels.size(); ++i) {
    if (fds[i] < 0) continue;
    if (ran && stat_result[i] == 0 && (stated[i].stx_mask & kNeeded) == kNeeded) sts[i] = stat_of(stated[i]);
    else if (::fstat(fds[i], &sts[i]) != 0) sts[i].st_mode = 0;
  }
  return true;
}

// The ring of this thread when it has room for a batch of `n`.
IoRing* ring_for(std::size_t n) {
  IoRing* ring = IoRing::of_this_thread();
  return ring != nullptr && n <= kBatchFiles && 2 * n <= ring->room() ? ring : nullptr;
}

}  // namespace

bool open_batch(const Dir& dir, std::span<BatchFile> files) {
  IoRing* ring = ring_for(files.size());
  if (ring == nullptr) return false;
  std::vector<const std::string*> rels;
  for (BatchFile& f : files) {
    rels.push_back(f.rel);
    f = BatchFile();
    f.rel = rels.back();
  }
  std::vector<int> fds(files.size());
  std::vector<struct stat> sts(files.size());
  if (!open_and_state(*ring, dir.fd(), IoRing::Open::File, rels, fds, sts)) return false;
  for (std::size_t i = 0; i < files.size(); ++i) {
    if (fds[i] < 0) continue;
    if (!S_ISREG(sts[i].st_mode)) {
      ::close(fds[i]);
      continue;
    }
    files[i].fd = fds[i];
    files[i].st = sts[i];
  }
  return true;
}

bool open_dir_batch(const Dir& root, std::span<BatchDir> dirs) {
  IoRing* ring = ring_for(dirs.size());
  if (ring == nullptr) return false;
  std::vector<const std::string*> rels;
  for (const BatchDir& d : dirs) rels.push_back(d.rel);
  std::vector<int> fds(dirs.size());
  std::vector<struct stat> sts(dirs.size());
  if (!open_and_state(*ring, root.fd(), IoRing::Open::Directory, rels, fds, sts)) return false;
  for (std::size_t i = 0; i < dirs.size(); ++i) {
    dirs[i].fd = -1;
    if (fds[i] < 0) continue;
    if (!S_ISDIR(sts[i].st_mode) || sts[i].st_ino != dirs[i].ino) {
      ::close(fds[i]);
      continue;
    }
    dirs[i].fd = fds[i];
    dirs[i].st = sts[i];
  }
  return true;
}

void close_batched_dir(int fd) {
  IoRing* ring = IoRing::of_this_thread();
  if (ring != nullptr && ring->room() > 0) ring->close(fd);
  else ::close(fd);
}

void close_queued() {
  if (IoRing* ring = IoRing::made_for_this_thread()) ring->run([](std::uint64_t, int) {});
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
