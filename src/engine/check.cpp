#include "engine/check.h"
#include "engine/checked_packs.h"

#include <sys/stat.h>

#include <algorithm>
#include <filesystem>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <thread>

#include "core/file_identity.h"
#include "core/json_position.h"
#include "core/pack_layout.h"
#include "core/registry.h"
#include "core/spill_file.h"
#include "core/suggest.h"
#include "core/thread_pool.h"
#include "core/trust.h"
#include "engine/acceptance.h"
#include "engine/discover.h"
#include "engine/registries.h"
#include "engine/finding_cap.h"
#include "engine/fold.h"
#include "engine/internal_error.h"
#include "engine/not_verified.h"
#include "engine/preparations.h"
#include "gates/gate_list.h"
#include "runner/runner_def.h"

namespace mplp {

namespace {

constexpr std::string_view kPackUnopenable = "pack.unopenable";
constexpr std::string_view kPackLink = "pack.link";

// Collects one gate's findings for one pack, stamping the gate id and
// applying the policy's severity ceiling; keeps at most the pack's cap (the
// rest is counted into `cap` with the result).
//
// With `compact`, findings wait in the store's encoded form, up to the cap
// at a time: a collection gate reports on every pack of the run before any
// result is taken, and about 800 bytes a pack of Findings and their texts
// made the peak of a large run's memory. Their texts join the store's pool
// even when the cap drops them, which suits gates reporting a few findings
// a pack, as collection gates do.
class CollectingSink : public FindingSink {
 public:
  // `gate_id` is a gate's own (GateInfo::id), which outlives every sink.
  CollectingSink(std::string_view gate_id, const Policy& policy, PackFindingCap& cap, PackStore* compact = nullptr)
      : gate_id_(gate_id), policy_(policy), cap_(cap), compact_(compact), findings_(cap.cap(), cap.acceptance()) {}
  void report(Finding f) override {
    f.gate_id = std::string(gate_id_);
    // Every error and warning says how to fix it: the gate's own words when
    // it had some for this place, else its documented fix for the code.
    if (f.hint.empty() && f.severity != Severity::Info)
      if (const FindingKind* k = find_finding_kind(gate_id_, f.code); k != nullptr) f.hint = std::string(k->fix);
    f.severity = policy_.adjust(gate_id_, f.severity);
    if (compact_ == nullptr) {
      findings_.add(std::move(f));
      return;
    }
    waiting_.push_back(compact_->encode(f));
    if (waiting_.size() >= cap_.cap()) admit_waiting();
  }
  void skip(std::string reason) override {
    skipped_ = true;
    if (reason_.empty()) reason_ = std::move(reason);
  }
  GateResult result(bool strict) {
    admit_waiting();
    GateResult r;
    r.gate_id = std::string(gate_id_);
    r.findings = findings_.take_sorted();
    cap_.absorb(gate_id_, findings_.omitted());
    // The most severe findings are kept, so the kept ones decide as all would.
    r.status = decide_status(r.findings, skipped_, strict);
    if (skipped_) r.skip_reason = reason_;
    return r;
  }

 private:
  // In report order, as if each had been added when it was reported.
  void admit_waiting() {
    for (const std::string& w : waiting_) findings_.add(compact_->decode(w));
    waiting_ = {};
  }

  std::string_view gate_id_;  // one sink per pack: a copy each added up
  const Policy& policy_;
  PackFindingCap& cap_;
  PackStore* compact_;
  std::vector<std::string> waiting_;  // encoded (compact_)
  BoundedFindings findings_;
  bool skipped_ = false;
  std::string reason_;
};

}  // namespace

const std::vector<FindingKind>& engine_finding_kinds() {
  static const std::vector<FindingKind> kinds = {
      {"internal.error", Severity::Error,
       "report it with the pack that caused it; `mplp-gate check --skip GATE` runs the other gates meanwhile",
       "a gate failed on this pack (a bug in mplp-gate, not in the pack)"},
      {kFindingsOmitted, Severity::Warning,
       "fix the findings shown and check again, or raise limits.max_findings_per_pack in the policy",
       "the pack has more findings than limits.max_findings_per_pack; the most severe were kept and the rest "
       "counted here (its severity is that of the worst finding left out)"},
      {kPackUnopenable, Severity::Error,
       "make the pack a readable directory (not a link) and check again",
       "a directory found as a pack could not be opened when its turn came (removed, made unreadable or "
       "replaced by a link since the tree was searched); no gate checked it"},
      {kPackLink, Severity::Error,
       "put the pack itself in the tree instead of a link, or check the link's target with `mplp-gate check "
       "TARGET`",
       "a symbolic link lies in the checked tree where a pack or a directory is expected; it is never "
       "followed, so what it points at was not checked"},
  };
  return kinds;
}

std::vector<std::string_view> all_finding_codes() {
  std::vector<std::string_view> codes;
  for (const Gate* g : all_gates())
    for (const FindingKind& k : g->info().kinds) codes.push_back(k.code);
  for (const FindingKind& k : engine_finding_kinds()) codes.push_back(k.code);
  return codes;
}

const FindingKind* find_finding_kind(std::string_view gate_id, std::string_view code) {
  if (const Gate* g = find_gate(gate_id); g != nullptr)
    for (const FindingKind& k : g->info().kinds)
      if (k.code == code) return &k;
  for (const FindingKind& k : engine_finding_kinds())
    if (k.code == code) return &k;
  return nullptr;
}

namespace {

bool known_gate(std::string_view id, std::string& error) {
  if (find_gate(id) != nullptr) return true;
  // Full ids first, then short ones: a short id mistyped gets a short id.
  std::vector<std::string_view> ids;
  for (const Gate* g : all_gates()) ids.push_back(g->info().id);
  for (const Gate* g : all_gates()) ids.push_back(short_gate_id(g->info().id));
  error = "unknown gate id '" + std::string(id) + "'" + did_you_mean_note(id, ids) + "; `mplp-gate gates` lists them";
  return false;
}

// A collection gate's sinks, one per pack, made when the gate first reports
// on the pack: a pack's result is taken when the gate is done with it (or
// has returned), so only the packs of the group being judged wait in memory.
class PackSinks : public CollectionSinks {
 public:
  PackSinks(std::string_view gate_id, const Policy& policy, const std::vector<PackFindingCap*>& caps,
            PackStore* compact, bool strict, const std::function<void(std::size_t, GateResult)>& take)
      : gate_id_(gate_id), policy_(policy), caps_(caps), compact_(compact), strict_(strict), take_(take),
        sinks_(caps.size()), taken_(caps.size(), false) {}
  std::size_t size() const override { return sinks_.size(); }
  FindingSink& operator[](std::size_t i) override { return collecting(i); }
  CollectingSink& collecting(std::size_t i) {
    if (taken_.at(i))
      throw std::logic_error("the gate reported on pack " + std::to_string(i) + " after it was done with it");
    if (!sinks_[i]) sinks_[i] = std::make_unique<CollectingSink>(gate_id_, policy_, *caps_[i], compact_);
    return *sinks_[i];
  }
  void done(std::size_t i) override {
    if (taken_.at(i)) return;
    take_(i, collecting(i).result(strict_));
    sinks_[i].reset();
    taken_[i] = true;
  }
  bool taken(std::size_t i) const { return taken_.at(i); }

 private:
  std::string_view gate_id_;
  const Policy& policy_;
  const std::vector<PackFindingCap*>& caps_;
  PackStore* compact_;
  bool strict_;
  const std::function<void(std::size_t, GateResult)>& take_;
  std::vector<std::unique_ptr<CollectingSink>> sinks_;
  std::vector<bool> taken_;
};

// An internal failure of a gate is a finding too, so every format shows it.
void report_internal_error(CollectingSink& sink, std::string_view what) { sink.report(internal_error_finding(what)); }

// Runs one gate's work on one scope, so that an exception in any gate
// (pack, runners or collection), a failed RapidJSON assertion included,
// becomes a finding on `sinks` and never ends the run without a report.
template <typename Fn>
void guarded(const std::vector<CollectingSink*>& sinks, Fn&& fn) {
  if (std::optional<std::string> what = run_caught(fn))
    for (CollectingSink* s : sinks) report_internal_error(*s, *what);
}

// A pack that was found but cannot be opened now (removed, made unreadable
// or replaced since discovery): a failing pack, not the end of the run. The
// first selected pack gate (INTEGRITY-01 when it runs) says why; the others
// skip it.
// What the pack gates tap on the hash read of each large file. A gate that
// fails to make its tap gets none, and reads the file again itself.
FileTapMaker gate_taps(const std::vector<const Gate*>& gates, const Preparations& prep, const GateContext& ctx) {
  return [&gates, &prep, &ctx](const Entry& file) {
    FileTaps taps;
    for (const Gate* g : gates) {
      if (!g->info().scopes.has(GateScope::Pack)) continue;
      try {
        if (std::unique_ptr<FileTap> t = g->large_file_tap(file, prep.context(g, ctx))) taps.emplace_back(g->info().id, std::move(t));
      } catch (const std::exception&) {
      }
    }
    return taps;
  };
}

bool signature_required(const CheckRequest& req) {
  return req.options.require_signature || req.policy.require_signature;
}

// The finding cap of the pack found at `loc`.
PackFindingCap cap_for(const CheckRequest& req, const PackLocation& loc) {
  return pack_finding_cap(req.policy, loc.name.empty() ? loc.display_path : loc.name, signature_required(req));
}

// A place found as a pack that no gate can check: `reporter_finding` goes
// to one pack gate (the first that speaks for such places, else the first),
// every other gate skips.
PackResult unchecked_result(const PackLocation& loc, Finding reporter_finding, const std::string& skip_reason,
                            const std::vector<const Gate*>& gates, const CheckRequest& req) {
  PackResult pr;
  pr.path = loc.display_path;
  pr.name = loc.name;
  PackFindingCap cap = cap_for(req, loc);
  const Gate* reporter = nullptr;
  for (const Gate* g : gates)
    if (g->info().scopes.has(GateScope::Pack) &&
        (reporter == nullptr || (g->info().reports_unchecked_places && !reporter->info().reports_unchecked_places)))
      reporter = g;
  for (const Gate* g : gates) {
    if (!g->info().checks_packs()) continue;
    CollectingSink sink(g->info().id, req.policy, cap);
    if (g == reporter) sink.report(reporter_finding);
    else sink.skip(skip_reason);
    pr.gates.push_back(sink.result(req.options.strict));
  }
  return pr;
}

PackResult unopenable_result(const PackLocation& loc, const std::string& why, const std::vector<const Gate*>& gates,
                             const CheckRequest& req) {
  Finding f;
  f.severity = Severity::Error;
  f.code = std::string(kPackUnopenable);
  f.message = "the pack could not be opened: " + why;
  return unchecked_result(loc, std::move(f), "the pack could not be opened", gates, req);
}

// A symbolic link in the searched tree: links are never followed, so
// whatever it points at (a pack, perhaps) was not checked, and the run says so.
PackResult link_result(const PackLocation& loc, const std::vector<const Gate*>& gates, const CheckRequest& req) {
  Finding f;
  f.severity = Severity::Error;
  f.code = std::string(kPackLink);
  f.message = "a symbolic link where a pack or a directory of the tree is expected; links are never followed, "
              "so what it points at was not checked";
  return unchecked_result(loc, std::move(f), "a symbolic link, not followed", gates, req);
}

// A staging directory found among the packs: never opened as a pack. Every
// pack gate skips it, and a gate that speaks for such places says why
// (Gate::check_stage), so that it never shows as a passing pack.
PackResult stage_result(const PackLocation& loc, const std::vector<const Gate*>& gates, const CheckRequest& req) {
  PackResult pr;
  pr.path = loc.display_path;
  pr.name = loc.name;
  PackFindingCap cap = cap_for(req, loc);
  for (const Gate* g : gates) {
    if (!g->info().checks_packs()) continue;
    CollectingSink sink(g->info().id, req.policy, cap);
    guarded({&sink}, [&] { g->check_stage(loc.stage_note, sink); });
    sink.skip("not a pack: " + loc.stage_note);  // no gate passes it
    pr.gates.push_back(sink.result(req.options.strict));
  }
  return pr;
}

// False (with `error`, and each such output added to `refused`) when an
// output would land on one of `inputs`, files the run reads (`what` names
// their kind): a report written over a registry found beside the packs
// would break every later check.
bool outputs_spare(const CheckRequest& req, const std::vector<std::string>& inputs, std::string_view what,
                   std::string& error, std::vector<std::string>* refused) {
  bool spared = true;
  for (const std::string& out : req.output_paths) {
    for (const std::string& input : inputs) {
      if (!names_one_file(out, input)) continue;
      if (refused != nullptr) refused->push_back(out);
      if (spared) error = "report " + out + " would overwrite " + std::string(what) + input + ", which this run reads";
      spared = false;
      break;
    }
  }
  return spared;
}

// Findings located by a JSON pointer into a .json file of the pack get the
// line and column the pointer lands on, so every format can show file:line:col
// (SARIF regions, annotations). Files over kLocateMaxBytes keep the pointer
// alone: a place is not worth re-reading a huge file.
constexpr std::uint64_t kLocateMaxBytes = 64ull << 20;

void locate_pointers(const Pack& pack, GateResult& g) {
  std::map<std::string, std::shared_ptr<const std::string>> texts;
  bool located = false;
  for (Finding& f : g.findings) {
    if (f.location.pointer.empty() || f.location.line > 0 || f.file.size() < 5 ||
        f.file.compare(f.file.size() - 5, 5, ".json") != 0)
      continue;
    auto it = texts.find(f.file);
    if (it == texts.end()) {
      std::shared_ptr<const std::string> bytes;
      const FileState* state = pack.file(f.file);
      std::string error;
      if (state != nullptr && state->entry.size <= kLocateMaxBytes) bytes = pack.bytes(f.file, error);
      it = texts.emplace(f.file, std::move(bytes)).first;
    }
    if (it->second)
      located |= json_pointer_position(*it->second, f.location.pointer, f.location.line, f.location.column);
  }
  // Lines are part of the order findings are listed in.
  if (located) std::sort(g.findings.begin(), g.findings.end(), finding_less);
}

std::string digest_hex(const Pack& pack, std::string_view rel) {
  const Digest* d = pack.digest(rel);
  return d != nullptr ? to_hex(*d) : std::string();
}

PackDigests digests_of(const Pack& pack, const SubstrateRegistry* registry) {
  PackDigests d;
  d.sums = digest_hex(pack, kSumsPath);
  d.manifest = digest_hex(pack, "manifest.json");
  d.provenance = digest_hex(pack, kProvenancePath);
  if (registry != nullptr) d.registry = registry->sha256;
  return d;
}

// How findings name a pack's registry: as given when explicit; a registry
// found above the pack relative to the directory the pack's name is relative
// to, so that reports read the same from any working directory.
std::string registry_name(const SubstrateRegistry* reg, const SubstrateRegistry* explicit_registry,
                          const PackLocation& loc) {
  if (reg == nullptr) return "";
  if (reg == explicit_registry) return reg->source;
  namespace fs = std::filesystem;
  fs::path base = fs::path(loc.base).lexically_normal();
  while (!base.has_filename() && base.has_relative_path()) base = base.parent_path();
  if (base.empty()) base = ".";
  std::string rel = fs::path(reg->source).lexically_relative(base).string();
  return rel.empty() ? reg->source : rel;
}

RunInfo run_info(const CheckRequest& req, const TrustStore& trust, const SubstrateRegistry* explicit_registry) {
  RunInfo info;
  info.policy_name = req.policy.source == default_policy().source
                         ? "builtin"
                         : std::filesystem::path(req.policy.source).filename().string();
  info.policy_sha256 = req.policy.sha256;
  info.require_signature = signature_required(req);
  for (const TrustedKey& k : trust.keys) info.trusted_keys.push_back(k.key.id() + ": " + k.scope_text());
  std::sort(info.trusted_keys.begin(), info.trusted_keys.end());
  info.trusted_keys.erase(std::unique(info.trusted_keys.begin(), info.trusted_keys.end()), info.trusted_keys.end());
  if (explicit_registry != nullptr) info.registry_sha256 = explicit_registry->sha256;
  info.repo_root = req.options.repo_root.has_value();
  info.absolute_paths = req.absolute_paths;
  info.only_gates = req.only_gates;
  info.skip_gates = req.skip_gates;
  for (auto* list : {&info.only_gates, &info.skip_gates}) {
    std::sort(list->begin(), list->end());
    list->erase(std::unique(list->begin(), list->end()), list->end());
  }
  return info;
}

// What `merge` needs from this shard besides its report (engine/shard.h):
// among others, each pack's summary for every gate compared across shards,
// which `merge` compares over all shards. Takes those summaries.
std::shared_ptr<const ShardSection> shard_section(const CheckRequest& req, const Baseline& baseline,
                                                  const std::string& found_sha256,
                                                  std::map<std::string, std::string> inputs, const PackLocations& places,
                                                  const std::vector<const Gate*>& collection,
                                                  CheckedPacks& checked,
                                                  const std::vector<PackFindingCap>& caps) {
  auto s = std::make_shared<ShardSection>();
  s->spec = *req.shard;
  s->paths = req.paths;
  s->policy_source = req.policy.source;
  s->policy_yaml = req.policy.yaml;
  s->found_sha256 = found_sha256;
  s->inputs = std::move(inputs);
  s->has_baseline = req.baseline_path.has_value();
  s->baseline.assign(baseline.fingerprints.begin(), baseline.fingerprints.end());
  for (std::size_t i = 0; i < places.size(); ++i) {
    const PackLocation place = places[i].unpack();
    ShardPack p;
    p.name = place.name;
    p.path = place.display_path;
    p.compared = !place.stage && checked.opened(i);
    for (std::size_t c = 0; p.compared && c < collection.size(); ++c) {
      if (!collection[c]->info().compared_across_shards) continue;
      const std::string id(collection[c]->info().id);
      p.summaries[id] = checked.take(i, c);
      if (const std::string* what = checked.error(i, c)) p.summary_errors[id] = *what;
    }
    p.omitted = caps[i].omitted();
    p.omitted_suppressions = caps[i].accepting_suppressions();
    s->packs.push_back(std::move(p));
  }
  return s;
}

// Why a required signature would go unchecked, or "": the gate that checks
// signatures disabled or capped below error by the policy (whichever asked
// for signatures), or left out by --gate/--skip when --require-signature
// asked for them. Either way the run would pass without saying so.
std::string unchecked_signature_requirement(const CheckRequest& req, const std::vector<const Gate*>& chosen) {
  const bool by_option = req.options.require_signature;
  if (req.options.runners_dir || (!by_option && !req.policy.require_signature)) return "";
  const std::string asked = by_option ? "--require-signature" : req.policy.source + ": trust.require_signature";
  if (auto it = req.policy.gates.find(std::string(kAttestationGateId)); it != req.policy.gates.end()) {
    const std::string where = req.policy.source + ":" + std::to_string(it->second.line);
    if (!it->second.enabled) return asked + " needs " + std::string(kAttestationGateId) + ", which " + where + " disables";
    if (it->second.max_severity && *it->second.max_severity != Severity::Error)
      return asked + " needs " + std::string(kAttestationGateId) + " to fail a run, which " + where + " caps at severity " +
             std::string(to_string(*it->second.max_severity));
  }
  const bool runs = std::any_of(chosen.begin(), chosen.end(), [&](const Gate* g) { return g->info().id == kAttestationGateId; });
  if (!runs && by_option)
    return asked + " needs " + std::string(kAttestationGateId) + ", which --gate or --skip leaves out of this run";
  return "";
}

}  // namespace

bool outputs_outside(const std::vector<std::string>& outputs,
                     const std::vector<std::pair<std::string, std::string>>& dirs, std::string_view kind,
                     std::string& error, std::vector<std::string>* refused) {
  if (outputs.empty()) return true;
  std::vector<FileIdentity> ids;
  std::vector<std::string> names;
  for (const auto& [fs_path, shown] : dirs) {
    FileIdentity id;
    if (!identify(fs_path, id)) continue;  // unreadable: opening it reports that
    ids.push_back(id);
    names.push_back(shown);
  }
  bool outside = true;
  for (const std::string& out : outputs) {
    std::size_t which = 0;
    // Through a link, where the write lands (a dangling one included).
    if (!lies_within(output_target(out), ids, which)) continue;
    if (refused != nullptr) refused->push_back(out);
    if (!outside) continue;
    error = "output " + out + " lies inside the checked " + std::string(kind) + " " + names[which] +
            ": writing it would change what is checked; write it outside";
    outside = false;
  }
  return outside;
}

std::vector<std::string> outputs_inside_packs(const std::vector<std::string>& paths,
                                              const std::optional<std::string>& runners_dir,
                                              const std::vector<std::string>& outputs) {
  std::vector<std::string> refused;
  if (outputs.empty()) return refused;
  std::string error;
  if (runners_dir) outputs_outside(outputs, {{*runners_dir, *runners_dir}}, "runners directory", error, &refused);
  PackLocations locations;
  for (const std::string& p : paths) discover_packs(p, DiscoverOptions{}, locations, error);
  std::vector<std::pair<std::string, std::string>> dirs;
  for (const PackedLocation& packed : locations) {
    PackLocation l = packed.unpack();
    dirs.emplace_back(std::move(l.fs_path), std::move(l.display_path));
  }
  outputs_outside(outputs, dirs, "pack", error, &refused);
  return refused;
}

bool select_gates(const CheckRequest& req, std::vector<const Gate*>& out, std::string& error) {
  for (const std::string& id : req.only_gates)
    if (!known_gate(id, error)) return false;
  for (const std::string& id : req.skip_gates)
    if (!known_gate(id, error)) return false;
  for (const auto& [id, g] : req.policy.gates) {
    if (!known_gate(id, error)) {
      error = "invalid policy: " + req.policy.source + ":" + std::to_string(g.line) + ":" + std::to_string(g.column) +
              ": key 'gates." + id + "': " + error;
      return false;
    }
  }
  out.clear();
  for (const Gate* g : all_gates()) {
    std::string id(g->info().id);
    bool chosen = req.only_gates.empty()
                      ? req.policy.gate_enabled(id)
                      : std::find(req.only_gates.begin(), req.only_gates.end(), id) != req.only_gates.end();
    if (std::find(req.skip_gates.begin(), req.skip_gates.end(), id) != req.skip_gates.end()) chosen = false;
    // With --runners only the gates that check runner definitions run;
    // otherwise only those that check packs.
    if (req.options.runners_dir) chosen = chosen && g->info().scopes.has(GateScope::Runners);
    else chosen = chosen && g->info().checks_packs();
    if (chosen) out.push_back(g);
  }
  // A run that checks nothing must not say PASS (--gate X --skip X, every
  // gate disabled by the policy, a pack gate asked for with --runners).
  if (out.empty()) {
    error = std::string("no gate left to run: ") +
            (req.options.runners_dir ? "none of the gates chosen checks runner definitions"
                                     : "none of the gates chosen checks packs") +
            " (see --gate, --skip and the policy's gates.<id>.enabled; `mplp-gate gates` lists them)";
    return false;
  }
  error = unchecked_signature_requirement(req, out);
  return error.empty();
}

void compare_collection(const Gate& gate, const Preparations& prep, const GateContext& base,
                        const Summaries& summaries, const std::vector<const std::string*>& summary_errors,
                        const std::vector<PackFindingCap*>& caps, bool strict, PackStore* compact,
                        const std::function<void(std::size_t, GateResult)>& take) {
  PackSinks sinks(gate.info().id, base.policy, caps, compact, strict, take);
  for (std::size_t i = 0; i < summaries.size(); ++i)
    if (summary_errors[i] != nullptr) report_internal_error(sinks.collecting(i), *summary_errors[i]);
  if (std::optional<std::string> what =
          run_caught([&] { gate.check_collection(summaries, prep.context(&gate, base), sinks); }))
    for (std::size_t i = 0; i < summaries.size(); ++i)
      if (!sinks.taken(i)) report_internal_error(sinks.collecting(i), *what);
  for (std::size_t i = 0; i < summaries.size(); ++i) sinks.done(i);
}

void add_collection_result(std::vector<GateResult>& gates, GateResult result, PackFindingCap& cap) {
  gates.push_back(std::move(result));
  one_finding_per_defect(gates.back());
  cap.trim(gates);
}

namespace {

// Adds the findings.omitted notes, then decides each gate's status again
// from what the report holds: a trim across gates may have left out a
// gate's only error, and when a suppression accepts it the note does not
// count, so the gate passes (it failed while its sink decided from that
// error). Otherwise the note has the severity of the worst left out, and
// the status stays the sink's.
void add_notes_and_decide(std::vector<GateResult>& gates, const PackFindingCap& cap, bool strict) {
  cap.add_notes(gates);
  for (GateResult& g : gates)
    g.status = decide_status(g.findings, g.status == GateStatus::Skip || !g.skip_reason.empty(), strict);
}

}  // namespace

void finish_pack(PackResult& result, const PackFindingCap& cap, bool strict) {
  add_notes_and_decide(result.gates, cap, strict);
  std::sort(result.gates.begin(), result.gates.end(),
            [](const GateResult& a, const GateResult& b) { return a.gate_id < b.gate_id; });
}

bool run_check(const CheckRequest& req, RunReport& report, std::string& error,
               std::vector<std::string>* refused_outputs) {
  report = RunReport{};
  report.strict = req.options.strict;
  if (!select_gates(req, report.gates, error)) return false;
  RegistryResolver registries;
  if (!registries.load_explicit(req, error)) return false;
  const SubstrateRegistry* explicit_registry = registries.explicit_registry();
  TrustStore trust;
  if (!load_trust(req.trusted_key_paths, req.policy, trust, error)) return false;
  report.info = run_info(req, trust, explicit_registry);
  Baseline baseline;
  if (req.baseline_path && !load_baseline(*req.baseline_path, baseline, error)) return false;
  report.info.baseline_sha256 = baseline.sha256;
  const Baseline* accepted = req.baseline_path ? &baseline : nullptr;
  // What a run sets aside until the end (each pack's result, what collection
  // gates keep of it) goes to disk when a temporary file can be made; else it
  // stays in memory, which only makes a large run cost more of it. A check
  // of runner definitions sets nothing aside.
  std::string spill_error;
  std::shared_ptr<SpillFile> spill;
  if (!req.options.runners_dir) spill = SpillFile::create(SpillFile::default_dir(), spill_error);
  GateContext ctx{req.policy, req.options, explicit_registry,
                  explicit_registry != nullptr ? explicit_registry->source : std::string(), &trust, nullptr,
                  spill.get()};

  unsigned jobs = req.jobs != 0 ? req.jobs : std::max(1u, std::thread::hardware_concurrency());
  ThreadPool pool(jobs);
  const Preparations prep(report.gates, ctx);
  // Small files stay in memory after their one read when a gate reads contents.
  const bool keep_contents = std::any_of(report.gates.begin(), report.gates.end(),
                                         [](const Gate* g) { return g->info().needs.contents; });

  if (req.options.runners_dir) {
    if (!outputs_outside(req.output_paths, {{*req.options.runners_dir, *req.options.runners_dir}}, "runners directory",
                         error, refused_outputs))
      return false;
    // A runner that cannot be checked is a usage error, not a finding on the others.
    if (std::string problem;
        req.options.only_runner && runner::runner_dir_problem(*req.options.runners_dir, *req.options.only_runner, problem)) {
      error = "--runner: " + problem;
      return false;
    }
    report.runners_check = true;
    PackResult pr;
    pr.path = display_name(*req.options.runners_dir, req.absolute_paths);
    pr.name = directory_name(*req.options.runners_dir);
    PackFindingCap cap = pack_finding_cap(req.policy, pr.name, signature_required(req));
    for (const Gate* g : report.gates) {
      CollectingSink sink(g->info().id, req.policy, cap);
      guarded({&sink}, [&] { g->check_runners(prep.context(g, ctx), sink); });
      pr.gates.push_back(sink.result(req.options.strict));
      one_finding_per_defect(pr.gates.back());
      cap.trim(pr.gates);
    }
    add_notes_and_decide(pr.gates, cap, req.options.strict);
    report.packs.push_back(std::move(pr));
    report.runner_ids = req.options.only_runner ? std::vector<std::string>{*req.options.only_runner}
                                                : runner::list_runner_dirs(*req.options.runners_dir);
    std::sort(report.runner_ids.begin(), report.runner_ids.end());
    accept_findings(report, req.policy, accepted, cap.accepting_suppressions());
    return true;
  }

  PackLocations locations;
  std::string found_sha256;  // a shard's: FoundPlacesDigest of every place found
  DiscoverOptions dopts;
  dopts.absolute_paths = req.absolute_paths;
  for (const std::string& p : req.paths)
    if (!discover_packs(p, dopts, locations, error)) return false;
  // One entry per place (a pack found from two PATHs is checked once), then
  // in name order: the order every report lists packs in, wherever it ran.
  std::sort(locations.begin(), locations.end(),
            [](const PackedLocation& a, const PackedLocation& b) { return a.display_path() < b.display_path(); });
  locations.erase(std::unique(locations.begin(), locations.end(),
                              [](const PackedLocation& a, const PackedLocation& b) {
                                return a.display_path() == b.display_path();
                              }),
                  locations.end());
  if (!req.output_paths.empty()) {
    std::vector<std::pair<std::string, std::string>> pack_dirs;
    for (const PackedLocation& packed : locations) {
      PackLocation l = packed.unpack();
      pack_dirs.emplace_back(std::move(l.fs_path), std::move(l.display_path));
    }
    if (!outputs_outside(req.output_paths, pack_dirs, "pack", error, refused_outputs)) return false;
  }
  if (req.shard) {  // each pack's manifest is read to place it: in parallel
    std::vector<unsigned> shard(locations.size());
    parallel_for(pool, locations.size(),
                 [&](std::size_t i) { shard[i] = shard_of(locations[i].unpack(), req.policy.limits, req.shard->count); });
    PackLocations mine;
    FoundPlacesDigest found;  // in display-path order, as sorted above
    for (std::size_t i = 0; i < locations.size(); ++i) {
      found.add(locations[i].display_path(), locations[i].name(), shard[i]);
      if (shard[i] == req.shard->index) mine.push_back(std::move(locations[i]));
    }
    found_sha256 = found.hex();
    locations = std::move(mine);
  }
  std::stable_sort(locations.begin(), locations.end(),
                   [](const PackedLocation& a, const PackedLocation& b) { return a.name() < b.name(); });
  // Each pack's registry (explicit, or found among its ancestors), before the parallel part.
  std::vector<const SubstrateRegistry*> pack_registries(locations.size());
  for (std::size_t i = 0; i < locations.size(); ++i)
    if (!registries.for_pack(locations[i].unpack().fs_path, pack_registries[i], error)) return false;
  if (!outputs_spare(req, registries.files(), "the substrate registry ", error, refused_outputs)) return false;
  // Each place's texts are freed once its pack is checked (a shard's report
  // still names them all): a large run holds them all when it starts.
  PackLocations& places = locations;

  // What each pack leaves once its pack gates ran: the pack itself is freed
  // then, so memory grows with the number of packs only by these.
  std::vector<const Gate*> collection;  // the collection gates that run
  for (const Gate* g : report.gates)
    if (g->info().scopes.has(GateScope::Collection)) collection.push_back(g);
  CheckedPacks checked(places.size(), collection, spill.get());
  // Each pack's result is stored compactly as soon as its pack gates ran.
  if (spill) report.packs = PackStore(spill);
  PackStore& results = report.packs;
  results.resize(places.size());
  std::vector<PackFindingCap> caps(places.size(), PackFindingCap(req.policy.limits.max_findings_per_pack));  // cap_for each
  std::mutex progress_mutex;
  std::size_t packs_done = 0;
  const auto check_place = [&](std::size_t i) {
    const PackLocation loc = places[i].unpack();
    caps[i] = cap_for(req, loc);
    if (loc.stage) {
      results.set(i, stage_result(loc, report.gates, req));
      return;
    }
    if (loc.link) {
      results.set(i, link_result(loc, report.gates, req));
      return;
    }
    if (!loc.open_error.empty()) {
      results.set(i, unopenable_result(loc, loc.open_error, report.gates, req));
      return;
    }
    std::string open_error;
    std::unique_ptr<Pack> pack = Pack::open(loc.fs_path, loc.display_path, req.policy.limits,
                                            open_error, loc.identified ? &loc.identity : nullptr);
    if (!pack) {
      results.set(i, unopenable_result(loc, open_error, report.gates, req));
      return;
    }
    pack->set_name(loc.name);
    PackResult pr;
    const SubstrateRegistry* reg = pack_registries[i];
    const GateContext pack_ctx{ctx.policy,  ctx.options, reg, registry_name(reg, explicit_registry, loc),
                               ctx.trust,   nullptr,     ctx.spill};
    pack->load_files(pool, gate_taps(report.gates, prep, pack_ctx), keep_contents);
    pr.path = pack->display_path();
    pr.name = loc.name;
    pr.digests = digests_of(*pack, reg);
    pr.indexability = std::string(to_string(pack->indexability()));
    for (const Gate* g : report.gates) {
      if (!g->info().scopes.has(GateScope::Pack)) continue;
      CollectingSink sink(g->info().id, req.policy, caps[i]);
      guarded({&sink}, [&] { g->check_pack(*pack, prep.context(g, pack_ctx), sink); });
      pr.gates.push_back(sink.result(req.options.strict));
      caps[i].trim(pr.gates);  // at most the cap held at any time
    }
    for (GateResult& g : pr.gates) {
      locate_pointers(*pack, g);
      one_finding_per_defect(g);
    }
    checked.summarize(i, *pack, prep, pack_ctx);
    results.set(i, pr);
    if (req.on_pack_done) {
      std::lock_guard<std::mutex> lock(progress_mutex);
      req.on_pack_done(++packs_done, places.size());
    }
  };
  parallel_for(pool, places.size(), [&](std::size_t i) {
    check_place(i);
    if (!req.shard) places[i].release();
  });
  std::vector<std::size_t> opened;  // indexes of the packs that were opened
  for (std::size_t i = 0; i < checked.size(); ++i)
    if (checked.opened(i)) opened.push_back(i);

  // Collection gates compare the summaries of every pack of the run.
  for (std::size_t c = 0; c < collection.size(); ++c) {
    const Gate* g = collection[c];
    if (req.shard && g->info().compared_across_shards) {  // a shard sees only its packs: `merge` compares them all
      for (std::size_t i : opened) {
        CollectingSink sink(g->info().id, req.policy, caps[i]);
        sink.skip(std::string(kComparedByMerge));
        results.update(i, [&](PackResult& pr) { pr.gates.push_back(sink.result(req.options.strict)); });
      }
      continue;
    }
    const StoredSummaries summaries(checked, c, opened);
    std::vector<const std::string*> errors;
    std::vector<PackFindingCap*> pack_caps;
    for (std::size_t i : opened) {
      errors.push_back(checked.error(i, c));
      pack_caps.push_back(&caps[i]);
    }
    compare_collection(*g, prep, ctx, summaries, errors, pack_caps, req.options.strict, &results,
                       [&](std::size_t k, GateResult compared) {
                         const std::size_t i = opened[k];
                         results.update(i, [&](PackResult& pr) {
                           add_collection_result(pr.gates, std::move(compared), caps[i]);
                         });
                       });
    // Done with: the next gate's comparison has that much more room.
    if (!req.shard) checked.drop(c);
  }
  // Each pack on its own: on every core.
  parallel_for(pool, results.size(), [&](std::size_t i) {
    results.update(i, [&](PackResult& pr) {
      finish_pack(pr, caps[i], req.options.strict);
      if (checked.opened(i)) note_not_verified(pr, checked.real(i), pack_registries[i] != nullptr, req, report.gates, caps[i]);
    });
  });
  if (req.shard)
    report.shard = shard_section(req, baseline, found_sha256, prep.shared_inputs(), places, collection, checked, caps);
  accept_findings(report, req.policy, accepted, accepting_suppressions(caps));
  // The reports are written after the gates: none may replace a file they read.
  return outputs_spare(req, prep.files_read(), "", error, refused_outputs);
}

}  // namespace mplp
