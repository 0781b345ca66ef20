// The gate list is the plug-in registry: these tests keep every gate
// complete (id, title, rationale, doc page, finding kinds, fixtures) and make
// sure no gate emits a finding kind it does not document.
#include <gtest/gtest.h>

#include <filesystem>
#include <set>

#include "core/embedded.h"
#include "core/text.h"
#include "gate_doc_checks.h"
#include "gates/gate_list.h"
#include "test_util.h"

namespace mplp {
namespace {

namespace fs = std::filesystem;

TEST(GateList, IdsAreSortedUniqueAndWellFormed) {
  std::set<std::string_view> seen;
  std::string_view prev;
  for (const Gate* g : all_gates()) {
    std::string_view id = g->info().id;
    EXPECT_TRUE(seen.insert(id).second) << "duplicate gate id " << id;
    EXPECT_LT(prev, id) << "gate list not sorted at " << id;
    EXPECT_EQ(id.substr(0, 8), "GATE-V2-") << id;
    EXPECT_EQ(id.substr(id.size() - 3), "-01") << id;
    EXPECT_EQ(find_gate(id), g);
    prev = id;
  }
  EXPECT_EQ(find_gate("GATE-V2-NOPE-01"), nullptr);
}

TEST(GateList, EveryGateIsDocumented) {
  for (const Gate* g : all_gates()) test::expect_gate_documented(*g);
}

TEST(GateList, EveryGateHasPassAndFailFixtures) {
  for (const Gate* g : all_gates()) {
    std::string dir = test::fixture(test::fixture_group(g->info().id));
    bool pass = false, fail = false;
    if (fs::is_directory(dir))
      for (auto& e : fs::directory_iterator(dir)) {
        std::string name = e.path().filename();
        pass = pass || name.rfind("pass-", 0) == 0;
        fail = fail || name.rfind("fail-", 0) == 0;
      }
    EXPECT_TRUE(pass) << dir << " has no pass-* fixture";
    EXPECT_TRUE(fail) << dir << " has no fail-* fixture";
  }
}

// Runs every pack fixture of every pack/collection gate and checks that each
// finding's code is one its gate documents, and that no gate crashed.
TEST(GateList, FixturesOnlyProduceDocumentedCodes) {
  std::vector<std::string> packs;
  for (const Gate* g : all_gates()) {
    if (!g->info().checks_packs()) continue;
    std::string dir = test::fixture(test::fixture_group(g->info().id));
    if (!fs::is_directory(dir)) continue;
    for (auto& e : fs::directory_iterator(dir))
      if (e.is_directory()) packs.push_back(e.path());
  }
  std::sort(packs.begin(), packs.end());
  ASSERT_FALSE(packs.empty());
  RunReport r = test::check(packs);
  for (const PackResult& p : r.packs)
    for (const GateResult& gr : p.gates) {
      const Gate* g = find_gate(gr.gate_id);
      ASSERT_NE(g, nullptr);
      for (const Finding& f : gr.findings) {
        EXPECT_NE(f.code, "internal.error") << p.path << ": " << f.message;
        bool known = false;
        for (const FindingKind& k : g->info().kinds) known = known || k.code == f.code;
        EXPECT_TRUE(known) << gr.gate_id << " emitted undocumented code '" << f.code << "' on " << p.path;
      }
    }
}

// The request a fixture is checked with: a `policy.yaml` beside its pack(s)
// (fixtures/attestation/*: trusted keys) replaces the default policy.
CheckRequest request_for(const fs::path& dir) {
  CheckRequest req;
  fs::path policy = dir / "policy.yaml";
  std::string error;
  if (fs::exists(policy)) {
    EXPECT_TRUE(load_policy_file(policy, req.policy, error)) << error;
  }
  return req;
}

// A fixture named pass-* passes its gate; fail-* fails it. A fixture may be a
// tree of several packs (collection gates): then fail-* means some pack fails.
// Checked with the fixture's own policy, every finding's code is documented.
TEST(GateList, FixtureNamesMatchVerdicts) {
  for (const Gate* g : all_gates()) {
    if (!g->info().checks_packs()) continue;
    std::string id(g->info().id);
    std::string dir = test::fixture(test::fixture_group(id));
    if (!fs::is_directory(dir)) continue;
    for (auto& e : fs::directory_iterator(dir)) {
      if (!e.is_directory()) continue;
      std::string name = e.path().filename();
      RunReport r = test::check({e.path()}, {id}, request_for(e.path()));
      for (const PackResult& p : r.packs)
        for (const GateResult& gr : p.gates)
          for (const Finding& f : gr.findings) {
            bool known = false;
            for (const FindingKind& k : g->info().kinds) known = known || k.code == f.code;
            EXPECT_TRUE(known) << id << " emitted undocumented code '" << f.code << "' on " << p.path;
          }
      bool any_fail = false;
      for (const PackResult& p : r.packs) any_fail = any_fail || test::status_of(r, id, p.path) == GateStatus::Fail;
      if (name.rfind("pass-", 0) == 0) {
        EXPECT_FALSE(any_fail) << e.path();
      } else if (name.rfind("fail-", 0) == 0) {
        EXPECT_TRUE(any_fail) << e.path();
      }
    }
  }
}

}  // namespace
}  // namespace mplp
