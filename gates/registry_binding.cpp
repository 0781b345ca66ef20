#include "gates/registry_binding.h"

#include "core/json.h"
#include "core/registry.h"
#include "core/text.h"
#include "core/values.h"

namespace mplp {

namespace {

std::string quoted(std::string_view s) { return to_compact_json(s, 100); }

}  // namespace

void check_registry_binding(FieldChecker& c, const GateContext& ctx, const rapidjson::Value& manifest) {
  if (ctx.registry == nullptr) return;
  const SubstrateRegistry& reg = *ctx.registry;
  const rapidjson::Value* id = string_member(member(&manifest, "substrate_ref"), "substrate_id");
  if (id == nullptr) return;
  const std::string_view substrate = as_view(*id);
  const RegistrySubstrate* entry = reg.find_substrate(substrate);
  if (entry == nullptr) {
    std::string known;
    for (const RegistrySubstrate& s : reg.substrates) known += (known.empty() ? "" : ", ") + s.substrate_id;
    c.report("ssot.substrate-unregistered", "/substrate_ref/substrate_id",
             "substrate " + quoted(substrate) + " is not registered in the substrate registry " + ctx.registry_source,
             known.empty() ? "a substrate of the registry (it lists none)" : "one of: " + known, quoted(substrate),
             "produce evidence only for substrates the registry lists, or register this one (with its runner)");
    return;
  }
  const std::string where = ctx.registry_source + " line " + std::to_string(entry->line);
  // A runner id that is not one at all is ssot.runner-id's finding, not a binding mismatch; a
  // registry entry without a runner_id (or lock_kind) binds nothing (SUBSTRATE-REGISTRY-01 reports it).
  if (const rapidjson::Value* runner = string_member(member(&manifest, "env_ref"), "runner_id");
      runner != nullptr && !entry->runner_id.empty() && is_runner_id(as_view(*runner)) &&
      as_view(*runner) != entry->runner_id)
    c.report("ssot.runner-binding", "/env_ref/runner_id",
             "substrate " + quoted(substrate) + " is registered with runner " + quoted(entry->runner_id) + " (" +
                 where + "), but the pack was run by " + to_compact_json(*runner, 100),
             shortened(entry->runner_id), shortened(as_view(*runner)),
             "run the producer with the runner the registry names for its substrate (or change the registry)");
  // The name the evidence is compared with (GATE-V2-CONSISTENCY-01) is the
  // registry's name of the substrate: else the manifest could relabel MCP
  // evidence as langchain, its substrate_name set to what the evidence says
  // (QA-39).
  if (const rapidjson::Value* name = string_member(member(&manifest, "substrate_ref"), "substrate_name");
      name != nullptr && !entry->display_name.empty() && as_view(*name) != entry->display_name)
    c.report("ssot.name-binding", "/substrate_ref/substrate_name",
             "substrate " + quoted(substrate) + " is registered as " + quoted(entry->display_name) + " (" + where +
                 "), but the pack names it " + to_compact_json(*name, 100),
             shortened(entry->display_name), shortened(as_view(*name)),
             "name the substrate as the registry does (its display_name); evidence of another substrate is not this one's");
  if (const rapidjson::Value* kind = string_member(member(&manifest, "lock_ref"), "lock_kind");
      kind != nullptr && !entry->lock_kind.empty() && as_view(*kind) != entry->lock_kind)
    c.report("ssot.lock-kind-binding", "/lock_ref/lock_kind",
             "substrate " + quoted(substrate) + " is registered with lock_kind " + quoted(entry->lock_kind) + " (" +
                 where + "), but the pack's lock_ref says " + to_compact_json(*kind, 100),
             shortened(entry->lock_kind), shortened(as_view(*kind)),
             "pin the substrate with the lock kind the registry names (e.g. an npm package-lock.json for npm)");
}

}  // namespace mplp
