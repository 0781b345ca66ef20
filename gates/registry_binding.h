// GATE-V2-SSOT-01's registry binding (issue 12): with a substrate registry,
// an INDEXABLE_REAL pack's substrate must be registered, its runner must be
// the one registered for that substrate, and its lock kind (when given) the
// registered one. Each mismatch is an error with the expected and found value.
#pragma once

#include <rapidjson/document.h>

#include "core/gate.h"
#include "core/manifest_fields.h"

namespace mplp {

// `manifest` is the pack's manifest object; nothing is reported without a
// registry in `ctx` or when the manifest names no substrate (REAL-QUALIFY-01
// reports that).
void check_registry_binding(FieldChecker& c, const GateContext& ctx, const rapidjson::Value& manifest);

}  // namespace mplp
