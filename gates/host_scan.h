// The per-file work of GATE-V2-HOST-ALLOW-01, shared by its pack and runner
// modes: scan one file's bytes (and, for .json/.ndjson, its decoded strings)
// for URL hosts, judge each against the policy, and report findings, each
// built from the gate's kinds table (`gate`, its GateInfo).
//
//   HostRules rules;
//   if (!HostRules::from_policy(ctx.policy, rules, err)) ...
//   scan_file_hosts(gate_info(), "artifacts/trace.json", bytes, rules, depth, sink);
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/file_tap.h"
#include "core/gate.h"
#include "core/hosts.h"
#include "core/pack_lines.h"
#include "core/urls.h"

namespace mplp {

struct HostRules {
  HostList forbidden;
  HostList allowed;
  HostList registries;
  static bool from_policy(const Policy& policy, HostRules& out, std::string& error);
};

// Finding codes (documented in gates/docs/GATE-V2-HOST-ALLOW-01.md).
inline constexpr std::string_view kHostForbidden = "host.forbidden";
inline constexpr std::string_view kHostNotAllowed = "host.not-allowed";
inline constexpr std::string_view kHostInvalid = "host.invalid";
inline constexpr std::string_view kHostExempt = "host.exempt";
inline constexpr std::string_view kExemptNoReason = "host.exempt-no-reason";
inline constexpr std::string_view kTooMany = "host.too-many";
inline constexpr std::string_view kUnscanned = "host.unscanned";
inline constexpr std::string_view kPolicyInvalid = "host.policy-invalid";
inline constexpr std::string_view kRegistryForbidden = "host.registry-forbidden";
inline constexpr std::string_view kRegistryNotAllowed = "host.registry-not-allowed";
inline constexpr std::string_view kRegistryUnresolved = "host.registry-unresolved";

// Scans `bytes` of the file named `file` (as findings name it). The JSON
// string scan runs when the name ends in .json or .ndjson and the text (each
// line, for .ndjson) parses; a URL both scans find at one place is reported
// once, with the stricter verdict.
void scan_file_hosts(const GateInfo& gate, const std::string& file, std::string_view bytes, const HostRules& rules,
                     unsigned max_json_depth, FindingSink& sink);

// Whether scan_file_hosts runs the JSON string scan on a file of this name
// (any case): one document for .json and .har, one a line for .ndjson and .jsonl.
bool has_json_string_scan(std::string_view file);

// How a large file is scanned without holding it (tests make them small).
struct HostScanSizes {
  std::size_t window = std::size_t{8} << 20;  // of the byte scan
  std::size_t json_chunk = std::size_t{1} << 20;  // the buffer of the JSON string scan
  std::size_t max_line = kMaxLineBytes;  // a longer NDJSON line is parsed from the file, as a .json file is
  // The strings of a document held until it is known to parse; past this,
  // it is read a second time for them.
  std::size_t held_json = std::size_t{8} << 20;
};

// The same for a large file read from `fd`, so memory does not grow with
// the file. The byte scan reads it in windows of about `sizes.window` bytes:
// a URL is cut off at a window's end only in a run of that many bytes none of
// which is whitespace, a control byte or a quote (ends_url_span). The JSON string scan, when it has
// work (an escape or a marker in the file), reads the file again with pread,
// a document at a time. False (with `error`) on a read error.
bool scan_file_hosts_streamed(const GateInfo& gate, const std::string& file, int fd, const HostRules& rules,
                              unsigned max_json_depth, FindingSink& sink, std::string& error,
                              const HostScanSizes& sizes = {});

// Findings held back until a scan's outcome is known (a scan of a file that
// changed after its hash read reports that instead).
class HeldFindings : public FindingSink {
 public:
  void report(Finding f) override { held_.push_back(std::move(f)); }
  void skip(std::string) override {}
  void pass_to(FindingSink& sink) {
    for (Finding& f : held_) sink.report(std::move(f));
  }
  void copy_to(FindingSink& sink) const {
    for (const Finding& f : held_) sink.report(f);
  }

 private:
  std::vector<Finding> held_;
};

// The streamed scan as a tap on the hash read of a large file (see
// core/file_tap.h): it judges exactly the bytes that were hashed, without a
// second read. After end(), pass_findings() gives what it found. The rules
// are shared: a run compiles them once for all its taps.
class HostScanTap : public FileTap {
 public:
  HostScanTap(const GateInfo& gate, std::string file, std::shared_ptr<const HostRules> rules,
              std::size_t window_bytes = std::size_t{8} << 20);
  ~HostScanTap() override;
  void feed(std::string_view chunk) override;
  void end() override;
  bool ended() const;
  void pass_findings(FindingSink& sink) const;

 private:
  struct State;
  std::unique_ptr<State> state_;
};

// What a finding should say for one host judged at one place (shared with
// the registry check of runner mode), on `file`. `url` is the text shown as
// actual. Nothing when the host is allowed. `j` is judge_host's verdict
// (ignored when `error` is set).
std::optional<Finding> host_finding(const GateInfo& gate, const std::string& file, const std::string& host,
                                   std::string_view url, const std::string& error, const HostJudgement& j,
                                   const HostList& allowed, bool registry);

// Makes `f` a host.exempt finding (an info, as the table says) because an
// exemption marker covers it.
void exempt_finding(const GateInfo& gate, Finding& f, const std::string& reason);

}  // namespace mplp
