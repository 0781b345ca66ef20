#include "runner/test_hook.h"

#include <unistd.h>

#include <cstdlib>
#include <string>

namespace mplp::runner {

void test_pause_point(std::string_view step) {
  const char* want = std::getenv("MPLP_GATE_TEST_PAUSE_AT");
  if (want == nullptr || step != want) return;
  std::string line = "mplp-gate: test pause at " + std::string(step) + "\n";
  (void)!::write(2, line.data(), line.size());
  const char* resume = std::getenv("MPLP_GATE_TEST_RESUME_ON");
  for (;;) {
    if (resume == nullptr) {
      ::pause();
    } else {
      if (::access(resume, F_OK) == 0) return;
      ::usleep(20000);
    }
  }
}

}  // namespace mplp::runner
