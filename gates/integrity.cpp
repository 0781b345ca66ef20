#include <sys/stat.h>

#include <cstdio>
#include <unordered_set>

#include "core/gate.h"
#include "core/json.h"
#include "core/pack_hashes.h"
#include "core/pack_layout.h"
#include "core/sums.h"
#include "core/text.h"
#include "core/values.h"

namespace mplp {

namespace {

constexpr std::string_view kVerifyReport = "reports/verify.report.json";
constexpr std::uint64_t kPathColumn = 67;  // where the path starts on a sums line

constexpr Severity E = Severity::Error, W = Severity::Warning, I = Severity::Info;

const GateInfo& gate_info() {
  static const GateInfo info = documented({
    .id = "GATE-V2-INTEGRITY-01",
    .scopes = {GateScope::Pack},
    .kinds = {
        {"integrity.symlink", E, "replace the link by the file it points to, or remove it"},
        {"integrity.special_file", E, "remove it; packs hold regular files only"},
        {"integrity.setid", E, "clear the bit (chmod u-s,g-s FILE); a pack never holds set-id programs"},
        {"integrity.interrupted_seal", W, "re-run `mplp-gate seal PACK` or `mplp-gate run` (either removes it once its owner is gone), or remove it"},
        {"integrity.oversized_file", E, "shrink or remove the file, or raise the limit in the policy"},
        {"integrity.too_many_files", E, "split the pack, or raise the limit in the policy"},
        {"integrity.unreadable", E, "fix its permissions"},
        {"integrity.unsealed_file", E, "move it out of integrity/ and re-seal the pack, or remove it"},
        {"sums.absent", E, "seal the pack: write integrity/sha256sums.txt"},
        {"sums.unreadable", E, "make integrity/sha256sums.txt a regular file"},
        {"sums.syntax", E, "regenerate the file with `sha256sum`"},
        {"sums.unsafe_path", E, "list pack-relative paths only"},
        {"sums.duplicate", E, "keep one line per file"},
        {"sums.no_final_newline", E, "end the file with a newline"},
        {"sums.too_many_lines", E, "list only the pack's files"},
        {"sums.more_errors", E, "fix the errors shown, then re-run"},
        {"sums.missing", E, "remove the line or restore the file"},
        {"sums.not_regular", E, "list regular files only"},
        {"sums.through_symlink", E, "replace the linked directory by a real one"},
        {"sums.mismatch", E, "restore the sealed file, or re-seal the pack"},
        {"sums.unlisted", W, "re-seal the pack so the sums file lists it"},
        {"sums.empty", E, "seal the pack: list every file outside integrity/ in the sums file"},
        {"root_hash.match", I, "nothing to fix (recorded for the audit trail); the sums file is what pins the other files"},
        {"root_hash.mismatch", E, "recompute it with the v2-producer algorithm"},
        {"root_hash.placeholder", E, "seal the pack and record its root hash"},
        {"root_hash.malformed", E, "write the root hash as 64 lowercase hex"},
        {"v1_root.match", I, "nothing to fix (recorded for the audit trail)"},
        {"v1_root.mismatch", E, "recompute it with the v1 algorithm"},
        {"v1_root.unreadable", E, "write the v1 root hash into it"},
        {"verify_hash.match", I, "nothing to fix (recorded for the audit trail)"},
        {"verify_hash.mismatch", E, "restore the report, or record its SHA-256"},
        {"verify_hash.unchecked", W, "record the report's SHA-256"},
    },
    .needs = {.contents = false},  // digests only: the sums file is read again
    .reports_unchecked_places = true,
  });
  return info;
}

// One check of one pack; holds what the steps share.
class Run {
 public:
  Run(const Pack& pack, const GateContext& ctx, FindingSink& sink)
      : pack_(pack), ctx_(ctx), sink_(sink),
        // An unusable manifest reads as INDEXABLE_REAL (Pack does that); an
        // unknown status gets the same strictest reading.
        strictest_(pack.indexability() == Indexability::Real || pack.indexability() == Indexability::Unknown) {}

  void go() {
    tree();
    sums();
    root_hash();
    v1_root();
    verify_hash();
  }

 private:
  // A finding of `code` with its kind's severity (gate_info()).
  static Finding make(std::string_view code, std::string_view file, std::string message, std::string expected = {},
                      std::string actual = {}, std::string hint = {}, std::uint64_t line = 0,
                      std::uint64_t column = 0) {
    Finding f = gate_info().finding(code, std::string(file), std::move(message));
    f.location.line = line;
    f.location.column = column;
    f.expected = std::move(expected);
    f.actual = std::move(actual);
    f.hint = std::move(hint);
    return f;
  }
  template <class... Args>
  void report(Args&&... args) {
    sink_.report(make(std::forward<Args>(args)...));
  }
  // A finding of `code` on the manifest, at JSON pointer `pointer`.
  static Finding in_manifest(std::string_view code, std::string pointer, std::string message,
                             std::string expected = {}, std::string actual = {}) {
    Finding f = make(code, "manifest.json", std::move(message), std::move(expected), std::move(actual));
    f.location.pointer = std::move(pointer);
    return f;
  }
  // What only an INDEXABLE_REAL pack must have right (the sums file, the root
  // hash) is, in a pack known not to be one, a warning, not its kind's error.
  Finding lenient(Finding f) const {
    if (!strictest_) f.severity = Severity::Warning;
    return f;
  }
  // A file no seal covers: an error under --strict, whatever the pack's kind.
  void report_unsealed(Finding f) {
    if (ctx_.options.strict) f.severity = Severity::Error;
    sink_.report(std::move(f));
  }
  static std::string octal_mode(std::uint32_t mode) {
    char b[16];
    std::snprintf(b, sizeof b, "%04o", mode);
    return b;
  }
  static std::string q(std::string_view path) { return "'" + escape_for_message(path) + "'"; }

  // Links, special files, limits and unreadable entries anywhere in the tree.
  void tree() {
    const Limits& lim = pack_.limits();
    if (pack_.truncated())
      report("integrity.too_many_files", "",
             "the pack has more than " + std::to_string(lim.max_files_per_pack) + " entries; only those were checked",
             "at most " + std::to_string(lim.max_files_per_pack), "more", "split the pack or raise limits.max_files_per_pack");
    for (const auto& [dir, why] : pack_.walk_errors())
      report("integrity.unreadable", dir, "directory " + q(dir) + " could not be read: " + why);
    for (const Entry& e : pack_.entries()) {
      if (e.type == EntryType::Symlink) {
        report("integrity.symlink", e.path, q(e.path) + " is a symbolic link (never followed)");
      } else if (e.type != EntryType::Regular && e.type != EntryType::Directory) {
        report("integrity.special_file", e.path, q(e.path) + " is a " + std::string(to_string(e.type)));
      } else if (e.type == EntryType::Regular) {
        // The sums file lists nothing under integrity/ (its files are made
        // from the others): any other file there is sealed by nothing (QA-32).
        if (is_unsealed_integrity_file(e.path)) {
          report_unsealed(lenient(make("integrity.unsealed_file", e.path,
                                       q(e.path) + " lies in integrity/, which the sums file does not cover: nothing seals it",
                                       "only sha256sums.txt, provenance.intoto.jsonl and pack.sha256 in integrity/",
                                       e.path, "move it out of integrity/ and re-seal the pack, or remove it")));
        }
        if ((e.mode & (S_ISUID | S_ISGID)) != 0)
          report("integrity.setid", e.path,
                 q(e.path) + " has the " + ((e.mode & S_ISUID) != 0 ? "setuid" : "setgid") +
                     " bit: run from this pack it would take its owner's privileges",
                 "no setuid or setgid bit", "mode " + octal_mode(e.mode));
        const FileState* f = pack_.file(e.path);
        if (f == nullptr || f->hashed) continue;
        if (e.size > lim.max_file_size)
          report("integrity.oversized_file", e.path, q(e.path) + " is over the file size limit; not hashed",
                 "at most " + std::to_string(lim.max_file_size) + " bytes", std::to_string(e.size) + " bytes");
        else if (!is_safe_relative_path(e.path))  // its name, not its permissions (QA-52)
          report("integrity.unreadable", e.path,
                 q(e.path) + " has a name no sums line can hold (" + unsafe_path_reason(e.path) + "): not hashed",
                 "a file name without a backslash", e.path,
                 "rename the file: in a sums line a backslash is an escape (GNU sha256sum), not part of a name");
        else
          report("integrity.unreadable", e.path, q(e.path) + " could not be hashed: " + f->error);
      }
    }
  }

  void sums() {
    const Entry* e = pack_.find(kSumsPath);
    if (e == nullptr) {
      sink_.report(lenient(make("sums.absent", kSumsPath, "the sums file is missing", "", "",
                                "seal the pack: list every file outside integrity/ in integrity/sha256sums.txt")));
      return;
    }
    std::string err;
    std::shared_ptr<const std::string> bytes;
    if (e->type != EntryType::Regular) err = "it is a " + std::string(to_string(e->type));
    else if (const FileState* f = pack_.file(kSumsPath); f != nullptr && !f->error.empty()) err = f->error;
    else bytes = pack_.bytes(kSumsPath, err);
    if (!bytes) {
      report("sums.unreadable", kSumsPath, "the sums file cannot be read: " + err);
      return;
    }
    SumsParse p = parse_sums(*bytes, SumsOptions{pack_.limits().max_files_per_pack, 1000});
    for (const SumsError& se : p.errors) {
      static constexpr std::string_view codes[] = {"sums.syntax", "sums.unsafe_path", "sums.duplicate",
                                                   "sums.no_final_newline"};
      report(codes[static_cast<int>(se.kind)], kSumsPath, se.message, "", "", "", se.line, se.column);
    }
    if (p.errors_omitted > 0)
      report("sums.more_errors", kSumsPath, std::to_string(p.errors_omitted) + " further errors in the sums file are not listed");
    if (p.truncated)
      report("sums.too_many_lines", kSumsPath,
             "the sums file lists more than " + std::to_string(pack_.limits().max_files_per_pack) +
                 " files; the rest was not read",
             "", "", "", p.lines);
    if (p.entries.empty() && p.errors.empty())
      // Every file is then only "unlisted", a warning: a sums file that seals
      // nothing must not pass where a missing one fails (QA-33).
      sink_.report(lenient(make("sums.empty", kSumsPath, "the sums file lists no file", "a line per file outside integrity/",
                                "none", "seal the pack: list every file outside integrity/ in the sums file")));
    std::unordered_set<std::string_view> listed;
    for (const SumsEntry& se : p.entries) {
      listed.insert(se.path);
      verify(se);
    }
    // Unlisted files: upstream adds reports after sealing, hence a warning
    // (an error with --strict).
    for (const Entry& f : pack_.entries()) {
      if (f.type != EntryType::Regular || f.path.starts_with("integrity/") || listed.count(f.path) > 0) continue;
      report_unsealed(make("sums.unlisted", f.path, q(f.path) + " is not listed in the sums file", "", "",
                           "re-seal the pack so the sums file lists it"));
    }
  }

  // One listed entry: a regular file, not reached through a link, same digest.
  void verify(const SumsEntry& se) {
    const Entry* e = pack_.find(se.path);
    if (e != nullptr && e->type == EntryType::Regular) {
      const Digest* d = pack_.digest(se.path);
      if (d == nullptr) return;  // oversized or unreadable: reported by tree()
      std::string actual = to_hex(*d);
      if (actual != se.hex)
        report("sums.mismatch", kSumsPath, q(se.path) + ": SHA-256 does not match the sums file", se.hex, actual,
               "restore the sealed file, or re-seal the pack", se.line, kPathColumn);
      return;
    }
    if (e != nullptr) {
      report("sums.not_regular", kSumsPath, q(se.path) + " is a " + std::string(to_string(e->type)) + ", not a regular file",
             "regular file", std::string(to_string(e->type)), "", se.line, kPathColumn);
      return;
    }
    // Missing: find the first ancestor that is not a real directory.
    for (std::size_t slash = se.path.find('/'); slash != std::string::npos; slash = se.path.find('/', slash + 1)) {
      std::string_view prefix = std::string_view(se.path).substr(0, slash);
      const Entry* a = pack_.find(prefix);
      if (a != nullptr && a->type == EntryType::Directory) continue;
      if (a != nullptr && a->type == EntryType::Symlink) {
        report("sums.through_symlink", kSumsPath, q(se.path) + " passes through the symbolic link " + q(prefix) + " (not followed)",
               "a path through real directories", "", "", se.line, kPathColumn);
        return;
      }
      if (a != nullptr) {
        report("sums.missing", kSumsPath, q(se.path) + " does not exist: " + q(prefix) + " is a " +
                   std::string(to_string(a->type)), "", "", "", se.line, kPathColumn);
        return;
      }
      break;
    }
    std::string why = pack_.truncated() ? " (or lies past the file limit, where the pack was not read)" : "";
    // GNU reads a CR before the LF as part of the name: say so, it is the usual cause.
    std::string hint = se.path.ends_with('\r') ? "the line ends in CR (a CRLF file?); write the sums file with LF endings"
                                                : "remove the line or restore the file";
    report("sums.missing", kSumsPath, q(se.path) + " is listed but does not exist" + why, "", "", hint, se.line,
           kPathColumn);
  }

  const rapidjson::Value* hash_field(std::string_view key) const {
    return member(member(pack_.manifest(), "hashes"), key);
  }

  void root_hash() {
    static const std::string ptr = "/hashes/pack_root_hash";
    const rapidjson::Value* v = hash_field("pack_root_hash");
    if (pack_.manifest() == nullptr)
      return sink_.report(lenient(in_manifest("root_hash.placeholder", ptr,
                                              "manifest unusable: hashes.pack_root_hash cannot be read")));
    if (is_placeholder(v))
      return sink_.report(lenient(in_manifest("root_hash.placeholder", ptr,
                                              "hashes.pack_root_hash is missing or a placeholder", "64 lowercase hex",
                                              v != nullptr ? to_compact_json(*v) : "(missing)")));
    if (!v->IsString() || !is_hex64(as_view(*v)))
      return sink_.report(lenient(in_manifest("root_hash.malformed", ptr,
                                              "hashes.pack_root_hash is not 64 lowercase hex", "64 lowercase hex",
                                              to_compact_json(*v))));
    std::string value(as_view(*v));
    std::string v2 = v2_pack_root_hash([this](std::string_view f) { return pack_.digest(f); });
    const Digest* sd = pack_.digest(kSumsPath);
    std::string of_sums = sd != nullptr ? to_hex(*sd) : "";
    if (value == v2)
      return sink_.report(in_manifest(
          "root_hash.match", ptr,
          std::string("hashes.pack_root_hash matches the v2-producer algorithm") +
              (value == of_sums ? " (and the SHA-256 of the sums file, which covers every listed file)"
                                : ", which covers the five v2 files only (artifacts/context.json, "
                                  "plan.json, confirm.json, trace.json, timeline/events.ndjson), "
                                  "not the manifest or reports")));
    if (value == of_sums)
      return sink_.report(in_manifest("root_hash.match", ptr,
                                      "hashes.pack_root_hash matches the SHA-256 of integrity/sha256sums.txt, which "
                                      "covers every listed file"));
    std::string expected = "v2-producer " + v2 + " or sha256(integrity/sha256sums.txt) " +
                           (sd != nullptr ? of_sums : std::string("(no sums file)"));
    sink_.report(in_manifest("root_hash.mismatch", ptr, "hashes.pack_root_hash matches no known algorithm", expected,
                             value));
  }

  void v1_root() {
    const Entry* e = pack_.find(kV1RootPath);
    if (e == nullptr) return;
    std::string err;
    std::shared_ptr<const std::string> bytes;
    if (e->type != EntryType::Regular) err = "it is a " + std::string(to_string(e->type));
    else bytes = pack_.bytes(kV1RootPath, err);
    std::string_view text = bytes ? std::string_view(*bytes) : std::string_view();
    std::size_t b = text.find_first_not_of(" \t\r\n");
    std::string_view token = b == text.npos ? "" : text.substr(b, text.find_first_of(" \t\r\n", b) - b);
    if (!bytes || token.empty()) {
      report("v1_root.unreadable", kV1RootPath, "integrity/pack.sha256 holds no hash" + (err.empty() ? "" : ": " + err));
      return;
    }
    std::vector<std::pair<std::string, Digest>> files;
    for (const Entry& f : pack_.entries())
      if (f.type == EntryType::Regular && !f.path.starts_with("integrity/"))
        if (const Digest* d = pack_.digest(f.path)) files.emplace_back(f.path, *d);
    std::string v1 = v1_pack_root_hash(std::move(files));
    if (token == v1)
      report("v1_root.match", kV1RootPath, "integrity/pack.sha256 matches the v1 root hash", "", "", "", 1, b + 1);
    else
      report("v1_root.mismatch", kV1RootPath, "integrity/pack.sha256 does not match the v1 root hash", v1,
             escape_for_message(token.substr(0, 200)), "recompute it, or restore the pack's files", 1, b + 1);
  }

  void verify_hash() {
    static const std::string ptr = "/hashes/verify_report_hash";
    const rapidjson::Value* v = hash_field("verify_report_hash");
    if (v == nullptr) return;  // optional
    if (!v->IsString() || !is_hex64(as_view(*v)))
      return sink_.report(in_manifest("verify_hash.unchecked", ptr,
                                      "hashes.verify_report_hash is not 64 lowercase hex; not checked",
                                      "64 lowercase hex", to_compact_json(*v)));
    const Digest* d = pack_.digest(kVerifyReport);
    std::string actual = d != nullptr ? to_hex(*d) : "(reports/verify.report.json missing or unreadable)";
    if (actual == as_view(*v))
      sink_.report(
          in_manifest("verify_hash.match", ptr, "hashes.verify_report_hash matches reports/verify.report.json"));
    else
      sink_.report(in_manifest("verify_hash.mismatch", ptr,
                               "hashes.verify_report_hash is not the SHA-256 of reports/verify.report.json",
                               std::string(as_view(*v)), actual));
  }

  const Pack& pack_;
  const GateContext& ctx_;
  FindingSink& sink_;
  bool strictest_;
};

class IntegrityGate : public Gate {
 public:
  const GateInfo& info() const override { return gate_info(); }
  void check_stage(std::string_view note, FindingSink& sink) const override {
    Finding f = gate_info().finding("integrity.interrupted_seal", "", "not a pack: " + std::string(note) + "; it was not checked");
    f.hint = "re-run the seal or run of that pack (it removes the stages of owners that are gone), or remove this directory";
    sink.report(std::move(f));
  }

  void check_pack(const Pack& pack, const GateContext& ctx, FindingSink& sink) const override {
    Run(pack, ctx, sink).go();
  }
};

}  // namespace

const Gate& integrity_gate() {
  static const IntegrityGate gate;
  return gate;
}

}  // namespace mplp
