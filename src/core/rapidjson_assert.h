// RapidJSON's assertions, for every translation unit: meson.build includes
// this file ahead of each one (-include), since RAPIDJSON_ASSERT must be
// defined before any RapidJSON header is read, valijson's included.
//
// A failed assertion is a bug of ours (say GetString() on a number), never a
// property of the input: it throws JsonAssertion, a std::logic_error, which
// every scope that catches std::exception catches too (engine/check.cpp turns
// it into an internal.error finding; main prints it and exits 2). RapidJSON
// aborts by default, and a `const char*` thrown (as before) escaped them all.
#pragma once

#include <stdexcept>

namespace mplp {

class JsonAssertion : public std::logic_error {
 public:
  using std::logic_error::logic_error;
};

}  // namespace mplp

#define RAPIDJSON_ASSERT(x) ((x) ? (void)0 : throw ::mplp::JsonAssertion("RapidJSON assertion failed: " #x))
