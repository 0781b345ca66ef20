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
//    placed by reading its own chunk again (core/fd_source.h).
#include <cstring>
#include <vector>

#include "core/fd_source.h"
#include "core/json.h"
#include "core/json_handler.h"

namespace mplp {
namespace {

using json_detail::FdSource;
using json_detail::FdStream;

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
  FdSource source(fd, 0, chunk_bytes, FdSource::End::File);
  FdStream in(source);
  json_detail::NoDocument none;
  PlacingHandler handler(none, options, in, source, duplicates);
  rapidjson::Reader reader;
  const rapidjson::ParseResult result = reader.Parse<json_detail::kParseFlags>(in, handler);
  source.read_to_end(in.Tell());
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
