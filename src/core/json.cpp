#include "core/json.h"

#include <rapidjson/error/en.h>
#include <rapidjson/reader.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <algorithm>
#include <cstdio>

#include "core/json_handler.h"
#include "core/json_visit.h"
#include "core/text.h"

namespace mplp {

std::string json_object_head_problem(std::string_view head) {
  const std::size_t at = head.find_first_not_of(" \t\r\n");
  if (head.empty() || (at != std::string_view::npos && head[at] == '{')) return "";
  if (at == std::string_view::npos)
    return "no JSON text in its first " + std::to_string(head.size()) + " bytes (only blanks)";
  char hex[8];
  std::snprintf(hex, sizeof hex, "0x%02x", static_cast<unsigned char>(head[at]));
  return "not a JSON object: it starts with byte " + std::string(hex) +
         (at + 3 <= head.size() && head.substr(at, 3) == "\xef\xbb\xbf" ? " (a UTF-8 byte-order mark: write the file without it)"
                                                                    : "");
}

std::string JsonError::where_and_why() const {
  return "line " + std::to_string(line) + ", column " + std::to_string(column) + ": " + message;
}

using json_detail::kParseFlags;
using json_detail::StrictHandler;

bool parse_json(std::string_view bytes, const JsonOptions& options, JsonDoc& out) {
  out.duplicates.clear();
  out.error = {};
  out.value.SetNull();
  // RapidJSON's StringStream stops at NUL; a NUL byte is never valid JSON
  // outside a string, and inside one it must be escaped, so reject it here.
  std::size_t nul = bytes.find('\0');
  std::string copy;
  if (nul != std::string_view::npos) {
    set_json_error(out.error, bytes, JsonStatus::NulByte, nul);
    return false;
  }
  // StringStream needs a terminator; RapidJSON's UTF-8 validation reads up
  // to three bytes past a truncated sequence at the very end, so pad with
  // four NULs (an ASan heap overflow found by fuzzing otherwise).
  copy.reserve(bytes.size() + 4);
  copy.assign(bytes);
  copy.append(4, '\0');
  rapidjson::StringStream in(copy.c_str());
  // Document::Populate lets our handler feed the document's own SAX stack.
  struct Generator {
    rapidjson::StringStream& in;
    bool valid_utf8;
    const JsonOptions& options;
    std::vector<DuplicateKey>& dups;
    rapidjson::ParseResult result;
    JsonStatus handler_status = JsonStatus::Ok;  // why the handler stopped the parse
    bool operator()(rapidjson::Document& doc) {
      StrictHandler<rapidjson::Document, rapidjson::StringStream> handler(doc, options, in, dups);
      rapidjson::Reader reader;
      // RapidJSON's own check, a character at a time, only where it can
      // fail: it is what words the error of ill-formed text.
      if (valid_utf8) result = reader.Parse<kParseFlags & ~rapidjson::kParseValidateEncodingFlag>(in, handler);
      else result = reader.Parse<kParseFlags>(in, handler);
      // Each flag is the handler's own reason for stopping, which RapidJSON
      // only reports as kParseErrorTermination ("Terminate parsing due to
      // Handler error."): copy all of them out, or the reason is lost.
      handler_status = json_detail::handler_status(handler);
      return !result.IsError();
    }
  } gen{in, is_valid_utf8(bytes), options, out.duplicates, {}};
  out.value.Populate(gen);
  if (gen.result.IsError()) {
    out.value.SetNull();
    const bool handler_stop = gen.result.Code() == rapidjson::kParseErrorTermination && gen.handler_status != JsonStatus::Ok;
    set_json_error(out.error, bytes, handler_stop ? gen.handler_status : JsonStatus::Syntax, gen.result.Offset(),
                   gen.result.Code(), options.max_depth);
    return false;
  }
  for (DuplicateKey& d : out.duplicates) line_and_column(bytes, d.offset, d.line, d.column);
  return true;
}

void set_json_error(JsonError& error, std::string_view text, JsonStatus status, std::uint64_t offset,
                    rapidjson::ParseErrorCode code, unsigned max_depth, std::string_view what) {
  using rapidjson::kParseErrorNumberTooBig, rapidjson::kParseErrorStringUnicodeSurrogateInvalid;
  // RapidJSON's codes for failures with a status of their own.
  if (status == JsonStatus::Syntax && code == kParseErrorNumberTooBig) status = JsonStatus::NumberTooBig;
  if (status == JsonStatus::Syntax && code == kParseErrorStringUnicodeSurrogateInvalid)
    status = JsonStatus::LoneSurrogate;
  error.status = status;
  error.code = rapidjson::kParseErrorNone;
  error.offset = offset;
  switch (status) {
    case JsonStatus::Ok: error.message.clear(); break;
    case JsonStatus::NulByte: error.message = "NUL byte in JSON text"; break;
    case JsonStatus::TooDeep: error.message = "nesting deeper than " + std::to_string(max_depth) + " levels"; break;
    case JsonStatus::Internal: error.message = std::string(what); break;
    case JsonStatus::Syntax:
      error.code = code;
      error.message = rapidjson::GetParseError_En(code);
      break;
    case JsonStatus::NumberTooBig:  // RapidJSON's reader, or our handler (same words)
      error.code = kParseErrorNumberTooBig;
      error.message = rapidjson::GetParseError_En(kParseErrorNumberTooBig);
      break;
    case JsonStatus::LoneSurrogate:
      error.code = kParseErrorStringUnicodeSurrogateInvalid;
      // A high surrogate without its pair is RapidJSON's to word; a lone low
      // one it decodes (to ill-formed UTF-8), and our handler refuses.
      error.message = code == kParseErrorStringUnicodeSurrogateInvalid
                          ? rapidjson::GetParseError_En(code)
                          : "string escape decodes to invalid Unicode (lone surrogate)";
      break;
  }
  line_and_column(text, offset, error.line, error.column);
}

std::string json_pointer_token(std::string_view key) {
  std::string out;
  out.reserve(key.size());
  for (char c : key) {
    if (c == '~') out += "~0";
    else if (c == '/') out += "~1";
    else out += c;
  }
  return out;
}

void line_and_column(std::string_view text, std::uint64_t offset, std::uint64_t& line,
                     std::uint64_t& column) {
  const std::string_view before = text.substr(0, offset < text.size() ? offset : text.size());
  line = 1 + static_cast<std::uint64_t>(std::count(before.begin(), before.end(), '\n'));
  const std::size_t last = before.rfind('\n');
  column = 1 + (last == std::string_view::npos ? before.size() : before.size() - last - 1);
}

const rapidjson::Value* member(const rapidjson::Value& v, std::string_view key) {
  if (!v.IsObject()) return nullptr;
  for (auto it = v.MemberBegin(); it != v.MemberEnd(); ++it)
    if (as_view(it->name) == key) return &it->value;
  return nullptr;
}

const rapidjson::Value* member(const rapidjson::Value* v, std::string_view key) {
  return v == nullptr ? nullptr : member(*v, key);
}

const rapidjson::Value* string_member(const rapidjson::Value* v, std::string_view key) {
  const rapidjson::Value* m = member(v, key);
  return (m != nullptr && m->IsString()) ? m : nullptr;
}

std::string_view as_view(const rapidjson::Value& v) { return {v.GetString(), v.GetStringLength()}; }

std::string to_compact_json(const rapidjson::Value& v, std::size_t max_len) {
  rapidjson::StringBuffer buf;
  rapidjson::Writer<rapidjson::StringBuffer> w(buf);
  // Past max_len the rest is cut anyway: a value of any size costs that much.
  visit_json(v, w, [&] { return buf.GetSize() > max_len; });
  std::string s(buf.GetString(), buf.GetSize());
  if (s.size() > max_len) s = s.substr(0, max_len) + "...";
  return s;
}

std::string to_compact_json(std::string_view text, std::size_t max_len) {
  return to_compact_json(rapidjson::Value(rapidjson::StringRef(text.data(), text.size())), max_len);
}

}  // namespace mplp
