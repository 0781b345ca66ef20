// Helpers shared by the tests: temporary directories, writing packs, running
// the built binary, and locating fixtures and the upstream corpus (vendored in
// fixtures/upstream with its LICENSE and NOTICE).
#pragma once

#include <atomic>
#include <map>
#include <string>
#include <thread>
#include <vector>

#include "engine/check.h"

namespace mplp::test {

// A temporary directory removed (recursively) when the object dies.
class TempDir {
 public:
  TempDir();
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const std::string& path() const { return path_; }
  std::string operator/(const std::string& rel) const { return path_ + "/" + rel; }

 private:
  std::string path_;
};

// Exchanges two paths (renameat2 RENAME_EXCHANGE) over and over until
// stopped: the hostile pack owner of issue 13, point 6.
class SwapLoop {
 public:
  SwapLoop(std::string a, std::string b);
  ~SwapLoop() { stop(); }
  SwapLoop(const SwapLoop&) = delete;
  SwapLoop& operator=(const SwapLoop&) = delete;
  // Stops the loop; returns how many exchanges it made.
  long stop();

 private:
  std::string a_, b_;
  std::atomic<bool> stop_{false};
  std::atomic<long> swaps_{0};
  std::thread thread_;
};

// Sets (or, with nullptr, unsets) an environment variable for the scope and
// restores it afterwards; children started meanwhile (run_tool) inherit it.
class ScopedEnv {
 public:
  ScopedEnv(const char* name, const char* value);
  ~ScopedEnv();
  ScopedEnv(const ScopedEnv&) = delete;
  ScopedEnv& operator=(const ScopedEnv&) = delete;

 private:
  std::string name_, old_;
  bool had_ = false;
};

void write_file(const std::string& path, const std::string& bytes);  // creates parent dirs
std::string read_file(const std::string& path);
void copy_tree(const std::string& from, const std::string& to);  // like cp -r, makes files writable

// How many times `part` occurs in `text` (overlapping occurrences too).
std::size_t count_of(const std::string& text, const std::string& part);

std::string source_root();                  // MPLP_SOURCE_ROOT
std::string fixture(const std::string& rel);  // source_root()/fixtures/rel
std::string corpus(const std::string& rel);   // source_root()/fixtures/rel; "upstream/..." is upstream's corpus
// The fixture directory of a gate: GATE-V2-PACK-STRUCTURE-01 -> "pack-structure".
std::string fixture_group(std::string_view gate_id);
std::string gate_binary();                    // MPLP_GATE_BIN

struct RunResult {
  int exit_code = -1;
  std::string out;
  std::string err;
  long max_rss_kib = 0;  // the tool's peak resident memory (run_tool_with)
};
// Runs the built mplp-gate with `args` (no shell), capturing both streams.
RunResult run_tool(const std::vector<std::string>& args, const std::string& stdin_text = "");
// Runs `command` through /bin/sh (for tools that are not ours: openssl,
// python3); `out` gets stdout and stderr. Returns the exit status (-1: killed).
int run_shell(const std::string& command, std::string& output);
// `s` single-quoted for /bin/sh.
std::string shell_quote(const std::string& s);

// The same, in a chosen working directory and under a memory limit: RLIMIT_AS,
// or under AddressSanitizer (whose shadow memory RLIMIT_AS cannot hold) ASan's
// own hard_rss_limit_mb, so a run that needs more memory fails visibly (a
// signal, or exit 2 on bad_alloc) instead of passing on a big machine.
// exit_code is 128 + the signal when the child was killed.
struct RunOptions {
  std::string stdin_text;
  std::string cwd;              // "" = the test's working directory
  std::size_t memory_mib = 0;   // 0 = no limit
};
RunResult run_tool_with(const std::vector<std::string>& args, const RunOptions& options);

// True when the tests (and so the binary under test) are built with AddressSanitizer.
bool built_with_asan();
// For checking a DSSE envelope (one JSON line in `envelope_file`) with a tool
// that is not ours: writes its PAE, built here from the DSSE spec's
// definition (not with core/dsse.h), to `pae_path` and its first signature,
// decoded, to `sig_path`.
void split_dsse_envelope(const std::string& envelope_file, const std::string& pae_path, const std::string& sig_path);
// `openssl pkeyutl -verify -rawin` of `sig_path` over `pae_path` with the
// public key file `pub` (ECDSA keys need `-digest sha256`); its exit status,
// output in `out`.
int openssl_verify(const std::string& pub, bool ecdsa, const std::string& pae_path, const std::string& sig_path,
                   std::string& out);

// Runs `check` in-process over `paths` with default options plus `gates`.
RunReport check(const std::vector<std::string>& paths, const std::vector<std::string>& gates = {},
                CheckRequest base = {});

// The status of `gate_id` for the only pack (or the pack at `pack_path`).
GateStatus status_of(const RunReport& r, const std::string& gate_id, const std::string& pack_path = "");
GateResult result_of(const RunReport& r, const std::string& gate_id, const std::string& pack_path = "");
// Codes of the findings of a gate with severity >= `min`, sorted.
std::vector<std::string> codes_of(const RunReport& r, const std::string& gate_id, Severity min = Severity::Info,
                                  const std::string& pack_path = "");
bool has_code(const RunReport& r, const std::string& gate_id, const std::string& code,
              const std::string& pack_path = "");
// The findings of a gate (all, or those with `code`), in report order.
std::vector<Finding> findings_of(const RunReport& r, const std::string& gate_id, const std::string& code = "",
                                 const std::string& pack_path = "");
// One line per finding of a gate ("error code file:line: message"), for failure messages.
std::string dump(const RunReport& r, const std::string& gate_id, const std::string& pack_path = "");

// Sets the value at JSON pointer `pointer` of a JSON file to `value_json`, or
// removes it when `value_json` is empty; existing keys keep their order.
void set_json(const std::string& file, const std::string& pointer, const std::string& value_json);

// The bundled good INDEXABLE_REAL pack, copied into `dir` (writable).
// A schema-valid substrate registry (substrates.v2.yaml) registering each
// substrate with its runner and lock kind, and listing `runners`.
struct RegistrySubstrateSpec {
  std::string substrate_id, runner_id, lock_kind = "npm";
};
std::string registry_yaml(const std::vector<RegistrySubstrateSpec>& substrates, const std::vector<std::string>& runners);

std::string copy_good_pack(const TempDir& dir, const std::string& name = "good");
// Recomputes integrity/sha256sums.txt and hashes.pack_root_hash of a pack
// after a test edited it (so only the intended defect remains).
void reseal(const std::string& pack_dir);

}  // namespace mplp::test
