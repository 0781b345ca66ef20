// The lines of a pack's text file, read without holding the file.
//
// A timeline can be as large as limits.max_file_size; its readers judge one
// line at a time. for_each_line hands them over in order, from the bytes
// held in memory, or read again through a fixed buffer from the very file
// that was hashed (Pack::reopen), so memory does not grow with the file. A
// line longer than `max_line` bytes comes cut to that many, marked `cut`.
//
//   std::string error;
//   bool ok = for_each_line(pack, "timeline/events.ndjson", kMaxLineBytes,
//                           [&](const PackLine& l) { ... }, error);
//   // !ok: the file could not be read (again), or changed; `error` says why,
//   // and what the lines said is not about the hashed file.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>

#include "core/pack.h"

namespace mplp {

// The longest line a reader is handed whole.
constexpr std::size_t kMaxLineBytes = std::size_t{16} << 20;

struct PackLine {
  std::uint64_t number = 0;  // 1-based
  std::uint64_t offset = 0;  // of its first byte in the file
  std::string_view text;     // without its '\n'
  bool cut = false;          // longer than max_line: `text` is its start
};

// '\n' ends a line; a last line without one is a line too (a file ending in
// '\n' has no empty line after it).
bool for_each_line(const Pack& pack, std::string_view rel, std::size_t max_line,
                   const std::function<void(const PackLine&)>& on_line, std::string& error);

// The same over the whole of an open file (read with pread, from its start
// whatever its offset); false, with `error`, when a read fails.
bool for_each_line_fd(int fd, std::size_t max_line, const std::function<void(const PackLine&)>& on_line,
                      std::string& error);

}  // namespace mplp
