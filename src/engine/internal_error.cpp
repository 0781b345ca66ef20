#include "engine/internal_error.h"

namespace mplp {

Finding internal_error_finding(std::string_view what) {
  Finding f;
  f.severity = Severity::Error;
  f.code = "internal.error";
  f.message = "internal error in gate: " + std::string(what);
  f.hint = what == kOutOfMemory ? "give the check more memory, or lower the policy's limits.max_file_size so that "
                                  "files this large are refused by their size"
                                : "please report this with the pack that caused it";
  return f;
}

}  // namespace mplp
