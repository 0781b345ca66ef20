#include "engine/acceptance.h"

#include <algorithm>
#include <map>

#include "core/digest.h"
#include "core/json.h"
#include "core/safe_fs.h"
#include "core/schema.h"
#include "core/suggest.h"
#include "engine/check.h"
#include "engine/finding_cap.h"
#include "engine/report_json.h"
#include "gates/gate_list.h"

namespace mplp {

namespace {

// The name a report gives a pack (root-relative; the display path for a
// report built without one).
const std::string& name_of(const PackResult& p) { return p.name.empty() ? p.path : p.name; }

// For a suppression that matched nothing: a code that is no glob and no
// code any gate reports is most likely a typo.
std::string unknown_code_note(const std::string& code) {
  if (code.find_first_of("*?[") != std::string::npos) return "";
  const std::vector<std::string_view> codes = all_finding_codes();
  if (std::find(codes.begin(), codes.end(), code) != codes.end()) return "";
  return "; no gate reports the code " + code + did_you_mean_note(code, codes) + " (`mplp-gate gates --codes` lists them)";
}

bool fail(std::string& error, const std::string& path_and_why) {
  error = "baseline " + path_and_why + " (expected a report of `mplp-gate check --format json`)";
  return false;
}

bool fail(std::string& error, const std::string& path, const std::string& why) { return fail(error, path + ": " + why); }

}  // namespace

bool load_baseline(const std::string& path, Baseline& out, std::string& error) {
  std::string bytes;
  if (!read_file(path, 1ull << 30, bytes, error, json_object_head_problem)) return fail(error, error);  // it names the file
  JsonDoc doc;
  if (!parse_json(bytes, {}, doc))
    return fail(error, path, doc.error.where_and_why());
  if (!doc.duplicates.empty())  // readers disagree on which of two counts
    return fail(error, path,
                "line " + std::to_string(doc.duplicates[0].line) + ": duplicate key at " + doc.duplicates[0].pointer);
  // A finding read with a member of another type would match nothing (or
  // the wrong finding) without a word.
  if (std::vector<SchemaError> wrong = validate_with_schema("gate-report", doc.value); !wrong.empty())
    return fail(error, path, describe_schema_error(wrong, doc.value));
  // The report of a run that could not run lists no finding: as a baseline
  // it would accept nothing while looking like one.
  if (json_text(doc.value, "result") == "error") {
    const rapidjson::Value* failed = member(&doc.value, "error");
    return fail(error, path,
                "the report of a run that could not run (\"" + (failed != nullptr ? json_text(*failed, "message") : "") +
                    "\"): take the report of a run that checked the packs");
  }
  const rapidjson::Value* packs = member(&doc.value, "packs");
  out.source = path;
  out.sha256 = sha256_hex(bytes);
  std::map<std::string, std::size_t> seen;  // occurrences, as SARIF counts them
  // The schema above guarantees every pack a gates array and every gate a
  // findings array.
  for (const rapidjson::Value& p : packs->GetArray()) {
    const std::string pack = json_text(p, "path");
    for (const rapidjson::Value& g : member(&p, "gates")->GetArray()) {
      for (const rapidjson::Value& f : member(&g, "findings")->GetArray()) {
        Finding x = finding_from_json(f);
        x.gate_id = json_text(g, "id");
        std::size_t occurrence = seen[finding_fingerprint(pack, x, 0)]++;
        out.fingerprints.insert(finding_fingerprint(pack, x, occurrence));
      }
    }
  }
  return true;
}

void accept_findings(RunReport& report, const Policy& policy, const Baseline* baseline,
                     const std::set<std::size_t>& accepting_left_out) {
  if (policy.suppressions.empty() && baseline == nullptr) return;
  std::vector<bool> used(policy.suppressions.size(), false), locked_out(policy.suppressions.size(), false);
  // Used on findings the report does not show: the findings.omitted note
  // says how many it accepted there (QA-54: "matched no finding", and its
  // removal would have failed the run).
  for (std::size_t i : accepting_left_out)
    if (i < used.size()) used[i] = true;
  std::map<std::string, std::size_t> seen;
  auto accept = [&](PackResult& p) {
    for (GateResult& g : p.gates) {
      bool changed = false;
      // A required signature is a promise of the run itself: neither a
      // policy's suppression (a pull request can add one) nor a baseline
      // may accept a finding of the gate that keeps it.
      const bool locked = acceptance_locked(g.gate_id, report.info.require_signature);
      for (Finding& f : g.findings) {
        if (baseline != nullptr) {
          std::size_t occurrence = seen[finding_fingerprint(name_of(p), f, 0)]++;
          // A findings.omitted note stands for findings no report shows: its
          // fingerprint says only how many, so a baseline cannot vouch for them.
          f.baseline = !locked && f.code != kFindingsOmitted &&
                       baseline->fingerprints.count(finding_fingerprint(name_of(p), f, occurrence)) > 0;
          changed = changed || f.baseline;
        }
        for (std::size_t i = 0; i < policy.suppressions.size(); ++i)
          if (policy.suppressions[i].matches(f.code, f.file, name_of(p))) {
            if (locked) {
              locked_out[i] = true;
              continue;
            }
            used[i] = true;
            if (f.suppressed.empty()) f.suppressed = policy.suppressions[i].reason;
            changed = true;
          }
      }
      if (changed) g.status = decide_status(g.findings, g.status == GateStatus::Skip || !g.skip_reason.empty(), report.strict);
    }
  };
  for (std::size_t k = 0; k < report.packs.size(); ++k) report.packs.update(k, accept);
  for (std::size_t i = 0; i < used.size(); ++i)
    if (!used[i] && locked_out[i])
      report.warnings.push_back(policy.suppressions[i].where + ": suppression of " + policy.suppressions[i].code +
                                " was not applied: it matched only findings of " + std::string(kAttestationGateId) +
                                ", which count while a signature is required");
    else if (!used[i])
      report.warnings.push_back(policy.suppressions[i].where + ": suppression of " + policy.suppressions[i].code +
                                " matched no finding of this run (remove it, or fix its code, path or pack)" +
                                unknown_code_note(policy.suppressions[i].code));
}

}  // namespace mplp
