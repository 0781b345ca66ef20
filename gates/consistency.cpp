#include <optional>

#include "core/gate.h"
#include "core/json.h"
#include "core/pack_lines.h"
#include "core/text.h"
#include "core/manifest_fields.h"

namespace mplp {

namespace {

// The gate's spec: id, scopes, finding kinds (below, before the gate).
const GateInfo& gate_info();

using rapidjson::Value;

constexpr std::string_view kContext = "artifacts/context.json";
constexpr std::string_view kTimeline = "timeline/events.ndjson";
constexpr std::size_t kMaxPerCode = 100;  // a timeline of a million RUN_STARTED lines is not a million findings
constexpr std::string_view kCopiedHint =
    "a pack's own records must describe the run its manifest claims; these were recorded by another run (another "
    "substrate, scenario or run id), so the evidence was copied or relabelled: produce it by running this producer";

// What the manifest claims (each may be absent: then nothing is compared with it).
struct Claims {
  std::optional<std::string> pack_id, scenario_id, substrate_id, substrate_name;
};

std::optional<std::string> text_at(const Value* obj, std::string_view key) {
  const Value* v = string_member(obj, key);
  return v == nullptr ? std::nullopt : std::optional<std::string>(as_view(*v));
}

std::string quoted(const std::string& s) { return to_compact_json(s, 80); }

// Compares a pack's own records with the claims, one finding per disagreement.
class Checker {
 public:
  Checker(Claims claims, FindingSink& sink)
      : claims(std::move(claims)), sink_(sink, kMaxPerCode, std::string(kTimeline)) {}

  // A string `substrate` that names neither the manifest's substrate id nor its name.
  void substrate(std::string_view code, std::string_view file, std::uint64_t line, std::string pointer, const Value* v) {
    if (v == nullptr || !v->IsString()) return;
    std::string expected;
    for (const auto* claim : {&claims.substrate_id, &claims.substrate_name}) {
      if (!*claim) continue;
      if (equals_ignoring_ascii_case(as_view(*v), **claim)) return;
      expected += (expected.empty() ? "" : " or ") + quoted(**claim);
    }
    if (expected.empty()) return;  // the manifest names no substrate
    report(code, file, line, std::move(pointer), "records substrate " + to_compact_json(*v, 80) +
           ", not the manifest's substrate_ref", expected + " (any case)", to_compact_json(*v, 80));
  }

  // A string that must equal the manifest's `claim` exactly.
  void same(std::string_view code, std::string_view file, std::uint64_t line, std::string pointer, const Value* v,
            const std::optional<std::string>& claim, std::string_view manifest_key) {
    if (v == nullptr || !v->IsString() || !claim || as_view(*v) == *claim) return;
    report(code, file, line, std::move(pointer), "records " + to_compact_json(*v, 80) + ", not the manifest's " +
           std::string(manifest_key) + " " + quoted(*claim), quoted(*claim), to_compact_json(*v, 80));
  }

  // A record that could not be read, so was not compared.
  void not_compared(std::string_view code, std::string_view file, const std::string& why) {
    Finding f = gate_info().finding(code, std::string(file),
                                    std::string(file) + " was not compared with the manifest: " + why);
    sink_.report(std::move(f));
  }

  const Claims claims;

 private:
  void report(std::string_view code, std::string_view file, std::uint64_t line, std::string pointer,
              std::string message, std::string expected, std::string actual) {
    Finding f = gate_info().finding(code, std::string(file), std::string(file) + " " + message);
    f.location.line = line;
    f.location.pointer = std::move(pointer);
    f.expected = std::move(expected);
    f.actual = std::move(actual);
    f.hint = std::string(kCopiedHint);
    sink_.report(std::move(f));
  }

  CappedSink sink_;
};

bool regular(const Pack& pack, std::string_view rel) {
  const Entry* e = pack.find(rel);
  return e != nullptr && e->type == EntryType::Regular;
}

void check_context(const Pack& pack, Checker& c) {
  if (!regular(pack, kContext)) return;
  const JsonFile& jf = pack.json(kContext);
  if (!jf.readable) {
    // Too large to hold (PACK-STRUCTURE-01 checks such a file streamed, and
    // may pass it) or unreadable: what it records cannot be compared, and a
    // relabelled pack must not pass by padding its context.
    c.not_compared("consistency.context-unread", kContext, jf.read_error);
    return;
  }
  if (!jf.parsed || !jf.doc.value.IsObject()) return;  // PACK-STRUCTURE-01 reports it
  const Value& ctx = jf.doc.value;
  c.substrate("consistency.context-substrate", kContext, 0, "/substrate", member(ctx, "substrate"));
  c.same("consistency.context-scenario", kContext, 0, "/scenario_id", member(ctx, "scenario_id"), c.claims.scenario_id,
         "scenario_id");
}

void check_timeline(const Pack& pack, Checker& c) {
  if (!regular(pack, kTimeline)) return;
  // Lines are compared as they are read. A timeline that cannot be read
  // whole as it was hashed is PACK-STRUCTURE-01's to report, and fails the
  // pack whatever was compared before its read ended.
  const auto compare = [&](const PackLine& l) {
    if (l.cut) return;
    // Only lines that may name one of the two events are parsed (a cheap
    // pre-filter): those spelling either name, and those holding an escape,
    // which may spell it ("RUN_\u0053TARTED" is RUN_STARTED).
    if (l.text.find("SUBSTRATE_REF_RECORDED") == std::string_view::npos &&
        l.text.find("RUN_STARTED") == std::string_view::npos && l.text.find('\\') == std::string_view::npos)
      return;
    JsonDoc doc;
    if (!parse_json(l.text, {pack.limits().max_json_depth}, doc) || !doc.value.IsObject()) return;
    const Value* event = string_member(&doc.value, "event");
    const Value* data = member(doc.value, "data");
    if (event == nullptr) return;
    if (as_view(*event) == "SUBSTRATE_REF_RECORDED") {
      c.substrate("consistency.timeline-substrate", kTimeline, l.number, "/data/substrate", member(data, "substrate"));
    } else if (as_view(*event) == "RUN_STARTED") {
      c.same("consistency.run-id", kTimeline, l.number, "/data/run_id", member(data, "run_id"), c.claims.pack_id,
             "pack_id");
      c.same("consistency.run-scenario", kTimeline, l.number, "/data/scenario_id", member(data, "scenario_id"),
             c.claims.scenario_id, "scenario_id");
    }
  };
  std::string error;
  for_each_line(pack, kTimeline, kMaxLineBytes, compare, error);
}

const GateInfo& gate_info() {
  static const GateInfo info = documented({"GATE-V2-CONSISTENCY-01",
      {GateScope::Pack},
      {
          {"consistency.context-substrate", Severity::Error, "produce the evidence for this substrate"},
          {"consistency.context-unread", Severity::Error, "make artifacts/context.json a readable file of at most 16 MiB, the most a gate holds to compare"},
          {"consistency.context-scenario", Severity::Error, "produce the evidence for this scenario"},
          {"consistency.timeline-substrate", Severity::Error, "produce the evidence for this substrate"},
          {"consistency.run-id", Severity::Error, "produce the evidence in this run"},
          {"consistency.run-scenario", Severity::Error, "produce the evidence for this scenario"},
      }});
  return info;
}

class Gate_ : public Gate {
 public:
  const GateInfo& info() const override { return gate_info(); }

  void check_pack(const Pack& pack, const GateContext&, FindingSink& sink) const override {
    const Value* m = pack.manifest();
    if (m == nullptr)
      return sink.skip(manifest_state_text(pack) + ": nothing to compare with (GATE-V2-PACK-STRUCTURE-01 reports it)");
    const Value* substrate = member(m, "substrate_ref");
    Checker c({text_at(m, "pack_id"), text_at(m, "scenario_id"), text_at(substrate, "substrate_id"),
               text_at(substrate, "substrate_name")},
              sink);
    check_context(pack, c);
    check_timeline(pack, c);
  }
};

}  // namespace

// Listed in gates/gate_list.cpp, which declares it.
const Gate& consistency_gate() {
  static const Gate_ gate;
  return gate;
}

}  // namespace mplp
