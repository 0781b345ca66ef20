// `mplp-gate gates` and `mplp-gate explain GATE-ID`.
#include <cctype>
#include <iostream>

#include "cli/commands.h"
#include "core/embedded.h"
#include "gates/gate_list.h"
#include "engine/check.h"
#include "engine/run_report.h"

namespace mplp::cli {

int cmd_gates(const Args& args) {
  if (!args.empty() && args[0] == "--help") {
    std::cout << "usage: mplp-gate gates\n\nLists every gate: id, scope, title.\n";
    return kExitPass;
  }
  if (!args.empty()) {
    std::cerr << "mplp-gate gates: takes no arguments\n";
    return kExitError;
  }
  for (const Gate* g : all_gates()) {
    std::string id(g->info().id), scope(to_string(g->info().scope));
    id.resize(32, ' ');
    scope.resize(12, ' ');
    std::cout << id << scope << g->info().title << "\n";
  }
  return kExitPass;
}

int cmd_explain(const Args& args) {
  if (args.size() == 1 && args[0] == "--help") {
    std::cout << "usage: mplp-gate explain GATE-ID\n\nPrints why the gate exists, exactly what it checks, "
                 "and how to fix each kind of finding.\n";
    return kExitPass;
  }
  if (args.size() != 1) {
    std::cerr << "usage: mplp-gate explain GATE-ID\n";
    return kExitError;
  }
  // Ids are matched without regard to case (people type them from memory).
  std::string wanted = args[0];
  for (char& c : wanted) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  const Gate* g = find_gate(wanted);
  if (g == nullptr) {
    // The engine's gate selection words the error, with its "did you mean".
    CheckRequest req;
    req.only_gates = {wanted};
    std::vector<const Gate*> unused;
    std::string error;
    select_gates(req, unused, error);
    std::cerr << "mplp-gate explain: " << error << "\n";
    return kExitError;
  }
  const GateInfo& info = g->info();
  std::cout << info.id << " — " << info.title << "\n\nScope: " << to_string(info.scope) << "\n\nWhy:\n"
            << info.rationale << "\n\nWhat it checks:\n" << info.checks << "\n";
  if (!info.kinds.empty()) {
    std::cout << "\nFindings and how to fix them:\n";
    for (const FindingKind& k : info.kinds) {
      std::cout << "  " << k.code << " (" << to_string(k.severity) << "): " << k.summary << "\n";
      std::cout << "      fix: " << (k.fix.empty() ? "nothing to do (informational)" : k.fix) << "\n";
    }
  }
  std::string_view doc = embedded::get("gates/docs/" + std::string(info.id) + ".md");
  if (!doc.empty()) std::cout << "\n" << doc;
  return kExitPass;
}

}  // namespace mplp::cli
