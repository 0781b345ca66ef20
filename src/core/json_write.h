// Writing JSON that must be read back byte for byte: the JSON report's
// writer type, and strings that survive JSON whatever their bytes (a shard's
// report, engine/shard.h, carries what `merge` needs exactly).
//
//   write_exact(w, "name", name);                      // "name" or "name_b64"
//   bool bad = false;
//   std::optional<std::string> n = read_exact(&obj, "name", bad);
#pragma once

#include <rapidjson/prettywriter.h>

#include <optional>
#include <ostream>
#include <string>
#include <string_view>

#include "core/json.h"

namespace mplp {

// RapidJSON's output stream for a document that may be shown in a CI log
// (a report on stdout): what the writer puts is written to `out` a few lines
// at a time through inert_json_text (core/text.h), which keeps its meaning.
class InertJsonStream {
 public:
  using Ch = char;
  explicit InertJsonStream(std::ostream& out) : out_(out) {}
  InertJsonStream(const InertJsonStream&) = delete;
  InertJsonStream& operator=(const InertJsonStream&) = delete;
  ~InertJsonStream() { drain(); }

  void Put(char c) {
    pending_ += c;
    // A line break is never inside a string, so no escape spans it.
    if (c == '\n' && pending_.size() >= kDrainBytes) drain();
  }
  void Flush() {
    drain();
    out_.flush();
  }

 private:
  static constexpr std::size_t kDrainBytes = 1 << 16;
  void drain();

  std::ostream& out_;
  std::string pending_;
};

// The writer of the JSON and SARIF reports (report/), of `diff --format
// json`, and of what a gate adds to a report (PackSummary::write_json).
using JsonWriter = rapidjson::PrettyWriter<InertJsonStream>;

// KEY: VALUE when VALUE is valid UTF-8, else KEY_b64: the base64 of its
// bytes (JSON holds only valid UTF-8; the report proper shows other bytes as
// U+FFFD).
void write_exact(JsonWriter& w, std::string_view key, std::string_view value);

// What write_exact wrote under KEY in `obj`: none when neither KEY nor
// KEY_b64 is a string there, or when the base64 is damaged (`bad` is then
// set).
std::optional<std::string> read_exact(const rapidjson::Value* obj, std::string_view key, bool& bad);

}  // namespace mplp
