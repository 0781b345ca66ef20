// RapidJSON's assertions and allocation failures, for every translation
// unit: meson.build includes this file ahead of each one (-include), since
// RAPIDJSON_ASSERT must be defined before any RapidJSON header is read,
// valijson's included.
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

// RapidJSON's CrtAllocator returns what malloc returns, and its parser stack
// and DOM write through it unchecked: out of memory (a 200 MB string in a
// pack under a memory limit) was a segmentation fault (QA-36). Its two calls,
// `std::malloc` and `std::realloc` in allocators.h, are pointed at these,
// which throw std::bad_alloc instead, as operator new does; every scope that
// catches std::exception then reports it. Only that header is read with the
// names redirected; the rest of RapidJSON and every other header are not.
#include <cstddef>
#include <cstdlib>
#include <new>

#include <rapidjson/rapidjson.h>

namespace std {  // NOLINT(cert-dcl58-cpp): the only names allocators.h's `std::malloc(...)` can reach
inline void* mplp_rapidjson_malloc(std::size_t n) {
  void* p = std::malloc(n);
  if (p == nullptr && n != 0) throw std::bad_alloc();
  return p;
}
inline void* mplp_rapidjson_realloc(void* p, std::size_t n) {
  void* q = std::realloc(p, n);
  if (q == nullptr && n != 0) throw std::bad_alloc();  // p is still RapidJSON's, freed by its owner
  return q;
}
}  // namespace std

#define malloc mplp_rapidjson_malloc
#define realloc mplp_rapidjson_realloc
#include <rapidjson/allocators.h>
#undef malloc
#undef realloc
