// check_json_fd (core/json.h): parse_json's verdict on a file read through a
// fixed buffer, with no document, so that a JSON file of any size within the
// limits costs a megabyte.
//
// parse_json sees the whole text at once; this reader sees a chunk at a
// time, and gives the same verdict on the same bytes:
//  - a NUL byte anywhere is the error, at the first NUL, whatever else is
//    wrong (parse_json looks for one before it parses): RapidJSON stops at a
//    NUL, so the rest of the file is searched when the parse ended first;
//  - encoding is always validated (parse_json skips RapidJSON's check only
//    on text it found valid, where the check cannot fail);
//  - the stream reads as parse_json's NUL-padded string does: '\0' at the
//    end, and Take() moves on even there (RapidJSON's error offsets count it);
//  - lines and columns are counted as chunks are left behind; an error
//    placed before the chunk held (the start of a long number or escape) is
//    placed by reading the file again up to it.
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <optional>
#include <vector>

#include "core/json.h"
#include "core/json_handler.h"
#include "core/text.h"

namespace mplp {

namespace {

// The file behind FdStream: the chunk held now, and for every chunk read
// where it began and how many lines came before it, so that any offset read
// can be placed by line and column (in the chunk held, or by reading its
// own chunk again up to it).
class FdSource {
 public:
  FdSource(int fd, std::size_t chunk_bytes) : fd_(fd), buf_(std::max<std::size_t>(chunk_bytes, 1)) {}

  // The byte at `offset` (which only moves forward), '\0' past the end.
  char at(std::uint64_t offset) {
    while (offset >= base_ + end_)
      if (!fill()) return '\0';
    if (offset < base_) return '\0';  // never: readers move forward
    const char c = buf_[static_cast<std::size_t>(offset - base_)];
    if (c == '\0' && !first_nul) first_nul = offset;
    return c;
  }
  // After the parse: the rest of the file, searched for a NUL byte.
  void find_nul(std::uint64_t from) {
    while (!first_nul) {
      if (from >= base_ + end_ && !fill()) return;
      const std::size_t i = static_cast<std::size_t>(std::max(from, base_) - base_);
      const void* hit = std::memchr(buf_.data() + i, '\0', end_ - i);
      if (hit != nullptr) first_nul = base_ + static_cast<std::uint64_t>(static_cast<const char*>(hit) - buf_.data());
      from = base_ + end_;
    }
  }
  // 1-based line and byte column of `offset` (clamped to the bytes read, as
  // line_and_column clamps to its text).
  void place(std::uint64_t offset, std::uint64_t& line, std::uint64_t& column) {
    offset = std::min<std::uint64_t>(offset, base_ + end_);
    Chunk c{base_, lines_before_, line_start_before_};
    std::string_view held(buf_.data(), end_);
    std::vector<char> again;
    if (offset < base_) {  // in a chunk left behind: read it again up to `offset`
      c = *(std::upper_bound(chunks_.begin(), chunks_.end(), offset,
                             [](std::uint64_t o, const Chunk& k) { return o < k.base; }) - 1);
      again.resize(static_cast<std::size_t>(offset - c.base));
      if (!pread_all(again, c.base)) again.clear();
      held = std::string_view(again.data(), again.size());
    }
    held = held.substr(0, static_cast<std::size_t>(offset - c.base));
    line = c.lines_before + 1 + static_cast<std::uint64_t>(std::count(held.begin(), held.end(), '\n'));
    const std::size_t nl = held.rfind('\n');
    column = offset - (nl != std::string_view::npos ? c.base + nl + 1 : c.line_start) + 1;
  }

  std::optional<std::uint64_t> first_nul;
  int error = 0;  // errno of a failed read

 private:
  struct Chunk {
    std::uint64_t base, lines_before, line_start;
  };
  bool fill() {
    if (eof_ || error != 0) return false;
    const std::string_view left(buf_.data(), end_);
    lines_before_ += static_cast<std::uint64_t>(std::count(left.begin(), left.end(), '\n'));
    if (const std::size_t nl = left.rfind('\n'); nl != std::string_view::npos) line_start_before_ = base_ + nl + 1;
    base_ += end_;
    end_ = 0;
    for (;;) {
      const ssize_t n = ::read(fd_, buf_.data(), buf_.size());
      if (n < 0 && errno == EINTR) continue;
      if (n < 0) error = errno;
      else if (n == 0) eof_ = true;
      else end_ = static_cast<std::size_t>(n);
      if (n > 0) chunks_.push_back(Chunk{base_, lines_before_, line_start_before_});
      return n > 0;
    }
  }
  bool pread_all(std::vector<char>& out, std::uint64_t from) {
    for (std::size_t done = 0; done < out.size();) {
      const ssize_t n = ::pread(fd_, out.data() + done, out.size() - done, static_cast<off_t>(from + done));
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) return false;
      done += static_cast<std::size_t>(n);
    }
    return true;
  }

  int fd_;
  std::vector<char> buf_;
  std::uint64_t base_ = 0;  // file offset of buf_[0]
  std::size_t end_ = 0;
  std::uint64_t lines_before_ = 0;       // newlines before buf_[0]
  std::uint64_t line_start_before_ = 0;  // offset of the line holding buf_[0]
  std::vector<Chunk> chunks_;            // 24 bytes a chunk read
  bool eof_ = false;
};

// RapidJSON's input stream over an FdSource: a position, copied as cheaply
// as a StringStream is. RapidJSON reads a string or number through a copy
// and writes the position back after it (StreamLocalCopy), so Tell() during
// a Key() event is where the key began, as it is for parse_json's
// StringStream; the copy optimization below keeps that the same.
class FdStream {
 public:
  using Ch = char;
  explicit FdStream(FdSource& source) : source_(&source) {}
  char Peek() const { return source_->at(pos_); }
  char Take() { return source_->at(pos_++); }
  std::size_t Tell() const { return static_cast<std::size_t>(pos_); }
  // Output members of RapidJSON's stream concept; a reader never calls them.
  char* PutBegin() { return nullptr; }
  void Put(char) {}
  void Flush() {}
  std::size_t PutEnd(char*) { return 0; }

 private:
  FdSource* source_;
  std::uint64_t pos_ = 0;
};

}  // namespace
}  // namespace mplp

namespace rapidjson {
template <>
struct StreamTraits<mplp::FdStream> {
  enum { copyOptimization = 1 };
};
}  // namespace rapidjson

namespace mplp {
namespace {

// The strict handler, placing each duplicate key while the reader is near
// it (by the end, its chunk may be long gone).
class PlacingHandler : public json_detail::StrictHandler<json_detail::NoDocument, FdStream> {
 public:
  PlacingHandler(json_detail::NoDocument& none, const JsonOptions& options, const FdStream& in, FdSource& source,
                 std::vector<DuplicateKey>& dups)
      : StrictHandler(none, options, in, dups), source_(source), dups_(dups) {}
  bool Key(const char* s, rapidjson::SizeType n, bool copy) {
    const std::size_t before = dups_.size();
    const bool ok = StrictHandler::Key(s, n, copy);
    if (dups_.size() > before) source_.place(dups_.back().offset, dups_.back().line, dups_.back().column);
    return ok;
  }

 private:
  FdSource& source_;
  std::vector<DuplicateKey>& dups_;
};

}  // namespace

bool check_json_fd(int fd, const JsonOptions& options, JsonError& error, std::vector<DuplicateKey>& duplicates,
                   std::string& read_error, std::size_t chunk_bytes) {
  error = {};
  duplicates.clear();
  FdSource source(fd, chunk_bytes);
  FdStream in(source);
  json_detail::NoDocument none;
  PlacingHandler handler(none, options, in, source, duplicates);
  rapidjson::Reader reader;
  const rapidjson::ParseResult result = reader.Parse<json_detail::kParseFlags>(in, handler);
  source.find_nul(in.Tell());
  const bool handler_stop =
      result.Code() == rapidjson::kParseErrorTermination && json_detail::handler_status(handler) != JsonStatus::Ok;
  std::uint64_t offset = 0;
  if (source.first_nul) {
    set_json_error(error, {}, JsonStatus::NulByte, *source.first_nul);
    offset = *source.first_nul;
  } else if (result.IsError()) {
    set_json_error(error, {}, handler_stop ? json_detail::handler_status(handler) : JsonStatus::Syntax,
                   result.Offset(), result.Code(), options.max_depth);
    offset = result.Offset();
  }
  if (error.status != JsonStatus::Ok) {
    duplicates.clear();
    source.place(offset, error.line, error.column);
  }
  if (source.error != 0) {
    read_error = std::strerror(source.error);
    return false;
  }
  return true;
}

}  // namespace mplp
