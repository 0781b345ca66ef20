// The input format of the whole-tool target fuzz_pack: a pack tree as text.
//
//   === manifest.json
//   {"pack_id": ...}
//   === timeline/events.ndjson
//   ...
//
// A record starts with a line "=== <path>"; its content runs up to the next
// such line (so it keeps its final newline) or to the end of the input.
// Bytes before the first record are ignored. Paths that are not safe relative
// paths, longer than 200 bytes or deeper than 6 components are dropped, as are
// records beyond the 64th. fuzz/pack_to_input.py turns a pack into a seed.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace mplp::fuzz {

struct PackInput {
  std::vector<std::pair<std::string, std::string>> files;  // (path, content), in input order
  std::optional<std::string> policy;                       // "!policy"
  std::optional<std::string> registry;                     // "!registry"
  bool reseal = false;                                     // "!reseal"
  std::string manifest;  // content of the last manifest.json record
};

PackInput parse_pack_input(std::string_view bytes);

// Writes the files beneath `pack` (created), the registry beneath `repo_root`,
// and reseals when asked. Records that cannot be written (a path under a name
// that is already a file) are skipped. False when `pack` cannot be created.
bool write_pack_input(const PackInput& in, const std::string& repo_root, const std::string& pack);

}  // namespace mplp::fuzz
