#include <algorithm>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <stdexcept>
#include <string_view>
#include <tuple>
#include <utility>

#include "core/byte_codec.h"
#include "core/digest.h"
#include "core/gate.h"
#include "core/json.h"
#include "core/json_position.h"
#include "core/values.h"
#include "core/manifest_fields.h"

namespace mplp {

namespace {

// The gate's spec: id, scopes, finding kinds (below, before the gate).
const GateInfo& gate_info();

constexpr const char* kHashPointer = "/hashes/canonical_pack_root_hash";
// A group can hold every pack of a huge run; each finding lists at most this
// many members (the rest are counted), so the report stays linear in size.
constexpr std::size_t kMaxListed = 20;

using GroupKey = std::pair<std::string, std::string>;  // (substrate_id, scenario_id)

// The path and digest of every file outside integrity/, packed into one
// string: as a vector of strings and optional digests a pack's list took a
// kilobyte, kept for every pack of the run (issue 13, point 2). Per file, in
// path order: the path, a NUL (no path holds one), then '1' and the 32
// digest bytes, or '0' for a file that could not be hashed.
class FileDigests {
 public:
  FileDigests() = default;
  explicit FileDigests(std::string packed) : packed_(std::move(packed)) {}
  void add(std::string_view path, const Digest* digest) {
    packed_.append(path);
    packed_.push_back('\0');
    packed_.push_back(digest != nullptr ? '1' : '0');
    if (digest != nullptr) packed_.append(reinterpret_cast<const char*>(digest->data()), digest->size());
  }
  const std::string& packed() const { return packed_; }
  // fn(path, digest or null), in path order.
  template <typename Fn>
  void each(Fn fn) const {
    std::string_view rest = packed_;
    while (!rest.empty()) {
      const std::size_t end = rest.find('\0');
      const std::string_view path = rest.substr(0, end);
      const bool hashed = rest[end + 1] == '1';
      Digest d{};
      if (hashed) std::copy_n(rest.data() + end + 2, d.size(), d.begin());
      fn(path, hashed ? &d : nullptr);
      rest.remove_prefix(end + 2 + (hashed ? d.size() : 0));
    }
  }

 private:
  std::string packed_;
};

// What DET-01 keeps of one pack (the pack itself is freed before the
// comparison): its group and hash, or why it is not compared, and the digest
// of every file outside integrity/ (derived from the others: it differs
// whenever anything does), for naming what differs in a group that
// disagrees. It waits encoded until its group is judged.
struct DetFacts : PackSummary {
  std::string name;         // root-relative: the same from any working directory
  std::string skip_reason;  // set: the pack is not compared
  GroupKey key;
  std::string hash;
  std::string run;  // the manifest's pack_id ("" when it has none): copies of one run share it
  std::uint64_t hash_line = 0, hash_column = 0;  // where the hash lies in manifest.json
  FileDigests files;

  bool encode(std::string& out) const override {
    ByteWriter w(out);
    for (std::string_view t : {name, skip_reason, key.first, key.second, hash, run}) w.text(t);
    w.number(hash_line);
    w.number(hash_column);
    w.text(files.packed());
    return true;
  }
  static std::unique_ptr<DetFacts> decode(std::string_view bytes) {
    auto d = std::make_unique<DetFacts>();
    ByteReader r(bytes);
    for (std::string* t : {&d->name, &d->skip_reason, &d->key.first, &d->key.second, &d->hash, &d->run})
      *t = r.text();
    d->hash_line = r.number();
    d->hash_column = r.number();
    d->files = FileDigests(std::string(r.text()));
    return r.done() ? std::move(d) : nullptr;
  }
};

struct Member {
  std::size_t index;  // into packs/sinks
  std::shared_ptr<const DetFacts> facts;
  const std::string& path() const { return facts->name; }
  const std::string& hash() const { return facts->hash; }
  // Which run the pack records: its pack_id, else the pack itself.
  std::string_view run() const { return facts->run.empty() ? std::string_view(facts->name) : facts->run; }
};

// At most this many differing files are named per member (the rest counted).
constexpr std::size_t kMaxFilesListed = 10;
constexpr std::string_view kAbsent = "(absent)";

FileDigests file_digests(const Pack& pack) {
  FileDigests out;
  for (const Entry& e : pack.entries())  // sorted by path
    if (e.type == EntryType::Regular && e.path.rfind("integrity/", 0) != 0) out.add(e.path, pack.digest(e.path));
  return out;
}

// For each member of a group whose hashes disagree: the files whose digest
// is not the group's majority for that path (absent counts as a value; a tie
// has no majority, so every side of it differs).
std::vector<std::vector<std::string>> differing_files(const std::vector<Member>& members) {
  std::vector<std::map<std::string, std::string>> files;
  std::map<std::string, std::map<std::string, std::size_t>> counts;  // path -> digest -> members
  for (const Member& m : members) {
    std::map<std::string, std::string>& f = files.emplace_back();
    // A file that could not be hashed counts as its own value.
    m.facts->files.each([&f](std::string_view path, const Digest* digest) {
      f[std::string(path)] = digest != nullptr ? to_hex(*digest) : "(not hashed)";
    });
  }
  std::set<std::string> paths;
  for (const auto& f : files)
    for (const auto& [path, digest] : f) paths.insert(path);
  auto value = [](const std::map<std::string, std::string>& f, const std::string& path) -> std::string_view {
    auto it = f.find(path);
    return it == f.end() ? kAbsent : std::string_view(it->second);
  };
  for (const std::string& path : paths)
    for (const auto& f : files) ++counts[path][std::string(value(f, path))];
  std::vector<std::vector<std::string>> out(members.size());
  for (const std::string& path : paths) {
    const auto& c = counts[path];
    if (c.size() == 1) continue;
    std::size_t best = 0, at_best = 0;
    for (const auto& [digest, n] : c) {
      if (n > best) best = n, at_best = 1;
      else if (n == best) ++at_best;
    }
    for (std::size_t i = 0; i < files.size(); ++i)
      if (c.at(std::string(value(files[i], path))) < best || at_best > 1) out[i].push_back(path);
  }
  return out;
}

// "artifacts/plan.json, timeline/events.ndjson; artifacts/ differ" for one member.
std::string differing_text(const std::vector<std::string>& paths) {
  if (paths.empty()) return "no file differs from the group's majority (only the manifest's hashes do)";
  std::string out;
  bool artifacts = false;
  for (const std::string& p : paths) artifacts = artifacts || p.rfind("artifacts/", 0) == 0;
  for (std::size_t i = 0; i < paths.size() && i < kMaxFilesListed; ++i) out += (i == 0 ? "" : ", ") + paths[i];
  if (paths.size() > kMaxFilesListed) out += " and " + std::to_string(paths.size() - kMaxFilesListed) + " more";
  return std::to_string(paths.size()) + (paths.size() == 1 ? " file differs" : " files differ") +
         " from the group's majority: " + out + "; artifacts/ " +
         (artifacts ? "differ" : "agree with the majority");
}

std::uint64_t group_fingerprint(const GroupKey& key) {
  return std::hash<std::string>{}(key.first + '\0' + key.second);
}

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

// A manifest's text as a JSON string, cut at 100 bytes: inert in a finding.
std::string shown(std::string_view text) { return to_compact_json(text, 100); }

// "substrate "mcp", scenario "d1_basic_pass"".
std::string group_name(const GroupKey& key) {
  return "substrate " + shown(key.first) + ", scenario " + shown(key.second);
}

// "<path>: <hash>; ..." for at most kMaxListed members (findings stay one line).
std::string listing(const std::vector<Member>& members) {
  std::string out;
  for (std::size_t i = 0; i < members.size() && i < kMaxListed; ++i)
    out += (i == 0 ? "" : "; ") + members[i].path() + ": " + members[i].hash();
  if (members.size() > kMaxListed) out += "; ... and " + std::to_string(members.size() - kMaxListed) + " more";
  return out;
}

// Reports a finding of kind `code` on member `m`, at the hash in its manifest.
void report(const Member& m, CollectionSinks& sinks, std::string_view code, std::string message,
            std::string detail, std::string expected, std::string hint, std::string diff_with = {}) {
  Finding f = gate_info().finding(code, "manifest.json", std::move(message));
  f.location.pointer = kHashPointer;
  f.location.line = m.facts->hash_line;
  f.location.column = m.facts->hash_column;
  f.detail = std::move(detail);
  f.expected = std::move(expected);
  f.actual = m.hash();
  f.hint = std::move(hint);
  f.diff_with = std::move(diff_with);
  sinks[m.index].report(std::move(f));
}

// The pack `m` is best compared with: a member of the most common value for
// a pack of another value (the odd one out against the majority), else the
// first listed member of another value (the rarest). Members are sorted
// rarest first.
const Member& partner(const Member& m, const std::vector<Member>& members, std::map<std::string, std::size_t>& counts) {
  const Member* majority = &members.back();
  for (const Member& o : members)
    if (counts[o.hash()] == counts[majority->hash()] && o.hash() != m.hash()) {
      majority = &o;
      break;
    }
  if (majority->hash() != m.hash()) return *majority;
  for (const Member& o : members)
    if (o.hash() != m.hash()) return o;
  return m;
}

void judge_group(const GroupKey& key, std::vector<Member>& members, CollectionSinks& sinks) {
  std::string name = group_name(key);
  if (members.size() == 1) {
    report(members[0], sinks, "det.single",
           "no other pack of " + name + " in this run to compare canonical_pack_root_hash with", "", "",
           "check reruns of the same scenario together to test determinism");
    return;
  }
  std::map<std::string, std::size_t> counts;
  for (const Member& m : members) ++counts[m.hash()];
  // Copies of one run (one pack_id: a backup, or a pack copied to pass as
  // its own rerun) agree by construction and prove nothing (QA-37). Copies
  // that disagree were edited: a mismatch like any other.
  const auto same_run = [&](const Member& m) { return m.run() == members[0].run(); };
  if (counts.size() == 1 && std::all_of(members.begin(), members.end(), same_run)) {
    std::sort(members.begin(), members.end(), [](const Member& a, const Member& b) { return a.path() < b.path(); });
    for (const Member& m : members)
      report(m, sinks, "det.single",
             "the " + std::to_string(members.size()) + " packs of " + name + " are copies of one run (pack_id " +
                 shown(members[0].run()) + "), not reruns: nothing to compare canonical_pack_root_hash with",
             listing(members), "",
             "check reruns of the same scenario (each with its own pack_id) together to test determinism");
    return;
  }
  // Rarest values first (the odd pack out is the likely culprit, and must
  // not be cut from a long listing), then by value and path.
  std::sort(members.begin(), members.end(), [&](const Member& a, const Member& b) {
    return std::tuple(counts[a.hash()], a.hash(), a.path()) < std::tuple(counts[b.hash()], b.hash(), b.path());
  });
  std::string count = std::to_string(members.size());
  std::string detail = listing(members);
  if (counts.size() == 1) {
    for (const Member& m : members)
      report(m, sinks, "det.agree",
             "canonical_pack_root_hash agrees across the " + count + " packs of " + name, detail, "", "");
    return;
  }
  const std::vector<std::vector<std::string>> differing = differing_files(members);
  for (std::size_t i = 0; i < members.size(); ++i) {
    const Member& m = members[i];
    const Member& other = partner(m, members, counts);
    report(m, sinks, "det.mismatch",
           "canonical_pack_root_hash differs across the " + count + " packs of " + name + " (" +
               std::to_string(counts.size()) + " distinct values); in this pack " + differing_text(differing[i]),
           detail, "the same value in every pack of the group",
           "the runs are not deterministic: `mplp-gate diff` this pack and " + other.path() +
               " to see which files, manifest fields and timeline events differ (timestamps, ids, ordering), "
               "then make the producer stable",
           other.path());
  }
}

const GateInfo& gate_info() {
  static const GateInfo info = documented({"GATE-V2-DET-01",
      {GateScope::Collection},
      {
          {"det.mismatch", Severity::Error, "run the `mplp-gate diff` the finding names to see what differs, then make the producer "
           "deterministic, or find the pack that was edited"},
          {"det.agree", Severity::Info, "nothing to fix: the reruns agree"},
          {"det.single", Severity::Info, "check reruns together"},
      }});
  return info;
}

class Gate_ : public Gate {
 public:
  const GateInfo& info() const override { return gate_info(); }

  std::unique_ptr<PackSummary> summarize(const Pack& pack, const GateContext& /*ctx*/) const override {
    auto facts = std::make_unique<DetFacts>();
    facts->name = pack.name();
    auto k = key_of(pack, facts->skip_reason);
    if (!k) return facts;
    facts->key = std::move(k->first);
    facts->hash = std::move(k->second);
    if (const rapidjson::Value* id = string_member(pack.manifest(), "pack_id")) facts->run = std::string(as_view(*id));
    facts->files = file_digests(pack);
    // The manifest was parsed whole to read the hash, so its bytes are at hand.
    std::string error;
    if (std::shared_ptr<const std::string> m = pack.bytes("manifest.json", error))
      json_pointer_position(*m, kHashPointer, facts->hash_line, facts->hash_column);
    return facts;
  }

  std::unique_ptr<PackSummary> decode_summary(std::string_view bytes) const override {
    return DetFacts::decode(bytes);
  }

  // Packs are judged one group at a time, so that only the group judged is
  // in memory: first each pack's group fingerprint, then the summaries of
  // the packs of one fingerprint, read again and told apart by their keys
  // (fingerprints can collide).
  void check_collection(const Summaries& packs, const GateContext& /*ctx*/, CollectionSinks& sinks) const override {
    std::vector<std::pair<std::uint64_t, std::size_t>> compared;  // (group fingerprint, pack)
    for (std::size_t i = 0; i < packs.size() && i < sinks.size(); ++i) {
      const std::shared_ptr<const PackSummary> s = packs.get(i);
      const auto* facts = static_cast<const DetFacts*>(s.get());
      if (facts != nullptr && facts->skip_reason.empty()) {
        compared.emplace_back(group_fingerprint(facts->key), i);
        continue;
      }
      sinks[i].skip(facts == nullptr ? "the pack could not be opened" : facts->skip_reason);
      sinks.done(i);
    }
    std::sort(compared.begin(), compared.end());
    // The runs of one fingerprint, judged in the order of their first pack:
    // the summaries, and the results judging changes, are then read back in
    // about the order they were stored (a run's spill file reads ahead),
    // not at random. A pack's verdict does not depend on this order.
    std::vector<std::pair<std::size_t, std::size_t>> runs;  // [begin, end) in `compared`
    for (std::size_t begin = 0, end = 0; begin < compared.size(); begin = end) {
      while (end < compared.size() && compared[end].first == compared[begin].first) ++end;
      runs.emplace_back(begin, end);
    }
    std::sort(runs.begin(), runs.end(),
              [&](const auto& a, const auto& b) { return compared[a.first].second < compared[b.first].second; });
    for (const auto& [begin, end] : runs) {
      std::map<GroupKey, std::vector<Member>> groups;
      for (std::size_t k = begin; k < end; ++k) {
        const std::size_t i = compared[k].second;
        auto facts = std::static_pointer_cast<const DetFacts>(packs.get(i));
        if (facts == nullptr) throw std::logic_error("a pack's summary was there, and then it was not");
        groups[facts->key].push_back(Member{i, std::move(facts)});
      }
      for (auto& [key, members] : groups) {
        judge_group(key, members, sinks);
        for (const Member& m : members) sinks.done(m.index);
      }
    }
  }

  // A sharded check keeps each (substrate, scenario) group in one shard.
  std::optional<std::string> shard_group(const JsonDoc& manifest) const override {
    const rapidjson::Value& m = manifest.value;
    const rapidjson::Value* substrate = string_member(member(m, "substrate_ref"), "substrate_id");
    const rapidjson::Value* scenario = string_member(&m, "scenario_id");
    // REAL as the pack is read (Pack::indexability), or the group is split.
    if (manifest_indexability(m, manifest.duplicates) != Indexability::Real || substrate == nullptr ||
        scenario == nullptr)
      return std::nullopt;
    return "det\n" + std::string(as_view(*substrate)) + "\n" + std::string(as_view(*scenario));
  }

  void note_unverified(const GateOutcome& o, const CheckOptions& /*options*/,
                       std::vector<Unverified>& out) const override {
    if (o.has_code("det.single")) out.push_back({"determinism", "no rerun of the same substrate and scenario in this run"});
  }
};

}  // namespace

// Listed in gates/gate_list.cpp, which declares it.
const Gate& det_gate() {
  static const Gate_ gate;
  return gate;
}

}  // namespace mplp
