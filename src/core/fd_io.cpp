#include "core/fd_io.h"

#include <unistd.h>

#include <cerrno>

namespace mplp {

namespace {

// `call(done)` is one system call moving bytes from position `done` on.
template <class Call>
ssize_t retrying(Call call, std::size_t done) {
  ssize_t n = 0;
  do n = call(done);
  while (n < 0 && errno == EINTR);
  return n;
}

// Calls until `size` bytes have moved or a call moves none: how many moved,
// or -1.
template <class Call>
ssize_t until_done(Call call, std::size_t size) {
  std::size_t done = 0;
  while (done < size) {
    const ssize_t n = retrying(call, done);
    if (n < 0) return -1;
    if (n == 0) break;
    done += static_cast<std::size_t>(n);
  }
  return static_cast<ssize_t>(done);
}

bool all_written(ssize_t n, std::size_t size) {
  if (n >= 0 && static_cast<std::size_t>(n) == size) return true;
  if (n >= 0) errno = ENOSPC;  // a write that took nothing
  return false;
}

}  // namespace

ssize_t read_some(int fd, char* buf, std::size_t size) {
  return retrying([&](std::size_t) { return ::read(fd, buf, size); }, 0);
}

ssize_t pread_some(int fd, char* buf, std::size_t size, std::uint64_t offset) {
  return retrying([&](std::size_t) { return ::pread(fd, buf, size, static_cast<off_t>(offset)); }, 0);
}

ssize_t read_full(int fd, char* buf, std::size_t size) {
  return until_done([&](std::size_t done) { return ::read(fd, buf + done, size - done); }, size);
}

ssize_t pread_full(int fd, char* buf, std::size_t size, std::uint64_t offset) {
  return until_done(
      [&](std::size_t done) { return ::pread(fd, buf + done, size - done, static_cast<off_t>(offset + done)); }, size);
}

bool write_all(int fd, std::string_view bytes) {
  return all_written(
      until_done([&](std::size_t done) { return ::write(fd, bytes.data() + done, bytes.size() - done); }, bytes.size()),
      bytes.size());
}

bool pwrite_all(int fd, std::string_view bytes, std::uint64_t offset) {
  return all_written(until_done(
                         [&](std::size_t done) {
                           return ::pwrite(fd, bytes.data() + done, bytes.size() - done,
                                           static_cast<off_t>(offset + done));
                         },
                         bytes.size()),
                     bytes.size());
}

}  // namespace mplp
