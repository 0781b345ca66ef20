#include "core/gate.h"

#include <algorithm>
#include <stdexcept>

#include "core/embedded.h"
#include "core/gate_doc.h"

namespace mplp {

std::string_view to_string(GateScope s) {
  switch (s) {
    case GateScope::Pack: return "pack";
    case GateScope::Collection: return "collection";
    case GateScope::Runners: return "runners";
  }
  return "pack";
}

bool GateOutcome::has_code(std::string_view code) const {
  if (!ran) return false;
  if (omitted_codes != nullptr && omitted_codes->count(code) != 0) return true;
  return std::any_of(findings->begin(), findings->end(), [&](const Finding& f) { return f.code == code; });
}

GateScope GateScopes::primary() const {
  for (GateScope s : {GateScope::Pack, GateScope::Collection, GateScope::Runners})
    if (has(s)) return s;
  return GateScope::Pack;
}

std::string to_string(GateScopes scopes) {
  std::string out;
  for (GateScope s : {GateScope::Pack, GateScope::Collection, GateScope::Runners})
    if (scopes.has(s)) out += (out.empty() ? "" : "+") + std::string(to_string(s));
  return out;
}

const FindingKind& GateInfo::kind(std::string_view code) const {
  for (const FindingKind& k : kinds)
    if (k.code == code) return k;
  throw std::logic_error(std::string(id) + " reports finding code '" + std::string(code) +
                         "', which its kinds table does not list");
}

Finding GateInfo::finding(std::string_view code, std::string file, std::string message) const {
  const FindingKind& k = kind(code);
  return make_finding(k.severity, std::string(k.code), std::move(file), std::move(message));
}

GateInfo documented(GateInfo spec) {
  const std::string page = "gates/docs/" + std::string(spec.id) + ".md";
  std::string_view text = embedded::get(page);
  if (text.empty()) throw std::logic_error(page + ": no such page is compiled in (gates/docs/meson.build lists them)");
  GateDoc doc;
  std::string error;
  if (!parse_gate_doc(text, doc, error)) throw std::logic_error(page + ": " + error);
  if (doc.id != spec.id) throw std::logic_error(page + ": its first line names " + doc.id);
  for (FindingKind& k : spec.kinds) {
    auto meaning = doc.meanings.find(k.code);
    if (meaning == doc.meanings.end())
      throw std::logic_error(page + ": the findings table has no row for " + std::string(k.code));
    k.summary = meaning->second;
  }
  for (const auto& row : doc.meanings) {  // (clang cannot capture a structured binding)
    const std::string& code = row.first;
    if (std::none_of(spec.kinds.begin(), spec.kinds.end(), [&](const FindingKind& k) { return k.code == code; }))
      throw std::logic_error(page + ": the findings table lists " + code + ", which the gate's kinds do not");
  }
  spec.title = std::move(doc.title);
  spec.rationale = std::move(doc.rationale);
  spec.why = std::move(doc.why);
  spec.checks = std::move(doc.checks);
  spec.sections = std::move(doc.sections);
  return spec;
}

CappedSink::~CappedSink() {
  for (const Count& c : counts_)
    if (c.n > max_)
      sink_.report(make_finding(c.severity, c.code, file_,
                                std::to_string(c.n - max_) + " more findings of this kind are not listed"));
}

void CappedSink::report(Finding f) {
  auto it = std::find_if(counts_.begin(), counts_.end(), [&](const Count& c) { return c.code == f.code; });
  if (it == counts_.end()) it = counts_.insert(counts_.end(), {f.code, f.severity, 0});
  if (++it->n <= max_) sink_.report(std::move(f));
}

}  // namespace mplp
