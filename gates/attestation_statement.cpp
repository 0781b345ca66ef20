#include "gates/attestation_statement.h"

#include <algorithm>
#include <initializer_list>
#include <map>
#include <set>
#include <vector>

#include "core/digest.h"
#include "core/intoto.h"
#include "core/json.h"
#include "core/pack_layout.h"
#include "core/sums.h"
#include "core/text.h"
#include "core/manifest_fields.h"
#include "runner/provenance.h"

namespace mplp::attestation {

namespace {

using rapidjson::Value;

constexpr std::string_view kResign =
    "re-run the producer with `mplp-gate run --sign-key` (or `mplp-gate seal --sign-key`) so that the signed "
    "statement describes the pack as it is";

std::string at(std::string_view statement_pointer) { return "/payload" + std::string(statement_pointer); }

// A file name from the statement or the sums file, fit for one line of a finding.
std::string shown_name(std::string_view name) { return shortened(escape_for_message(name), 300); }

struct SumsLine {
  std::uint64_t line;
  std::string hex;
};

// The subjects against the sums entries: each missing, extra or different
// entry is its own finding; a subject that matches its sums line is then
// compared with the file as it is now (a byte changed after signing).
void check_subjects(const Pack& pack, const StatementRead& s, Reporter& r) {
  std::string error;
  auto bytes = pack.bytes(kSumsPath, error);
  if (!bytes) {
    r.report("attest.sums-unusable", "",
             std::string(kSumsPath) + " cannot be read, so the subjects cannot be checked: " + error,
             "a readable " + std::string(kSumsPath), "unreadable",
             "seal the pack (GATE-V2-INTEGRITY-01 says what is wrong)");
    return;
  }
  std::map<std::string, SumsLine> sums;
  // (Syntax errors of the sums file are INTEGRITY-01's; the entries that parse are compared.)
  for (SumsEntry& e : parse_sums(*bytes, {.max_entries = pack.limits().max_files_per_pack}).entries)
    sums.emplace(std::move(e.path), SumsLine{e.line, std::move(e.hex)});
  std::set<std::string> seen;
  for (std::size_t i = 0; i < s.subjects.size(); ++i) {
    const Subject& subj = s.subjects[i];
    const std::string& ptr = s.subject_pointers[i];
    auto hex = subj.digest.find("sha256");
    if (hex == subj.digest.end() || !is_lower_hex(hex->second, 64)) {
      r.report("attest.statement-shape", at(ptr + "/digest"), "subject " + shown_name(subj.name) +
               " has no sha256 digest of 64 lowercase hex", "{\"sha256\": \"<64 hex>\"}",
               hex == subj.digest.end() ? "no sha256" : shortened(hex->second, 80), kResign);
      continue;
    }
    // Every digest is lowercase hex (in-toto's DigestSet); one that is not
    // is a statement readers may take differently, even in an algorithm
    // this gate does not recompute. (Its sha256 is still compared below.)
    if (auto bad = std::find_if(subj.digest.begin(), subj.digest.end(),
                                [](const auto& d) { return d.second.empty() || !is_lower_hex(d.second, d.second.size()); });
        bad != subj.digest.end()) {
      r.report("attest.statement-shape", at(ptr + "/digest/" + json_pointer_token(bad->first)),
               "subject " + shown_name(subj.name) + " has a " + shortened(bad->first, 40) +
                   " digest that is not lowercase hex",
               "lowercase hex", shortened(bad->second, 80), kResign);
    }
    if (!seen.insert(subj.name).second) {
      r.report("attest.statement-shape", at(ptr + "/name"), "subject " + shown_name(subj.name) + " is listed twice",
               "each file once", "repeated", kResign);
      continue;
    }
    auto it = sums.find(subj.name);
    if (it == sums.end()) {
      r.report("attest.subject-extra", at(ptr), "the statement names " + shown_name(subj.name) + ", which " +
               std::string(kSumsPath) + " does not list", "only files listed in " + std::string(kSumsPath),
               shown_name(subj.name), kResign);
      continue;
    }
    if (it->second.hex != hex->second) {
      r.report("attest.subject-digest", at(ptr + "/digest/sha256"), "the statement's digest of " +
               shown_name(subj.name) + " differs from " + std::string(kSumsPath) + " line " +
               std::to_string(it->second.line), it->second.hex, shortened(hex->second, 80), kResign);
      continue;
    }
    const Digest* now = pack.digest(subj.name);
    if (now == nullptr || to_hex(*now) != hex->second)
      r.report("attest.file-changed", at(ptr + "/digest/sha256"), shown_name(subj.name) +
               (now == nullptr ? " is missing or could not be hashed" : " changed after it was signed"),
               hex->second, now == nullptr ? "missing or unreadable" : to_hex(*now),
               "restore the file as signed; a changed pack must be produced and signed again");
  }
  for (const auto& [path, line] : sums)
    if (seen.count(path) == 0)
      r.report("attest.subject-missing", at("/subject"), std::string(kSumsPath) + " line " + std::to_string(line.line) +
               " lists " + shown_name(path) + ", which the signed statement does not name",
               shown_name(path) + " with sha256 " + line.hex, "not a subject", kResign);
  // A file neither signed nor sealed: "verified" must not stand beside an
  // artifact added after signing that nobody vouches for (QA-37).
  for (const Entry& e : pack.entries())
    if (e.type == EntryType::Regular && !e.path.starts_with("integrity/") && seen.count(e.path) == 0 &&
        sums.count(e.path) == 0)
      r.report("attest.unsigned-file", at("/subject"), shown_name(e.path) +
               " is in the pack but not among the signed subjects: nothing vouches for it",
               "every file outside integrity/ a subject", "not a subject",
               "remove it if it was added after signing, or produce and sign the pack again with it");
  // Past limits.max_files_per_pack the walk stopped: a file added after
  // signing could lie there, unseen by the loop above (QA-51: a pack with a
  // forged file past the cut was "verified").
  if (pack.truncated())
    r.report("attest.unsigned-file", at("/subject"),
             "the pack has more entries than limits.max_files_per_pack: the files past the limit were not read, "
             "and nothing shows they are signed",
             "every file of the pack read and a subject", "the pack read only up to the limit",
             "remove what was added after signing, or raise limits.max_files_per_pack in the policy");
}

// What the pack says about its runner: env_ref in the manifest and
// reports/runner.meta.json (either may be missing: SSOT-01 reports that).
struct PackSide {
  std::string file;
  std::string base;  // JSON pointer of the object holding the fields
  const Value* obj;
};

std::string digest_text(const Value* obj) {
  for (std::string_view key : {"container_digest", "image_digest"})
    if (const Value* v = string_member(obj, key)) return std::string(as_view(*v));
  return "";
}

// Compares one recorded value of the predicate with each side's value.
void compare(Reporter& r, std::string_view what, std::string pred_ptr, const std::string& recorded,
             const std::vector<PackSide>& sides, std::string_view pack_key,
             std::string (*value_of)(const Value*, std::string_view)) {
  for (const PackSide& side : sides) {
    if (side.obj == nullptr) continue;
    std::string want = value_of(side.obj, pack_key);
    if (want.empty() || want == recorded) continue;
    const std::string shown = recorded.empty() ? "missing" : shortened(recorded);
    r.report("attest.predicate-mismatch", at(pred_ptr),
             "the signed provenance records " + std::string(what) + " " + (recorded.empty() ? "nothing" : shown) +
                 " but " + side.file + "#" + side.base + "/" + std::string(pack_key) + " says " + shortened(want),
             shortened(want), shown,
             "the pack's runner identity must be the one the signed run recorded; re-run and re-sign, do not edit");
  }
}

std::string string_of(const Value* obj, std::string_view key) {
  if (key == "container_digest") return digest_text(obj);
  const Value* v = string_member(obj, key);
  return v == nullptr ? "" : std::string(as_view(*v));
}

std::string json_of(const Value* obj, std::string_view key) {
  const Value* v = member(obj, key);
  return v == nullptr ? "" : to_compact_json(*v, SIZE_MAX);
}

const Value* at_path(const Value* v, std::initializer_list<std::string_view> keys) {
  for (std::string_view k : keys) v = member(v, k);
  return v;
}

void check_predicate(const Pack& pack, const StatementRead& s, Reporter& r) {
  std::vector<PackSide> sides;
  sides.push_back({"manifest.json", "/env_ref", member(pack.manifest(), "env_ref")});
  const JsonFile& meta = pack.json(kMeta);
  sides.push_back({std::string(kMeta), "", meta.parsed && meta.doc.value.IsObject() ? &meta.doc.value : nullptr});

  const Value* def = member(s.predicate, "buildDefinition");
  const Value* runner = string_member(at_path(def, {"externalParameters"}), "runner");
  compare(r, "runner", "/predicate/buildDefinition/externalParameters/runner",
          runner != nullptr ? std::string(as_view(*runner)) : "", sides, "runner_id", string_of);

  const std::string deps_ptr = "/predicate/buildDefinition/resolvedDependencies";
  std::string digest, digest_ptr = deps_ptr;
  std::size_t images = 0;
  if (const Value* deps = member(def, "resolvedDependencies"); deps != nullptr && deps->IsArray())
    for (rapidjson::SizeType i = 0; i < deps->Size(); ++i) {
      const Value* name = string_member(&(*deps)[i], "name");
      if (name == nullptr || as_view(*name) != runner::kRunnerImageDependency) continue;
      // One image ran: a second entry would leave readers to pick one.
      if (++images == 2)
        r.report("attest.statement-shape", deps_ptr + "/" + std::to_string(i) + "/name",
                 "resolvedDependencies names " + std::string(runner::kRunnerImageDependency) + " more than once",
                 "one " + std::string(runner::kRunnerImageDependency) + " entry", "repeated", kResign);
      const Value* hex = string_member(at_path(&(*deps)[i], {"digest"}), "sha256");
      if (images == 1 && hex != nullptr) {
        digest = "sha256:" + std::string(as_view(*hex));
        digest_ptr += "/" + std::to_string(i) + "/digest/sha256";
      }
    }
  compare(r, "image digest", digest_ptr, digest, sides, "container_digest", string_of);

  const Value* fp = member(at_path(def, {"internalParameters"}), "environmentFingerprint");
  compare(r, "environment fingerprint", "/predicate/buildDefinition/internalParameters/environmentFingerprint",
          fp != nullptr ? to_compact_json(*fp, SIZE_MAX) : "", sides, "environment_fingerprint", json_of);
}

}  // namespace

void Reporter::report(std::string_view code, std::string pointer, std::string message, std::string expected,
                      std::string actual, std::string_view hint) {
  Finding f = finding(code, std::move(message));
  f.location.pointer = std::move(pointer);
  f.expected = std::move(expected);
  f.actual = std::move(actual);
  f.hint = std::string(hint);
  capped_.report(std::move(f));
}

void check_statement(const Pack& pack, std::string_view payload, Reporter& r) {
  StatementRead s;
  read_statement(payload, {pack.limits().max_json_depth}, s);
  if (!s.json_ok) {
    r.report("attest.statement-json", "/payload",
             "the signed payload is not JSON: " + s.json_error.message + " (statement line " +
                 std::to_string(s.json_error.line) + ", column " + std::to_string(s.json_error.column) + ")",
             "an in-toto Statement v1 (JSON)", "invalid JSON", kResign);
    return;
  }
  for (const DsseProblem& p : s.problems)
    r.report("attest.statement-shape", at(p.pointer), "statement: " + p.message, p.expected, p.actual, kResign);
  if (!s.doc.value.IsObject()) return;
  if (s.type == nullptr || !s.type->IsString() || as_view(*s.type) != kStatementType)
    r.report("attest.statement-type", at("/_type"), "the payload is not an in-toto Statement v1",
             std::string(kStatementType), describe(s.type), kResign);
  if (s.predicate_type == nullptr || !s.predicate_type->IsString() || as_view(*s.predicate_type) != kSlsaProvenanceV1)
    r.report("attest.predicate-type", at("/predicateType"), "the statement's predicate is not SLSA Provenance v1",
             std::string(kSlsaProvenanceV1), describe(s.predicate_type), kResign);
  check_subjects(pack, s, r);
  check_predicate(pack, s, r);
}

}  // namespace mplp::attestation
