// The gate plug-in interface.
//
// A gate is one class in gates/<name>.{h,cpp}, listed once in
// gates/gate_list.cpp. It never prints and never chooses an exit code: it
// reports findings (or a skip) to a sink, which stamps its id. Pack gates see
// one pack at a time; collection gates see a summary of every pack of the
// run (they summarise each pack first); runner gates see a runners/ directory.
//
//   class MyGate : public Gate {
//    public:
//     const GateInfo& info() const override { return kInfo; }
//     void check_pack(const Pack& pack, const GateContext& ctx, FindingSink& sink) const override {
//       if (!pack.is_real()) return sink.skip("not an INDEXABLE_REAL pack");
//       Finding f; f.code = "x.bad"; f.message = "..."; sink.report(std::move(f));
//     }
//   };
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/finding.h"
#include "core/pack.h"
#include "core/policy.h"

namespace mplp {

struct SubstrateRegistry;
struct TrustStore;

enum class GateScope { Pack, Collection, Runners };
std::string_view to_string(GateScope s);

// One kind of finding a gate can emit: its stable code, default severity,
// and how to fix it. Feeds `mplp-gate explain`, SARIF help and the doc test.
struct FindingKind {
  std::string_view code;
  Severity severity;
  std::string_view summary;
  std::string_view fix;
};

struct GateInfo {
  std::string_view id;         // e.g. "GATE-V2-SSOT-01"
  std::string_view title;      // one line
  std::string_view rationale;  // why the gate exists
  std::string_view checks;     // exactly what it checks (prose, may span lines)
  GateScope scope = GateScope::Pack;
  std::vector<FindingKind> kinds;
};

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

struct GateContext {
  const Policy& policy;
  const CheckOptions& options;
  // The substrate registry of this pack: --registry, found under --repo-root,
  // or (pack gates) found in an ancestor directory of the pack. May be null.
  const SubstrateRegistry* registry = nullptr;
  std::string registry_source;                  // where it came from, for messages
  const TrustStore* trust = nullptr;            // --trusted-key and the policy's trust.keys
};

class FindingSink {
 public:
  virtual ~FindingSink() = default;
  virtual void report(Finding f) = 0;
  // Marks the gate SKIP for this pack with a reason (findings still count).
  virtual void skip(std::string reason) = 0;
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

// What a collection gate keeps of one pack. It is taken on the pack's worker
// thread once the pack's own gates ran; the pack is freed then, so a run's
// memory grows with the number of packs only by their summaries.
class PackSummary {
 public:
  virtual ~PackSummary() = default;
};

class Gate {
 public:
  virtual ~Gate() = default;
  virtual const GateInfo& info() const = 0;
  // Pack gates: called once per pack.
  virtual void check_pack(const Pack& /*pack*/, const GateContext& /*ctx*/, FindingSink& /*sink*/) const {}
  // Collection gates: what the gate needs of one pack for the comparison
  // (never null for a collection gate).
  virtual std::unique_ptr<PackSummary> summarize(const Pack& /*pack*/, const GateContext& /*ctx*/) const {
    return nullptr;
  }
  // Collection gates: called once with the summary of every pack of the run
  // (null for a pack that could not be opened or summarised); `sinks[i]`
  // belongs to `packs[i]`.
  virtual void check_collection(const std::vector<const PackSummary*>& /*packs*/, const GateContext& /*ctx*/,
                                const std::vector<FindingSink*>& /*sinks*/) const {}
  // Runner gates: called once for the runners directory (ctx.options.runners_dir).
  virtual void check_runners(const GateContext& /*ctx*/, FindingSink& /*sink*/) const {}
  // Pack gates that must see every byte of a file too large to keep: a tap
  // fed during the file's one hash read (core/file_tap.h), found again in
  // check_pack with pack.tap(path, id). Called on worker threads.
  virtual std::unique_ptr<FileTap> large_file_tap(const Entry& /*file*/, const GateContext& /*ctx*/) const {
    return nullptr;
  }
};

}  // namespace mplp
