#include "runner/seal.h"

#include <rapidjson/prettywriter.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <ctime>
#include <memory>

#include "core/digest.h"
#include "core/fd_io.h"
#include "core/json.h"
#include "core/json_numbers.h"
#include "core/json_visit.h"
#include "core/pack_hashes.h"
#include "core/pack_layout.h"
#include "core/safe_fs.h"
#include "core/schema.h"
#include "core/sums.h"
#include "core/values.h"
#include "runner/stage.h"
#include "runner/test_hook.h"
#include "runner/tree_ops.h"

namespace mplp::runner {

namespace {

using rapidjson::Value;
constexpr std::uint64_t kMaxJson = 64ull << 20;

// Indented two spaces a level; a value nested deeper than kMaxIndented is
// written on one line instead, since indentation grows with the square of
// the depth (a manifest nested 100,000 deep, within a policy's limit, came
// to 20 GB). A producer chooses the nesting, so neither writer recurses.
constexpr std::size_t kMaxIndented = 64;

std::string pretty(const Value& v) {
  rapidjson::StringBuffer buf;
  if (json_nesting(v) > kMaxIndented) {
    rapidjson::Writer<rapidjson::StringBuffer> w(buf);
    visit_json(v, w, [] { return false; });
  } else {
    rapidjson::PrettyWriter<rapidjson::StringBuffer> w(buf);
    w.SetIndent(' ', 2);
    visit_json(v, w, [] { return false; });
  }
  return std::string(buf.GetString(), buf.GetSize()) + "\n";
}

Value text(const std::string& s, rapidjson::Document::AllocatorType& a) {
  return Value(s.c_str(), static_cast<rapidjson::SizeType>(s.size()), a);
}

// Sets `key` of object `obj`, in place when present, else appended.
void set_member(Value& obj, const char* key, Value v, rapidjson::Document::AllocatorType& a) {
  auto it = obj.FindMember(key);
  if (it != obj.MemberEnd()) it->value = std::move(v);
  else obj.AddMember(Value(key, a), std::move(v), a);
}

struct Tree {
  const Dir* root = nullptr;
  WalkResult walk;
  const SealOptions* options = nullptr;
};

bool open_tree(const Dir& dir, const SealOptions& options, Tree& t, std::string& error) {
  t.root = &dir;
  t.options = &options;
  t.walk = walk(dir, {.max_entries = options.limits.max_files_per_pack});
  return check_tree(t.walk, options.limits, error);
}

// A file the seal rewrites keeps its mode and owner; a new one gets the
// owner of its directory and that directory's read bits for group and others.
FileAttrs attrs_for(const Dir& dir, const std::string& name) {
  struct stat st {};
  if (::fstatat(dir.fd(), name.c_str(), &st, AT_SYMLINK_NOFOLLOW) == 0 && S_ISREG(st.st_mode))
    return {st.st_mode & 0777, st.st_uid, st.st_gid};
  ::fstat(dir.fd(), &st);
  return {0600 | (st.st_mode & 0044), st.st_uid, st.st_gid};
}

// The sub-directory `name` of `dir` (made when missing, like attrs_for's files).
std::optional<Dir> sub_dir(const Dir& dir, const std::string& name, std::string& error) {
  struct stat st {};
  ::fstat(dir.fd(), &st);
  if (::mkdirat(dir.fd(), name.c_str(), 0700) == 0) {
    if (::fchownat(dir.fd(), name.c_str(), st.st_uid, st.st_gid, AT_SYMLINK_NOFOLLOW) != 0 ||
        ::fchmodat(dir.fd(), name.c_str(), 0700 | (st.st_mode & 0055), 0) != 0)
      return error = name + "/: " + std::strerror(errno), std::nullopt;
  } else if (errno != EEXIST) {
    return error = name + "/: " + std::strerror(errno), std::nullopt;
  }
  auto d = Dir::open_at(dir, name, error);
  if (!d) error = name + "/ is not a directory";
  return d;
}

bool write_in(const Dir& dir, const std::string& name, const std::string& bytes, std::string& error) {
  return write_file_at(dir, name, bytes, attrs_for(dir, name), error);
}

// Step 4: the signed envelope, or (without a key) no stale one.
bool write_provenance(const Dir& dir, const ProvenanceRequest& request, std::vector<std::string>& notes,
                      std::string& error) {
  auto integrity = sub_dir(dir, "integrity", error);
  if (!integrity) return false;
  const std::string name(kProvenanceName);
  if (request.key == nullptr) {
    if (::unlinkat(integrity->fd(), name.c_str(), 0) == 0) {
      notes.push_back("removed the stale " + std::string(kProvenancePath) +
                      ": it signed the pack as it was before this seal; the pack is now unsigned (seal with "
                      "--sign-key to sign it)");
      return true;
    }
    if (errno == ENOENT) return true;
    return error = std::string(kProvenancePath) + ": cannot remove the stale envelope: " + std::strerror(errno),
           false;
  }
  std::string line;
  return provenance_envelope(dir, request, line, error) && write_in(*integrity, name, line, error);
}

// Hashes the open file `rel` a chunk at a time, and stops when the seal's
// time runs out (SealOptions::deadline).
bool digest_in_time(const Tree& t, const std::string& rel, int fd, Digest& out, std::string& error) {
  constexpr std::size_t kChunk = 1 << 20;
  const std::unique_ptr<char[]> buf(new char[kChunk]);
  Sha256 h;
  for (;;) {
    if (std::chrono::steady_clock::now() >= t.options->deadline)
      return error = rel + ": " + t.options->time_limit + " ran out before the pack was sealed", false;
    const ssize_t n = read_some(fd, buf.get(), kChunk);
    if (n < 0) return error = rel + ": " + std::strerror(errno), false;
    if (n == 0) break;
    h.update(std::string_view(buf.get(), static_cast<std::size_t>(n)));
  }
  out = h.finish();
  return true;
}

bool digest_of(const Tree& t, const std::string& rel, Digest& out, std::string& error) {
  const int fd = open_regular_beneath(*t.root, rel, error);
  if (fd < 0) return false;
  const bool ok = digest_in_time(t, rel, fd, out, error);
  ::close(fd);
  return ok;
}

bool exists(const Tree& t, const std::string& rel) {
  for (const Entry& e : t.walk.entries)
    if (e.path == rel) return e.type == EntryType::Regular;
  return false;
}

bool parse_file(const Tree& t, const std::string& rel, JsonDoc& doc, std::string& error) {
  std::string bytes;
  if (!read_beneath(*t.root, rel, kMaxJson, bytes, error)) return false;
  if (!parse_json(bytes, {t.options->limits.max_json_depth}, doc))
    return error = rel + ":" + std::to_string(doc.error.line) + ":" + std::to_string(doc.error.column) + ": " +
                   doc.error.message, false;
  if (!doc.duplicates.empty()) return error = rel + ": duplicate key at " + doc.duplicates[0].pointer, false;
  if (!doc.value.IsObject()) return error = rel + ": not a JSON object", false;
  // Seal rewrites the file: a number it would write back as another value
  // (a digit lost, a sign of zero) is refused, not silently changed.
  if (auto changed = first_changed_number(bytes, doc.value))
    return error = rel + ": number " + std::to_string(changed->ordinal) + " of the file, " + changed->written +
                   ", would be written back as " + changed->rewritten +
                   " (a number is held as a 64-bit integer or a double); write it as a string",
           false;
  return true;
}

// env_ref from reports/runner.meta.json (validated against runner.meta v2).
bool build_env_ref(const Tree& t, rapidjson::Document& manifest, std::string& error) {
  JsonDoc meta;
  if (!parse_file(t, "reports/runner.meta.json", meta, error)) return false;
  auto errors = validate_with_schema("runner-meta.v2", meta.value);
  if (!errors.empty())
    return error = "reports/runner.meta.json#" + errors[0].pointer + ": " + errors[0].message, false;
  if (!meta.value.HasMember("container_digest"))
    return error = "reports/runner.meta.json: no container_digest (the legacy image_digest is not sealed; "
                   "re-run the producer with `mplp-gate run`)", false;
  auto& a = manifest.GetAllocator();
  Value env(rapidjson::kObjectType);
  env.AddMember("runner_type", "container", a);
  for (const char* k : {"runner_id", "container_digest", "environment_fingerprint", "executed_at"})
    env.AddMember(Value(k, a), Value(meta.value[k], a), a);
  auto old = manifest.FindMember("env_ref");
  if (old != manifest.MemberEnd() && old->value.IsObject())
    for (auto& m : old->value.GetObject()) {
      std::string_view k = as_view(m.name);
      if (env.HasMember(m.name) || k == "image_digest" || k == "image_tag") continue;
      env.AddMember(Value(m.name, a), Value(m.value, a), a);
    }
  set_member(manifest, "env_ref", std::move(env), a);
  return true;
}

bool seal_manifest(const Tree& t, std::vector<std::string>& notes, std::string& error) {
  JsonDoc doc;
  if (!parse_file(t, "manifest.json", doc, error)) return false;
  rapidjson::Document& m = doc.value;
  auto& a = m.GetAllocator();
  if (exists(t, "reports/runner.meta.json")) {
    if (!build_env_ref(t, m, error)) return false;
  } else {
    notes.push_back("no reports/runner.meta.json: env_ref left as it was");
  }
  std::vector<std::pair<std::string, Digest>> digests;
  for (std::string_view f : v2_root_files()) {
    std::string rel(f);
    if (!exists(t, rel)) continue;
    Digest d{};
    if (!digest_of(t, rel, d, error)) return false;
    digests.emplace_back(rel, d);
  }
  std::string root = v2_pack_root_hash([&](std::string_view f) -> const Digest* {
    for (const auto& [p, d] : digests)
      if (p == f) return &d;
    return nullptr;
  });
  auto hashes = m.FindMember("hashes");
  if (hashes == m.MemberEnd()) {
    m.AddMember("hashes", Value(rapidjson::kObjectType), a);
    hashes = m.FindMember("hashes");
  }
  if (!hashes->value.IsObject()) return error = "manifest.json: hashes is not an object", false;
  set_member(hashes->value, "pack_root_hash", text(root, a), a);
  if (exists(t, "reports/verify.report.json")) {
    Digest d{};
    if (!digest_of(t, "reports/verify.report.json", d, error)) return false;
    set_member(hashes->value, "verify_report_hash", text(to_hex(d), a), a);
  } else if (hashes->value.HasMember("verify_report_hash")) {
    hashes->value["verify_report_hash"].SetNull();
  }
  return write_in(*t.root, "manifest.json", pretty(m), error);
}

// Writes integrity/sha256sums.txt, and integrity/pack.sha256 when the pack
// has one: a v1 root hash left from before the files changed would fail the
// sealed pack's check (v1_root.mismatch), and a forged one would stay.
bool write_sums(const Dir& dir, const SealOptions& options, std::vector<std::string>& notes, std::string& error) {
  const auto failed = [&error](std::string_view file) {
    error = std::string(file) + ": " + error;
    return false;
  };
  Tree t;
  if (!open_tree(dir, options, t, error)) return failed(kSumsPath);
  const bool has_v1_root = exists(t, std::string(kV1RootPath));
  std::vector<std::pair<std::string, Digest>> v1_files;
  std::vector<SumsEntry> entries;
  for (const Entry& e : t.walk.entries) {
    if (e.type != EntryType::Regular || e.path.rfind("integrity/", 0) == 0) continue;
    if (!is_safe_relative_path(e.path) || e.path.find('\n') != std::string::npos)
      return error = "a file name cannot be listed in a sums file: " + escape_for_message(e.path), failed(kSumsPath);
    Digest d{};
    if (!digest_of(t, e.path, d, error)) return failed(kSumsPath);
    SumsEntry s;
    s.hex = to_hex(d);
    s.path = e.path;
    entries.push_back(std::move(s));
    if (has_v1_root) v1_files.emplace_back(e.path, d);
  }
  auto integrity = sub_dir(dir, "integrity", error);
  if (!integrity || !write_in(*integrity, "sha256sums.txt", format_sums(std::move(entries)), error))
    return failed(kSumsPath);
  if (!has_v1_root) return true;
  if (!write_in(*integrity, "pack.sha256", v1_pack_root_hash(std::move(v1_files)) + "\n", error))
    return failed(kV1RootPath);
  notes.push_back("integrity/pack.sha256 recomputed: the v1 root hash of the files sealed");
  return true;
}

}  // namespace

std::string utc_now() { return format_utc(static_cast<std::int64_t>(std::time(nullptr))); }

std::string format_runner_meta(const RunnerMeta& meta) {
  rapidjson::Document d(rapidjson::kObjectType);
  auto& a = d.GetAllocator();
  Value fp(rapidjson::kObjectType);
  fp.AddMember("os", text(meta.fingerprint.os, a), a);
  fp.AddMember("arch", text(meta.fingerprint.arch, a), a);
  fp.AddMember("runtime_type", text(meta.fingerprint.runtime_type, a), a);
  fp.AddMember("runtime_version", text(meta.fingerprint.runtime_version, a), a);
  fp.AddMember("generated_at", text(meta.fingerprint.generated_at, a), a);
  d.AddMember("runner_id", text(meta.runner_id, a), a);
  d.AddMember("container_digest", text(meta.container_digest, a), a);
  d.AddMember("environment_fingerprint", fp, a);
  d.AddMember("workdir", text(meta.workdir, a), a);
  d.AddMember("executed_at", text(meta.executed_at, a), a);
  // Ours, not the contract's: after the contract's keys, in their order.
  d.AddMember("image_ref", text(meta.image_ref, a), a);
  return pretty(d);
}

bool seal_dir(const Dir& dir, const RunnerMeta* meta, const SealOptions& options, std::vector<std::string>& notes,
              std::string& error) {
  Tree t;
  if (!open_tree(dir, options, t, error)) return error = "seal: " + error, false;
  // The sums file covers nothing in integrity/: another file there would be
  // sealed by nothing, and the pack fail its check (QA-45: "sealed", exit 0).
  for (const Entry& e : t.walk.entries)
    if (e.type == EntryType::Regular && is_unsealed_integrity_file(e.path))
      return error = "seal: " + escape_for_message(e.path) +
                     ": integrity/ may hold only sha256sums.txt, provenance.intoto.jsonl and pack.sha256, which nothing "
                     "else seals; move it out of integrity/, then seal",
             false;
  if (meta != nullptr) {
    auto reports = sub_dir(dir, "reports", error);
    if (!reports) return error = "seal: " + error, false;
    if (!write_in(*reports, "runner.meta.json", format_runner_meta(*meta), error))
      return error = "seal: writing reports/runner.meta.json: " + error, false;
    test_pause_point("sealed-meta");
    if (!open_tree(dir, options, t, error)) return error = "seal: " + error, false;
  }
  if (exists(t, "manifest.json")) {
    if (!seal_manifest(t, notes, error)) return error = "seal: " + error, false;
  } else if (options.require_manifest) {
    return error = "seal: manifest.json: missing (not a pack?)", false;
  } else {
    notes.push_back("the pack has no manifest.json: env_ref and hashes not set");
  }
  test_pause_point("sealed-manifest");
  if (!write_sums(dir, options, notes, error)) return error = "seal: " + error, false;
  test_pause_point("sealed-sums");
  // Step 4 (issue 12): the signed attestation over the sums just written.
  if (!write_provenance(dir, options.provenance, notes, error)) return error = "seal: " + error, false;
  test_pause_point("sealed-provenance");
  return true;
}

bool seal_pack(const std::string& pack, const SealOptions& options, std::vector<std::string>& notes,
               std::string& error) {
  struct stat st {};
  if (::lstat(pack.c_str(), &st) != 0) return error = "seal: " + pack + ": " + std::strerror(errno), false;
  if (!S_ISDIR(st.st_mode))
    return error = "seal: " + pack + ": not a directory" + (S_ISLNK(st.st_mode) ? " (a symbolic link is never followed)" : ""),
           false;
  Stage stage;
  if (!stage_create(pack, StageFill::HardLink, options.limits, stage, error)) return error = "stage: " + error, false;
  if (!stage.target_existed) {
    stage_discard(stage);
    return error = "stage: " + pack + ": no longer a directory", false;
  }
  test_pause_point("staged");
  if (!stage_ready(stage, error) || !seal_dir(*stage.tree, nullptr, options, notes, error) ||
      !stage_commit(stage, error)) {
    stage_discard(stage);
    return false;
  }
  return true;
}

}  // namespace mplp::runner
