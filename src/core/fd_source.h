// A JSON text read from a file descriptor through a fixed buffer, for the
// readers that parse files too large to hold (check_json_fd, the string scan
// of json_strings.h). Internal to src/core.
//
// The text starts at a given offset and ends at the end of the file or, for
// one line of an NDJSON file, at the first '\n': past its end it reads as
// '\0', as parse_json's NUL-padded string does (RapidJSON's Take() moves on
// even there, and its error offsets count it).
//
//   FdSource source(fd, 0, 1 << 20, FdSource::End::File);
//   FdStream in(source);  // RapidJSON reads `in`; offsets are the file's
//   reader.Parse<flags>(in, handler);
#pragma once

#include <rapidjson/stream.h>

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace mplp::json_detail {

class FdSource {
 public:
  enum class End { File, Line };
  FdSource(int fd, std::uint64_t begin, std::size_t chunk_bytes, End end);

  // The byte at file offset `offset` (which only moves forward), '\0' at and
  // past the end.
  char at(std::uint64_t offset) {
    if (offset < base_ + held_ && offset >= base_) return byte(offset);
    while (offset >= base_ + held_)
      if (!fill()) return '\0';
    return offset < base_ ? '\0' : byte(offset);
  }
  // After a parse that stopped at `from`: reads on to the end, so that
  // first_nul covers the whole text.
  void read_to_end(std::uint64_t from);
  // 1-based line and byte column of `offset`, counted from the text's start
  // (line 1, column 1); clamped to the bytes read, as line_and_column clamps
  // to its text. An offset in a chunk left behind reads that chunk again.
  void place(std::uint64_t offset, std::uint64_t& line, std::uint64_t& column);
  // The bytes [from, to), all read before (the raw text of a string just
  // parsed): from the chunk held, or read again.
  bool bytes(std::uint64_t from, std::uint64_t to, std::string& out);

  // The highest offset handed out so far: the closing quote, during a
  // string's event.
  std::uint64_t last() const { return last_; }

  std::optional<std::uint64_t> first_nul;  // before the end
  int error = 0;                           // errno of a failed read

 private:
  // A place in the text with what came before it: how many newlines since
  // the start, and where its line began.
  struct Mark {
    std::uint64_t offset, lines, line_start;
  };
  char byte(std::uint64_t offset) {
    const char c = buf_[static_cast<std::size_t>(offset - base_)];
    if (c == '\0' && !first_nul) first_nul = offset;
    if (offset > last_) last_ = offset;
    return c;
  }
  bool fill();

  int fd_;
  std::unique_ptr<char[]> buf_;  // never cleared: every byte used is read first
  std::size_t size_;
  End end_kind_;
  std::uint64_t base_;    // file offset of buf_[0]
  std::size_t held_ = 0;  // bytes of the text in buf_
  std::optional<std::uint64_t> end_;  // the offset of the end (the '\n', or the file's size), once reached
  std::uint64_t last_ = 0;
  std::uint64_t begin_;
  std::vector<Mark> chunks_;  // where each chunk read began (24 bytes a chunk)
  Mark held_start_;           // buf_[0]
  Mark placed_;               // the last place() asked for: places come in order
};

// RapidJSON's input stream over an FdSource: a position, copied as cheaply
// as a StringStream is. RapidJSON reads a string or number through a copy
// and writes the position back after it (StreamLocalCopy), so Tell() during
// a String() or Key() event is where the string began (its opening quote),
// as it is for parse_json's StringStream; the copy optimization declared
// below keeps that so.
class FdStream {
 public:
  using Ch = char;
  explicit FdStream(FdSource& source, std::uint64_t begin = 0) : source_(&source), pos_(begin) {}
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
  std::uint64_t pos_;
};

}  // namespace mplp::json_detail

namespace rapidjson {
template <>
struct StreamTraits<mplp::json_detail::FdStream> {
  enum { copyOptimization = 1 };
};
}  // namespace rapidjson
