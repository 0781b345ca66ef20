// Small files mplp-gate keeps between runs, under $XDG_CACHE_HOME/mplp-gate/
// (default ~/.cache/mplp-gate/), one directory per area: fingerprints/
// (fingerprint_cache.h), engines/ (engine versions), bases/ (base image ids
// seen last) and runs/ (run_markers.h).
//
// Why private: what is read back is believed (a fingerprint) or decides what
// is skipped (an orphan listing), so a directory or file is used only when
// it belongs to this user, nobody else may write it, and it is not a link;
// anything else is ignored. A cache only saves time: failing to write one is
// never an error. Writes are atomic.
#pragma once

#include <sys/stat.h>

#include <cstdint>
#include <optional>
#include <string>

namespace mplp::runner {

// $MPLP_GATE_CACHE/<area>, $XDG_CACHE_HOME/mplp-gate/<area> or
// ~/.cache/mplp-gate/<area>; "" with MPLP_GATE_CACHE=off or none of them
// set to an absolute path. (Without a cache every run asks the engine for
// its version, inspects the base first and lists the containers.)
std::string cache_area(const std::string& area);

// Owned by this user and writable by nobody else.
bool private_to_us(const struct stat& st);

// Creates `path` and its missing parents (0700); true when it is then a
// directory private to us (not a link).
bool make_private_dir(const std::string& path);

// True when `dir` exists and is a directory private to us (not a link).
bool is_private_dir(const std::string& dir);

// The bytes of `dir`/`name` (at most `max`) when the directory and the
// regular file are private to us.
std::optional<std::string> read_private_file(const std::string& dir, const std::string& name, std::uint64_t max);

// Writes `dir`/`name` atomically, creating `dir` private first; false when
// it could not.
bool write_private_file(const std::string& dir, const std::string& name, const std::string& bytes);

}  // namespace mplp::runner
