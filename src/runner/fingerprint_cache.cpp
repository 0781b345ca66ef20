#include "runner/fingerprint_cache.h"

#include <cstdlib>

#include "core/digest.h"
#include "core/json.h"
#include "core/values.h"
#include "runner/private_cache.h"

namespace mplp::runner {

namespace {

constexpr std::uint64_t kMaxEntry = 4096;

std::string key_of(const std::string& engine, const std::string& image_id, const std::string& version_command) {
  return sha256_hex(engine + '\0' + image_id + '\0' + version_command);
}

std::string text_of(const rapidjson::Value& obj, const char* key) {
  const rapidjson::Value* v = string_member(&obj, key);
  return v != nullptr ? std::string(as_view(*v)) : std::string();
}

}  // namespace

std::string fingerprint_cache_dir() {
  const char* set = std::getenv("MPLP_GATE_FINGERPRINT_CACHE");
  if (set != nullptr && std::string(set) == "off") return "";
  if (set != nullptr && *set == '/') return set;
  return cache_area("fingerprints");
}

std::optional<Fingerprint> cached_fingerprint(const std::string& engine, const std::string& image_id,
                                              const std::string& version_command) {
  std::optional<std::string> bytes =
      read_private_file(fingerprint_cache_dir(), key_of(engine, image_id, version_command) + ".json", kMaxEntry);
  if (!bytes) return std::nullopt;
  JsonDoc doc;
  if (!parse_json(*bytes, {}, doc) || !doc.duplicates.empty() || !doc.value.IsObject()) return std::nullopt;
  const rapidjson::Value& v = doc.value;
  if (text_of(v, "engine") != engine || text_of(v, "image") != image_id ||
      text_of(v, "version_command") != version_command)
    return std::nullopt;
  Fingerprint fp{text_of(v, "os"), text_of(v, "arch"), text_of(v, "runtime_type"), text_of(v, "runtime_version"),
                 text_of(v, "generated_at")};
  for (const std::string* s : {&fp.os, &fp.arch, &fp.runtime_type, &fp.runtime_version})
    if (s->empty() || s->size() > 128 || is_placeholder_text(*s)) return std::nullopt;
  if (!is_rfc3339_utc(fp.generated_at) || contract_arch(fp.arch) != fp.arch) return std::nullopt;
  return fp;
}

void store_fingerprint(const std::string& engine, const std::string& image_id, const std::string& version_command,
                       const Fingerprint& fp) {
  std::string dir_path = fingerprint_cache_dir();
  if (dir_path.empty()) return;
  rapidjson::Document d(rapidjson::kObjectType);
  auto& a = d.GetAllocator();
  auto add = [&](const char* k, const std::string& s) {
    d.AddMember(rapidjson::StringRef(k), rapidjson::Value(s.c_str(), static_cast<rapidjson::SizeType>(s.size()), a),
                a);
  };
  add("engine", engine);
  add("image", image_id);
  add("version_command", version_command);
  add("os", fp.os);
  add("arch", fp.arch);
  add("runtime_type", fp.runtime_type);
  add("runtime_version", fp.runtime_version);
  add("generated_at", fp.generated_at);
  // A cache: failing to keep it costs only time.
  write_private_file(dir_path, key_of(engine, image_id, version_command) + ".json", to_compact_json(d, SIZE_MAX) + "\n");
}

}  // namespace mplp::runner
