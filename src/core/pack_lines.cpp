#include "core/pack_lines.h"

#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <vector>

namespace mplp {

namespace {

constexpr std::size_t kChunkBytes = std::size_t{1} << 20;

void lines_of(std::string_view all, std::size_t max_line, const std::function<void(const PackLine&)>& on_line) {
  std::uint64_t number = 0;
  for (std::size_t start = 0; start < all.size();) {
    const std::size_t nl = all.find('\n', start);
    const std::size_t end = nl == std::string_view::npos ? all.size() : nl;
    PackLine l{++number, start, all.substr(start, end - start), false};
    if (l.text.size() > max_line) l.text = l.text.substr(0, max_line), l.cut = true;
    on_line(l);
    if (nl == std::string_view::npos) break;
    start = nl + 1;
  }
}

// The same over a descriptor: a line is gathered in `line` across chunks
// (up to max_line bytes; the rest of a longer one is skipped).
bool lines_of_fd(int fd, std::size_t max_line, const std::function<void(const PackLine&)>& on_line,
                 std::string& error) {
  std::vector<char> buf(kChunkBytes);
  std::string line;
  std::uint64_t number = 0, offset = 0, line_offset = 0;
  bool cut = false, open_line = false;
  for (;;) {
    const ssize_t n = ::read(fd, buf.data(), buf.size());
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return error = std::strerror(errno), false;
    if (n == 0) break;
    std::string_view chunk(buf.data(), static_cast<std::size_t>(n));
    while (!chunk.empty()) {
      if (!open_line) line_offset = offset, open_line = true;
      const std::size_t nl = chunk.find('\n');
      const std::string_view part = chunk.substr(0, nl);
      const std::size_t room = max_line - std::min(max_line, line.size());
      line.append(part.substr(0, room));
      cut = cut || part.size() > room;
      if (nl == std::string_view::npos) {
        offset += part.size();
        break;
      }
      on_line(PackLine{++number, line_offset, line, cut});
      line.clear();
      cut = open_line = false;
      offset += nl + 1;
      chunk.remove_prefix(nl + 1);
    }
  }
  if (open_line) on_line(PackLine{++number, line_offset, line, cut});
  return true;
}

}  // namespace

bool for_each_line(const Pack& pack, std::string_view rel, std::size_t max_line,
                   const std::function<void(const PackLine&)>& on_line, std::string& error) {
  const FileState* f = pack.file(rel);
  if (f == nullptr || f->bytes || !f->hashed) {  // held in memory, or read as Pack::bytes reads it
    std::shared_ptr<const std::string> bytes = pack.bytes(rel, error);
    if (!bytes) return false;
    lines_of(*bytes, max_line, on_line);
    return true;
  }
  const int fd = pack.reopen(rel, error);
  if (fd < 0) return false;
  const bool ok = lines_of_fd(fd, max_line, on_line, error) && pack.unchanged(rel, fd, error);
  ::close(fd);
  return ok;
}

}  // namespace mplp
