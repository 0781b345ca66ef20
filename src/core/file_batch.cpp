#include "core/file_batch.h"

#include <fcntl.h>
#include <unistd.h>

#include <cstdint>
#include <vector>

#include "core/io_ring.h"

namespace mplp {

namespace {

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
    if (is_safe_relative_path(*rel)) ring->open_beneath(dir.fd(), rel->c_str(), i);
  }
  if (!ring->run([&](std::uint64_t i, int result) { files[i].fd = result >= 0 ? result : -1; })) return false;
  // Plain fstat calls: the ring's statx is always handed to a kernel
  // worker thread, which cost more here than the calls it saved.
  for (BatchFile& f : files) {
    if (f.fd < 0) continue;
    if (::fstat(f.fd, &f.st) != 0 || !S_ISREG(f.st.st_mode)) {
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
