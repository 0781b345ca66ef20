#include "runner/fingerprint_cache.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>

#include "core/digest.h"
#include "core/json.h"
#include "core/safe_fs.h"
#include "core/values.h"

namespace mplp::runner {

namespace {

constexpr std::uint64_t kMaxEntry = 4096;

std::string key_of(const std::string& engine, const std::string& image_id, const std::string& version_command) {
  return sha256_hex(engine + '\0' + image_id + '\0' + version_command);
}

// Ours and writable by nobody else: a cache others can write is not evidence.
bool private_to_us(const struct stat& st) { return st.st_uid == ::geteuid() && (st.st_mode & 022) == 0; }

bool make_private_dir(const std::string& path) {
  std::string at;
  for (std::size_t i = 1; i <= path.size(); ++i)
    if (i == path.size() || path[i] == '/') {
      at = path.substr(0, i);
      if (::mkdir(at.c_str(), 0700) != 0 && errno != EEXIST) return false;
    }
  struct stat st {};
  return ::lstat(path.c_str(), &st) == 0 && S_ISDIR(st.st_mode) && private_to_us(st);
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
  const char* xdg = std::getenv("XDG_CACHE_HOME");
  if (xdg != nullptr && *xdg == '/') return std::string(xdg) + "/mplp-gate/fingerprints";
  const char* home = std::getenv("HOME");
  if (home != nullptr && *home == '/') return std::string(home) + "/.cache/mplp-gate/fingerprints";
  return "";
}

std::optional<Fingerprint> cached_fingerprint(const std::string& engine, const std::string& image_id,
                                              const std::string& version_command) {
  std::string dir_path = fingerprint_cache_dir(), error, bytes;
  if (dir_path.empty()) return std::nullopt;
  struct stat st {};
  if (::lstat(dir_path.c_str(), &st) != 0 || !S_ISDIR(st.st_mode) || !private_to_us(st)) return std::nullopt;
  std::optional<Dir> dir = Dir::open(dir_path, error);
  const std::string name = key_of(engine, image_id, version_command) + ".json";
  if (!dir || ::fstatat(dir->fd(), name.c_str(), &st, AT_SYMLINK_NOFOLLOW) != 0 || !S_ISREG(st.st_mode) ||
      !private_to_us(st) || !read_beneath(*dir, name, kMaxEntry, bytes, error))
    return std::nullopt;
  JsonDoc doc;
  if (!parse_json(bytes, {}, doc) || !doc.duplicates.empty() || !doc.value.IsObject()) return std::nullopt;
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
  std::string dir_path = fingerprint_cache_dir(), error;
  if (dir_path.empty() || !make_private_dir(dir_path)) return;  // a cache: failing to keep it costs only time
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
  write_file_atomic(dir_path + "/" + key_of(engine, image_id, version_command) + ".json",
                    to_compact_json(d, SIZE_MAX) + "\n", error);
}

}  // namespace mplp::runner
