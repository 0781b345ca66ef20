// Fuzzes the strict JSON loader (core/json.h): RFC 8259, strict UTF-8,
// depth limit, duplicate keys. Invariants on success: the depth limit holds,
// the document re-serialises and re-parses to the same text and the same
// duplicates, and every duplicate's position lies inside the input. On
// failure the error position lies inside (or just past) the input. Read
// from a file three bytes at a time (check_json_fd, for files too large to
// hold), the same bytes get the same verdict, place and duplicate keys.
#include <unistd.h>

#include <string>
#include <vector>

#include "core/json.h"
#include "core/text.h"
#include "fuzz_util.h"

using mplp::fuzz::as_text;

namespace {

constexpr unsigned kDepth = 64;

// Every string and key of the document is well-formed UTF-8 (escapes such as
// "\ude00" decode to something, and it must be valid too).
bool strings_valid(const rapidjson::Value& v) {
  if (v.IsString()) return mplp::is_valid_utf8(mplp::as_view(v));
  if (v.IsArray()) {
    for (const auto& e : v.GetArray())
      if (!strings_valid(e)) return false;
  } else if (v.IsObject()) {
    for (const auto& m : v.GetObject())
      if (!mplp::is_valid_utf8(mplp::as_view(m.name)) || !strings_valid(m.value)) return false;
  }
  return true;
}

}  // namespace

// check_json_fd on the same bytes agrees with parse_json's `doc`.
static void expect_same_as_read_in_chunks(const std::uint8_t* data, std::size_t size, bool parsed, const mplp::JsonDoc& doc) {
  const int fd = mplp::fuzz::file_of(data, size);
  mplp::JsonError error;
  std::vector<mplp::DuplicateKey> dups;
  std::string read_error;
  FUZZ_CHECK(mplp::check_json_fd(fd, {.max_depth = kDepth}, error, dups, read_error, 3), read_error);
  ::close(fd);
  FUZZ_CHECK((error.status == mplp::JsonStatus::Ok) == parsed, error.message + " / " + doc.error.message);
  FUZZ_CHECK(error.status == doc.error.status && error.message == doc.error.message &&
                 error.offset == doc.error.offset && error.line == doc.error.line && error.column == doc.error.column,
             error.message + " / " + doc.error.message);
  if (!parsed) return;
  FUZZ_CHECK(dups.size() == doc.duplicates.size(), "duplicate keys");
  for (std::size_t i = 0; i < dups.size(); ++i)
    FUZZ_CHECK(dups[i].pointer == doc.duplicates[i].pointer && dups[i].offset == doc.duplicates[i].offset &&
                   dups[i].line == doc.duplicates[i].line && dups[i].column == doc.duplicates[i].column,
               dups[i].pointer);
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view in = as_text(data, size);
  mplp::JsonDoc doc;
  const bool parsed = mplp::parse_json(in, {.max_depth = kDepth}, doc);
  expect_same_as_read_in_chunks(data, size, parsed, doc);
  if (!parsed) {
    FUZZ_CHECK(!doc.error.message.empty(), in);
    FUZZ_CHECK(doc.error.offset <= size, doc.error.message);
    FUZZ_CHECK(doc.error.line >= 1 && doc.error.column >= 1, doc.error.message);
    return 0;
  }
  // Accepted text is valid UTF-8 as a whole (strings were validated, the
  // rest is JSON syntax, which is ASCII), and so is every decoded string.
  FUZZ_CHECK(mplp::is_valid_utf8(in), "accepted input is not UTF-8");
  FUZZ_CHECK(mplp::fuzz::depth_of(doc.value) <= kDepth, "depth limit not enforced");
  FUZZ_CHECK(strings_valid(doc.value), "a decoded string is not UTF-8 (lone surrogate escape?)");
  for (const mplp::DuplicateKey& d : doc.duplicates) {
    FUZZ_CHECK(!d.pointer.empty() && d.pointer[0] == '/', d.pointer);
    FUZZ_CHECK(d.offset < size, d.pointer);
    FUZZ_CHECK(d.line >= 1 && d.column >= 1, d.pointer);
  }
  (void)mplp::to_compact_json(doc.value, 200);

  // Round trip: serialise, re-parse, serialise again: a fixed point.
  std::string once = mplp::fuzz::to_json(doc.value);
  mplp::JsonDoc again;
  FUZZ_CHECK(mplp::parse_json(once, {.max_depth = kDepth}, again), once);
  FUZZ_CHECK(again.duplicates.size() == doc.duplicates.size(), once);
  for (std::size_t i = 0; i < doc.duplicates.size(); ++i)
    FUZZ_CHECK(again.duplicates[i].pointer == doc.duplicates[i].pointer, doc.duplicates[i].pointer);
  FUZZ_CHECK(mplp::fuzz::to_json(again.value) == once, once);
  // RapidJSON's operator== looks members up by name, so it is meaningful only
  // without duplicate keys (the text comparison above covers those).
  if (doc.duplicates.empty()) FUZZ_CHECK(again.value == doc.value, once);
  return 0;
}
