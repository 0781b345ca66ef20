#include "core/pack_lines.h"

#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <memory>

#include "core/fd_io.h"

namespace mplp {

namespace {

constexpr std::size_t kChunkBytes = std::size_t{1} << 20;

// Splits bytes fed in pieces into lines. A line within one piece is handed
// over as it is; one that spans pieces is gathered (up to max_line bytes,
// the rest of a longer one skipped).
class LineSplitter {
 public:
  LineSplitter(std::size_t max_line, const std::function<void(const PackLine&)>& on_line)
      : max_line_(max_line), on_line_(on_line) {}

  void feed(std::string_view chunk) {
    while (!chunk.empty()) {
      if (!open_) line_offset_ = offset_, open_ = true;
      const std::size_t nl = chunk.find('\n');
      const std::string_view part = chunk.substr(0, nl);
      offset_ += part.size();
      if (nl == std::string_view::npos) return gather(part);
      if (line_.empty() && !cut_) {
        emit(part);
      } else {
        gather(part);
        emit(line_);
      }
      offset_ += 1;
      chunk.remove_prefix(nl + 1);
    }
  }
  // A last line without a '\n' is a line too.
  void finish() {
    if (open_) emit(line_);
  }

 private:
  void gather(std::string_view part) {
    const std::size_t room = max_line_ - std::min(max_line_, line_.size());
    line_.append(part.substr(0, room));
    cut_ = cut_ || part.size() > room;
  }
  void emit(std::string_view text) {
    const bool cut = cut_ || text.size() > max_line_;
    on_line_(PackLine{++number_, line_offset_, text.substr(0, max_line_), cut});
    line_.clear();
    cut_ = open_ = false;
  }

  std::size_t max_line_;
  const std::function<void(const PackLine&)>& on_line_;
  std::string line_;
  std::uint64_t number_ = 0, offset_ = 0, line_offset_ = 0;
  bool cut_ = false, open_ = false;
};

}  // namespace

bool for_each_line_fd(int fd, std::size_t max_line, const std::function<void(const PackLine&)>& on_line,
                      std::string& error) {
  const std::unique_ptr<char[]> buf(new char[kChunkBytes]);  // never cleared: every byte used is read first
  LineSplitter lines(max_line, on_line);
  for (std::uint64_t offset = 0;;) {
    const ssize_t n = pread_some(fd, buf.get(), kChunkBytes, offset);
    if (n < 0) return error = std::strerror(errno), false;
    if (n == 0) break;
    lines.feed(std::string_view(buf.get(), static_cast<std::size_t>(n)));
    offset += static_cast<std::uint64_t>(n);
  }
  lines.finish();
  return true;
}

bool for_each_line(const Pack& pack, std::string_view rel, std::size_t max_line,
                   const std::function<void(const PackLine&)>& on_line, std::string& error) {
  const FileState* f = pack.file(rel);
  if (f == nullptr || f->bytes || !f->hashed) {  // held in memory, or read as Pack::bytes reads it
    std::shared_ptr<const std::string> bytes = pack.bytes(rel, error);
    if (!bytes) return false;
    LineSplitter lines(max_line, on_line);
    lines.feed(*bytes);
    lines.finish();
    return true;
  }
  return pack.read_again(
      rel, [&](int fd, std::string& err) { return for_each_line_fd(fd, max_line, on_line, err); }, error);
}

}  // namespace mplp
