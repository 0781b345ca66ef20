// Base64 (RFC 4648) for DSSE envelopes.
//
// We always write the standard alphabet with padding. DSSE says verifiers
// MUST accept standard and URL-safe encodings, so the decoder takes either
// alphabet (not mixed in one string), with or without padding, and refuses
// anything else: whitespace, characters outside the alphabet, bad padding,
// or trailing bits that are not zero (so one byte string has exactly one
// accepted encoding per alphabet).
//
//   std::string b64 = base64_encode("hi");        // "aGk="
//   std::string raw;
//   if (!base64_decode("aGk", raw)) ...           // ok: raw == "hi"
#pragma once

#include <string>
#include <string_view>

namespace mplp {

std::string base64_encode(std::string_view bytes);
bool base64_decode(std::string_view text, std::string& out);

}  // namespace mplp
