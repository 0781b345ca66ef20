#include "core/fd_source.h"

#include "core/fd_io.h"

#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <string_view>

namespace mplp::json_detail {

FdSource::FdSource(int fd, std::uint64_t begin, std::size_t chunk_bytes, End end)
    : fd_(fd),
      buf_(new char[std::max<std::size_t>(chunk_bytes, 1)]),
      size_(std::max<std::size_t>(chunk_bytes, 1)),
      end_kind_(end),
      base_(begin),
      begin_(begin),
      held_start_{begin, 0, begin},
      placed_{begin, 0, begin} {}

bool FdSource::fill() {
  if (end_ || error != 0) return false;
  // The newlines of the chunk left behind, found with memchr: a loop over
  // its bytes was most of this reader's own time on a minified file.
  for (const char* p = buf_.get(); (p = static_cast<const char*>(std::memchr(p, '\n', held_ - (p - buf_.get()))));) {
    ++held_start_.lines;
    held_start_.line_start = base_ + static_cast<std::uint64_t>(++p - buf_.get());
  }
  base_ += held_;
  held_start_.offset = base_;
  held_ = 0;
  const ssize_t n = pread_some(fd_, buf_.get(), size_, base_);
  if (n < 0) {
    error = errno;
    return false;
  }
  held_ = static_cast<std::size_t>(n);
  if (end_kind_ == End::Line)
    if (const void* nl = std::memchr(buf_.get(), '\n', held_)) {
      held_ = static_cast<std::size_t>(static_cast<const char*>(nl) - buf_.get());
      end_ = base_ + held_;
    }
  if (n == 0) end_ = base_;
  if (held_ == 0) return false;
  chunks_.push_back(held_start_);
  return true;
}

void FdSource::read_to_end(std::uint64_t from) {
  for (;;) {
    if (!first_nul && from < base_ + held_) {
      const std::size_t i = static_cast<std::size_t>(std::max(from, base_) - base_);
      if (const void* hit = std::memchr(buf_.get() + i, '\0', held_ - i))
        first_nul = base_ + static_cast<std::uint64_t>(static_cast<const char*>(hit) - buf_.get());
    }
    from = base_ + held_;
    if (!fill()) return;
  }
}

void FdSource::place(std::uint64_t offset, std::uint64_t& line, std::uint64_t& column) {
  offset = std::clamp<std::uint64_t>(offset, begin_, base_ + held_);
  Mark from = held_start_;
  std::string_view text(buf_.get(), held_);  // the bytes from `from` on
  std::string again;
  if (offset < base_) {  // in a chunk left behind: read it again up to `offset`
    from = *(std::upper_bound(chunks_.begin(), chunks_.end(), offset,
                              [](std::uint64_t o, const Mark& m) { return o < m.offset; }) -
             1);
    if (!bytes(from.offset, offset, again)) again.clear();
    text = again;
  } else if (placed_.offset >= base_ && placed_.offset <= offset) {  // on from the last place
    text.remove_prefix(static_cast<std::size_t>(placed_.offset - base_));
    from = placed_;
  }
  text = text.substr(0, static_cast<std::size_t>(offset - from.offset));
  placed_.offset = offset;
  placed_.lines = from.lines + static_cast<std::uint64_t>(std::count(text.begin(), text.end(), '\n'));
  const std::size_t nl = text.rfind('\n');
  placed_.line_start = nl != std::string_view::npos ? from.offset + nl + 1 : from.line_start;
  line = placed_.lines + 1;
  column = offset - placed_.line_start + 1;
}

bool FdSource::bytes(std::uint64_t from, std::uint64_t to, std::string& out) {
  out.clear();
  if (to < from) return false;
  if (from >= base_ && to <= base_ + held_) {
    out.assign(buf_.get() + (from - base_), static_cast<std::size_t>(to - from));
    return true;
  }
  out.resize(static_cast<std::size_t>(to - from));
  const ssize_t n = pread_full(fd_, out.data(), out.size(), from);
  if (n < 0) error = errno;
  return n == static_cast<ssize_t>(out.size());
}

}  // namespace mplp::json_detail
