// The gate plug-in interface.
//
// A gate is one file, gates/<name>.cpp, with no header of its own, listed
// once in gates/gate_list.cpp. It states its id, the scopes it runs in, its
// finding kinds (code, severity, hint: every finding it reports is built
// from this table) and what it needs of each pack's scan; its prose (title,
// why, what it checks, what each finding means) lives once, on its page
// gates/docs/<ID>.md (core/gate_doc.h), which documented() reads. It never
// prints and never chooses an exit code: it reports findings (or a skip) to
// a sink, which stamps its id. Pack gates see one pack at a time; collection
// gates see a summary of every pack of the run (they summarise each pack
// first); runner gates see a runners/ directory. scripts/new-gate writes one.
//
//   const GateInfo& info() const override {
//     static const GateInfo info = documented({"GATE-V2-EXAMPLE-01", {GateScope::Pack},
//                                              {{"example.bad", Severity::Error, "how to fix it"}}});
//     return info;
//   }
//   void check_pack(const Pack& pack, const GateContext& ctx, FindingSink& sink) const override {
//     if (!pack.is_real()) return sink.skip("not an INDEXABLE_REAL pack");
//     sink.report(info().finding("example.bad", "manifest.json", "..."));
//   }
#pragma once

#include <initializer_list>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "core/finding.h"
#include "core/json_write.h"
#include "core/pack.h"
#include "core/policy.h"

namespace mplp {

struct SubstrateRegistry;
struct TrustStore;
class SpillFile;

enum class GateScope : unsigned { Pack = 1, Collection = 2, Runners = 4 };
std::string_view to_string(GateScope s);

// The scopes a gate runs in: HOST-ALLOW-01, say, checks packs and runner
// definitions alike.
class GateScopes {
 public:
  constexpr GateScopes(std::initializer_list<GateScope> scopes) {
    for (GateScope s : scopes) bits_ |= static_cast<unsigned>(s);
  }
  constexpr bool has(GateScope s) const { return (bits_ & static_cast<unsigned>(s)) != 0; }
  // The first it has of pack, collection and runners: what reports show as
  // the gate's scope.
  GateScope primary() const;

 private:
  unsigned bits_ = 0;
};
// "pack", "collection", "runners", or several joined by '+'.
std::string to_string(GateScopes s);

// One kind of finding a gate can emit: its stable code, default severity and
// how to fix it (the hint a finding of this kind carries when its gate gives
// none). `summary`, what it means, comes from the gate's page. Feeds
// `mplp-gate explain`, SARIF help and the doc test.
struct FindingKind {
  std::string_view code;
  Severity severity;
  std::string_view fix;
  std::string summary{};
};

// What a gate needs of each pack's scan, beyond every file's digest and the
// manifest, which every scan provides. A run keeps what its gates need.
struct ScanNeeds {
  // The bytes of small files kept in memory after their one read (a gate
  // that reads file contents without asking gets them by a checked re-read).
  bool contents = true;
};

struct GateInfo {
  std::string_view id;  // e.g. "GATE-V2-SSOT-01"
  GateScopes scopes{GateScope::Pack};
  std::vector<FindingKind> kinds;
  ScanNeeds needs{};
  // Among the pack gates that run, this one reports what happened to a place
  // found as a pack that no gate could check (a link, a pack that could not
  // be opened, a staging directory: see Gate::check_stage). Without one, the
  // first pack gate does.
  bool reports_unchecked_places = false;
  // A collection gate whose comparison spans every pack of the run, not
  // groups a sharded check can keep whole in one shard (Gate::shard_group):
  // a shard (`check --shard K/N`, engine/shard.h) then skips it and writes
  // each pack's summary into its report (PackSummary::write_json), and
  // `merge` reads them back (Gate::read_summary) and runs check_collection
  // over the packs of all shards.
  bool compared_across_shards = false;
  // From the gate's page (core/gate_doc.h), filled by documented().
  std::string title{};      // one line
  std::string rationale{};  // why the gate exists
  std::string why{};        // the rationale and any further paragraphs of why
  std::string checks{};     // exactly what it checks, in short (may span lines)
  std::vector<std::pair<std::string, std::string>> sections{};  // the page's sections: heading, body

  // Runs over packs (pack or collection scope), not only over runners.
  bool checks_packs() const { return scopes.has(GateScope::Pack) || scopes.has(GateScope::Collection); }
  // The kind with this code; throws std::logic_error for a code the table
  // does not list (a gate reporting an undocumented code is a bug).
  const FindingKind& kind(std::string_view code) const;
  // A finding of that kind, with its severity (the engine adds the kind's fix
  // as the hint of an error or warning that carries none of its own).
  Finding finding(std::string_view code, std::string file, std::string message) const;
};

// `spec` (id, scopes, kinds, needs) with its prose read from its page
// gates/docs/<id>.md, compiled into the binary. Throws std::logic_error
// naming the page when there is none, it does not parse, or its findings
// table and `spec.kinds` do not list the same codes.
GateInfo documented(GateInfo spec);

// Options of `check` that gates may read.
struct CheckOptions {
  bool strict = false;
  std::optional<std::string> repo_root;   // --repo-root
  std::optional<std::string> runners_dir; // --runners
  std::optional<std::string> only_runner; // --runner
  bool require_engine = false;            // --require-engine
  bool run_smoke_scripts = false;         // --run-smoke-scripts: run runners/<id>/smoke.sh on this machine
  bool require_signature = false;         // --require-signature: no trusted key is a failure
  std::string engine = "auto";            // --engine: podman, docker or auto
};

// What a gate's prepare() made once for a run; each gate derives its own.
class PreparedRun {
 public:
  virtual ~PreparedRun() = default;
  // Files outside the packs the gate read for the run (name -> what it
  // found: a digest, or why there is none), which the verdicts of every
  // pack depend on alike: the shards of one check must find them the same
  // (engine/shard.h). Call once the run's packs are checked.
  virtual std::map<std::string, std::string> shared_inputs() const { return {}; }
  // The paths of those files that were there: no report may be written over one.
  virtual std::vector<std::string> files_read() const { return {}; }
};

struct GateContext {
  const Policy& policy;
  const CheckOptions& options;
  // The substrate registry of this pack: --registry, found under --repo-root,
  // or (pack gates) found in an ancestor directory of the pack. May be null.
  const SubstrateRegistry* registry = nullptr;
  std::string registry_source;                  // where it came from, for messages
  const TrustStore* trust = nullptr;            // --trusted-key and the policy's trust.keys
  const PreparedRun* prepared = nullptr;        // this gate's prepare() result, or null
  // Where a collection gate's summary may set aside what it needs only
  // rarely (core/spill_file.h); null: keep it in memory.
  SpillFile* spill = nullptr;
};

class FindingSink {
 public:
  virtual ~FindingSink() = default;
  virtual void report(Finding f) = 0;
  // Marks the gate SKIP for this pack with a reason (findings still count).
  virtual void skip(std::string reason) = 0;
};

// The sinks of a collection gate's packs: (*this)[i] belongs to the i-th
// summary. A gate that will report nothing more on a pack may say done(i):
// the engine then files the pack's result at once, instead of holding it
// until the gate returns (in a large run every pack waits with a finding of
// DET-01). Asking for a pack's sink after done(i) throws std::logic_error.
class CollectionSinks {
 public:
  virtual ~CollectionSinks() = default;
  virtual std::size_t size() const = 0;
  virtual FindingSink& operator[](std::size_t i) = 0;
  virtual void done(std::size_t /*i*/) {}
};

// CollectionSinks over sinks the caller holds; done() does nothing.
class SinkList : public CollectionSinks {
 public:
  SinkList(std::vector<FindingSink*> sinks) : sinks_(std::move(sinks)) {}  // NOLINT: a list converts
  std::size_t size() const override { return sinks_.size(); }
  FindingSink& operator[](std::size_t i) override { return *sinks_.at(i); }

 private:
  std::vector<FindingSink*> sinks_;
};

// Passes findings on to `sink`, at most `max_per_code` of each code; the
// rest of each code are counted in one finding (on `file`, with the code's
// severity) when the capper is destroyed, so a hostile pack cannot make a
// report unbounded.
//
//   { CappedSink capped(sink, 100, "timeline/events.ndjson"); capped.report(f); ... }
class CappedSink : public FindingSink {
 public:
  CappedSink(FindingSink& sink, std::size_t max_per_code, std::string file)
      : sink_(sink), max_(max_per_code), file_(std::move(file)) {}
  ~CappedSink() override;
  CappedSink(const CappedSink&) = delete;
  CappedSink& operator=(const CappedSink&) = delete;
  void report(Finding f) override;
  void skip(std::string reason) override { sink_.skip(std::move(reason)); }

 private:
  FindingSink& sink_;
  std::size_t max_;
  std::string file_;
  struct Count {
    std::string code;
    Severity severity;
    std::size_t n;
  };
  std::vector<Count> counts_;  // in first-seen order
};

// A check the run could not make for an INDEXABLE_REAL pack, and why
// (engine/not_verified.h): what "PASS, partly unverified" lists.
struct Unverified {
  std::string check;   // "lock file", "registry membership", "signature", "determinism"
  std::string reason;  // one line
};

// How a gate ended on one pack, for Gate::note_unverified.
struct GateOutcome {
  bool ran = false;                     // the gate's result is in the pack's report
  bool skipped = false;
  std::string_view skip_reason;
  const std::vector<Finding>* findings = nullptr;  // never null when `ran`
  // Codes of findings the per-pack limit left out of `findings` (or null).
  const std::set<std::string, std::less<>>* omitted_codes = nullptr;
  bool has_registry = false;            // a substrate registry applied to the pack
  bool has_code(std::string_view code) const;
};

// What a collection gate keeps of one pack. It is taken on the pack's worker
// thread once the pack's own gates ran; the pack is freed then, and the
// summary set aside (encode), so a run's memory grows with the number of
// packs by a few bytes each.
class PackSummary {
 public:
  virtual ~PackSummary() = default;
  // Gates compared across shards (GateInfo::compared_across_shards): the
  // summary as the members of a JSON object `w` is inside, which
  // Gate::read_summary turns back into an equal summary. Strings go through
  // write_exact (core/json_write.h) to come back byte for byte.
  virtual void write_json(JsonWriter& /*w*/) const {}
  // The summary as bytes, appended to `out`, that Gate::decode_summary turns
  // back into an equal summary: a run sets every pack's summary aside so (in
  // its spill file, core/spill_file.h) until the comparison, since a large
  // run's would not fit in memory. False: the summary is kept as it is.
  virtual bool encode(std::string& /*out*/) const { return false; }
};

// The summaries a collection gate compares, one per pack, each read back
// when asked for: a gate keeps what it groups packs by, and asks again for
// the rest when it judges a group.
class Summaries {
 public:
  virtual ~Summaries() = default;
  virtual std::size_t size() const = 0;
  // Pack i's summary; null for a pack that could not be opened or
  // summarised. Throws when what was set aside cannot be read back.
  virtual std::shared_ptr<const PackSummary> get(std::size_t i) const = 0;
};

// Summaries the caller holds (merge, tests).
class SummaryList : public Summaries {
 public:
  SummaryList(std::vector<const PackSummary*> packs) : packs_(std::move(packs)) {}  // NOLINT: a list converts
  std::size_t size() const override { return packs_.size(); }
  std::shared_ptr<const PackSummary> get(std::size_t i) const override {
    return std::shared_ptr<const PackSummary>(std::shared_ptr<const PackSummary>(), packs_.at(i));  // not owned
  }

 private:
  std::vector<const PackSummary*> packs_;
};

class Gate {
 public:
  virtual ~Gate() = default;
  virtual const GateInfo& info() const = 0;
  // Called once per run, before any pack: work a gate would otherwise repeat
  // for every pack (compiling the policy's lists). What it returns reaches
  // every later call of this gate in the run as ctx.prepared. An exception
  // here becomes an internal-error finding wherever the gate would report.
  virtual std::unique_ptr<PreparedRun> prepare(const GateContext& /*ctx*/) const { return nullptr; }
  // Pack gates: called once per pack.
  virtual void check_pack(const Pack& /*pack*/, const GateContext& /*ctx*/, FindingSink& /*sink*/) const {}
  // Collection gates: what the gate needs of one pack for the comparison
  // (never null for a collection gate).
  virtual std::unique_ptr<PackSummary> summarize(const Pack& /*pack*/, const GateContext& /*ctx*/) const {
    return nullptr;
  }
  // Collection gates: the summary `bytes` (written by PackSummary::encode)
  // holds; null when they are not one this gate wrote.
  virtual std::unique_ptr<PackSummary> decode_summary(std::string_view /*bytes*/) const { return nullptr; }
  // Collection gates: called once with the summaries of every pack of the
  // run; `sinks[i]` belongs to `packs.get(i)`.
  virtual void check_collection(const Summaries& /*packs*/, const GateContext& /*ctx*/,
                                CollectionSinks& /*sinks*/) const {}
  // Gates compared across shards: the summary `json` (an object written by
  // PackSummary::write_json) of the pack named `pack` holds; null, with
  // `error` saying what is wrong, when it is not one this gate wrote for
  // that pack (QA-55: a summary naming another pack was taken).
  virtual std::unique_ptr<PackSummary> read_summary(const rapidjson::Value& /*json*/, std::string_view /*pack*/,
                                                    std::string& error) const {
    error = "this gate's summaries are not compared across shards";
    return nullptr;
  }
  // Collection gates that compare packs only within groups: the group of a
  // pack, from its manifest.json as parsed (any JSON object; its repeated
  // keys too, which decide how some fields read: manifest_indexability), or none. A
  // sharded check places a pack of a group by this string alone (hashed:
  // changing it moves packs between shards), so each group lies whole in one
  // shard and the gate judges it there; the first gate by id naming a group
  // decides.
  virtual std::optional<std::string> shard_group(const JsonDoc& /*manifest*/) const {
    return std::nullopt;
  }
  // Runner gates: called once for the runners directory (ctx.options.runners_dir).
  virtual void check_runners(const GateContext& /*ctx*/, FindingSink& /*sink*/) const {}
  // What this gate could not verify on an INDEXABLE_REAL pack in this run
  // (a registry or --repo-root it lacked, no trusted key, no rerun), added to
  // `out`; the engine asks every gate that ran once the pack's results are in.
  virtual void note_unverified(const GateOutcome& /*outcome*/, const CheckOptions& /*options*/,
                               std::vector<Unverified>& /*out*/) const {}
  // Pack gates: a staging directory of `seal` or `run`
  // (.PACK.mplp-stage.*, `note` says whose) was found where packs are
  // searched. It is never opened as a pack and every gate skips it; the gate
  // that reports unchecked places may say why.
  virtual void check_stage(std::string_view /*note*/, FindingSink& /*sink*/) const {}
  // Pack gates that must see every byte of a file too large to keep: a tap
  // fed during the file's one hash read (core/file_tap.h), found again in
  // check_pack with pack.tap(path, id). Called on worker threads.
  virtual std::unique_ptr<FileTap> large_file_tap(const Entry& /*file*/, const GateContext& /*ctx*/) const {
    return nullptr;
  }
};

}  // namespace mplp
