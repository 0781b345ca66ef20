// Findings: what every gate reports and every renderer prints.
//
// A finding names one problem (or one noteworthy fact) at one place in one
// pack. Gates fill everything but `gate_id`, which the sink stamps, and the
// engine may change `severity` according to the policy. Renderers only read.
//
//   Finding f;
//   f.severity = Severity::Error;
//   f.code = "sums.mismatch";          // stable kind, documented in gates/docs
//   f.file = "artifacts/plan.json";    // pack-relative
//   f.location.line = 3;
//   f.message = "SHA-256 does not match the sums file";
//   f.expected = "<listed digest>"; f.actual = "<computed digest>";
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace mplp {

enum class Severity { Info, Warning, Error };

std::string_view to_string(Severity s);
// Parses "error" | "warning" | "info"; returns false for anything else.
bool parse_severity(std::string_view text, Severity& out);

struct Location {
  // 1-based; 0 means unknown.
  std::uint64_t line = 0;
  std::uint64_t column = 0;
  // RFC 6901 JSON pointer into the file ("" = not known / whole document).
  std::string pointer;
  // Byte offset into the file, when it is the best location we have.
  bool has_offset = false;
  std::uint64_t offset = 0;
};

struct Finding {
  std::string gate_id;
  Severity severity = Severity::Error;
  std::string code;     // stable finding kind, e.g. "sums.mismatch"
  std::string file;     // pack-relative path; "" = the pack itself
  Location location;
  std::string message;  // one line
  std::string detail;   // optional longer text
  std::string expected;
  std::string actual;
  std::string hint;     // how to fix it
  // Another pack of the run worth comparing this one with, by its name
  // (Pack::name): reports for people print the `mplp-gate diff` command for
  // the two packs, with the paths as they were given; the JSON report keeps
  // the name.
  std::string diff_with;
  // Accepted findings (issue 14): the reason of the policy's `suppress` entry
  // that matched, or `baseline` when a previous report (--baseline) already
  // had it. Either way the finding is reported, marked, and never decides a
  // gate's status or the exit code.
  std::string suppressed;
  bool baseline = false;
  // The finding restates a JSON-schema rule. When the same gate also reports
  // the same field in its own words, the engine keeps that finding alone and
  // folds this one's message into its detail (one finding per defect).
  bool schema_rule = false;
  bool counts() const { return suppressed.empty() && !baseline; }
};

// A finding with the fields every finding has; callers add location,
// expected, actual and hint as they apply.
Finding make_finding(Severity severity, std::string code, std::string file, std::string message);

// Total order used everywhere findings are listed (determinism).
bool finding_less(const Finding& a, const Finding& b);

// "file:line:col" / "file#/pointer" / "file@offset" / "file" / "".
std::string format_location(const Finding& f);

// The finding's stable fingerprint (SARIF partialFingerprints, --baseline):
// lowercase hex SHA-256 of what it says, not when or where it was found:
// gate, code, the pack's name, file, place, message, expected and actual,
// and `occurrence`, which tells identical findings apart. A finding located
// by JSON pointer into a .json file is placed by the pointer alone: the line
// the engine found for it moves whenever another part of the file changes
// (in NDJSON the line names the record, and stays).
std::string finding_fingerprint(std::string_view pack, const Finding& f, std::size_t occurrence);

}  // namespace mplp
