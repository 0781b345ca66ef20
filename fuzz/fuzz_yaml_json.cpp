// Fuzzes YAML -> JSON (core/yaml_json.h), the front end of every YAML input
// (registry, runner.yaml). Invariants on success: nesting stays within the
// limit; every recorded line is >= 1 and belongs to a pointer that resolves;
// the JSON re-serialises, and parse_json accepts the text with no duplicate
// keys (YAML duplicates are refused). On failure the error names the source.
#include "core/json.h"
#include "core/yaml_json.h"
#include "fuzz_util.h"

using mplp::fuzz::as_text;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  constexpr unsigned kDepth = 16;
  mplp::YamlJson y;
  std::string error;
  if (!mplp::yaml_to_json(as_text(data, size), "fuzz.yaml", y, error, kDepth, 100000)) {
    FUZZ_CHECK(error.rfind("fuzz.yaml", 0) == 0, error);
    return 0;
  }
  // The converter accepts children at depth kDepth; an empty container there
  // still counts one level in depth_of.
  FUZZ_CHECK(mplp::fuzz::depth_of(y.doc) <= kDepth + 1, "depth limit not enforced");
  for (const auto& [pointer, line] : y.lines) {
    FUZZ_CHECK(line >= 1, pointer);
    FUZZ_CHECK(mplp::fuzz::resolve_pointer(y.doc, pointer) != nullptr, pointer);
    FUZZ_CHECK(y.line_of(pointer) == line, pointer);
  }
  std::string text = mplp::fuzz::to_json(y.doc);
  mplp::JsonDoc back;
  FUZZ_CHECK(mplp::parse_json(text, {.max_depth = kDepth + 2}, back), "YAML gave JSON that does not re-parse: " + text);
  FUZZ_CHECK(back.duplicates.empty(), text);
  FUZZ_CHECK(back.value == y.doc, text);
  return 0;
}
