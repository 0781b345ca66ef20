// Fixtures that carry their expectations: every fixtures/<group>/<name> with a
// <name>.expected-findings.txt beside it is checked by the built binary, as
// the file's `# args:` line says, and the text report's verdict lines are
// compared with the rest of the file (format: fixtures/README.md). The file
// lies beside the fixture, not in it: inside a pack it would be a file of the
// pack (an unlisted file for INTEGRITY-01, URLs for HOST-ALLOW-01 to find).
//
// With MPLP_UPDATE_FIXTURE_EXPECTATIONS=1 the test rewrites each file from
// what the binary reports now, keeping its leading `#` lines, instead of
// comparing: scripts/update-fixture-expectations runs it so after an intended
// change (review the diff).
#include <gtest/gtest.h>

#include <algorithm>
#include <cctype>
#include <cstdlib>
#include <filesystem>
#include <sstream>

#include "fixture_expectations.h"
#include "gates/gate_list.h"
#include "test_util.h"

namespace mplp::test {
namespace {

namespace fs = std::filesystem;

class FixtureExpectations : public ::testing::TestWithParam<Expectation> {};

TEST_P(FixtureExpectations, ReportMatches) { check_expectation(GetParam()); }

INSTANTIATE_TEST_SUITE_P(Fixtures, FixtureExpectations, ::testing::ValuesIn(discover_expectations(false)),
                         [](const ::testing::TestParamInfo<Expectation>& info) {
                           return expectation_test_name(info.param);
                         });

// Every pass-*/fail-* fixture of every group (fixtures/<gate>) carries its
// expectations, so none is left unchecked (those of gates that run
// containers are checked by the runner suite). Other fixtures (packs/,
// report/, upstream/) may carry a file too.
TEST(FixtureExpectationsCoverage, EveryGateFixtureHasExpectations) {
  std::size_t fixtures = 0;
  std::vector<std::string> groups{"runner-smoke"};  // its gate is not linked here (it runs containers)
  for (const Gate* gate : all_gates()) groups.push_back(fixture_group(gate->info().id));
  for (const std::string& group : groups) {
    if (!fs::is_directory(fixture(group))) continue;
    for (const auto& e : fs::directory_iterator(fixture(group))) {
      std::string name = e.path().filename();
      if (!e.is_directory() || !(name.starts_with("pass-") || name.starts_with("fail-"))) continue;
      ++fixtures;
      EXPECT_TRUE(fs::exists(Expectation{group, name}.file()))
          << "fixtures/" << group << "/" << name << " has no expectations: scripts/update-fixture-expectations "
          << "fixtures/" << group << "/" << name;
    }
  }
  EXPECT_GT(fixtures, 100u) << "fixtures not found under " << fixture("");
}

}  // namespace
}  // namespace mplp::test
