// Fixtures that carry their expectations (fixtures/README.md): discovery of
// every fixtures/<group>/<name>.expected-findings.txt and the check of one,
// shared by the e2e suite (every group) and the runner suite (groups whose
// gate runs containers, which only it can set up).
#pragma once

#include <filesystem>
#include <string>
#include <vector>

namespace mplp::test {

struct Expectation {
  std::string group, name;  // fixtures/<group>/<name>
  std::filesystem::path dir() const;
  std::filesystem::path file() const;
};
void PrintTo(const Expectation& e, std::ostream* os);

// Fixture groups whose gate needs a container engine: the runner suite
// checks them, beside the repository's runners/_base.
bool needs_container_engine(const std::string& group);

// Every expectations file under fixtures/*/, sorted; with `engine_groups`
// only the groups that need a container engine, else only the others.
std::vector<Expectation> discover_expectations(bool engine_groups);

// Runs `mplp-gate check` as the file's `# args:` line says (plus `extra`
// arguments) in `cwd` (the fixture's directory when empty) and adds a test
// failure, with a line diff, when its verdict lines differ from the file's.
// With MPLP_UPDATE_FIXTURE_EXPECTATIONS=1 it rewrites the file instead.
void check_expectation(const Expectation& e, const std::string& cwd = {}, const std::vector<std::string>& extra = {});

// Test names for INSTANTIATE_TEST_SUITE_P: <group>_<name>, alphanumerics only.
std::string expectation_test_name(const Expectation& e);

}  // namespace mplp::test
