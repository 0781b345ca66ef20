// Reads and writes on a descriptor, retried while a signal interrupts them
// (EINTR): the one place that loop is written. Each returns as its system
// call does, errno set on failure.
//
//   ssize_t n = read_some(fd, buf, size);   // 0 at the end of the file
//   if (!write_all(fd, bytes)) error = std::strerror(errno);
#pragma once

#include <sys/types.h>

#include <cstddef>
#include <cstdint>
#include <string_view>

namespace mplp {

// One read(2) / pread(2): the bytes read, 0 at the end of the file, -1.
ssize_t read_some(int fd, char* buf, std::size_t size);
ssize_t pread_some(int fd, char* buf, std::size_t size, std::uint64_t offset);

// Reads until `size` bytes are in or the file ends: how many, or -1.
ssize_t read_full(int fd, char* buf, std::size_t size);
ssize_t pread_full(int fd, char* buf, std::size_t size, std::uint64_t offset);

// Writes every byte; false on failure (ENOSPC when nothing more is taken).
bool write_all(int fd, std::string_view bytes);
bool pwrite_all(int fd, std::string_view bytes, std::uint64_t offset);

}  // namespace mplp
