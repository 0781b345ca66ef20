#include "engine/merge.h"

#include <algorithm>
#include <filesystem>
#include <map>
#include <memory>
#include <set>

#include "core/json.h"
#include "core/json_write.h"
#include "core/safe_fs.h"
#include "core/schema.h"
#include "core/text.h"
#include "engine/acceptance.h"
#include "engine/check.h"
#include "engine/preparations.h"
#include "engine/report_json.h"
#include "engine/shard.h"
#include "gates/gate_list.h"

namespace mplp {

namespace {

// The PATHs a check was given, for a message.
std::string joined(const std::vector<std::string>& paths) {
  std::string out;
  for (const std::string& p : paths) out += (out.empty() ? "" : " ") + p;
  return out;
}

// A display path as one place: lexically normal, no trailing slash.
std::string normal_place(const std::string& path) {
  std::string place = std::filesystem::path(path).lexically_normal().string();
  while (place.size() > 1 && place.back() == '/') place.pop_back();
  return place;
}

constexpr std::uint64_t kMaxReportBytes = 16ull << 30;
constexpr std::uint64_t kMaxOmittedCount = 1ull << 50;

// One shard's report, read back.
struct Shard {
  std::string file;
  std::string tool_version;
  RunReport report;        // gates, strict, info, packs (with display paths)
  ShardSection section;    // its `shard` section
  std::string identity;    // everything that must be equal across shards, as one string
};

bool refuse(std::string& error, const std::string& file, const std::string& why) {
  error = file + ": " + why;
  return false;
}

std::vector<std::string> text_list(const rapidjson::Value* v) {
  std::vector<std::string> out;
  if (v != nullptr && v->IsArray())
    for (const rapidjson::Value& s : v->GetArray())
      if (s.IsString()) out.emplace_back(as_view(s));
  return out;
}

bool flag(const rapidjson::Value* obj, const char* key) {
  const rapidjson::Value* v = member(obj, key);
  return v != nullptr && v->IsBool() && v->GetBool();
}

// Puts back the strings of `p` the report proper could not hold exactly.
bool apply_raw(const rapidjson::Value* raw, PackResult& p) {
  if (raw == nullptr) return true;
  if (!raw->IsArray()) return false;
  for (const rapidjson::Value& r : raw->GetArray()) {
    const rapidjson::Value* gate = member(&r, "gate");
    const rapidjson::Value* finding = member(&r, "finding");
    bool bad = false;
    std::optional<std::string> value = read_exact(&r, "value", bad);
    std::string field = r.IsObject() ? json_text(r, "field") : "";
    if (gate == nullptr || !gate->IsUint64() || gate->GetUint64() >= p.gates.size() || finding == nullptr ||
        !finding->IsInt64() || !value)
      return false;
    GateResult& g = p.gates[gate->GetUint64()];
    const std::int64_t i = finding->GetInt64();
    if (i == -1 && field == "reason") {
      g.skip_reason = *value;
      continue;
    }
    if (i < 0 || static_cast<std::uint64_t>(i) >= g.findings.size()) return false;
    Finding& f = g.findings[static_cast<std::size_t>(i)];
    std::string* target = field == "file"        ? &f.file
                          : field == "pointer"   ? &f.location.pointer
                          : field == "message"   ? &f.message
                          : field == "detail"    ? &f.detail
                          : field == "expected"  ? &f.expected
                          : field == "actual"    ? &f.actual
                          : field == "hint"      ? &f.hint
                          : field == "diff_with" ? &f.diff_with
                                                 : nullptr;
    if (target == nullptr) return false;
    *target = *value;
  }
  return true;
}

bool compared_across_shards(const Gate* g) {
  return g->info().scopes.has(GateScope::Collection) && g->info().compared_across_shards;
}

// A compared pack's `summaries` (engine/shard.h): one for each gate of the
// check compared across shards, each read back by its gate.
bool read_summaries(const rapidjson::Value* all, const Shard& shard, ShardPack& sp, std::string& error) {
  const std::string where = "pack " + to_valid_utf8(sp.name);
  if (all == nullptr || !all->IsObject()) return refuse(error, shard.file, where + ": its summaries are damaged");
  for (const Gate* g : shard.report.gates) {
    if (!compared_across_shards(g)) continue;
    const std::string id(g->info().id);
    const rapidjson::Value* entry = member(all, id);
    if (entry == nullptr || !entry->IsObject())
      return refuse(error, shard.file, where + ": no summary of " + id + " in its shard section");
    bool bad = false;
    if (std::optional<std::string> what = read_exact(entry, "error", bad)) sp.summary_errors[id] = *what;
    std::string why = "damaged base64";
    if (const rapidjson::Value* summary = member(entry, "summary"); summary != nullptr && !bad)
      if (!(sp.summaries[id] = g->read_summary(*summary, sp.name, why))) bad = true;
    if (bad) return refuse(error, shard.file, where + ": its summary of " + id + " is damaged: " + why);
    // A collection gate summarises every pack it sees (core/gate.h), or says why not.
    if (sp.summaries[id] == nullptr && sp.summary_errors.count(id) == 0)
      return refuse(error, shard.file, where + ": neither a summary of " + id + " nor why there is none");
  }
  for (const auto& m : all->GetObject()) {
    const Gate* g = find_gate(as_view(m.name));
    if (g == nullptr || !compared_across_shards(g) ||
        std::find(shard.report.gates.begin(), shard.report.gates.end(), g) == shard.report.gates.end())
      return refuse(error, shard.file, where + ": a summary of '" + to_valid_utf8(as_view(m.name)) +
                                           "', not a gate of this check compared across shards");
  }
  return true;
}

bool read_section(const rapidjson::Value& s, Shard& out, std::string& error) {
  const rapidjson::Value* index = member(&s, "index");
  const rapidjson::Value* count = member(&s, "count");
  const rapidjson::Value* run = member(&s, "run");
  const rapidjson::Value* packs = member(&s, "packs");
  // The first damaged field of the section, by its place (QA-41).
  std::string damaged;
  if (count == nullptr || !count->IsUint() || count->GetUint() == 0 || count->GetUint() > kMaxShards)
    damaged = "/shard/count is not a shard count (1.." + std::to_string(kMaxShards) + ")";
  else if (index == nullptr || !index->IsUint() || index->GetUint() >= count->GetUint())
    damaged = "/shard/index is not a shard of " + std::to_string(count->GetUint()) + " (0.." +
              std::to_string(count->GetUint() - 1) + ")";
  else if (run == nullptr || !run->IsObject())
    damaged = "/shard/run is not an object";
  else if (packs == nullptr || !packs->IsArray())
    damaged = "/shard/packs is not an array";
  else if (string_member(&s, "policy_yaml") == nullptr)
    damaged = "/shard/policy_yaml is not a string";
  if (!damaged.empty()) return refuse(error, out.file, "its shard section is damaged: " + damaged);
  ShardSection& sec = out.section;
  sec.spec = ShardSpec{index->GetUint(), count->GetUint()};
  bool bad = false;
  if (const rapidjson::Value* paths = member(&s, "paths"); paths != nullptr && paths->IsArray())
    for (const rapidjson::Value& p : paths->GetArray()) sec.paths.push_back(read_exact(&p, "path", bad).value_or(""));
  sec.policy_source = read_exact(&s, "policy_source", bad).value_or("");
  sec.policy_yaml = json_text(s, "policy_yaml");
  if (const rapidjson::Value* inputs = member(&s, "inputs"); inputs != nullptr && inputs->IsArray()) {
    for (const rapidjson::Value& i : inputs->GetArray()) {
      std::optional<std::string> name = read_exact(&i, "name", bad), found = read_exact(&i, "found", bad);
      if (!name || !found || !sec.inputs.emplace(*name, *found).second)
        return refuse(error, out.file, "its shard section is damaged (inputs)");
    }
  } else {
    return refuse(error, out.file, "its shard section is damaged (no inputs list)");
  }
  sec.found_sha256 = json_text(s, "found_sha256");
  if (!digest_from_hex(sec.found_sha256))
    return refuse(error, out.file, "its shard section is damaged (found_sha256 is not 64 lowercase hex digits)");
  sec.has_baseline = member(&s, "baseline") != nullptr;
  sec.baseline = text_list(member(&s, "baseline"));
  RunInfo& info = out.report.info;
  info.require_signature = flag(run, "require_signature");
  info.trusted_keys = text_list(member(run, "trusted_keys"));
  info.registry_sha256 = json_text(*run, "registry_sha256");
  info.repo_root = flag(run, "repo_root");
  info.absolute_paths = flag(run, "absolute_paths");
  info.only_gates = text_list(member(run, "only_gates"));
  info.skip_gates = text_list(member(run, "skip_gates"));
  for (const rapidjson::Value& p : packs->GetArray()) {
    ShardPack sp;
    sp.name = read_exact(&p, "name", bad).value_or("");
    sp.path = read_exact(&p, "path", bad).value_or("");
    sp.compared = flag(&p, "compared");
    if (sp.compared && !read_summaries(member(&p, "summaries"), out, sp, error)) return false;
    if (const rapidjson::Value* o = member(&p, "omitted"); o != nullptr && o->IsObject())
      for (const auto& m : o->GetObject()) {
        OmittedCounts c;
        const Gate* g = find_gate(as_view(m.name));
        if (g == nullptr || std::find(out.report.gates.begin(), out.report.gates.end(), g) == out.report.gates.end() ||
            !m.value.IsArray() || m.value.Size() != 6)
          return refuse(error, out.file, "pack " + sp.name + ": its omitted counts are damaged");
        for (unsigned i = 0; i < 6; ++i) {
          // A check holds its findings: far fewer than 2^50. A larger count
          // is an edit that would overflow to 0 when added up (and drop the note).
          if (!m.value[i].IsUint64() || m.value[i].GetUint64() > kMaxOmittedCount)
            return refuse(error, out.file, "pack " + sp.name + ": its omitted counts are damaged");
          (i < 3 ? c.by_severity[i] : c.accepted[i - 3]) = static_cast<std::size_t>(m.value[i].GetUint64());
        }
        for (unsigned i = 0; i < 3; ++i)
          if (c.accepted[i] > c.by_severity[i])
            return refuse(error, out.file, "pack " + sp.name + ": its omitted counts are damaged");
        sp.omitted[std::string(as_view(m.name))] = c;
      }
    if (const rapidjson::Value* o = member(&p, "omitted_suppressions"); o != nullptr) {
      for (const rapidjson::Value& k : o->GetArray())  // an array of integers >= 0 (schema)
        if (!k.IsUint64() || !sp.omitted_suppressions.insert(static_cast<std::size_t>(k.GetUint64())).second)
          return refuse(error, out.file, "pack " + sp.name + ": its omitted suppressions are damaged");
    }
    if (sp.name.empty() || sp.path.empty() || bad)
      return refuse(error, out.file, "a pack of its shard section has no name, or damaged base64");
    sec.packs.push_back(std::move(sp));
  }
  return true;
}

// Why a shard's pack cannot be what `check --shard` wrote, or "": every
// pack lists each gate of the run once; a findings.omitted note stands for
// the counts its section records, no more, no less; a gate's results are
// left to merge only for a pack the section marks compared.
std::string shard_pack_problem(const PackResult& pr, const ShardPack& sp, const std::vector<const Gate*>& gates) {
  std::vector<std::string> listed, run;
  for (const GateResult& g : pr.gates) listed.push_back(g.gate_id);
  for (const Gate* g : gates) run.emplace_back(g->info().id);
  std::sort(listed.begin(), listed.end());
  std::sort(run.begin(), run.end());
  if (listed != run) return "its gates are not the run's gates, each once";
  for (const GateResult& g : pr.gates) {
    const auto notes = std::count_if(g.findings.begin(), g.findings.end(),
                                     [](const Finding& f) { return f.code == kFindingsOmitted; });
    const auto counts = sp.omitted.find(g.gate_id);
    const bool omitted = counts != sp.omitted.end() && counts->second.total() > 0;
    if (notes != (omitted ? 1 : 0))
      return "gate " + g.gate_id + ": its " + std::string(kFindingsOmitted) +
             " notes do not match the omitted counts of its shard section";
    if (!sp.compared && g.skip_reason == kComparedByMerge)
      return "gate " + g.gate_id + " is left to merge, but the shard section does not mark the pack compared";
  }
  return "";
}

bool read_shard(const std::string& file, Shard& out, std::string& error) {
  out.file = file;
  std::string bytes;
  const std::string kNotReport = "not a JSON report of `mplp-gate check --shard K/N --format json`";
  const auto head_problem = [&kNotReport](std::string_view head) {
    const std::string why = json_object_head_problem(head);
    return why.empty() ? why : kNotReport + " (" + why + ")";
  };
  if (!read_file(file, kMaxReportBytes, bytes, error, head_problem)) return false;  // its message names the file
  JsonDoc doc;
  if (!parse_json(bytes, {}, doc))
    return refuse(error, file,
                  kNotReport + " (" + doc.error.where_and_why() + ")");
  // mplp-gate never writes a key twice; with two, readers disagree on which
  // counts (this one takes the first, jq the last), so an edited shard could
  // merge to a PASS that every other tool reads as a FAIL.
  if (!doc.duplicates.empty())
    return refuse(error, file,
                  kNotReport + " (line " + std::to_string(doc.duplicates[0].line) + ": duplicate key at " +
                      doc.duplicates[0].pointer + ")");
  const rapidjson::Value& r = doc.value;
  // Every member of the type check writes it: what is read below as a
  // default ("" for a text that is a number) is never a changed verdict.
  if (std::vector<SchemaError> wrong = validate_with_schema("gate-report", r); !wrong.empty())
    return refuse(error, file, kNotReport + " (" + describe_schema_error(wrong, r) + ")");
  const rapidjson::Value* packs = member(&r, "packs");
  const rapidjson::Value* gates = member(&r, "gates");
  const rapidjson::Value* strict = member(&r, "strict");  // the three are there, of their types (schema)
  if (json_text(r, "result") == "error") {
    const rapidjson::Value* e = member(&r, "error");
    return refuse(error, file, "this shard could not run: " + (e != nullptr ? json_text(*e, "message") : ""));
  }
  const rapidjson::Value* section = member(&r, "shard");
  if (section == nullptr || !section->IsObject())
    return refuse(error, file, "the report of an unsharded check (no shard section): check with --shard K/N");
  const rapidjson::Value* tool = member(&r, "tool");
  out.tool_version = tool != nullptr ? json_text(*tool, "version") : "";
  RunReport& rep = out.report;
  rep.strict = strict->GetBool();
  const rapidjson::Value* policy = member(&r, "policy");
  rep.info.policy_name = policy != nullptr ? json_text(*policy, "name") : "";
  rep.info.policy_sha256 = policy != nullptr ? json_text(*policy, "sha256") : "";
  std::string gate_ids;
  for (const rapidjson::Value& g : gates->GetArray()) {
    std::string id = json_text(g, "id");
    const Gate* gate = find_gate(id);
    if (gate == nullptr) return refuse(error, file, "names gate '" + id + "', which this mplp-gate does not have");
    rep.gates.push_back(gate);
    gate_ids += id + " ";
  }
  if (!read_section(*section, out, error)) return false;
  if (packs->Size() != out.section.packs.size())
    return refuse(error, file, "its packs and its shard section's packs differ in number");
  for (std::size_t i = 0; i < out.section.packs.size(); ++i) {
    PackResult pr;
    std::string why;
    if (!pack_from_json((*packs)[static_cast<rapidjson::SizeType>(i)], pr, why)) return refuse(error, file, why);
    const ShardPack& sp = out.section.packs[i];
    if (pr.path != to_valid_utf8(rep.info.absolute_paths ? sp.path : sp.name))
      return refuse(error, file, "pack " + pr.path + " is not the one its shard section names there");
    if (!apply_raw(member(&(*member(section, "packs"))[static_cast<rapidjson::SizeType>(i)], "raw"), pr))
      return refuse(error, file, "pack " + pr.path + ": the raw strings of its shard section are damaged");
    if (const std::string why = shard_pack_problem(pr, sp, rep.gates); !why.empty())
      return refuse(error, file, "pack " + pr.path + ": " + why);
    pr.path = sp.path;
    pr.name = sp.name;
    rep.packs.push_back(std::move(pr));
  }
  const RunInfo& i = rep.info;
  std::string keys;
  for (const auto& k : i.trusted_keys) keys += k + " ";
  std::string only, skip;
  for (const auto& g : i.only_gates) only += g + " ";
  for (const auto& g : i.skip_gates) skip += g + " ";
  out.identity = "gates " + gate_ids + "| strict " + std::to_string(rep.strict) + " | signature " +
                 std::to_string(i.require_signature) + " | keys " + keys + "| registry " + i.registry_sha256 +
                 " | repo root " + std::to_string(i.repo_root) + " | absolute paths " +
                 std::to_string(i.absolute_paths) + " | --gate " + only + "| --skip " + skip;
  return true;
}

// Shards must come from one check: same tool, policy, baseline, options, N.
bool same_run(const Shard& a, const Shard& b, std::string_view tool_version, std::string& error) {
  if (b.tool_version != tool_version)
    return refuse(error, b.file,
                  "written by mplp-gate " + b.tool_version + ", not by this one (" + std::string(tool_version) +
                      "): check every shard and merge with one version");
  if (b.section.spec.count != a.section.spec.count)
    return refuse(error, b.file,
                  "is shard " + std::to_string(b.section.spec.index) + "/" + std::to_string(b.section.spec.count) +
                      ", but " + a.file + " is of " + std::to_string(a.section.spec.count) +
                      " shards: merge the shards of one check");
  if (b.report.info.policy_sha256 != a.report.info.policy_sha256 ||
      b.report.info.policy_name != a.report.info.policy_name || b.section.policy_source != a.section.policy_source)
    return refuse(error, b.file,
                  "was checked with policy " + b.report.info.policy_name + " (sha256 " + b.report.info.policy_sha256 +
                      "), " + a.file + " with " + a.report.info.policy_name + " (sha256 " +
                      a.report.info.policy_sha256 + "): merge the shards of one check");
  if (b.section.paths != a.section.paths)
    return refuse(error, b.file,
                  "checked " + joined(b.section.paths) + ", " + a.file + " checked " + joined(a.section.paths) +
                      ": merge the shards of one check of one tree");
  if (b.section.has_baseline != a.section.has_baseline || b.section.baseline != a.section.baseline)
    return refuse(error, b.file, "was checked with another --baseline than " + a.file);
  if (b.identity != a.identity)
    return refuse(error, b.file,
                  "was checked with other options than " + a.file + " (" + b.identity + " vs " + a.identity + ")");
  return true;
}

// The shard's results as they stood before the end of the run: without the
// findings.omitted notes and acceptance marks, and without the results of
// the gates compared across shards of a compared pack (the merge decides them).
void undo_run_end(PackResult& p, bool compared) {
  if (compared)
    p.gates.erase(std::remove_if(p.gates.begin(), p.gates.end(),
                                 [&](const GateResult& g) {
                                   const Gate* gate = find_gate(g.gate_id);
                                   return gate != nullptr && compared_across_shards(gate);
                                 }),
                  p.gates.end());
  for (GateResult& g : p.gates) {
    g.findings.erase(std::remove_if(g.findings.begin(), g.findings.end(),
                                    [](const Finding& f) { return f.code == kFindingsOmitted; }),
                     g.findings.end());
    for (Finding& f : g.findings) {
      f.suppressed.clear();
      f.baseline = false;
    }
  }
}

}  // namespace

bool merge_shards(const std::vector<std::string>& files, std::string_view tool_version, RunReport& out,
                  std::string& error) {
  if (files.empty()) return refuse(error, "merge", "no shard report given");
  std::vector<Shard> shards(files.size());
  for (std::size_t i = 0; i < files.size(); ++i)
    if (!read_shard(files[i], shards[i], error)) return false;
  for (const Shard& s : shards)
    if (!same_run(shards[0], s, tool_version, error)) return false;
  // A file outside the packs (a --repo-root lock file) that two shards read
  // must have been the same: else packs pinned to it were judged against two.
  std::map<std::string, std::pair<std::string, const Shard*>> inputs;
  for (const Shard& s : shards)
    for (const auto& [name, found] : s.section.inputs) {
      auto [it, fresh] = inputs.emplace(name, std::make_pair(found, &s));
      if (!fresh && it->second.first != found)
        return refuse(error, s.file,
                      "found " + name + " as " + found + ", " + it->second.second->file + " as " + it->second.first +
                          ": it changed between the shard jobs; check every shard against one unchanged repository");
    }
  const unsigned n = shards[0].section.spec.count;
  std::vector<const Shard*> by_index(n, nullptr);
  for (const Shard& s : shards) {
    const Shard*& slot = by_index[s.section.spec.index];
    if (slot != nullptr)
      return refuse(error, s.file,
                    "repeats shard " + std::to_string(s.section.spec.index) + "/" + std::to_string(n) + " of " +
                        (slot->file == s.file ? std::string("the same file given before") : slot->file) +
                        ": give each shard once");
    slot = &s;
  }
  // Named up to a few: a count of 100000 with one shard given lists no 99999.
  constexpr std::size_t kNamed = 10;
  std::string missing, given;
  std::size_t missing_count = 0;
  for (unsigned k = 0; k < n; ++k)
    if (by_index[k] == nullptr && missing_count++ < kNamed)
      missing += (missing.empty() ? "" : ", ") + std::to_string(k) + "/" + std::to_string(n);
    else if (by_index[k] != nullptr)
      given += (given.empty() ? "" : ", ") + by_index[k]->file + " is " + std::to_string(k) + "/" + std::to_string(n);
  if (missing_count > kNamed) missing += " and " + std::to_string(missing_count - kNamed) + " more";
  if (!missing.empty()) {
    error = "shard " + missing + (missing.find(',') == std::string::npos ? " is" : " are") + " missing (given: " + given +
            "): merge needs the reports of all " + std::to_string(n) + " shards of the check (K counts from 0)";
    return false;
  }

  Policy policy;
  const Shard& first = shards[0];
  if (!parse_policy(first.section.policy_yaml, first.section.policy_source, policy, error))
    return refuse(error, first.file, "the policy text of its shard section does not parse: " + error);
  if (policy.sha256 != first.report.info.policy_sha256)
    return refuse(error, first.file,
                  "the policy text of its shard section has SHA-256 " + policy.sha256 + ", not the policy's " +
                      first.report.info.policy_sha256);

  // Every pack with what the shard recorded for it, in the run's order.
  struct Item {
    PackResult result;
    const ShardPack* pack;
    const Shard* shard;
  };
  std::vector<Item> items;
  for (const Shard& s : shards)
    for (std::size_t i = 0; i < s.report.packs.size(); ++i)
      items.push_back({s.report.packs[i], &s.section.packs[i], &s});
  std::set<std::size_t> accepting_left_out;  // suppressions accepting a finding a cap left out
  for (const Item& item : items)
    for (std::size_t k : item.pack->omitted_suppressions) {
      if (k >= policy.suppressions.size())
        return refuse(error, item.shard->file,
                      "pack " + item.pack->name + ": its omitted suppressions name one the policy has not");
      accepting_left_out.insert(k);
    }
  std::sort(items.begin(), items.end(), [](const Item& a, const Item& b) {
    return std::tie(a.result.name, a.result.path) < std::tie(b.result.name, b.result.path);
  });
  // One place, however a hand-edited shard spells it ("t1//x", "t1/./x/").
  // (Two packs may share a name: `check 2024 2025` names 2024/run and
  // 2025/run "run" both.)
  std::map<std::string, const Item*> places;
  for (const Item& item : items) {
    auto [it, fresh] = places.emplace(normal_place(item.result.path), &item);
    if (!fresh)
      return refuse(error, item.shard->file,
                    "pack " + item.result.path + " is in " + it->second->shard->file + " too" +
                        (it->second->result.path != item.result.path ? " (as " + it->second->result.path + ")" : "") +
                        ": merge the shards of one check of one tree");
  }

  // The places all shards hold, with their shards, are what each shard's
  // check found: else the tree changed between the shard jobs (a pack
  // added or moved went unjudged) or a shard was edited.
  {
    std::vector<std::pair<const ShardPack*, unsigned>> held;
    for (const Shard& s : shards)
      for (const ShardPack& p : s.section.packs) held.emplace_back(&p, s.section.spec.index);
    std::sort(held.begin(), held.end(), [](const auto& a, const auto& b) { return a.first->path < b.first->path; });
    FoundPlacesDigest digest;
    for (const auto& [p, k] : held) digest.add(p->path, p->name, k);
    const std::string together = digest.hex();
    for (const Shard& s : shards)
      if (s.section.found_sha256 != together)
        return refuse(error, s.file,
                      "its check found other packs than the shards hold together (the tree changed between the "
                      "shard jobs, or a report was edited): check every shard of one unchanged tree");
  }
  if (items.empty())
    return refuse(error, "merge", "no shard holds a pack: the check found no evidence pack to judge");

  out = RunReport{};
  out.gates = first.report.gates;
  out.strict = first.report.strict;
  out.info = first.report.info;
  std::vector<PackFindingCap> caps;
  caps.reserve(items.size());
  for (std::size_t i = 0; i < items.size(); ++i) {
    const PackResult& r = items[i].result;
    caps.push_back(pack_finding_cap(policy, r.name.empty() ? r.path : r.name, out.info.require_signature));
    undo_run_end(items[i].result, items[i].pack->compared);
    for (const auto& [gate, counts] : items[i].pack->omitted) caps[i].absorb(gate, counts);
  }
  // The gates compared across shards, over the summaries of every compared
  // pack, with what a run's context holds that the shards carried.
  std::vector<const Gate*> across;
  for (const Gate* g : out.gates)
    if (compared_across_shards(g)) across.push_back(g);
  CheckOptions options;
  options.strict = out.strict;
  const GateContext ctx{policy, options, nullptr, "", nullptr, nullptr};
  const Preparations prep(across, ctx);
  for (const Gate* g : across) {
    const std::string id(g->info().id);
    std::vector<const PackSummary*> summaries;
    std::vector<const std::string*> errors;
    std::vector<PackFindingCap*> pack_caps;
    std::vector<std::size_t> compared;  // the items whose summary is compared, in order
    for (std::size_t i = 0; i < items.size(); ++i) {
      const ShardPack& p = *items[i].pack;
      if (!p.compared) continue;
      compared.push_back(i);
      auto summary = p.summaries.find(id);
      auto what = p.summary_errors.find(id);
      summaries.push_back(summary != p.summaries.end() ? summary->second.get() : nullptr);
      errors.push_back(what != p.summary_errors.end() ? &what->second : nullptr);
      pack_caps.push_back(&caps[i]);
    }
    compare_collection(*g, prep, ctx, SummaryList(std::move(summaries)), errors, pack_caps, out.strict, nullptr,
                       [&](std::size_t k, GateResult found) {
                         add_collection_result(items[compared[k]].result.gates, std::move(found), caps[compared[k]]);
                       });
  }
  for (std::size_t i = 0; i < items.size(); ++i) {
    // Each gate's status as the unsharded run decides it before acceptance:
    // from all its findings, the findings.omitted note standing for those
    // the cap left out. Acceptance decides it again only where it marks a finding.
    finish_pack(items[i].result, caps[i], out.strict);
    out.packs.push_back(std::move(items[i].result));
  }
  Baseline baseline;
  baseline.source = "the shards' --baseline";
  baseline.fingerprints.insert(first.section.baseline.begin(), first.section.baseline.end());
  accepting_left_out.merge(accepting_suppressions(caps));  // and those of findings merge itself left out
  accept_findings(out, policy, first.section.has_baseline ? &baseline : nullptr, accepting_left_out);
  return true;
}

}  // namespace mplp
