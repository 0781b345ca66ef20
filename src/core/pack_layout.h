// The fixed places of an evidence pack (the runner contract's layout): named
// once, for the gates that check them, the executor that writes them and the
// reports that record their digests.
#pragma once

#include <array>
#include <string_view>

namespace mplp {

inline constexpr std::string_view kManifestPath = "manifest.json";
// The folders that make a directory a pack even without its manifest (a
// failing pack then, never skipped), and a manifest.json below a pack's root
// a nested pack.
inline constexpr std::array<std::string_view, 3> kPackFolders = {"artifacts", "integrity", "timeline"};
inline constexpr std::string_view kSumsPath = "integrity/sha256sums.txt";
// The signed provenance: one DSSE envelope of an in-toto statement.
inline constexpr std::string_view kProvenancePath = "integrity/provenance.intoto.jsonl";
// Upstream's v1 root hash of the pack.
inline constexpr std::string_view kV1RootPath = "integrity/pack.sha256";

// True for the files integrity/ may hold: the sums file does not list
// them (each is written from the others), so nothing else may hide there.
constexpr bool is_integrity_file(std::string_view path) {
  return path == kSumsPath || path == kProvenancePath || path == kV1RootPath;
}

// A file in integrity/ that is none of those: nothing seals it (the check
// reports it, a seal refuses it).
constexpr bool is_unsealed_integrity_file(std::string_view path) {
  return path.starts_with("integrity/") && !is_integrity_file(path);
}

}  // namespace mplp
