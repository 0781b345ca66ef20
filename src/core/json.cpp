#include "core/json.h"

#include <rapidjson/error/en.h>
#include <rapidjson/reader.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstdlib>
#include <memory>
#include <unordered_set>

#include "core/text.h"

namespace mplp {

namespace {

// Numbers arrive as text and are converted by strtod/strtoull (correctly
// rounded): RapidJSON 1.1.0's own full-precision path calls
// __builtin_clzll(0) for a zero significand with an exponent (e.g. 0e-30),
// which is undefined behaviour, and its fast path rounds 125e-300 wrongly
// (both found by fuzzing).
constexpr unsigned kParseFlags =
    rapidjson::kParseIterativeFlag | rapidjson::kParseValidateEncodingFlag | rapidjson::kParseNumbersAsStringsFlag;

// The keys of every open object, for duplicate detection. One byte arena
// holds them all (an object's keys follow those of the objects around it),
// searched linearly while an object is small and through a hash set once it
// is large: after the first few files nothing is allocated per key (a set of
// strings per object was about 8 % of a check of many small files).
class OpenObjectKeys {
 public:
  void open() { levels_.push_back(Level{spans_.size(), bytes_.size(), nullptr}); }
  void close() {
    Level& l = levels_.back();
    spans_.resize(l.first_span);
    bytes_.resize(l.first_byte);
    levels_.pop_back();
  }
  // False when the innermost open object already has `key`.
  bool insert(std::string_view key) {
    Level& l = levels_.back();
    if (l.hashed) return l.hashed->emplace(key).second;
    for (std::size_t i = l.first_span; i < spans_.size(); ++i)
      if (view(spans_[i]) == key) return false;
    if (spans_.size() - l.first_span >= kLinearKeys) {
      l.hashed = std::make_unique<std::unordered_set<std::string>>();
      for (std::size_t i = l.first_span; i < spans_.size(); ++i) l.hashed->emplace(view(spans_[i]));
      l.hashed->emplace(key);
      return true;
    }
    spans_.push_back(Span{bytes_.size(), key.size()});
    bytes_.append(key);
    return true;
  }

 private:
  static constexpr std::size_t kLinearKeys = 32;
  struct Span {
    std::size_t offset, size;
  };
  struct Level {
    std::size_t first_span, first_byte;
    std::unique_ptr<std::unordered_set<std::string>> hashed;  // once the object is large
  };
  std::string_view view(Span s) const { return std::string_view(bytes_).substr(s.offset, s.size); }

  std::string bytes_;
  std::vector<Span> spans_;
  std::vector<Level> levels_;
};

// Forwards SAX events to the Document while tracking depth, the current JSON
// pointer and the keys of each open object.
class StrictHandler {
 public:
  StrictHandler(rapidjson::Document& doc, const JsonOptions& options, const rapidjson::StringStream& in,
                std::vector<DuplicateKey>& dups)
      : doc_(doc), options_(options), in_(in), dups_(dups) {}

  bool depth_exceeded = false;
  bool bad_text = false;  // a string that decodes to ill-formed UTF-8
  bool number_too_big = false;

  bool Null() { return value(), doc_.Null(); }
  bool Bool(bool b) { return value(), doc_.Bool(b); }
  bool Int(int i) { return value(), doc_.Int(i); }
  bool Uint(unsigned u) { return value(), doc_.Uint(u); }
  bool Int64(int64_t i) { return value(), doc_.Int64(i); }
  bool Uint64(uint64_t u) { return value(), doc_.Uint64(u); }
  bool Double(double d) { return value(), doc_.Double(d); }
  bool RawNumber(const char* s, rapidjson::SizeType n, bool /*copy*/) {
    value();
    const std::string text(s, n);  // RapidJSON has checked the JSON number grammar
    if (text.find_first_of(".eE") == std::string::npos) {
      errno = 0;
      char* end = nullptr;
      if (text[0] == '-') {
        long long v = std::strtoll(text.c_str(), &end, 10);
        if (errno == 0 && *end == '\0') return doc_.Int64(v);
      } else {
        unsigned long long v = std::strtoull(text.c_str(), &end, 10);
        if (errno == 0 && *end == '\0') return doc_.Uint64(v);
      }
    }
    errno = 0;
    double d = std::strtod(text.c_str(), nullptr);
    if (!std::isfinite(d)) {
      number_too_big = true;
      return false;
    }
    return doc_.Double(d);
  }
  bool String(const char* s, rapidjson::SizeType n, bool copy) {
    value();
    return well_formed(s, n) && doc_.String(s, n, copy);
  }

  bool StartObject() {
    value();
    if (!open()) return false;
    frames_.push_back(Frame{true, {}, 0});
    keys_.open();
    return doc_.StartObject();
  }
  bool Key(const char* s, rapidjson::SizeType n, bool copy) {
    if (!well_formed(s, n)) return false;
    Frame& f = frames_.back();
    f.key.assign(s, n);
    if (!keys_.insert(f.key)) {
      DuplicateKey d;
      d.pointer = pointer_prefix() + "/" + json_pointer_token(f.key);
      d.offset = in_.Tell();
      dups_.push_back(std::move(d));
    }
    return doc_.Key(s, n, copy);
  }
  bool EndObject(rapidjson::SizeType n) {
    frames_.pop_back();
    keys_.close();
    return doc_.EndObject(n);
  }
  bool StartArray() {
    value();
    if (!open()) return false;
    frames_.push_back(Frame{false, {}, 0});
    return doc_.StartArray();
  }
  bool EndArray(rapidjson::SizeType n) {
    frames_.pop_back();
    return doc_.EndArray(n);
  }

 private:
  struct Frame {
    bool is_object;
    std::string key;           // current key (objects)
    std::size_t index;         // next index (arrays)
  };

  // RapidJSON validates raw UTF-8 but decodes a lone low surrogate escape
  // ("\ude00") into ill-formed bytes; refuse those (found by fuzzing).
  bool well_formed(const char* s, rapidjson::SizeType n) {
    if (is_valid_utf8({s, n})) return true;
    bad_text = true;
    return false;
  }
  bool open() {
    if (frames_.size() >= options_.max_depth) {
      depth_exceeded = true;
      return false;
    }
    return true;
  }
  // Called before each value: advances array indices.
  void value() {
    if (!frames_.empty() && !frames_.back().is_object) ++frames_.back().index;
  }
  std::string pointer_prefix() const {
    std::string p;
    for (std::size_t i = 0; i + 1 < frames_.size(); ++i) {
      const Frame& f = frames_[i];
      p += "/";
      p += f.is_object ? json_pointer_token(f.key) : std::to_string(f.index - 1);
    }
    return p;
  }

  rapidjson::Document& doc_;
  const JsonOptions& options_;
  const rapidjson::StringStream& in_;
  std::vector<DuplicateKey>& dups_;
  std::vector<Frame> frames_;
  OpenObjectKeys keys_;
};

}  // namespace

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
      StrictHandler handler(doc, options, in, dups);
      rapidjson::Reader reader;
      // RapidJSON's own check, a character at a time, only where it can
      // fail: it is what words the error of ill-formed text.
      if (valid_utf8) result = reader.Parse<kParseFlags & ~rapidjson::kParseValidateEncodingFlag>(in, handler);
      else result = reader.Parse<kParseFlags>(in, handler);
      // Each flag is the handler's own reason for stopping, which RapidJSON
      // only reports as kParseErrorTermination ("Terminate parsing due to
      // Handler error."): copy all of them out, or the reason is lost.
      handler_status = handler.depth_exceeded   ? JsonStatus::TooDeep
                       : handler.bad_text       ? JsonStatus::LoneSurrogate
                       : handler.number_too_big ? JsonStatus::NumberTooBig
                                                : JsonStatus::Ok;
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
  v.Accept(w);
  std::string s(buf.GetString(), buf.GetSize());
  if (s.size() > max_len) s = s.substr(0, max_len) + "...";
  return s;
}

}  // namespace mplp
