#include "engine/internal_error.h"

namespace mplp {

Finding internal_error_finding(std::string_view what) {
  Finding f;
  f.severity = Severity::Error;
  f.code = "internal.error";
  f.message = "internal error in gate: " + std::string(what);
  f.hint = "please report this with the pack that caused it";
  return f;
}

}  // namespace mplp
