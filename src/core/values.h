// Value rules shared by the gates: placeholders, hex digests, ids, times.
//
// Placeholders: empty, "unknown", "pending", "none", "null", "placeholder",
// "n/a", "tbd" (any case), JSON null, or a missing value (nullptr).
#pragma once

#include <rapidjson/document.h>

#include <cstdint>
#include <string>
#include <string_view>

namespace mplp {

// `s` without the blanks around it: ASCII whitespace, and Unicode spaces,
// zero-width characters and the BOM (UTF-8).
std::string_view trim_blank(std::string_view s);
// "", "unknown", "pending", "none", "null", "placeholder", "n/a", "tbd" in
// any ASCII case, with any blanks around (or only blanks).
bool is_placeholder_text(std::string_view s);
// nullptr (missing), JSON null, or a placeholder string. Non-strings are not
// placeholders (callers check the type separately).
bool is_placeholder(const rapidjson::Value* v);

bool is_hex64(std::string_view s);        // ^[0-9a-f]{64}$
bool is_hex40(std::string_view s);        // ^[0-9a-f]{40}$
bool is_typed_sha256(std::string_view s); // ^sha256:[0-9a-f]{64}$
bool is_runner_id(std::string_view s);    // kRunnerIdPattern
// What is_runner_id accepts, as messages (and the schemas) write it.
inline constexpr std::string_view kRunnerIdPattern = "^[a-z0-9][a-z0-9._-]{0,63}$";
// The runner contract's name of a machine architecture: `uname -m` says
// aarch64 (Linux) or arm64 (macOS), Debian says amd64; the contract writes
// arm64 and x86_64. Any other name is returned unchanged.
std::string_view contract_arch(std::string_view arch);
// RFC 3339 UTC: YYYY-MM-DDTHH:MM:SS[.frac]Z with valid ranges.
bool is_rfc3339_utc(std::string_view s);
// Seconds since the epoch as RFC 3339 UTC, "2026-01-27T05:05:42Z".
std::string format_utc(std::int64_t epoch_seconds);

}  // namespace mplp
