// GATE-V2-EVIDENCE-REUSE-01: see gates/docs/GATE-V2-EVIDENCE-REUSE-01.md.
//
// The gate compares every pack of a run with every other, whatever their
// substrate and scenario, so a sharded check (engine/shard.h) cannot run it
// within one shard: it is compared across shards, each pack's ReuseFacts (a
// few strings) travel in the shard's report, and `mplp-gate merge` reads them
// back and runs check_collection over all of them.
#include <algorithm>
#include <cstring>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "core/byte_codec.h"
#include "core/digest.h"
#include "core/gate.h"
#include "core/json.h"
#include "core/pack_layout.h"

namespace mplp {

namespace {

// What one pack claims, and the two fingerprints compared across packs. It
// waits encoded until the comparison, which keeps only the fingerprints'
// first bytes of every pack and reads the rest for the few that may share one.
struct ReuseFacts : PackSummary {
  std::string name;  // the pack's name (Pack::name), as findings list it
  std::optional<std::string> pack_id, substrate_id, scenario_id;
  std::optional<Digest> sums;       // of the sums file
  std::optional<Digest> artifacts;  // over "<hex>  <path>\n" of every file under artifacts/

  // Its fields by their JSON names, for writing and reading back.
  template <typename Self, typename Text, typename Hash>
  static void fields(Self& f, Text text, Hash hash) {
    text("pack_id", f.pack_id);
    text("substrate_id", f.substrate_id);
    text("scenario_id", f.scenario_id);
    hash("sums", f.sums);
    hash("artifacts", f.artifacts);
  }
  void write_json(JsonWriter& w) const override {
    write_exact(w, "name", name);
    fields(
        *this, [&](const char* key, const std::optional<std::string>& v) { if (v) write_exact(w, key, *v); },
        [&](const char* key, const std::optional<Digest>& d) { if (d) write_exact(w, key, to_hex(*d)); });
  }
  bool encode(std::string& out) const override {
    ByteWriter w(out);
    w.text(name);
    fields(
        *this,
        [&](const char*, const std::optional<std::string>& v) {
          w.flag(v.has_value());
          if (v) w.text(*v);
        },
        [&](const char*, const std::optional<Digest>& d) {
          w.flag(d.has_value());
          if (d) w.raw(std::string_view(reinterpret_cast<const char*>(d->data()), d->size()));
        });
    return true;
  }
  static std::unique_ptr<ReuseFacts> decode(std::string_view bytes) {
    auto f = std::make_unique<ReuseFacts>();
    ByteReader r(bytes);
    f->name = r.text();
    fields(
        *f, [&](const char*, std::optional<std::string>& v) { if (r.flag()) v = std::string(r.text()); },
        [&](const char*, std::optional<Digest>& d) {
          if (!r.flag()) return;
          const std::string_view raw = r.raw(Digest().size());
          d.emplace();
          std::copy(raw.begin(), raw.end(), d->begin());
        });
    return r.done() ? std::move(f) : nullptr;
  }
};

// The first bytes of a fingerprint: enough to find the packs that may share it.
std::optional<std::uint64_t> prefix(const std::optional<Digest>& d) {
  if (!d) return std::nullopt;
  std::uint64_t v = 0;
  std::memcpy(&v, d->data(), sizeof v);
  return v;
}

// The gate's spec: id, scopes, finding kinds (below, before the gate).
const GateInfo& gate_info();

constexpr std::string_view kArtifacts = "artifacts/";
// A group can hold every pack of a huge run; each finding lists at most this
// many other members and counts the rest, so the report stays linear in size.
constexpr std::size_t kMaxListed = 20;

std::optional<std::string> text_at(const rapidjson::Value* obj, std::string_view key) {
  const rapidjson::Value* v = string_member(obj, key);
  return v == nullptr ? std::nullopt : std::optional<std::string>(as_view(*v));
}

// The artifacts tree as one digest; none when it is empty or a file could not be hashed.
std::optional<Digest> artifacts_digest(const Pack& pack) {
  Sha256 h;
  bool any = false;
  for (const Entry& e : pack.entries()) {
    if (e.type != EntryType::Regular || !e.path.starts_with(kArtifacts)) continue;
    const Digest* d = pack.digest(e.path);
    if (d == nullptr) return std::nullopt;  // not comparable (INTEGRITY-01 reports why)
    // The path, a NUL (no path holds one), the 32 bytes of its digest: a
    // path cannot spell other entries, as "<hex>  <path>\n" lines let a
    // directory named with newlines do (QA-52: an honest pack grouped with a
    // crafted one).
    h.update(e.path);
    h.update(std::string_view("\0", 1));
    h.update(std::string_view(reinterpret_cast<const char*>(d->data()), d->size()));
    any = true;
  }
  if (!any) return std::nullopt;
  return h.finish();
}

std::string shown(const std::optional<std::string>& v) {
  return v ? to_compact_json(*v, 100) : "(none)";
}

// Reports one finding on every member of each group whose members differ in
// `claim`, listing the other members with `describe(i)`. Members are
// indexes into `packs`, which belong to `sinks[pack_index[i]]`.
template <typename Claim, typename Describe>
void report_groups(const std::map<Digest, std::vector<std::size_t>>& groups, Claim claim, Describe describe,
                   const std::vector<std::shared_ptr<const ReuseFacts>>& packs, CollectionSinks& sinks,
                   const std::vector<std::size_t>& pack_index, std::string_view code, std::string_view file,
                   std::string_view what, std::string_view differ, std::string_view hint) {
  for (const auto& [digest, members] : groups) {
    std::set<decltype(claim(*packs[0]))> claims;
    for (std::size_t i : members) claims.insert(claim(*packs[i]));
    if (claims.size() < 2) continue;
    for (std::size_t self : members) {
      std::string others;
      std::size_t listed = 0;
      for (std::size_t i : members) {
        if (i == self) continue;
        if (listed++ >= kMaxListed) continue;
        others += (others.empty() ? "" : "; ") + packs[i]->name + " (" + describe(*packs[i]) + ")";
      }
      if (listed > kMaxListed) others += "; ... and " + std::to_string(listed - kMaxListed) + " more";
      Finding f = gate_info().finding(code, std::string(file),
                                      std::string(what) + " to that of " + std::to_string(members.size() - 1) +
                                          " other pack(s), and the packs claim " + std::string(differ));
      f.detail = "this pack: " + describe(*packs[self]) + "; sha256 " + to_hex(digest);
      f.expected = "evidence of its own (" + std::string(differ) + " cannot share it)";
      f.actual = "identical to: " + others;
      f.hint = std::string(hint);
      sinks[pack_index[self]].report(std::move(f));
    }
  }
}

// The packs that may share a fingerprint: (its first bytes, pack), sorted.
using Sieve = std::vector<std::pair<std::uint64_t, std::size_t>>;

// Calls judge(groups, facts, pack_index) for each run of packs of `sieve`
// whose fingerprints start alike: their summaries read again, grouped by the
// whole fingerprint `full`, in pack order.
template <typename Full, typename Judge>
void each_shared(const Summaries& packs, const Sieve& sieve, Full full, Judge judge) {
  for (std::size_t begin = 0, end = 0; begin < sieve.size(); begin = end) {
    while (end < sieve.size() && sieve[end].first == sieve[begin].first) ++end;
    if (end - begin < 2) continue;
    std::vector<std::shared_ptr<const ReuseFacts>> facts;
    std::vector<std::size_t> pack_index;
    std::map<Digest, std::vector<std::size_t>> groups;
    for (std::size_t k = begin; k < end; ++k) {
      pack_index.push_back(sieve[k].second);
      facts.push_back(std::static_pointer_cast<const ReuseFacts>(packs.get(sieve[k].second)));
      if (facts.back() == nullptr) throw std::logic_error("a pack's summary was there, and then it was not");
      if (const std::optional<Digest>& d = full(*facts.back())) groups[*d].push_back(facts.size() - 1);
    }
    judge(groups, facts, pack_index);
  }
}

const GateInfo& gate_info() {
  static const GateInfo info = documented({.id = "GATE-V2-EVIDENCE-REUSE-01",
      .scopes = {GateScope::Collection},
      .kinds = {
          {"reuse.sums-identical", Severity::Error, "seal each pack after its own run (the sums file lists its manifest)"},
          {"reuse.artifacts-identical", Severity::Error, "produce each pack's evidence by its own run; remove relabelled copies"},
      },
      .compared_across_shards = true});
  return info;
}

std::unique_ptr<ReuseFacts> reuse_facts_of(const Pack& pack) {
  auto f = std::make_unique<ReuseFacts>();
  f->name = pack.name();
  const rapidjson::Value* m = pack.manifest();
  f->pack_id = text_at(m, "pack_id");
  f->substrate_id = text_at(member(m, "substrate_ref"), "substrate_id");
  f->scenario_id = text_at(m, "scenario_id");
  const Entry* e = pack.find(kSumsPath);
  if (e != nullptr && e->type == EntryType::Regular)
    if (const Digest* d = pack.digest(kSumsPath)) f->sums = *d;
  f->artifacts = artifacts_digest(pack);
  return f;
}

void check_reuse(const Summaries& packs, CollectionSinks& sinks) {
  Sieve by_sums, by_artifacts;
  for (std::size_t i = 0; i < packs.size() && i < sinks.size(); ++i) {
    const std::shared_ptr<const PackSummary> s = packs.get(i);
    if (s == nullptr) continue;  // not opened: nothing to compare
    const auto& f = static_cast<const ReuseFacts&>(*s);
    if (std::optional<std::uint64_t> p = prefix(f.sums)) by_sums.emplace_back(*p, i);
    if (std::optional<std::uint64_t> p = prefix(f.artifacts)) by_artifacts.emplace_back(*p, i);
  }
  std::sort(by_sums.begin(), by_sums.end());
  std::sort(by_artifacts.begin(), by_artifacts.end());
  each_shared(packs, by_sums, [](const ReuseFacts& f) { return f.sums; },
              [&](const auto& groups, const auto& facts, const std::vector<std::size_t>& pack_index) {
                report_groups(
                    groups, [](const ReuseFacts& f) { return f.pack_id; },
                    [](const ReuseFacts& f) { return "pack_id " + shown(f.pack_id); }, facts, sinks, pack_index,
                    "reuse.sums-identical", kSumsPath, "integrity/sha256sums.txt is byte-identical",
                    "different pack_id values",
                    "a sums file lists manifest.json, which names the pack: identical sums under two names mean a "
                    "copied or stale seal; seal each pack after its own run");
              });
  each_shared(packs, by_artifacts, [](const ReuseFacts& f) { return f.artifacts; },
              [&](const auto& groups, const auto& facts, const std::vector<std::size_t>& pack_index) {
                report_groups(
                    groups, [](const ReuseFacts& f) { return std::pair{f.substrate_id, f.scenario_id}; },
                    [](const ReuseFacts& f) {
                      return "substrate " + shown(f.substrate_id) + ", scenario " + shown(f.scenario_id);
                    },
                    facts, sinks, pack_index, "reuse.artifacts-identical", kArtifacts,
                    "the artifacts/ tree is identical", "different substrates or scenarios",
                    "one run's artifacts cannot be the evidence of another substrate or scenario: produce each "
                    "pack by its own run and remove the relabelled copies");
              });
}

class Gate_ : public Gate {
 public:
  const GateInfo& info() const override { return gate_info(); }

  std::unique_ptr<PackSummary> summarize(const Pack& pack, const GateContext&) const override {
    return reuse_facts_of(pack);
  }

  std::unique_ptr<PackSummary> decode_summary(std::string_view bytes) const override {
    return ReuseFacts::decode(bytes);
  }

  void check_collection(const Summaries& packs, const GateContext&, CollectionSinks& sinks) const override {
    check_reuse(packs, sinks);
  }

  std::unique_ptr<PackSummary> read_summary(const rapidjson::Value& json, std::string_view pack,
                                            std::string& error) const override {
    auto f = std::make_unique<ReuseFacts>();
    bool bad = !json.IsObject();
    if (!bad)
      for (const auto& m : json.GetObject()) bad = bad || !m.value.IsString();
    std::optional<std::string> name = bad ? std::nullopt : read_exact(&json, "name", bad);
    ReuseFacts::fields(
        *f, [&](const char* key, std::optional<std::string>& v) { v = read_exact(&json, key, bad); },
        [&](const char* key, std::optional<Digest>& d) {
          const std::optional<std::string> hex = read_exact(&json, key, bad);
          if (hex) d = digest_from_hex(*hex);
          bad = bad || (hex && !d);
        });
    if (bad || !name) {
      error = "not an object of strings with a name (and valid base64), whose sums and artifacts are SHA-256 digests";
      return nullptr;
    }
    if (*name != pack) {  // findings of other packs would name it
      error = "it names another pack";
      return nullptr;
    }
    f->name = std::move(*name);
    return f;
  }
};

}  // namespace

const Gate& evidence_reuse_gate() {
  static const Gate_ gate;
  return gate;
}

}  // namespace mplp
