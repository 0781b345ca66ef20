#include "core/gate.h"

namespace mplp {

std::string_view to_string(GateScope s) {
  switch (s) {
    case GateScope::Pack: return "pack";
    case GateScope::Collection: return "collection";
    case GateScope::Runners: return "runners";
  }
  return "pack";
}

}  // namespace mplp
