// Reading back what the JSON report (report/json.cpp) wrote: one finding,
// one pack's result. `--baseline` reads findings; `merge` reads whole shard
// reports (engine/merge.h). Strings come back as written (the report holds
// valid UTF-8 only).
#pragma once

#include <string>

#include "core/json.h"
#include "engine/run_report.h"

namespace mplp {

// The string member `key` of `obj`, or "" when absent or not a string.
std::string json_text(const rapidjson::Value& obj, const char* key);
// The unsigned member `key`, or 0.
std::uint64_t json_number(const rapidjson::Value& obj, const char* key);

// A finding object of the report (`gate_id` is left to the caller).
Finding finding_from_json(const rapidjson::Value& f);

// A pack object of the report: its name or path as "path", indexability,
// not_verified and gates; false with `error` (no file named) when it is not
// one.
bool pack_from_json(const rapidjson::Value& p, PackResult& out, std::string& error);

}  // namespace mplp
