// Comparing two evidence packs (`mplp-gate diff A B`).
//
// What differs, most telling first:
//  - fields of manifest.json and reports/runner.meta.json, as RFC 6901 JSON
//    pointers with both values; those describing the environment (the
//    manifest's env_ref and runner.meta.json's runner, image, digest and
//    fingerprint fields) are marked and listed first;
//  - files added, removed or changed, by SHA-256 recomputed from the bytes
//    (a sums file may lie), or by kind for links, FIFOs and the like;
//  - the timelines' event names (timeline/events.ndjson, timestamps and data
//    ignored), aligned like a diff along a longest common subsequence.
// Packs are untrusted: both are read with Pack (core/pack.h), so no link is
// followed and the policy's limits hold; a pack that cannot be read in full
// is an error naming the file, never a silent "equal".
//
//   PackDiff d;
//   std::string err;
//   if (!diff_packs("runs/a", "runs/b", {}, d, err)) ...   // exit 2
//   if (d.equal()) ...                                     // exit 0
//   for (const FieldDiff& f : d.fields) ... f.pointer, f.a, f.b
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/policy.h"

namespace mplp {

struct FileDiff {
  std::string path;  // pack-relative
  char op = '~';     // '+' only in B, '-' only in A, '~' in both, different
  std::string a, b;  // "sha256:<hex>", or the entry's kind ("symlink", "directory", ...); "" where absent
};

struct FieldDiff {
  std::string file;     // "manifest.json" or "reports/runner.meta.json"
  std::string pointer;  // where, in both files
  std::optional<std::string> a, b;  // compact JSON; nullopt where the member is absent
  bool environment = false;         // runner, image, digest or fingerprint
};

struct TimelineStep {
  char op = '=';  // '=' in both, '-' only in A, '+' only in B
  std::string event;
  std::uint64_t a_line = 0, b_line = 0;  // 1-based line in each file; 0 where it is not there
};

struct PackDiff {
  std::vector<FileDiff> files;    // sorted by path
  std::vector<FieldDiff> fields;  // environment first, then manifest.json before runner.meta.json, in key order
  std::vector<std::string> notes; // why a file's fields or the timeline could not be compared, truncations
  std::vector<TimelineStep> timeline;  // the whole alignment ('=' steps included)
  std::size_t timeline_changes = 0;    // '-' and '+' steps
  bool timeline_compared = false;      // both timelines were read (else a note says why not)
  bool equal() const { return files.empty(); }
};

struct DiffOptions {
  Limits limits;                       // per pack, as `check` applies them
  std::size_t max_fields = 10000;      // field differences kept per file (the rest are counted in a note)
  std::uint64_t max_alignment = 100000000;  // events(A) x events(B) beyond which the timeline is not aligned
  // Events read from each timeline: past it the timelines are not compared
  // (a note says so), so memory and output stay bounded whatever a pack holds.
  std::size_t max_timeline_events = 100000;
};

// False (with `error` naming the pack and file) when either pack cannot be
// read in full: not a directory, unreadable, a file that cannot be hashed,
// more entries than the limit.
bool diff_packs(const std::string& a, const std::string& b, const DiffOptions& options, PackDiff& out,
                std::string& error);

// The edit script turning `a` into `b` along a longest common subsequence
// (Hirschberg's algorithm: linear memory). Ties resolve the same way every
// time. Steps carry indices (0-based) into `a` and `b`.
struct AlignStep {
  char op;         // '=', '-', '+'
  std::size_t ai;  // index into a ('=' and '-')
  std::size_t bi;  // index into b ('=' and '+')
};
std::vector<AlignStep> align_sequences(const std::vector<std::uint32_t>& a, const std::vector<std::uint32_t>& b);

}  // namespace mplp
