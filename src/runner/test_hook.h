// A test-only hook: with MPLP_GATE_TEST_PAUSE_AT=<step> in the environment,
// the executor stops at that named step (after announcing it on stderr as
// "mplp-gate: test pause at <step>") and waits until it is killed, so tests
// can SIGKILL it at deterministic points; with MPLP_GATE_TEST_RESUME_ON=<file>
// as well, it goes on once that file exists (so that a test can change the
// pack while mplp-gate works). Steps, in order:
//   staged       staging directory prepared (run: before the container)
//   ran          CMD finished successfully, nothing sealed yet
//   sealed-meta  reports/runner.meta.json written in the staging directory
//   sealed-manifest, sealed-sums   the same for manifest.json and the sums
//   sealed-provenance  integrity/provenance.intoto.jsonl written (or a stale one removed)
//   committed    the staging directory exchanged with the pack (old tree not yet removed)
#pragma once

#include <string_view>

namespace mplp::runner {

void test_pause_point(std::string_view step);

}  // namespace mplp::runner
