// Whole-tool target: the fuzzer's bytes become a small pack tree in a temp
// directory, which then goes through the full check pipeline (run_check with
// every gate), so interactions between gates and the pack model are fuzzed.
//
// Input format (see pack_input.h): records "=== <path>\n<content>", each
// starting on a new line. Paths must be safe relative paths (others are
// dropped). Three pseudo-paths steer the run:
//   "!policy"   the content is a policy YAML used for the run (when it parses)
//   "!registry" the content becomes producers/_registry/substrates.v2.yaml
//               under the repo root (--repo-root is then set)
//   "!reseal"   integrity/sha256sums.txt and the manifest hashes are
//               recomputed, so inputs get past INTEGRITY-01 to later gates
//
// Invariants: run_check runs (the tree always holds a directory); no gate
// throws (no "internal.error" finding); every finding has a gate id, a code
// the gate lists in GateInfo::kinds (or the engine's findings.omitted), a
// one-line message and a pack-relative file; a pack holds at most the
// policy's max_findings_per_pack findings plus one findings.omitted per gate;
// with the default policy, a manifest that is not valid JSON never passes.
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <string>

#include "core/json.h"
#include "core/policy.h"
#include "engine/check.h"
#include "engine/finding_cap.h"
#include "fuzz_util.h"
#include "gates/gate_list.h"
#include "pack_input.h"

namespace fs = std::filesystem;
using mplp::fuzz::as_text;

namespace {

// A temp directory for the whole process, removed at exit. Never destroyed
// (the exit handler still needs it after static destructors ran).
const std::string& work_dir() {
  static const std::string* dir = [] {
    const char* t = std::getenv("TMPDIR");
    std::string tmpl = std::string(t != nullptr && *t != '\0' ? t : "/tmp") + "/mplp-fuzz-pack-XXXXXX";
    if (::mkdtemp(tmpl.data()) == nullptr) std::abort();
    std::atexit([] {
      std::error_code ec;
      fs::remove_all(work_dir(), ec);
    });
    return new std::string(tmpl);
  }();
  return *dir;
}

bool listed_kind(const mplp::Gate& g, std::string_view code) {
  for (const mplp::FindingKind& k : g.info().kinds)
    if (k.code == code) return true;
  return false;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  mplp::fuzz::PackInput in = mplp::fuzz::parse_pack_input(as_text(data, size));
  const std::string root = work_dir();
  const std::string pack = root + "/pack";
  std::error_code ec;
  fs::remove_all(pack, ec);
  fs::remove_all(root + "/producers", ec);
  if (!mplp::fuzz::write_pack_input(in, root, pack)) return 0;
  // A record "manifest.json/x" before "manifest.json" makes it a directory.
  const bool has_manifest = fs::is_regular_file(fs::symlink_status(pack + "/manifest.json", ec));

  mplp::CheckRequest req;
  req.paths = {pack};
  req.jobs = 1;
  bool default_policy = true;
  if (in.policy) {
    mplp::Policy p;
    std::string perr;
    if (mplp::parse_policy(*in.policy, "policy.yaml", p, perr)) {
      req.policy = std::move(p);
      default_policy = false;
    }
  }
  if (in.registry) req.options.repo_root = root;

  mplp::RunReport report;
  std::string error;
  if (!mplp::run_check(req, report, error)) {
    // Only a policy naming an unknown gate, a broken registry or a missing
    // manifest may stop the run.
    FUZZ_CHECK(!default_policy || in.registry || !has_manifest, error);
    return 0;
  }
  for (const mplp::PackResult& pr : report.packs) {
    std::size_t kept = 0, notes = 0;
    for (const mplp::GateResult& gr : pr.gates) {
      const mplp::Gate* g = mplp::find_gate(gr.gate_id);
      FUZZ_CHECK(g != nullptr, gr.gate_id);
      for (const mplp::Finding& f : gr.findings) {
        std::string what = gr.gate_id + " " + f.code + " " + f.file + ": " + f.message;
        FUZZ_CHECK(f.code != "internal.error", what);
        FUZZ_CHECK(f.gate_id == gr.gate_id, what);
        bool note = f.code == mplp::kFindingsOmitted;
        (note ? notes : kept) += 1;
        FUZZ_CHECK(note || listed_kind(*g, f.code), "code not listed in GateInfo::kinds: " + what);
        FUZZ_CHECK(!f.message.empty() && f.message.find('\n') == std::string::npos, what);
        FUZZ_CHECK(f.file.empty() || f.file[0] != '/' || in.registry, what);
        // The temp root may appear inside a file name only when the input
        // itself spells it (libFuzzer learns the string from comparisons).
        FUZZ_CHECK(f.file.find(root) == std::string::npos || in.registry ||
                       as_text(data, size).find(root) != std::string_view::npos,
                   what);
      }
    }
    FUZZ_CHECK(kept <= req.policy.limits.max_findings_per_pack && notes <= pr.gates.size(),
               pr.path + ": " + std::to_string(kept) + " findings, " + std::to_string(notes) + " notes");
  }
  if (default_policy && has_manifest) {
    mplp::JsonDoc doc;
    if (!mplp::parse_json(in.manifest, {}, doc))
      FUZZ_CHECK(mplp::exit_code(report) == 1, "a pack whose manifest.json is not JSON passed");
  }
  return 0;
}
