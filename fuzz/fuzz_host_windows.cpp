// Fuzzes the windowed host scan of HOST-ALLOW-01 (gates/host_scan.h) against
// the whole-file scan: a large file is read in windows cut at line ends, and
// must give the same facts (code, severity, place, message, URL) as the same
// bytes scanned in one piece, at every window size that holds the longest
// line. Smaller windows (a line cut after a blank, or at worst at a UTF-8
// character) must not crash and keep findings in file order. Named .json or
// .ndjson, the same bytes also get the JSON string scan, which for a large
// file reads it again a document at a time (an NDJSON line longer than
// max_line from the file): tiny buffers and lines, the same facts.
#include <unistd.h>

#include <algorithm>
#include <string>
#include <vector>

#include "core/hosts.h"
#include "fuzz_util.h"
#include "gates/gate_list.h"
#include "gates/host_scan.h"

using mplp::fuzz::as_text;

namespace {

class Facts : public mplp::FindingSink {
 public:
  void report(mplp::Finding f) override {
    facts.push_back(f.code + " " + std::to_string(static_cast<int>(f.severity)) + " " + mplp::format_location(f) +
                    " " + f.message + " | " + f.actual);
  }
  void skip(std::string) override {}
  std::vector<std::string> facts;
};

const mplp::HostRules& rules() {
  static const mplp::HostRules r = [] {
    mplp::HostRules out;
    std::string err;
    mplp::HostList::compile({"localhost", "ip:private", "*.evil.test"}, out.forbidden, err);
    mplp::HostList::compile({"github.com", "*.example.org"}, out.allowed, err);
    return out;
  }();
  return r;
}

// The gate whose kinds table the scan's findings are built from.
const mplp::GateInfo& gate() { return mplp::find_gate("GATE-V2-HOST-ALLOW-01")->info(); }

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view in = as_text(data, size);
  const std::string name = "artifacts/log.txt";
  Facts whole;
  mplp::scan_file_hosts(gate(), name, in, rules(), 64, whole);
  std::size_t longest = 0, start = 0;
  for (std::size_t i = 0; i <= size; ++i)
    if (i == size || in[i] == '\n') longest = std::max(longest, i - start + 1), start = i + 1;

  const int fd = mplp::fuzz::file_of(data, size);
  // Every window size from 1 up to one past the input (at most 96 of them,
  // the largest ones, which hold the longest line).
  for (std::size_t w = size + 1 > 96 ? size + 1 - 95 : 1; w <= size + 1; ++w) {
    FUZZ_CHECK(::lseek(fd, 0, SEEK_SET) == 0, "lseek");
    Facts windowed;
    std::string err;
    FUZZ_CHECK(mplp::scan_file_hosts_streamed(gate(), name, fd, rules(), 64, windowed, err, {.window = w}),
               "read error: " + err);
    if (w > longest) {
      FUZZ_CHECK(windowed.facts == whole.facts,
                 "window of " + std::to_string(w) + " bytes: " + std::to_string(windowed.facts.size()) +
                     " facts, whole file: " + std::to_string(whole.facts.size()));
    }
  }
  // Tiny windows split long lines (after a blank, or at a UTF-8 character):
  // the scan must still end cleanly (sanitizers watch the carry arithmetic).
  for (std::size_t w : {1, 2, 3, 7}) {
    FUZZ_CHECK(::lseek(fd, 0, SEEK_SET) == 0, "lseek");
    Facts windowed;
    std::string err;
    FUZZ_CHECK(mplp::scan_file_hosts_streamed(gate(), name, fd, rules(), 64, windowed, err, {.window = w}),
               "read error: " + err);
  }
  for (const std::string json_name : {"artifacts/log.json", "artifacts/log.ndjson"}) {
    Facts json_whole;
    mplp::scan_file_hosts(gate(), json_name, in, rules(), 8, json_whole);
    for (std::size_t chunk : {1, 7})
      for (std::size_t max_line : {std::size_t{5}, mplp::kMaxLineBytes}) {
        FUZZ_CHECK(::lseek(fd, 0, SEEK_SET) == 0, "lseek");
        Facts streamed;
        std::string err;
        // Strings held until a document parses, or (chunk 1) read again.
        FUZZ_CHECK(mplp::scan_file_hosts_streamed(gate(), json_name, fd, rules(), 8, streamed, err,
                                                  {size + 1, chunk, max_line, chunk == 1 ? 0 : std::size_t{1} << 20}),
                   "read error: " + err);
        FUZZ_CHECK(streamed.facts == json_whole.facts,
                   json_name + ", chunk " + std::to_string(chunk) + ", max_line " + std::to_string(max_line) + ": " +
                       std::to_string(streamed.facts.size()) + " facts, whole file: " +
                       std::to_string(json_whole.facts.size()));
      }
  }
  ::close(fd);
  return 0;
}
