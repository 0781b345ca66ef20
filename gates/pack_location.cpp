#include "gates/pack_location.h"

#include <filesystem>
#include <vector>

#include "core/json.h"
#include "core/pack.h"

namespace mplp::pack_structure {

namespace {

// The path components after the last data/runs/v2 of the absolute path;
// false when there is none.
bool below_runs_v2(const std::string& fs_path, std::vector<std::string>& rest) {
  std::error_code ec;
  std::filesystem::path p = std::filesystem::absolute(fs_path, ec).lexically_normal();
  if (ec) return false;
  std::vector<std::string> parts;
  for (const auto& part : p)
    if (!part.empty() && part != "/") parts.push_back(part.string());
  while (!parts.empty() && parts.back().empty()) parts.pop_back();  // a trailing "/"
  for (std::size_t i = parts.size(); i >= 3; --i)
    if (parts[i - 3] == "data" && parts[i - 2] == "runs" && parts[i - 1] == "v2") {
      rest.assign(parts.begin() + static_cast<long>(i), parts.end());
      return true;
    }
  return false;
}

// A finding of one of the gate's location.* kinds, on manifest.json.
Finding misplaced(const GateInfo& gate, std::string_view code, std::string pointer, std::string message,
                  std::string expected, std::string actual) {
  Finding f = gate.finding(code, "manifest.json", std::move(message));
  f.location.pointer = std::move(pointer);
  f.expected = std::move(expected);
  f.actual = std::move(actual);
  f.hint = "move the pack to the directory runners/_lib/pack-paths.sh's get_pack_root prints for it "
           "(data/runs/v2/<real|synthetic|non-indexable>/<substrate_id>/<run>), or fix the manifest";
  return f;
}

}  // namespace

std::string_view pack_category(std::string_view status) {
  if (status == "INDEXABLE_REAL") return "real";
  if (status == "INDEXABLE_SYNTHETIC") return "synthetic";
  if (status == "NON_INDEXABLE") return "non-indexable";
  return {};
}

void check_location(const GateInfo& gate, const Pack& pack, FindingSink& sink) {
  std::vector<std::string> rest;
  const rapidjson::Value* m = pack.manifest();
  if (m == nullptr || !below_runs_v2(pack.fs_path(), rest)) return;
  const rapidjson::Value* status = string_member(m, "indexability_status");
  std::string_view category = status != nullptr ? pack_category(as_view(*status)) : std::string_view{};
  const rapidjson::Value* substrate = string_member(member(m, "substrate_ref"), "substrate_id");
  std::string place = "data/runs/v2";
  for (const std::string& r : rest) place += "/" + r;
  if (rest.size() != 3) {
    sink.report(misplaced(gate, "location.depth", "",
                          "the pack lies at " + place + ", not three levels below data/runs/v2",
                          "data/runs/v2/<category>/<substrate_id>/<run>", place));
    return;
  }
  if (!category.empty() && rest[0] != category)
    sink.report(misplaced(gate, "location.category", "/indexability_status",
                          "the pack lies under data/runs/v2/" + rest[0] + "/ but its indexability_status " +
                              to_compact_json(*status) + " belongs under data/runs/v2/" + std::string(category) + "/",
                          "data/runs/v2/" + std::string(category) + "/...", place));
  if (substrate != nullptr && rest[1] != as_view(*substrate))
    sink.report(misplaced(gate, "location.substrate", "/substrate_ref/substrate_id",
                          "the pack lies in a directory '" + rest[1] + "' but its substrate_id is " +
                              to_compact_json(*substrate),
                          "data/runs/v2/" + rest[0] + "/" + std::string(as_view(*substrate)) + "/" + rest[2],
                          place));
}

}  // namespace mplp::pack_structure
