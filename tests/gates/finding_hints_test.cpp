// Issue 14, point 2: every finding code has a hint a user of this project can
// follow. The test walks every code every gate (and the engine) documents and
// every error and warning the fixtures and upstream's packs produce: each has
// a fix, and every file or command it names is one this project has: a file
// of the repository (not of fixtures/, which users do not get), a file of a
// pack's layout, or an mplp-gate command.
#include <gtest/gtest.h>

#include <filesystem>
#include <set>

#include "core/text.h"
#include "engine/check.h"
#include "gates/gate_list.h"
#include "gate_doc_checks.h"
#include "test_util.h"

namespace mplp {
namespace {

using test::foreign_references;
using test::known_commands;

namespace fs = std::filesystem;

TEST(FindingHints, TheCheckerItselfCatchesForeignNames) {
  EXPECT_FALSE(foreign_references("let the runner's env-fingerprint.py write it").empty());
  EXPECT_FALSE(foreign_references("see the runner contract (runner-framework-v2.md)").empty());
  EXPECT_FALSE(foreign_references("run `mplp-gate frobnicate`").empty());
  EXPECT_TRUE(foreign_references("seal it with `mplp-gate seal PACK`; see integrity/sha256sums.txt").empty());
  EXPECT_TRUE(foreign_references("see schemas/runner-meta.v2.schema.json and runners/_base/ID/build.sh").empty());
}

TEST(FindingHints, EveryDocumentedCodeHasAFixNamingOnlyThisProject) {
  std::size_t codes = 0;
  auto walk = [&](std::string_view owner, const FindingKind& k) {
    SCOPED_TRACE(std::string(owner) + " " + std::string(k.code));
    ++codes;
    EXPECT_FALSE(k.fix.empty());
    for (const std::string& bad : foreign_references(std::string(k.fix))) ADD_FAILURE() << "fix names " << bad;
  };
  for (const Gate* g : all_gates())
    for (const FindingKind& k : g->info().kinds) walk(g->info().id, k);
  for (const FindingKind& k : engine_finding_kinds()) walk("engine", k);
  EXPECT_GT(codes, 100u);
  EXPECT_TRUE(known_commands().count("check")) << "the binary's help lists its commands";
  // The codes the issue names, by name.
  for (const char* code : {"root_hash.mismatch", "root_hash.placeholder", "verify_hash.unchecked"}) {
    bool found = false;
    for (const Gate* g : all_gates())
      for (const FindingKind& k : g->info().kinds) found = found || k.code == code;
    EXPECT_TRUE(found) << code;
  }
}

// Every error and warning actually reported on the fixtures and on upstream's
// packs carries a hint (the gate's own words, or its code's documented fix),
// naming only this project's files and commands.
TEST(FindingHints, EveryReportedErrorAndWarningCarriesAHint) {
  std::vector<std::string> roots;
  for (const Gate* g : all_gates()) {
    if (!g->info().checks_packs()) continue;
    std::string id(g->info().id);
    const std::string dir = ascii_lower(id.substr(8, id.size() - 11));
    if (fs::is_directory(test::fixture(dir))) roots.push_back(test::fixture(dir));
  }
  roots.push_back(test::corpus("upstream"));
  std::sort(roots.begin(), roots.end());
  std::size_t seen = 0;
  std::set<std::string> codes;
  for (const std::string& root : roots) {
    RunReport r = test::check({root});
    for (const PackResult& p : r.packs)
      for (const GateResult& gr : p.gates)
        for (const Finding& f : gr.findings) {
          if (f.severity == Severity::Info) continue;
          ++seen;
          codes.insert(f.code);
          EXPECT_FALSE(f.hint.empty()) << gr.gate_id << " " << f.code << " on " << p.path << ": " << f.message;
          for (const std::string& bad : foreign_references(f.hint))
            ADD_FAILURE() << f.code << " hint names " << bad << ": " << f.hint;
        }
  }
  EXPECT_GT(seen, 50u);
  EXPECT_GT(codes.size(), 30u) << "the walk should meet many codes";
}

}  // namespace
}  // namespace mplp
