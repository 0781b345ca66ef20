#include "engine/preparations.h"

#include <stdexcept>

#include "engine/internal_error.h"

namespace mplp {

Preparations::Preparations(const std::vector<const Gate*>& gates, const GateContext& ctx) {
  for (const Gate* g : gates) {
    Prepared& p = by_gate_[g];
    p.error = run_caught([&] { p.state = g->prepare(ctx); });
  }
}

GateContext Preparations::context(const Gate* g, const GateContext& base) const {
  GateContext c = base;
  auto it = by_gate_.find(g);
  if (it == by_gate_.end()) return c;
  if (it->second.error) throw std::runtime_error("preparing the gate for this run failed: " + *it->second.error);
  c.prepared = it->second.state.get();
  return c;
}

std::map<std::string, std::string> Preparations::shared_inputs() const {
  std::map<std::string, std::string> out;
  for (const auto& [gate, p] : by_gate_)
    if (p.state)
      for (auto& [name, what] : p.state->shared_inputs()) out[std::string(gate->info().id) + ": " + name] = what;
  return out;
}

std::vector<std::string> Preparations::files_read() const {
  std::vector<std::string> out;
  for (const auto& [gate, p] : by_gate_)
    if (p.state)
      for (std::string& f : p.state->files_read()) out.push_back(std::move(f));
  return out;
}

}  // namespace mplp
