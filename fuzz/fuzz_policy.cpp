// Fuzzes the policy YAML loader (core/policy.h parse_policy). Invariants: on
// failure the error names the source; on success every limit is > 0, every
// host is non-empty, and the output is a copy of the default policy with only
// the named parts changed (so a rejected file never half-applies).
#include "core/policy.h"
#include "fuzz_util.h"

using mplp::fuzz::as_text;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  mplp::Policy p;
  p.allowed_hosts = {"sentinel.invalid"};
  std::string error;
  if (!mplp::parse_policy(as_text(data, size), "fuzz.yaml", p, error)) {
    FUZZ_CHECK(error.rfind("fuzz.yaml", 0) == 0, error);
    // A failed parse leaves the output untouched.
    FUZZ_CHECK(p.allowed_hosts.size() == 1 && p.allowed_hosts[0] == "sentinel.invalid", error);
    return 0;
  }
  FUZZ_CHECK(p.source == "fuzz.yaml", p.source);
  FUZZ_CHECK(p.limits.max_file_size > 0, "max_file_size");
  FUZZ_CHECK(p.limits.max_files_per_pack > 0, "max_files_per_pack");
  FUZZ_CHECK(p.limits.max_json_depth > 0, "max_json_depth");
  FUZZ_CHECK(p.limits.max_findings_per_pack > 0, "max_findings_per_pack");
  for (const auto* list : {&p.allowed_hosts, &p.forbidden_hosts, &p.allowed_registries})
    for (const std::string& h : *list) FUZZ_CHECK(!h.empty(), "empty host or registry");
  for (const auto& [id, g] : p.gates) {
    FUZZ_CHECK(!id.empty(), "empty gate id");
    (void)p.gate_enabled(id);
    (void)p.adjust(id, mplp::Severity::Error);
  }
  return 0;
}
