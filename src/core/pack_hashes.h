// The pack hash algorithms recovered from upstream packs (see
// fixtures/upstream/README.md). Shared by INTEGRITY-01 (which recomputes them)
// and the executor's sealing step (which writes them).
//
// v2 producer: SHA-256 of the lines "<sha256(f)>  <f>\n" for f in
//   artifacts/context.json, artifacts/plan.json, artifacts/confirm.json,
//   artifacts/trace.json, timeline/events.ndjson (in that order; files that
//   do not exist are left out) -- `sha256sum <those five> | sha256sum`.
// v1: all files outside integrity/, sorted by path, lines "<hash>  <path>"
//   joined by "\n" with no trailing newline, SHA-256 of that.
//
//   std::string root = v2_pack_root_hash([&](std::string_view f) -> const Digest* {...});
#pragma once

#include <functional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/digest.h"

namespace mplp {

// The five files of the v2-producer algorithm, in order.
const std::vector<std::string_view>& v2_root_files();

// `digest_of(path)` returns the file's digest, or nullptr when it does not exist.
using DigestLookup = std::function<const Digest*(std::string_view path)>;

std::string v2_pack_root_hash(const DigestLookup& digest_of);

// `files`: (path, digest) for every file outside integrity/, any order.
std::string v1_pack_root_hash(std::vector<std::pair<std::string, Digest>> files);

}  // namespace mplp
