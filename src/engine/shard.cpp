#include "engine/shard.h"

#include <charconv>
#include <optional>

#include "core/digest.h"
#include "core/file_identity.h"
#include "core/json.h"
#include "core/safe_fs.h"
#include "gates/gate_list.h"

namespace mplp {

namespace {

bool parse_number(std::string_view s, unsigned& out) {
  if (s.empty() || s.size() > 6) return false;
  for (char c : s)
    if (c < '0' || c > '9') return false;
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), out);
  return ec == std::errc() && end == s.data() + s.size();
}

}  // namespace

bool parse_shard(std::string_view text, ShardSpec& out, std::string& error) {
  std::size_t slash = text.find('/');
  unsigned k = 0, n = 0;
  if (slash == std::string_view::npos || !parse_number(text.substr(0, slash), k) ||
      !parse_number(text.substr(slash + 1), n)) {
    error = "expected K/N (shard K of N, K counted from 0: 0/3, 1/3, 2/3), not '" + std::string(text) + "'";
    return false;
  }
  if (n == 0 || n > kMaxShards) {
    error = "the shard count N must be 1.." + std::to_string(kMaxShards) + ", not " + std::to_string(n);
    return false;
  }
  if (k >= n) {
    error = "shard " + std::to_string(k) + "/" + std::to_string(n) + " does not exist: K counts from 0, so K is 0.." +
            std::to_string(n - 1) + " (JOB_COMPLETION_INDEX, or strategy.matrix over 0.." + std::to_string(n - 1) +
            ")";
    return false;
  }
  out = ShardSpec{k, n};
  return true;
}

std::uint64_t stable_hash(std::string_view key) {
  Digest d = sha256(key);
  std::uint64_t h = 0;
  for (std::size_t i = 0; i < 8; ++i) h = (h << 8) | d[i];
  return h;
}

namespace {

// The manifest of the pack discovery found, read as Pack::open would: the
// directory must still be the one found, and no link is followed.
bool read_manifest(const PackLocation& pack, const Limits& limits, std::string& bytes) {
  std::string error;
  std::optional<Dir> dir = Dir::open(pack.fs_path, error);
  if (!dir) return false;
  FileIdentity opened;
  if (pack.identified && (!identify_fd(dir->fd(), opened) || !(opened == pack.identity))) return false;
  return read_beneath(*dir, "manifest.json", limits.max_file_size, bytes, error);
}

}  // namespace

std::string shard_key(const PackLocation& pack, const Limits& limits) {
  // The manifest read as a Pack reads it (parse_json with the policy's depth
  // limit), so that a gate's group here is the group it judges; a pack put
  // in a group that its gate then skips costs nothing. Every gate is asked,
  // selected or not: shards of one check place packs alike whatever it ran.
  std::string bytes;
  if (!pack.stage && !pack.link && pack.open_error.empty() && read_manifest(pack, limits, bytes)) {
    JsonDoc doc;
    if (parse_json(bytes, JsonOptions{limits.max_json_depth}, doc) && doc.value.IsObject())
      for (const Gate* g : all_gates())
        if (std::optional<std::string> group = g->shard_group(doc)) return *group;
  }
  return "path\n" + pack.name;
}

unsigned shard_of(const PackLocation& pack, const Limits& limits, unsigned count) {
  return static_cast<unsigned>(stable_hash(shard_key(pack, limits)) % count);
}

void FoundPlacesDigest::add(std::string_view display_path, std::string_view name, unsigned shard) {
  const std::string line = std::to_string(display_path.size()) + ":" + std::string(display_path) +
                           std::to_string(name.size()) + ":" + std::string(name) + std::to_string(shard) + "\n";
  sha_->update(line);
}

std::string FoundPlacesDigest::hex() { return to_hex(sha_->finish()); }

}  // namespace mplp
