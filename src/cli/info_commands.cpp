// `mplp-gate gates` and `mplp-gate explain GATE-ID|CODE`.
#include <algorithm>
#include <iostream>

#include "cli/commands.h"
#include "cli/pager.h"
#include "core/suggest.h"
#include "core/text.h"
#include "gates/gate_list.h"
#include "engine/check.h"
#include "engine/run_report.h"

namespace mplp::cli {

int cmd_gates(const Args& args) {
  if (!args.empty() && (args[0] == "--help" || args[0] == "-h")) {
    std::cout << "usage: mplp-gate gates [--codes | --markdown]\n\nLists every gate: id, scope, title. With --codes, every "
                 "finding code instead: code, default severity, gate (\"any\" for the engine's own). With --markdown, "
                 "the gates as a Markdown table linking their pages (the README's table).\n";
    return kExitPass;
  }
  if (args.size() == 1 && args[0] == "--codes") {
    auto line = [](std::string_view code, Severity s, std::string_view gate) {
      std::string c(code), sev(to_string(s));
      c.resize(std::max<std::size_t>(c.size() + 2, 40), ' ');
      sev.resize(9, ' ');
      std::cout << c << sev << gate << "\n";
    };
    for (const Gate* g : all_gates())
      for (const FindingKind& k : g->info().kinds) line(k.code, k.severity, g->info().id);
    for (const FindingKind& k : engine_finding_kinds()) line(k.code, k.severity, "any");
    return kExitPass;
  }
  if (args.size() == 1 && args[0] == "--markdown") {
    // Made from the gates' pages (titles) and specs (scopes), so it cannot drift.
    std::cout << "| gate | scope | what it asks of a pack or runner |\n| --- | --- | --- |\n";
    for (const Gate* g : all_gates()) {
      std::string title;
      for (char c : g->info().title) title += c == '|' ? std::string("\\|") : std::string(1, c);
      std::cout << "| [" << g->info().id << "](gates/docs/" << g->info().id << ".md) | " << to_string(g->info().scopes)
                << " | " << title << " |\n";
    }
    return kExitPass;
  }
  if (!args.empty()) {
    std::cerr << "mplp-gate gates: takes no arguments but --codes or --markdown\n";
    return kExitError;
  }
  for (const Gate* g : all_gates()) {
    std::string id(g->info().id), scope(to_string(g->info().scopes));
    id.resize(32, ' ');
    scope.resize(14, ' ');
    std::cout << id << scope << g->info().title << "\n";
  }
  return kExitPass;
}

namespace {

constexpr std::string_view kExplainUsage =
    "usage: mplp-gate explain GATE-ID|CODE\n\n"
    "A gate (full id GATE-V2-INTEGRITY-01, or short INTEGRITY-01): why it exists, exactly what it\n"
    "checks and every finding it reports with its fix (its page in gates/docs/).\n"
    "A finding code (sums.unlisted): what it means, its severity, how to fix it, and its gate.\n"
    "Case does not matter. On a terminal the text goes through $PAGER (default less -FRX; PAGER= or\n"
    "PAGER=cat prints it directly).\n";

// A gate, each thing once, all from its page (gates/docs/ID.md) but the
// scope and each finding's severity and fix (its kinds table): title and
// scope, why, the page's sections (what it checks first), then every finding
// code with its meaning and fix.
std::string gate_text(const GateInfo& info) {
  std::string out = std::string(info.id) + " — " + info.title + "\n\nScope: " + to_string(info.scopes) +
                    "\n\nWhy:\n" + info.why + "\n";
  for (const auto& [heading, body] : info.sections)
    if (heading != "Findings") out += "\n" + heading + ":\n" + body + "\n";
  if (!info.kinds.empty()) {
    out += "\nFindings and how to fix them:\n";
    for (const FindingKind& k : info.kinds)
      out += "  " + std::string(k.code) + " (" + std::string(to_string(k.severity)) + "): " + k.summary +
             "\n      fix: " + std::string(k.fix) + "\n";
  }
  return out;
}

std::string kind_text(const FindingKind& k, std::string_view gate) {
  return std::string(k.code) + " (" + std::string(to_string(k.severity)) + ", " + std::string(gate) +
         ")\n\nWhat it means:\n  " + std::string(k.summary) + "\n\nHow to fix it:\n  " + std::string(k.fix) +
         "\n\nThe gate's rules: mplp-gate explain " + std::string(gate) + "\n";
}

// Finding codes are lowercase; the engine's own apply to every gate.
std::string code_text(const std::string& typed) {
  const std::string t = ascii_lower(typed);
  std::string out;
  for (const Gate* g : all_gates())
    for (const FindingKind& k : g->info().kinds)
      if (k.code == t) out += (out.empty() ? "" : "\n") + kind_text(k, g->info().id);
  for (const FindingKind& k : engine_finding_kinds())
    if (k.code == t) out += (out.empty() ? "" : "\n") + kind_text(k, "any gate");
  return out;
}

// Every name explain knows, for "did you mean": gate ids, short ids, codes.
std::vector<std::string> explain_names() {
  std::vector<std::string> names;
  for (const Gate* g : all_gates()) {
    std::string_view id = g->info().id;
    names.emplace_back(id);
    names.emplace_back(short_gate_id(id));
  }
  for (std::string_view code : all_finding_codes()) names.emplace_back(code);
  return names;
}

}  // namespace

int cmd_explain(const Args& args) {
  if (args.size() == 1 && (args[0] == "--help" || args[0] == "-h")) {
    std::cout << kExplainUsage;
    return kExitPass;
  }
  if (args.size() != 1) {
    std::cerr << kExplainUsage;
    return kExitError;
  }
  std::string text;
  if (const Gate* g = find_gate_named(args[0]); g != nullptr) text = gate_text(g->info());
  else text = code_text(args[0]);
  if (text.empty()) {
    const std::vector<std::string> names = explain_names();
    std::string guess = did_you_mean(args[0], std::vector<std::string_view>(names.begin(), names.end()));
    std::cerr << "mplp-gate explain: '" << escape_for_message(args[0]) << "' is neither a gate id nor a finding code"
              << (guess.empty() ? "" : " (did you mean " + guess + "?)")
              << "; `mplp-gate gates` lists the gates, `mplp-gate explain GATE` their codes\n";
    return kExitError;
  }
  return page(text);
}

}  // namespace mplp::cli
