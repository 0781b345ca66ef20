#include "engine/fold.h"

#include <map>
#include <set>
#include <tuple>
#include <utility>

#include "core/text.h"

namespace mplp {

void fold_repeats(GateResult& g) {
  using Key = std::tuple<std::string, std::string, int, std::string, std::string, std::string>;
  std::map<Key, std::size_t> first;  // key -> index into `kept`
  std::vector<Finding> kept;
  // Per kept finding, where its repeats were; escaped, as a detail's lines
  // are printed as lines and a JSON key can hold a newline.
  std::vector<std::vector<std::string>> places;
  for (Finding& f : g.findings) {
    Key key{f.code, f.file, static_cast<int>(f.severity), f.message, f.expected, f.actual};
    auto [it, fresh] = first.emplace(key, kept.size());
    if (fresh) {
      places.push_back({escape_for_message(format_location(f))});
      kept.push_back(std::move(f));
    } else {
      places[it->second].push_back(escape_for_message(format_location(f)));
    }
  }
  for (std::size_t i = 0; i < kept.size(); ++i) {
    const std::vector<std::string>& at = places[i];
    if (at.size() < 2) continue;
    std::string where;
    for (std::size_t j = 0; j < at.size() && j < kFoldPlacesShown; ++j) where += (j == 0 ? "" : ", ") + at[j];
    if (at.size() > kFoldPlacesShown) where += ", ...";
    Finding& f = kept[i];
    f.message += " (" + std::to_string(at.size()) + " times in this file)";
    f.detail = "found " + std::to_string(at.size()) + " times, at " + where + (f.detail.empty() ? "" : "; " + f.detail);
  }
  g.findings = std::move(kept);
}

void drop_schema_restatements(GateResult& g) {
  using Field = std::pair<std::string, std::string>;  // file, JSON pointer
  std::map<Field, std::size_t> own;                    // field -> first own finding there
  for (std::size_t i = 0; i < g.findings.size(); ++i) {
    const Finding& f = g.findings[i];
    if (!f.schema_rule && !f.location.pointer.empty()) own.emplace(Field{f.file, f.location.pointer}, i);
  }
  if (own.empty()) return;
  std::vector<Finding> kept;
  std::set<std::size_t> dropped;
  for (std::size_t i = 0; i < g.findings.size(); ++i) {
    const Finding& f = g.findings[i];
    if (!f.schema_rule || f.location.pointer.empty()) continue;
    auto it = own.find(Field{f.file, f.location.pointer});
    if (it == own.end() || g.findings[it->second].severity < f.severity) continue;
    Finding& keeper = g.findings[it->second];
    keeper.detail += (keeper.detail.empty() ? "" : "; ") + std::string("the schema also says: ") + f.message;
    dropped.insert(i);
  }
  for (std::size_t i = 0; i < g.findings.size(); ++i)
    if (dropped.count(i) == 0) kept.push_back(std::move(g.findings[i]));
  g.findings = std::move(kept);
}

void one_finding_per_defect(GateResult& g) {
  drop_schema_restatements(g);
  fold_repeats(g);
}

}  // namespace mplp
