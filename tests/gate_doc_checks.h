// Checks of a gate's documentation shared by the unit and the runner suites
// (the runner-scope gates are only linked by the latter): the parts of its
// GateInfo and its doc page, and whether a hint names only what this project
// has (issue 14, point 2): the files it names are files of the repository
// (not of fixtures/, which users do not get) or of a pack's layout, and its
// `mplp-gate X` commands are commands of the built binary.
#pragma once

#include <set>
#include <string>
#include <vector>

#include "core/gate.h"

namespace mplp::test {

// Adds a test failure for each part of `g`'s documentation that is missing:
// title, rationale, checks, finding kinds (unique codes with a summary and
// a fix), and its page gates/docs/<ID>.md explaining every code.
void expect_gate_documented(const Gate& g);

// The commands of the built binary, from its own help.
const std::set<std::string>& known_commands();

// Problems with one hint: names of files or commands this project lacks.
std::vector<std::string> foreign_references(const std::string& hint);

}  // namespace mplp::test
