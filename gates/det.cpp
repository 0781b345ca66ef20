#include "gates/det.h"

#include <algorithm>
#include <map>
#include <tuple>
#include <utility>

#include "core/json.h"
#include "core/values.h"
#include "gates/manifest_fields.h"

namespace mplp {

namespace {

constexpr const char* kHashPointer = "/hashes/canonical_pack_root_hash";
// A group can hold every pack of a huge run; each finding lists at most this
// many members (the rest are counted), so the report stays linear in size.
constexpr std::size_t kMaxListed = 20;

struct Member {
  std::size_t index;  // into packs/sinks
  std::string path;   // the pack's name (root-relative: the same from any working directory)
  std::string hash;
};

using GroupKey = std::pair<std::string, std::string>;  // (substrate_id, scenario_id)

// The grouping key and hash of a pack, or the reason the pack is skipped.
std::optional<std::pair<GroupKey, std::string>> key_of(const Pack& pack, std::string& skip_reason) {
  const rapidjson::Value* m = pack.manifest();
  if (m == nullptr) {
    skip_reason = std::string(kManifestUnusable) + " (" + manifest_state_text(pack) + ")";
    return std::nullopt;
  }
  if (!pack.is_real()) {
    skip_reason = not_real_reason(pack);
    return std::nullopt;
  }
  const rapidjson::Value* hash = member(member(m, "hashes"), "canonical_pack_root_hash");
  if (hash == nullptr || !hash->IsString() || !is_hex64(as_view(*hash))) {
    skip_reason = "hashes.canonical_pack_root_hash is not 64-hex (it is " + describe(hash) +
                  "), so there is nothing to compare";
    return std::nullopt;
  }
  const rapidjson::Value* substrate = member(member(m, "substrate_ref"), "substrate_id");
  const rapidjson::Value* scenario = member(m, "scenario_id");
  // Packs without a real substrate or scenario would all fall into one
  // group of unrelated runs.
  for (auto [name, v] : {std::pair{"substrate_ref.substrate_id", substrate}, std::pair{"scenario_id", scenario}}) {
    if (v == nullptr || !v->IsString() || is_placeholder(v)) {
      skip_reason = std::string(name) + " is " + describe(v) + ", so the pack cannot be grouped with its reruns";
      return std::nullopt;
    }
  }
  return std::pair{GroupKey{std::string(as_view(*substrate)), std::string(as_view(*scenario))},
                   std::string(as_view(*hash))};
}

// "substrate mcp, scenario d1_basic_pass" (values shown as JSON strings).
std::string group_name(const GroupKey& key) {
  rapidjson::Value s(rapidjson::StringRef(key.first.data(), key.first.size()));
  rapidjson::Value t(rapidjson::StringRef(key.second.data(), key.second.size()));
  return "substrate " + to_compact_json(s, 100) + ", scenario " + to_compact_json(t, 100);
}

// "<path>: <hash>; ..." for at most kMaxListed members (findings stay one line).
std::string listing(const std::vector<Member>& members) {
  std::string out;
  for (std::size_t i = 0; i < members.size() && i < kMaxListed; ++i)
    out += (i == 0 ? "" : "; ") + members[i].path + ": " + members[i].hash;
  if (members.size() > kMaxListed) out += "; ... and " + std::to_string(members.size() - kMaxListed) + " more";
  return out;
}

void report(FindingSink& sink, Severity severity, std::string code, std::string message, std::string detail,
            std::string expected, std::string actual, std::string hint, std::string diff_with = {}) {
  Finding f;
  f.severity = severity;
  f.code = std::move(code);
  f.file = "manifest.json";
  f.location.pointer = kHashPointer;
  f.message = std::move(message);
  f.detail = std::move(detail);
  f.expected = std::move(expected);
  f.actual = std::move(actual);
  f.hint = std::move(hint);
  f.diff_with = std::move(diff_with);
  sink.report(std::move(f));
}

// The pack `m` is best compared with: a member of the most common value for
// a pack of another value (the odd one out against the majority), else the
// first listed member of another value (the rarest). Members are sorted
// rarest first.
const Member& partner(const Member& m, const std::vector<Member>& members, std::map<std::string, std::size_t>& counts) {
  const Member* majority = &members.back();
  for (const Member& o : members)
    if (counts[o.hash] == counts[majority->hash] && o.hash != m.hash) {
      majority = &o;
      break;
    }
  if (majority->hash != m.hash) return *majority;
  for (const Member& o : members)
    if (o.hash != m.hash) return o;
  return m;
}

void judge_group(const GroupKey& key, std::vector<Member>& members, const std::vector<FindingSink*>& sinks) {
  std::string name = group_name(key);
  if (members.size() == 1) {
    report(*sinks[members[0].index], Severity::Info, "det.single",
           "no other pack of " + name + " in this run to compare canonical_pack_root_hash with", "", "", members[0].hash,
           "check reruns of the same scenario together to test determinism");
    return;
  }
  std::map<std::string, std::size_t> counts;
  for (const Member& m : members) ++counts[m.hash];
  // Rarest values first (the odd pack out is the likely culprit, and must
  // not be cut from a long listing), then by value and path.
  std::sort(members.begin(), members.end(), [&](const Member& a, const Member& b) {
    return std::tuple(counts[a.hash], a.hash, a.path) < std::tuple(counts[b.hash], b.hash, b.path);
  });
  std::string count = std::to_string(members.size());
  std::string detail = listing(members);
  if (counts.size() == 1) {
    for (const Member& m : members)
      report(*sinks[m.index], Severity::Info, "det.agree",
             "canonical_pack_root_hash agrees across the " + count + " packs of " + name, detail, "", m.hash, "");
    return;
  }
  for (const Member& m : members) {
    const Member& other = partner(m, members, counts);
    report(*sinks[m.index], Severity::Error, "det.mismatch",
           "canonical_pack_root_hash differs across the " + count + " packs of " + name + " (" +
               std::to_string(counts.size()) + " distinct values)",
           detail, "the same value in every pack of the group", m.hash,
           "the runs are not deterministic: `mplp-gate diff` this pack and " + other.path +
               " to see which files, manifest fields and timeline events differ (timestamps, ids, ordering), "
               "then make the producer stable",
           other.path);
  }
}

class Gate_ : public Gate {
 public:
  const GateInfo& info() const override {
    static const GateInfo kInfo{
        "GATE-V2-DET-01",
        "Reruns of one scenario on one substrate produce the same canonical pack root hash",
        "A REAL run is only reproducible evidence when running it again gives the same canonical result; this gate "
        "compares every pack of a run with its reruns.",
        "INDEXABLE_REAL packs with a 64-hex hashes.canonical_pack_root_hash are grouped by "
        "(substrate_ref.substrate_id, scenario_id). In a group of two or more, every member must carry the same "
        "value (otherwise an error on every member listing each pack and value); a group of one is an info "
        "finding. Other packs (not INDEXABLE_REAL, unusable manifest, no 64-hex hash, no substrate or scenario "
        "id) SKIP saying why.",
        GateScope::Collection,
        {
            {"det.mismatch", Severity::Error,
             "packs of one substrate and scenario carry different canonical_pack_root_hash values",
             "run the `mplp-gate diff` the finding names to see what differs, then make the producer "
             "deterministic, or find the pack that was edited"},
            {"det.agree", Severity::Info, "all packs of the group carry the same canonical_pack_root_hash",
             "nothing to fix: the reruns agree"},
            {"det.single", Severity::Info, "the only pack of its substrate and scenario in the run",
             "check reruns together"},
        }};
    return kInfo;
  }

  void check_collection(const std::vector<const Pack*>& packs, const GateContext& /*ctx*/,
                        const std::vector<FindingSink*>& sinks) const override {
    std::map<GroupKey, std::vector<Member>> groups;
    for (std::size_t i = 0; i < packs.size() && i < sinks.size(); ++i) {
      if (packs[i] == nullptr) {
        sinks[i]->skip("the pack could not be opened");
        continue;
      }
      std::string reason;
      if (auto k = key_of(*packs[i], reason))
        groups[k->first].push_back(Member{i, packs[i]->name(), std::move(k->second)});
      else
        sinks[i]->skip(std::move(reason));
    }
    for (auto& [key, members] : groups) judge_group(key, members, sinks);
  }
};

}  // namespace

const Gate& det_gate() {
  static const Gate_ gate;
  return gate;
}

}  // namespace mplp
