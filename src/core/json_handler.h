// The SAX handler behind core/json.h's readers (parse_json into a document,
// check_json_fd without one): RapidJSON's events, plus the rules RapidJSON
// does not enforce (nesting depth, duplicate keys, numbers a double cannot
// hold, strings that decode to ill-formed UTF-8). Internal to src/core.
#pragma once

#include <rapidjson/reader.h>

#include <cerrno>
#include <cmath>
#include <cstdlib>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_set>
#include <vector>

#include "core/json.h"
#include "core/text.h"

namespace mplp::json_detail {

// Numbers arrive as text and are converted by strtod/strtoull (correctly
// rounded): RapidJSON 1.1.0's own full-precision path calls
// __builtin_clzll(0) for a zero significand with an exponent (e.g. 0e-30),
// which is undefined behaviour, and its fast path rounds 125e-300 wrongly
// (both found by fuzzing).
constexpr unsigned kParseFlags =
    rapidjson::kParseIterativeFlag | rapidjson::kParseValidateEncodingFlag | rapidjson::kParseNumbersAsStringsFlag;

// The SAX events of a document nobody keeps: what a check of a file too
// large to hold as a document feeds.
struct NoDocument {
  bool Null() { return true; }
  bool Bool(bool) { return true; }
  bool Int(int) { return true; }
  bool Uint(unsigned) { return true; }
  bool Int64(std::int64_t) { return true; }
  bool Uint64(std::uint64_t) { return true; }
  bool Double(double) { return true; }
  bool String(const char*, rapidjson::SizeType, bool) { return true; }
  bool StartObject() { return true; }
  bool Key(const char*, rapidjson::SizeType, bool) { return true; }
  bool EndObject(rapidjson::SizeType) { return true; }
  bool StartArray() { return true; }
  bool EndArray(rapidjson::SizeType) { return true; }
};

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

// Forwards SAX events to `Out` (a Document, or NoDocument when only the
// verdict is wanted) while tracking depth, the current JSON pointer and the
// keys of each open object. `Stream` is what the reader reads (its Tell()
// places a duplicate key).
template <class Out, class Stream>
class StrictHandler {
 public:
  StrictHandler(Out& doc, const JsonOptions& options, const Stream& in, std::vector<DuplicateKey>& dups)
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

  Out& doc_;
  const JsonOptions& options_;
  const Stream& in_;
  std::vector<DuplicateKey>& dups_;
  std::vector<Frame> frames_;
  OpenObjectKeys keys_;
};

// Why the handler stopped a parse, which RapidJSON reports only as
// kParseErrorTermination ("Terminate parsing due to Handler error.").
template <class Handler>
JsonStatus handler_status(const Handler& h) {
  return h.depth_exceeded ? JsonStatus::TooDeep
         : h.bad_text     ? JsonStatus::LoneSurrogate
         : h.number_too_big ? JsonStatus::NumberTooBig
                            : JsonStatus::Ok;
}

}  // namespace mplp::json_detail
