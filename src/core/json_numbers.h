// Numbers a JSON writer cannot give back. RapidJSON holds a number as an
// int64, a uint64 or a double, so 18446744073709551616 is written back as
// 18446744073709553000.0, 1.00000000000000000001 as 1.0 and -0 as 0. A
// tool that rewrites a stranger's file (seal rewrites manifest.json) must
// keep every value it does not own, or refuse.
#pragma once

#include <rapidjson/document.h>

#include <optional>
#include <string>
#include <string_view>

namespace mplp {

struct ChangedNumber {
  std::string written;    // as `text` writes it
  std::string rewritten;  // as a writer would write it from the document
  std::size_t ordinal;    // 1 for the first number of the text
};

// The first number of `text` whose value, as a writer would write it from
// `doc` (parsed from exactly `text`), is not the value `text` writes: the
// same decimal number, sign included, however spelled (1e2, 100 and 100.0
// are one value). nullopt when every number survives.
std::optional<ChangedNumber> first_changed_number(std::string_view text, const rapidjson::Value& doc);

// Whether two JSON number texts denote one decimal value (-0 and 0 do not).
bool same_json_number(std::string_view a, std::string_view b);

}  // namespace mplp
