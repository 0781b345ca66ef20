// GATE-V2-ATTESTATION-01, second half: what the signed statement says,
// compared with the pack (gates/attestation.cpp reads and verifies the
// envelope first).
//
// Every finding is located in integrity/provenance.intoto.jsonl at
// "/payload/<pointer into the statement>": the statement is the base64
// payload of the envelope, so its pointers are written below /payload.
#pragma once

#include <string>
#include <string_view>

#include "core/gate.h"
#include "core/pack.h"
#include "core/pack_layout.h"

namespace mplp::attestation {

inline constexpr std::string_view kMeta = "reports/runner.meta.json";

// Builds the gate's findings from its kinds table (`gate`, the gate's spec)
// and reports them on the envelope file, at most 200 per code (a statement
// about 100,000 other files must not make 100,000 findings).
class Reporter {
 public:
  Reporter(const GateInfo& gate, FindingSink& sink) : gate_(gate), capped_(sink, 200, std::string(kProvenancePath)) {}
  // A finding of kind `code` on the envelope file, for the caller to locate and report.
  Finding finding(std::string_view code, std::string message) const {
    return gate_.finding(code, std::string(kProvenancePath), std::move(message));
  }
  // Reports a finding of kind `code` at `pointer`.
  void report(std::string_view code, std::string pointer, std::string message, std::string expected,
              std::string actual, std::string_view hint);
  FindingSink& sink() { return capped_; }

 private:
  const GateInfo& gate_;
  CappedSink capped_;
};

// Checks the statement in `payload` (already decoded) against the sums
// entries, the files' digests, reports/runner.meta.json and env_ref.
void check_statement(const Pack& pack, std::string_view payload, Reporter& r);

}  // namespace mplp::attestation
