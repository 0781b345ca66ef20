// Strict JSON loading (RFC 8259) for untrusted files.
//
// RapidJSON does the parsing, iteratively (deep nesting cannot overflow the
// stack), with strict UTF-8 validation and no NaN/Infinity. On top of it we
// enforce a nesting limit and collect duplicate object keys, which RapidJSON
// would keep silently and a schema validator would then check only once.
//
//   JsonDoc doc;
//   if (!parse_json(bytes, {.max_depth = 256}, doc)) {
//     // doc.error: status (decide on it), message (show it), byte offset,
//     // line, column
//   }
//   for (const DuplicateKey& d : doc.duplicates) ...   // parse still succeeded
#pragma once

#include <rapidjson/document.h>

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace mplp {

struct JsonOptions {
  unsigned max_depth = 256;  // arrays and objects nested deeper are an error
};

// Why a text is not JSON we accept. Callers decide on the status (and on
// RapidJSON's code for a Syntax error), never on the message's words.
// The status is the same whichever layer found the failure (RapidJSON's
// reader, or our handler on what the reader let through).
enum class JsonStatus {
  Ok,
  NulByte,        // a NUL byte in the text (never valid JSON, escaped or not)
  Syntax,         // RapidJSON's grammar or UTF-8 check failed: `code` says which
  TooDeep,        // arrays and objects nested deeper than the limit
  LoneSurrogate,  // a \u escape of a surrogate without its pair (not Unicode)
  NumberTooBig,   // a number beyond the range of a double
  Internal,       // a RapidJSON assertion failed (a bug of ours, not the input's)
};

struct JsonError {
  JsonStatus status = JsonStatus::Ok;
  // RapidJSON's code for the failure (Syntax, LoneSurrogate, NumberTooBig).
  rapidjson::ParseErrorCode code = rapidjson::kParseErrorNone;
  std::string message;  // for people: RapidJSON's English where it has words for it, ours otherwise
  std::uint64_t offset = 0;  // byte offset of the error
  std::uint64_t line = 0;    // 1-based
  std::uint64_t column = 0;  // 1-based, in bytes
  // "line 3, column 7: <message>", for an error about a file.
  std::string where_and_why() const;
};

struct DuplicateKey {
  std::string pointer;  // JSON pointer of the repeated member
  std::uint64_t offset = 0;
  std::uint64_t line = 0;
  std::uint64_t column = 0;
};

struct JsonDoc {
  rapidjson::Document value;
  std::vector<DuplicateKey> duplicates;
  JsonError error;  // set when parse_json returns false
};

bool parse_json(std::string_view bytes, const JsonOptions& options, JsonDoc& out);

// For read_file's head check (core/safe_fs.h) of a file that must hold one
// JSON object: why its first bytes cannot open one ("starts with byte 0x00"),
// or "". A document that opens with more blanks than the head holds is
// refused too: no report or receipt does.
std::string json_object_head_problem(std::string_view head);

// parse_json's verdict (`error`, status Ok when the text is JSON we accept,
// and `duplicates`) on the bytes of `fd` from where it stands to its end,
// read `chunk_bytes` at a time and never held whole: no document is built,
// so memory does not grow with the file. False, with `read_error`, when a
// read failed (the verdict is then of no use).
bool check_json_fd(int fd, const JsonOptions& options, JsonError& error, std::vector<DuplicateKey>& duplicates,
                   std::string& read_error, std::size_t chunk_bytes = std::size_t{1} << 20);

// Sets `error` to `status` at byte `offset` of `text`, worded once for every
// JSON reader of core: `code` is RapidJSON's (Syntax), `max_depth` the limit
// (TooDeep), `what` the assertion's text (Internal).
void set_json_error(JsonError& error, std::string_view text, JsonStatus status, std::uint64_t offset,
                    rapidjson::ParseErrorCode code = rapidjson::kParseErrorNone, unsigned max_depth = 0,
                    std::string_view what = {});

// RFC 6901 escaping of one reference token ("~" -> "~0", "/" -> "~1").
std::string json_pointer_token(std::string_view key);

// 1-based line and byte column of `offset` in `text`.
void line_and_column(std::string_view text, std::uint64_t offset, std::uint64_t& line,
                     std::uint64_t& column);

// Looks up a member of an object; null when `v` is not an object or has no
// such member. With duplicate keys, the first occurrence wins.
const rapidjson::Value* member(const rapidjson::Value& v, std::string_view key);
const rapidjson::Value* member(const rapidjson::Value* v, std::string_view key);

// The string value of member `key`, or nullptr when absent or not a string.
const rapidjson::Value* string_member(const rapidjson::Value* v, std::string_view key);
std::string_view as_view(const rapidjson::Value& v);  // requires v.IsString()

// Compact one-line rendering of a value, for "actual" fields of findings.
std::string to_compact_json(const rapidjson::Value& v, std::size_t max_len = 200);
// `text` as a JSON string, cut like to_compact_json: a pack's text quoted in
// a finding stays one inert line.
std::string to_compact_json(std::string_view text, std::size_t max_len = 200);

}  // namespace mplp
