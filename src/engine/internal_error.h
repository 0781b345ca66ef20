// What the engine does with an exception out of a gate: a bug of mplp-gate,
// never the pack's, reported as an internal.error finding so that every
// format shows it and the run goes on.
//
// Every exception the code base throws is a std::exception: RapidJSON's
// failed assertions too (mplp::JsonAssertion, see core/rapidjson_assert.h).
//
//   if (std::optional<std::string> what = run_caught([&] { gate.check_pack(...); }))
//     sink.report(internal_error_finding(*what));
#pragma once

#include <exception>
#include <new>
#include <optional>
#include <string>
#include <string_view>

#include "core/finding.h"

namespace mplp {

// What run_caught says of std::bad_alloc: not a bug, but a pack larger
// than this machine's memory lets a gate read (RapidJSON's allocations too).
inline constexpr std::string_view kOutOfMemory = "out of memory (std::bad_alloc)";

// Runs `fn`; what the exception it threw said, or nullopt when it returned.
template <typename Fn>
std::optional<std::string> run_caught(Fn&& fn) {
  try {
    fn();
    return std::nullopt;
  } catch (const std::bad_alloc&) {
    return std::string(kOutOfMemory);
  } catch (const std::exception& e) {
    return std::string(e.what());
  }
}

// The internal.error finding (error severity) saying `what` went wrong.
Finding internal_error_finding(std::string_view what);

}  // namespace mplp
