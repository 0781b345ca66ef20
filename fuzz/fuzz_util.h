// Shared helpers for the libFuzzer targets.
//
// FUZZ_CHECK(cond, what) states an invariant of the parser under test: when
// it does not hold, the target prints the failed condition and aborts, which
// libFuzzer reports as a crash and saves as a reproducer. Targets check
// invariants, not only "does not crash".
#pragma once

#include <rapidjson/document.h>

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#define FUZZ_CHECK(cond, what) \
  ((cond) ? (void)0 : ::mplp::fuzz::invariant_failed(#cond, what, __FILE__, __LINE__))

namespace mplp::fuzz {

[[noreturn]] void invariant_failed(const char* cond, std::string_view what, const char* file, int line);

inline std::string_view as_text(const std::uint8_t* data, std::size_t size) {
  return {reinterpret_cast<const char*>(data), size};
}

// An unnamed file holding `size` bytes of `data`, read from its start (for
// the readers of files too large to hold). The caller closes it.
int file_of(const std::uint8_t* data, std::size_t size);

// Compact serialisation of a whole value (RapidJSON's Writer).
std::string to_json(const rapidjson::Value& v);

// Nesting depth of a value (scalars 0, [] 1), computed iteratively.
unsigned depth_of(const rapidjson::Value& v);

// The value at RFC 6901 pointer `pointer` ("" = the root), or nullptr. Our
// own resolver: rapidjson::Pointer 1.1.0 loses member names holding a NUL
// byte, which YAML and JSON strings may hold ("\u0000").
const rapidjson::Value* resolve_pointer(const rapidjson::Value& root, std::string_view pointer);

// True when every byte of `s` is a lower-case hex digit (0-9, a-f).
bool is_lower_hex(std::string_view s);

}  // namespace mplp::fuzz
