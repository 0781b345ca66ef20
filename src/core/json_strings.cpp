#include "core/json_strings.h"

#include <rapidjson/memorystream.h>
#include <rapidjson/reader.h>

#include <algorithm>
#include <cstring>

#include "core/fd_source.h"
#include "core/rapidjson_assert.h"
#include "core/text.h"

namespace mplp {

namespace {

constexpr unsigned kFlags = rapidjson::kParseIterativeFlag | rapidjson::kParseValidateEncodingFlag;

// Reports the strings `want` selects, with the place of each: `span(begin,
// end)` gives the raw span of the string just read (how depends on the
// stream).
template <class Span>
class StringsHandler : public rapidjson::BaseReaderHandler<rapidjson::UTF8<>, StringsHandler<Span>> {
 public:
  StringsHandler(Span span, unsigned max_depth, const JsonStringWant& want,
                 const std::function<void(JsonStringHit&&)>& found)
      : span_(span), max_depth_(max_depth), want_(want), found_(found) {}

  bool depth_exceeded = false;

  bool Default() {
    value();
    return true;
  }
  bool String(const char* s, rapidjson::SizeType n, bool) {
    value();
    return hit(s, n, false);
  }
  bool Key(const char* s, rapidjson::SizeType n, bool) {
    frames_.back().key.assign(s, n);
    return hit(s, n, true);
  }
  bool StartObject() { return open(true); }
  bool StartArray() { return open(false); }
  bool EndObject(rapidjson::SizeType) { return close(); }
  bool EndArray(rapidjson::SizeType) { return close(); }

 private:
  struct Frame {
    bool is_object;
    std::string key;
    std::size_t index;  // next index (arrays)
  };

  void value() {
    if (!frames_.empty() && !frames_.back().is_object) ++frames_.back().index;
  }
  bool open(bool is_object) {
    value();
    if (frames_.size() >= max_depth_) {
      depth_exceeded = true;
      return false;
    }
    frames_.push_back(Frame{is_object, {}, 0});
    return true;
  }
  bool close() {
    frames_.pop_back();
    return true;
  }
  bool hit(const char* s, rapidjson::SizeType n, bool is_key) {
    std::string_view text(s, n);
    JsonStringHit h;
    span_(h.raw_begin, h.raw_end);
    // Every escape is longer than what it decodes to.
    if (!want_(text, h.raw_end - h.raw_begin != std::size_t{n} + 2)) return true;
    h.is_key = is_key;
    for (const Frame& f : frames_) {
      h.pointer += '/';
      h.pointer += f.is_object ? json_pointer_token(f.key) : std::to_string(f.index - 1);
    }
    h.text.assign(text);
    found_(std::move(h));
    return true;
  }

  Span span_;
  unsigned max_depth_;
  const JsonStringWant& want_;
  const std::function<void(JsonStringHit&&)>& found_;
  std::vector<Frame> frames_;
};

// The offset of the opening quote of the string whose closing quote ends
// just before `end`: the nearest '"' before it that is not escaped (preceded
// by an even run of backslashes); inside a string every other '"' is
// escaped. Each backslash run is counted once.
std::size_t opening_quote(std::string_view bytes, std::size_t end) {
  std::size_t i = end - 1;
  while (i > 0) {
    --i;
    if (bytes[i] != '"') continue;
    std::size_t j = i;
    while (j > 0 && bytes[j - 1] == '\\') --j;
    if ((i - j) % 2 == 0) break;
  }
  return i;
}

unsigned u4(std::string_view s, std::size_t i) {
  unsigned v = 0;
  for (std::size_t k = 0; k < 4 && i + k < s.size(); ++k) v = v * 16 + static_cast<unsigned>(std::max(0, hex_digit_value(s[i + k])));
  return v;
}

}  // namespace

bool collect_json_strings(std::string_view bytes, unsigned max_depth,
                          const JsonStringWant& want, std::vector<JsonStringHit>& out,
                          JsonError& error) {
  out.clear();
  error = {};
  // MemoryStream reports NUL at its end, so a NUL inside would end the text
  // early; it is never valid JSON outside a string nor unescaped inside one.
  if (std::size_t nul = bytes.find('\0'); nul != std::string_view::npos) {
    set_json_error(error, bytes, JsonStatus::NulByte, nul);
    return false;
  }
  rapidjson::MemoryStream in(bytes.data(), bytes.size());
  // MemoryStream's Tell() is past the closing quote during an event.
  auto span = [&](std::size_t& begin, std::size_t& end) {
    end = in.Tell();
    begin = opening_quote(bytes, end);
  };
  const std::function<void(JsonStringHit&&)> found = [&](JsonStringHit&& h) { out.push_back(std::move(h)); };
  StringsHandler handler(span, max_depth, want, found);
  rapidjson::Reader reader;
  rapidjson::ParseResult r;
  try {
    r = reader.Parse<kFlags>(in, handler);
  } catch (const JsonAssertion& e) {  // core/rapidjson_assert.h
    out.clear();
    set_json_error(error, bytes, JsonStatus::Internal, in.Tell(), rapidjson::kParseErrorNone, max_depth, e.what());
    return false;
  }
  if (r.IsError()) {
    out.clear();
    set_json_error(error, bytes, handler.depth_exceeded ? JsonStatus::TooDeep : JsonStatus::Syntax, r.Offset(), r.Code(),
                   max_depth);
    return false;
  }
  return true;
}

JsonFileParse scan_json_file_strings(int fd, const JsonFileText& text, unsigned max_depth, const JsonStringWant& want,
                                     const std::function<void(const JsonFileHit&)>& on_hit) {
  using json_detail::FdSource;
  FdSource source(fd, text.begin, text.chunk_bytes, text.one_line ? FdSource::End::Line : FdSource::End::File);
  json_detail::FdStream in(source, text.begin);
  // FdStream's Tell() is at the opening quote during an event (see
  // core/fd_source.h), and the closing quote is the last byte read.
  auto span = [&](std::size_t& b, std::size_t& e) {
    b = in.Tell();
    e = static_cast<std::size_t>(source.last()) + 1;
  };
  std::string raw;
  const std::function<void(JsonStringHit&&)> found = [&](JsonStringHit&& h) {
    if (!on_hit || !source.bytes(h.raw_begin, h.raw_end, raw)) return;
    JsonFileHit at{h, raw, 0, 0};
    source.place(h.raw_begin, at.line, at.column);
    on_hit(at);
  };
  StringsHandler handler(span, max_depth, want, found);
  rapidjson::Reader reader;
  bool parsed = false;
  try {
    // RapidJSON checks UTF-8 a character at a time (a quarter of the
    // parse); on text known to be valid the check cannot fail.
    constexpr unsigned kTrusting = kFlags & ~rapidjson::kParseValidateEncodingFlag;
    parsed = !(text.known_utf8 ? reader.Parse<kTrusting>(in, handler) : reader.Parse<kFlags>(in, handler)).IsError();
  } catch (const JsonAssertion&) {  // core/rapidjson_assert.h
  }
  source.read_to_end(in.Tell());
  JsonFileParse out;
  out.nul = source.first_nul.has_value();
  out.parsed = parsed && !out.nul;
  if (source.error != 0) out.read_error = std::strerror(source.error);
  return out;
}

void map_to_raw_offsets(std::string_view raw, std::vector<std::size_t>& offsets) {
  std::size_t raw_i = raw.empty() ? 0 : 1;  // after the opening quote
  std::size_t dec_i = 0;
  std::size_t k = 0;
  while (k < offsets.size()) {
    if (raw_i >= raw.size() || raw[raw_i] == '"') {  // past the end: clamp
      for (; k < offsets.size(); ++k) offsets[k] = raw_i;
      return;
    }
    std::size_t raw_len = 1, dec_len = 1;
    if (raw[raw_i] == '\\' && raw_i + 1 < raw.size()) {
      raw_len = 2;
      if (raw[raw_i + 1] == 'u') {
        unsigned cp = u4(raw, raw_i + 2);
        raw_len = 6;
        if (cp >= 0xD800 && cp <= 0xDBFF && raw_i + 7 < raw.size() && raw[raw_i + 6] == '\\' &&
            raw[raw_i + 7] == 'u') {
          raw_len = 12;
          dec_len = 4;
        } else {
          dec_len = cp < 0x80 ? 1 : cp < 0x800 ? 2 : 3;
        }
      }
    }
    while (k < offsets.size() && offsets[k] < dec_i + dec_len) offsets[k++] = raw_i;
    raw_i += raw_len;
    dec_i += dec_len;
  }
}

}  // namespace mplp
