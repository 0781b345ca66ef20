#include "core/json_strings.h"

#include <rapidjson/memorystream.h>
#include <rapidjson/reader.h>

#include <algorithm>

#include "core/rapidjson_assert.h"
#include "core/text.h"

namespace mplp {

namespace {

constexpr unsigned kFlags = rapidjson::kParseIterativeFlag | rapidjson::kParseValidateEncodingFlag;

class StringsHandler : public rapidjson::BaseReaderHandler<rapidjson::UTF8<>, StringsHandler> {
 public:
  StringsHandler(std::string_view bytes, const rapidjson::MemoryStream& in, unsigned max_depth,
                 const std::function<bool(std::string_view, bool)>& want, std::vector<JsonStringHit>& out)
      : bytes_(bytes), in_(in), max_depth_(max_depth), want_(want), out_(out) {}

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
    h.raw_end = in_.Tell();  // just after the closing quote
    // The opening quote is the nearest '"' before the closing one that is
    // not escaped (preceded by an even run of backslashes): inside a string
    // every other '"' is escaped. Each backslash run is counted once.
    std::size_t i = h.raw_end - 1;
    while (i > 0) {
      --i;
      if (bytes_[i] != '"') continue;
      std::size_t j = i;
      while (j > 0 && bytes_[j - 1] == '\\') --j;
      if ((i - j) % 2 == 0) break;
    }
    // Every escape is longer than what it decodes to.
    if (!want_(text, h.raw_end - i != std::size_t{n} + 2)) return true;
    h.raw_begin = i;
    h.is_key = is_key;
    for (const Frame& f : frames_) {
      h.pointer += '/';
      h.pointer += f.is_object ? json_pointer_token(f.key) : std::to_string(f.index - 1);
    }
    h.text.assign(text);
    out_.push_back(std::move(h));
    return true;
  }

  std::string_view bytes_;
  const rapidjson::MemoryStream& in_;
  unsigned max_depth_;
  const std::function<bool(std::string_view, bool)>& want_;
  std::vector<JsonStringHit>& out_;
  std::vector<Frame> frames_;
};

unsigned u4(std::string_view s, std::size_t i) {
  unsigned v = 0;
  for (std::size_t k = 0; k < 4 && i + k < s.size(); ++k) v = v * 16 + static_cast<unsigned>(std::max(0, hex_digit_value(s[i + k])));
  return v;
}

}  // namespace

bool collect_json_strings(std::string_view bytes, unsigned max_depth,
                          const std::function<bool(std::string_view, bool)>& want, std::vector<JsonStringHit>& out,
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
  StringsHandler handler(bytes, in, max_depth, want, out);
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
