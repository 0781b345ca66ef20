#include "core/json_write.h"

#include "core/base64.h"
#include "core/text.h"

namespace mplp {

void InertJsonStream::drain() {
  if (pending_.empty()) return;
  out_ << inert_json_text(pending_);
  pending_.clear();
}

void write_exact(JsonWriter& w, std::string_view key, std::string_view value) {
  const bool valid = is_valid_utf8(value);
  const std::string k = std::string(key) + (valid ? "" : "_b64");
  const std::string v = valid ? std::string(value) : base64_encode(value);
  w.Key(k.data(), static_cast<rapidjson::SizeType>(k.size()));
  w.String(v.data(), static_cast<rapidjson::SizeType>(v.size()));
}

std::optional<std::string> read_exact(const rapidjson::Value* obj, std::string_view key, bool& bad) {
  if (const rapidjson::Value* b = string_member(obj, std::string(key) + "_b64")) {
    std::string bytes;
    if (!base64_decode(as_view(*b), bytes)) {
      bad = true;
      return std::nullopt;
    }
    return bytes;
  }
  const rapidjson::Value* v = string_member(obj, key);
  return v != nullptr ? std::optional<std::string>(as_view(*v)) : std::nullopt;
}

}  // namespace mplp
