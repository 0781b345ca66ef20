// The environment fingerprint of an image, cached by image id.
//
// The fingerprint (os, arch, runtime type and version) is measured in a
// container of the image (executor.h read_fingerprint); for one image id and
// one version command it cannot change, so `mplp-gate run` measures it once
// and keeps it in $XDG_CACHE_HOME/mplp-gate/fingerprints/ (default
// ~/.cache/...), one file per sha256(engine, image id, version command).
// Verified on use: the directory and file belong to this user and nobody else
// may write them, the file is a regular file (never followed through a link)
// holding valid JSON whose engine, image id and version command are the ones
// asked for and whose values pass the executor's checks; anything else is
// ignored (and replaced after a fresh measurement). Writes are atomic.
// MPLP_GATE_FINGERPRINT_CACHE=off disables the cache; a path moves it.
#pragma once

#include <optional>
#include <string>

#include "runner/seal.h"

namespace mplp::runner {

std::optional<Fingerprint> cached_fingerprint(const std::string& engine, const std::string& image_id,
                                              const std::string& version_command);
void store_fingerprint(const std::string& engine, const std::string& image_id, const std::string& version_command,
                       const Fingerprint& fp);

// The cache directory ("" when disabled or no home).
std::string fingerprint_cache_dir();

}  // namespace mplp::runner
