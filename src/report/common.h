// Pieces shared by the renderers, so every format names places and words
// findings the same way.
#pragma once

#include <string>
#include <unordered_map>
#include <vector>

#include "core/finding.h"
#include "engine/run_report.h"

namespace mplp::report {

// The file a finding points at, relative to the checked root: the pack's
// display path joined with the pack-relative file ("" file = the pack
// directory itself; pack "." = the file alone).
std::string artifact_path(const std::string& pack_path, const std::string& file);

// One line for people: the message, where inside the file when that is a JSON
// pointer or byte offset, what was expected and found, the hint, and the
// `compare` command when there is one; ends with a period. Every part is
// printable_utf8 (core/text.h).
std::string finding_sentence(const Finding& f, std::string_view compare = {});

// Display paths of the report's packs by name (the first, should two share one).
std::unordered_map<std::string, std::string> paths_by_name(const RunReport& report);

// For a finding with `diff_with`: the command that compares the pack at
// `pack_path` with that pack, paths as they were given and quoted for a
// POSIX shell ("mplp-gate diff runs/a 'runs/b c'"); "" when there is none.
std::string diff_command(const std::unordered_map<std::string, std::string>& paths, const std::string& pack_path,
                         const Finding& f);

// `s` quoted for a POSIX shell when it holds anything but [A-Za-z0-9_./+,:=@%-]:
// '...', or $'...' with \xHH escapes when it holds a byte printable_utf8
// would change (the quoted word must survive every renderer as it is).
std::string shell_word(std::string_view s);

// How many findings of one code (and gate and severity) the run has: what
// --statistics and the GitHub step summary print.
struct CodeCount {
  std::string code;
  std::string gate_id;
  Severity severity = Severity::Error;
  std::size_t count = 0;
};
// Most frequent first, then most severe, then by code and gate (stable).
std::vector<CodeCount> code_counts(const RunReport& report);

// "1 error" / "2 errors" etc., for summaries.
std::string plural(std::size_t n, std::string_view one, std::string_view many);

}  // namespace mplp::report
