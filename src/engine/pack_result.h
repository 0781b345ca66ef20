// One pack's result as every renderer reads it: its gates' verdicts and
// findings, digests and what was not verified. RunReport holds them in a
// PackStore (engine/pack_store.h), compactly.
#pragma once

#include <string>
#include <vector>

#include "core/finding.h"
#include "core/gate.h"

namespace mplp {

enum class GateStatus { Pass, Fail, Skip };
std::string_view to_string(GateStatus s);  // "PASS" | "FAIL" | "SKIP"

struct GateResult {
  std::string gate_id;
  GateStatus status = GateStatus::Pass;
  std::string skip_reason;
  std::vector<Finding> findings;  // sorted with finding_less
};

// SHA-256 (lowercase hex) of the files a receipt binds a pack by; empty when
// the file is not a regular file the check could hash.
struct PackDigests {
  std::string sums;        // integrity/sha256sums.txt
  std::string manifest;    // manifest.json
  std::string provenance;  // integrity/provenance.intoto.jsonl (signed run provenance)
  std::string registry;    // the substrate registry file that applied to the pack
};

struct PackResult {
  std::string path;          // display path of the pack (or runners dir), for people
  std::string name;          // root-relative name (discover.h PackLocation::name)
  std::string indexability;  // INDEXABLE_REAL, ..., or "" for runner checks
  std::vector<GateResult> gates;  // sorted by gate id
  PackDigests digests;
  std::vector<Unverified> not_verified;  // sorted by check
  bool failed() const;
};

}  // namespace mplp
