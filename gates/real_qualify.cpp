// GATE-V2-REAL-QUALIFY-01 (gate_list.cpp lists it): see gates/docs/GATE-V2-REAL-QUALIFY-01.md.
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <map>
#include <mutex>

#include "core/digest.h"
#include "core/json.h"
#include "core/safe_fs.h"
#include "core/text.h"
#include "core/values.h"
#include "core/manifest_fields.h"

namespace mplp {

namespace {

// The gate's spec: id, scopes, finding kinds (below, before the gate).
const GateInfo& gate_info();

constexpr std::string_view kHex64 = "64 lowercase hex digits";
constexpr std::string_view kLockHint =
    "pin the dependency lock: lock_sha256 is `sha256sum <lock_path>` of the lock file the producer ran with";

// `n/a (reason)` in any case, with some reason: upstream writes
// "n/a (npm-pinned)" when the substrate comes from a registry package and has
// no single commit; acceptable only when the lock file pins the versions.
bool is_na_with_reason(std::string_view s) {
  if (s.size() < 7 || s.back() != ')') return false;
  if (!equals_ignoring_ascii_case(s.substr(0, 5), "n/a (")) return false;
  // Blanks as the placeholder rules see them: "n/a (\u200b)" gives no reason.
  return !trim_blank(s.substr(5, s.size() - 6)).empty();
}

// The lock file as it is under --repo-root: its digest, or why there is none.
struct LockFile {
  bool found = false;
  std::string digest;   // when found
  std::string problem;  // when not found
  bool missing = false; // not there at all (a warning), as opposed to unusable (an error)
};

LockFile hash_lock_file(const std::string& repo_root, std::string_view rel, std::uint64_t max_size) {
  LockFile out;
  FileError error;
  std::optional<Dir> root = Dir::open(repo_root, error);
  if (!root) {
    out.problem = "--repo-root cannot be opened: " + error.message;
    return out;
  }
  // Never through a link, never outside the root: open_regular_beneath opens
  // each component with O_NOFOLLOW relative to its parent.
  int fd = open_regular_beneath(*root, rel, error);
  if (fd < 0) {
    out.missing = error.status == FileStatus::NotFound;  // the file or a directory above it
    out.problem = error.message;
    return out;
  }
  struct stat st {};
  if (::fstat(fd, &st) == 0 && static_cast<std::uint64_t>(st.st_size) > max_size) {
    ::close(fd);
    out.problem = "the lock file is " + std::to_string(st.st_size) + " bytes, over the limit of " +
                  std::to_string(max_size);
    return out;
  }
  std::optional<Digest> d = sha256_fd(fd);
  int err = errno;
  ::close(fd);
  if (!d) {
    out.problem = std::string("read error: ") + std::strerror(err);
    return out;
  }
  out.found = true;
  out.digest = to_hex(*d);
  return out;
}

// The lock files under --repo-root, each hashed once for the run (many packs
// pin one lock file): every pack is judged against the same bytes, and the
// shards of a sharded check can show they found the same (shared_inputs).
class LockFiles : public PreparedRun {
 public:
  LockFiles(std::string root, std::uint64_t max_size) : root_(std::move(root)), max_size_(max_size) {}

  LockFile get(std::string_view rel) const {
    std::lock_guard<std::mutex> lock(mutex_);
    auto it = files_.find(rel);
    if (it == files_.end()) it = files_.emplace(std::string(rel), hash_lock_file(root_, rel, max_size_)).first;
    return it->second;
  }

  std::map<std::string, std::string> shared_inputs() const override {
    std::lock_guard<std::mutex> lock(mutex_);
    std::map<std::string, std::string> out;
    for (const auto& [rel, f] : files_)
      out["lock file " + rel] = f.found ? "sha256 " + f.digest : (f.missing ? "missing" : "unusable: " + f.problem);
    return out;
  }

  std::vector<std::string> files_read() const override {
    std::lock_guard<std::mutex> lock(mutex_);
    std::vector<std::string> out;
    for (const auto& [rel, f] : files_)
      if (f.found) out.push_back(root_ + "/" + rel);
    return out;
  }

 private:
  std::string root_;
  std::uint64_t max_size_;
  mutable std::mutex mutex_;
  mutable std::map<std::string, LockFile, std::less<>> files_;
};

// The lock file each lock kind writes (the runner contract's kinds, and uv's).
std::string_view lock_file_of(std::string_view kind) {
  static constexpr std::pair<std::string_view, std::string_view> kFiles[] = {
      {"npm", "package-lock.json"}, {"poetry", "poetry.lock"}, {"nuget", "packages.lock.json"},
      {"uv", "uv.lock"},           {"uv.lock", "uv.lock"}};
  // In any case: "NPM" is npm, not a kind of its own whose path goes
  // unchecked (QA-39).
  // And with blanks around: "npm " is npm too (QA-52).
  for (const auto& [k, file] : kFiles)
    if (equals_ignoring_ascii_case(k, trim_blank(kind))) return file;
  return {};
}

// lock_path must name the file lock_kind's tool writes: a poetry pin over a
// package-lock.json pins nothing the kind's tool would read.
void check_lock_kind(FieldChecker& c, std::optional<std::string_view> kind, std::string_view path) {
  std::string_view expected = kind ? lock_file_of(*kind) : std::string_view{};
  if (expected.empty()) return;  // a kind of its own: no file name to compare with
  std::string_view name = path.substr(path.rfind('/') == std::string_view::npos ? 0 : path.rfind('/') + 1);
  if (name == expected) return;
  c.report("real-qualify.lock-kind-path", "/lock_ref/lock_path",
           "lock_ref.lock_path does not name a " + std::string(*kind) + " lock file",
           "a path ending in " + std::string(expected) + " (lock_kind " + std::string(*kind) + ")",
           std::string(name), "point lock_path at the " + std::string(expected) + " the producer ran with, or fix lock_kind");
}

// lock_ref, and the lock file itself when --repo-root is given. Returns the
// 64-hex pin when there is one.
std::optional<std::string_view> check_lock(FieldChecker& c, const rapidjson::Value* manifest, const GateContext& ctx) {
  const rapidjson::Value* lock = c.object(manifest, "", "lock_ref", "real-qualify.lock-ref-missing", kLockHint);
  if (lock == nullptr) return std::nullopt;
  std::optional<std::string_view> kind = c.text(lock, "/lock_ref", "lock_kind", "real-qualify.lock-field",
                                                "name the lock format, e.g. npm, uv.lock, poetry");
  std::optional<std::string_view> path = c.text(lock, "/lock_ref", "lock_path", "real-qualify.lock-field",
                                                "give the lock file's path relative to the repository root");
  // The lock file is looked up first, so that a bad pin can be shown the right value.
  LockFile file;
  if (path) {
    std::string_view rel = *path;
    if (rel.substr(0, 2) == "./") rel.remove_prefix(2);  // "./a" names the same file as "a"
    if (!is_safe_relative_path(rel)) {
      c.report("real-qualify.lock-path-unsafe", "/lock_ref/lock_path",
               "lock_ref.lock_path is not a clean path relative to the repository root",
               "a relative path without '..', '.', empty components, backslashes or a leading '/'",
               describe(member(lock, "lock_path")),
               "name the lock file relative to the repository root, e.g. producers/example/package-lock.json");
    } else {
      check_lock_kind(c, kind, rel);
      if (const auto* locks = dynamic_cast<const LockFiles*>(ctx.prepared)) file = locks->get(rel);
    }
  }
  std::string hint(kLockHint);
  if (file.found) hint += " (the lock file under --repo-root hashes to " + file.digest + ")";
  std::optional<std::string_view> pin =
      c.matching(lock, "/lock_ref", "lock_sha256", is_hex64, kHex64, "real-qualify.lock-sha256", hint);
  if (!path || !ctx.options.repo_root || (!file.found && file.problem.empty())) return pin;
  const std::string where = "/lock_ref/lock_path";
  const std::string shown = describe(member(lock, "lock_path"));  // quoted and escaped: one line
  file.problem = one_line(file.problem);  // file-system errors quote the path, which may hold a newline
  if (!file.found && file.missing) {
    c.report("real-qualify.lock-file-missing", where,
             "the lock file " + shown + " is not under --repo-root",
             "a regular file " + shown + " under --repo-root", file.problem,
             "pass the repository the pack was produced from as --repo-root, or fix lock_path");
  } else if (!file.found) {
    c.report("real-qualify.lock-file-unreadable", where,
             "the lock file " + shown + " under --repo-root cannot be hashed: " + file.problem,
             "a regular file " + shown + " under --repo-root, reached through no symbolic link", file.problem,
             "make the lock file a plain regular file inside the repository");
  } else if (pin && *pin != file.digest) {
    c.report("real-qualify.lock-file-mismatch", "/lock_ref/lock_sha256",
             "lock_ref.lock_sha256 does not match the lock file " + shown + " under --repo-root", std::string(*pin),
             file.digest, "the pack was produced with another lock file; re-run the producer or fix the pin");
  } else if (pin) {
    c.report("real-qualify.lock-file-verified", "/lock_ref/lock_sha256",
             "lock_ref.lock_sha256 matches the lock file " + shown + " under --repo-root", std::string(*pin),
             file.digest, "");
  }
  return pin;
}

void check_commit(FieldChecker& c, const rapidjson::Value* substrate, bool pinned) {
  const char* where = "/substrate_ref/upstream_commit_sha";
  const rapidjson::Value* v = member(substrate, "upstream_commit_sha");
  if (v != nullptr && v->IsString() && is_na_with_reason(as_view(*v))) {
    if (pinned)
      c.report("real-qualify.commit-na-pinned", where,
               "substrate_ref.upstream_commit_sha is " + describe(v) + ", accepted because lock_ref.lock_sha256 pins "
               "the dependencies",
               "a 40-hex commit, or n/a (reason) with a 64-hex lock pin", describe(v), "");
    else
      c.report("real-qualify.commit-na-unpinned", where,
               "substrate_ref.upstream_commit_sha is " + describe(v) +
                   " but lock_ref.lock_sha256 is no 64-hex pin, so nothing fixes the substrate's version",
               "a 40-hex commit, or n/a (reason) with a 64-hex lock pin", describe(v),
               "record the upstream commit, or pin the lock file in lock_ref.lock_sha256");
    return;
  }
  c.matching(substrate, "/substrate_ref", "upstream_commit_sha", is_hex40, "40 lowercase hex digits (a git commit)",
           "real-qualify.upstream-commit",
           "record the full commit of the upstream substrate (`git rev-parse HEAD`), or n/a (reason) with a lock pin");
}

const GateInfo& gate_info() {
  static const GateInfo info = documented({"GATE-V2-REAL-QUALIFY-01",
      {GateScope::Pack},
      {
          {"real-qualify.manifest-unusable", Severity::Error, "fix manifest.json (see GATE-V2-PACK-STRUCTURE-01)"},
          {"real-qualify.substrate-ref-missing", Severity::Error, "name the upstream substrate in substrate_ref"},
          {"real-qualify.substrate-field", Severity::Error, "fill in the substrate's id, repository and tag"},
          {"real-qualify.upstream-commit", Severity::Error, "record the full upstream commit"},
          {"real-qualify.commit-na-pinned", Severity::Info, "nothing to fix; a 40-hex commit would pin the substrate more directly"},
          {"real-qualify.commit-na-unpinned", Severity::Error, "record the commit or pin the lock file"},
          {"real-qualify.lock-ref-missing", Severity::Error, "describe the dependency lock in lock_ref"},
          {"real-qualify.lock-field", Severity::Error, "fill in the lock format and path"},
          {"real-qualify.lock-path-unsafe", Severity::Error, "name the lock file relative to the repository root"},
          {"real-qualify.lock-kind-path", Severity::Error, "point lock_path at the kind's lock file, or fix lock_kind"},
          {"real-qualify.lock-sha256", Severity::Error, "write the lock file's SHA-256"},
          {"real-qualify.lock-file-missing", Severity::Warning, "pass the right --repo-root or fix lock_path"},
          {"real-qualify.lock-file-unreadable", Severity::Error, "make it a regular file inside the repository"},
          {"real-qualify.lock-file-mismatch", Severity::Error, "re-run the producer with the pinned lock or fix the pin"},
          {"real-qualify.lock-file-verified", Severity::Info, "nothing to fix: the pin is verified"},
          {"real-qualify.canonical-hash", Severity::Error, "let the producer write the canonical pack root hash"},
      }});
  return info;
}

class Gate_ : public Gate {
 public:
  const GateInfo& info() const override { return gate_info(); }

  std::unique_ptr<PreparedRun> prepare(const GateContext& ctx) const override {
    if (!ctx.options.repo_root) return nullptr;
    return std::make_unique<LockFiles>(*ctx.options.repo_root, ctx.policy.limits.max_file_size);
  }

  void check_pack(const Pack& pack, const GateContext& ctx, FindingSink& sink) const override {
    const rapidjson::Value* manifest = real_manifest_or_report(pack, gate_info(), "real-qualify.manifest-unusable", sink);
    if (manifest == nullptr) return;
    FieldChecker c(gate_info(), sink, "manifest.json");
    const char* sub_hint = "name the upstream substrate: its registry id, repository URL and release tag";
    const rapidjson::Value* substrate =
        c.object(manifest, "", "substrate_ref", "real-qualify.substrate-ref-missing", sub_hint);
    for (std::string_view key : {"substrate_id", "upstream_repo", "upstream_tag"})
      if (substrate != nullptr) c.text(substrate, "/substrate_ref", key, "real-qualify.substrate-field", sub_hint);
    std::optional<std::string_view> pin = check_lock(c, manifest, ctx);
    if (substrate != nullptr) check_commit(c, substrate, pin.has_value());
    c.matching(member(manifest, "hashes"), "/hashes", "canonical_pack_root_hash", is_hex64, kHex64,
             "real-qualify.canonical-hash",
             "the producer writes hashes.canonical_pack_root_hash (SHA-256 of the canonicalized pack)");
  }

  void note_unverified(const GateOutcome& o, const CheckOptions& options, std::vector<Unverified>& out) const override {
    if (o.ran && !o.skipped && !options.repo_root)
      out.push_back({"lock file", "not checked without --repo-root: lock_ref.lock_sha256 is taken as written"});
    else if (o.has_code("real-qualify.lock-file-missing"))
      out.push_back({"lock file", "not under --repo-root: lock_ref.lock_sha256 is taken as written"});
  }
};

}  // namespace

const Gate& real_qualify_gate() {
  static const Gate_ gate;
  return gate;
}

}  // namespace mplp
