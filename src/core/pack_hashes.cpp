#include "core/pack_hashes.h"

#include <algorithm>

namespace mplp {

const std::vector<std::string_view>& v2_root_files() {
  static const std::vector<std::string_view> files = {
      "artifacts/context.json", "artifacts/plan.json", "artifacts/confirm.json",
      "artifacts/trace.json",   "timeline/events.ndjson",
  };
  return files;
}

std::string v2_pack_root_hash(const DigestLookup& digest_of) {
  Sha256 h;
  for (std::string_view f : v2_root_files()) {
    const Digest* d = digest_of(f);
    if (d == nullptr) continue;
    h.update(to_hex(*d));
    h.update("  ");
    h.update(f);
    h.update("\n");
  }
  return to_hex(h.finish());
}

std::string v1_pack_root_hash(std::vector<std::pair<std::string, Digest>> files) {
  std::sort(files.begin(), files.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
  Sha256 h;
  bool first = true;
  for (const auto& [path, digest] : files) {
    if (!first) h.update("\n");
    first = false;
    h.update(to_hex(digest));
    h.update("  ");
    h.update(path);
  }
  return to_hex(h.finish());
}

}  // namespace mplp
