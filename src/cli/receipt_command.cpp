// Verification receipts: `check --receipt FILE [--sign-key KEY]` writes one
// (report/receipt.h has its shape), `mplp-gate verify-receipt` checks one.
//
// verify-receipt trusts nothing in the file until a signature verifies under
// a key given with --trusted-key; then, for each PACK, it compares the
// SHA-256 of the pack's integrity/sha256sums.txt and manifest.json now with
// the receipt's subject and, when the receipt says the pack's files matched
// its sums file then, every listed file with its listed digest, reading the
// pack as `check` does (core/pack.h: no link followed, limits).
// Exit codes: 0 signature verified and every pack unchanged; 1 a signature,
// shape or pack problem (each named); 2 could not run (bad option, a key or
// the receipt file unreadable).
#include <sys/stat.h>

#include <cstdlib>
#include <ctime>
#include <filesystem>
#include <iostream>
#include <map>
#include <memory>
#include <sstream>

#include "cli/commands.h"
#include "cli/options.h"
#include "cli/stderr_guard.h"
#include "core/digest.h"
#include "core/dsse.h"
#include "core/intoto.h"
#include "core/pack.h"
#include "core/pack_layout.h"
#include "core/safe_fs.h"
#include "core/sums.h"
#include "core/text.h"
#include "core/values.h"
#include "core/thread_pool.h"
#include "report/common.h"
#include "report/receipt.h"
#include "report/render.h"

namespace mplp::cli {

namespace {

namespace fs = std::filesystem;

constexpr std::uint64_t kMaxReceiptBytes = 1ull << 30;

constexpr std::string_view kUsage =
    "usage: mplp-gate verify-receipt FILE --trusted-key PUB [--trusted-key PUB...] [--root DIR] [PACK...]\n\n"
    "Checks a receipt written by `mplp-gate check --receipt FILE --sign-key KEY`:\n"
    "  1. FILE is a DSSE envelope whose signature verifies under one of the\n"
    "     --trusted-key public keys (an unsigned receipt fails: anyone could\n"
    "     have written it), holding an in-toto Statement v1 with a SLSA\n"
    "     Verification Summary (https://slsa.dev/verification_summary/v1);\n"
    "  2. for each PACK, that its integrity/sha256sums.txt and manifest.json\n"
    "     still have the SHA-256 the receipt records for it, and, when the\n"
    "     receipt says GATE-V2-INTEGRITY-01 passed for it, that every file its\n"
    "     sums file lists still has the listed SHA-256. A PACK is matched\n"
    "     to the subject whose name is the longest tail of its path (subjects are\n"
    "     named relative to the directory `check` was given: `check runs` names\n"
    "     runs/a/p1 \"a/p1\"; a pack given to `check` itself is named by its\n"
    "     directory name). --root DIR checks every pack of the receipt at\n"
    "     DIR/<name> instead (DIR: the directory that was checked, or the parent\n"
    "     of a pack that was checked on its own).\n"
    "Each changed pack is named with the file that changed, both digests shown.\n"
    "Files the sums file does not list (unlisted files are a warning of\n"
    "GATE-V2-INTEGRITY-01) are not covered by a receipt.\n\n"
    "Exit codes: 0 signature verified and every pack unchanged; 1 the signature,\n"
    "the statement or a pack does not hold (with --require-passed, also a pack the\n"
    "receipt records as FAILED); 2 could not run (bad option, unreadable key or\n"
    "receipt file).\n\n"
    "example:\n"
    "  mplp-gate check --receipt runs.receipt.jsonl --sign-key ci.key runs/\n"
    "  mplp-gate verify-receipt runs.receipt.jsonl --trusted-key ci.pub runs/p1 runs/p2\n"
    "  mplp-gate verify-receipt runs.receipt.jsonl --trusted-key ci.pub --root runs\n\n"
    "options:\n";

// RFC 3339 time for timeVerified: SOURCE_DATE_EPOCH when set (reproducible
// builds' convention), else now. False when SOURCE_DATE_EPOCH is not a number.
bool receipt_time(std::string& out, std::string& error) {
  const char* sde = std::getenv("SOURCE_DATE_EPOCH");
  if (sde == nullptr || *sde == '\0') {
    out = format_utc(static_cast<std::int64_t>(std::time(nullptr)));
    return true;
  }
  std::string_view v(sde);
  if (v.size() > 12 || v.find_first_not_of("0123456789") != std::string_view::npos)
    return error = "SOURCE_DATE_EPOCH is not a number of seconds: " + escape_for_message(v), false;
  // RFC 3339 has four-digit years: the last second it can write is 9999-12-31T23:59:59Z.
  constexpr long long kLastRfc3339Second = 253402300799;
  const long long seconds = std::stoll(std::string(v));
  if (seconds > kLastRfc3339Second)
    return error = "SOURCE_DATE_EPOCH " + std::string(v) + " is past 9999-12-31T23:59:59Z, the last time RFC 3339 can write",
           false;
  out = format_utc(seconds);
  return true;
}

// ---- verify-receipt

struct Outcome {
  std::size_t problems = 0;
  void fail(const std::string& what) {
    ++problems;
    std::cout << "FAIL       " << printable_utf8(what) << "\n";
  }
};

// The statement of a receipt whose signature verified, or nullptr (problems reported).
std::unique_ptr<StatementRead> open_receipt(const std::string& bytes, const std::vector<PublicKey>& keys,
                                            const std::vector<std::string>& key_files, Outcome& o) {
  JsonDoc doc;
  if (!parse_json(bytes, {}, doc)) {
    o.fail("the receipt is not JSON: " + doc.error.where_and_why());
    return nullptr;
  }
  if (doc.value.IsObject() && member(doc.value, "_type") != nullptr && member(doc.value, "payload") == nullptr) {
    o.fail("the receipt is an unsigned statement: nothing vouches for it (write it with check --sign-key)");
    return nullptr;
  }
  DsseRead env = read_dsse(bytes, {});
  for (const DsseProblem& p : env.problems)
    o.fail("envelope" + (p.pointer.empty() ? "" : " at " + p.pointer) + ": " + p.message + " (expected " +
           p.expected + ", found " + p.actual + ")");
  if (!env.json_ok || !env.problems.empty() || !env.payload_ok) {
    if (o.problems == 0) o.fail("the receipt is not a DSSE envelope");
    return nullptr;
  }
  if (env.envelope.payload_type != kInTotoPayloadType) {
    o.fail("payloadType is " + shortened(env.envelope.payload_type, 100) + ", not " + std::string(kInTotoPayloadType));
    return nullptr;
  }
  int by = -1;
  for (std::size_t i = 0; i < keys.size() && by < 0; ++i)
    if (dsse_verified_by(env.envelope, keys[i]) >= 0) by = static_cast<int>(i);
  if (by < 0) {
    std::string ids, hints;
    for (std::size_t i = 0; i < keys.size(); ++i) ids += (i ? ", " : "") + keys[i].id() + " (" + key_files[i] + ")";
    for (const DsseSignature& s : env.envelope.signatures)
      hints += (hints.empty() ? "" : ", ") + (s.keyid.empty() ? std::string("(no keyid)") : shortened(s.keyid, 80));
    o.fail("signature: none of the " + std::to_string(env.envelope.signatures.size()) +
           " signature(s) verifies under a trusted key (trusted: " + ids + (hints.empty() ? "" : "; keyids " + hints) +
           "): the receipt was changed or signed by another key");
    return nullptr;
  }
  std::cout << "signature  verified by key " << keys[by].id() << " (" << printable_utf8(key_files[by]) << ")\n";
  auto s = std::make_unique<StatementRead>();
  read_statement(env.envelope.payload, {}, *s);
  if (!s->json_ok) {
    o.fail("the signed payload is not JSON: " + s->json_error.message);
    return nullptr;
  }
  for (const DsseProblem& p : s->problems) o.fail("statement at " + p.pointer + ": " + p.message);
  auto is = [](const rapidjson::Value* v, std::string_view want) { return v != nullptr && v->IsString() && as_view(*v) == want; };
  if (!is(s->type, kStatementType)) o.fail("statement _type is not " + std::string(kStatementType));
  if (!is(s->predicate_type, kVsaV1)) o.fail("predicateType is not " + std::string(kVsaV1));
  return o.problems == 0 ? std::move(s) : nullptr;
}

// What the receipt records per pack (its extension): the verdict, and
// whether GATE-V2-INTEGRITY-01 passed (the files then matched the sums file).
struct Recorded {
  std::string result;
  bool integrity = false;
};

std::map<std::string, Recorded> recorded_results(const StatementRead& s) {
  std::map<std::string, Recorded> out;
  const rapidjson::Value* packs = member(member(s.predicate, kReceiptExtension), "packs");
  if (packs == nullptr || !packs->IsArray()) return out;
  const std::string integrity = gate_level("GATE-V2-INTEGRITY-01");
  for (const rapidjson::Value& p : packs->GetArray()) {
    const rapidjson::Value* name = string_member(&p, "name");
    const rapidjson::Value* result = string_member(&p, "verificationResult");
    if (name == nullptr || result == nullptr) continue;
    Recorded r{std::string(as_view(*result)), false};
    if (const rapidjson::Value* levels = member(p, "verifiedLevels"); levels != nullptr && levels->IsArray())
      for (const rapidjson::Value& l : levels->GetArray()) r.integrity = r.integrity || (l.IsString() && as_view(l) == integrity);
    out.emplace(as_view(*name), std::move(r));
  }
  return out;
}

void print_summary(const StatementRead& s, std::size_t subjects) {
  auto str = [](const rapidjson::Value* v) { return v != nullptr && v->IsString() ? printable_utf8(as_view(*v)) : std::string("(none)"); };
  const rapidjson::Value* p = s.predicate;
  std::cout << "receipt    " << subjects << (subjects == 1 ? " pack" : " packs") << ", verificationResult "
            << str(member(p, "verificationResult")) << ", verifier " << str(member(member(p, "verifier"), "id"))
            << " " << str(member(member(member(p, "verifier"), "version"), "mplp-gate")) << ", policy sha256 "
            << str(member(member(member(p, "policy"), "digest"), "sha256")) << ", timeVerified "
            << str(member(p, "timeVerified")) << "\n";
}

// What `rel` is now in `pack`: its SHA-256 (hex), or, with hex empty, what
// it is instead ("absent", "a symbolic link", "unreadable (...)"). A file
// that cannot be read is said to be so, never called absent.
struct Now {
  std::string hex, instead;
  std::string text() const { return hex.empty() ? instead : "sha256 " + hex; }
  // Whether this is not what the receipt recorded (`then`: a digest, or ""
  // for a file that was absent): an absent file now a link or unreadable
  // has changed too (QA-51).
  bool differs_from(const std::string& then) const { return hex != then || (then.empty() && instead != "absent"); }
};

Now now_of(const Pack& pack, std::string_view rel) {
  const Entry* e = pack.find(rel);
  if (e == nullptr) {
    for (const auto& [dir, why] : pack.walk_errors())
      if (dir.empty() || (rel.size() > dir.size() && rel.substr(0, dir.size()) == dir && rel[dir.size()] == '/'))
        return {"", "unreadable (" + (dir.empty() ? std::string(".") : printable_utf8(dir)) + ": " + why + ")"};
    // A directory above it replaced by a link (or a file) is said as such (QA-41).
    for (std::size_t slash = rel.find('/'); slash != std::string_view::npos; slash = rel.find('/', slash + 1))
      if (const Entry* up = pack.find(rel.substr(0, slash)); up != nullptr && up->type != EntryType::Directory)
        return {"", "absent: " + printable_utf8(rel.substr(0, slash)) + " is a " + std::string(to_string(up->type))};
    return {"", "absent"};
  }
  if (e->type != EntryType::Regular) return {"", "a " + std::string(to_string(e->type))};
  const FileState* f = pack.file(rel);
  if (f == nullptr || !f->hashed) return {"", "unreadable (" + (f != nullptr ? f->error : std::string("not read")) + ")"};
  return {to_hex(f->digest), ""};
}

// Compares one pack with its subject, then, when the receipt says its files
// matched its sums file (GATE-V2-INTEGRITY-01 passed) and the sums file is
// the one the receipt binds, every file that sums file lists with its digest
// there.
// The pack is read as `check` reads it (core/pack.h: no link followed, the
// default policy's limits). Prints UNCHANGED or one CHANGED line per file.
void verify_pack(const std::string& path, const ReceiptSubject& subject, const Recorded& recorded, Outcome& o) {
  std::string error;
  const std::string who = subject.name + " (" + path + ")";
  // A link put where the pack was is not the pack (check reports pack.link
  // and never follows one): its target is not read.
  std::string last = path;  // "p/" and "p/." name p itself, link or not
  while (last.size() > 1 && (last.back() == '/' || (last.size() > 2 && last.compare(last.size() - 2, 2, "/.") == 0)))
    last.pop_back();
  if (struct stat st{}; ::lstat(last.c_str(), &st) == 0 && S_ISLNK(st.st_mode)) {
    ++o.problems;
    std::cout << "CHANGED    " << printable_utf8(who) << ": now a symbolic link, not the pack the receipt names\n";
    return;
  }
  auto pack = Pack::open(path, path, default_policy().limits, error);
  if (!pack) {
    o.fail(who + ": cannot open the pack: " + error);
    return;
  }
  ThreadPool pool(2);
  pack->load_files(pool);
  std::size_t changed = 0;
  auto report = [&](std::string_view file, const Now& now, const std::string& then, std::string_view where) {
    ++changed;
    std::cout << "CHANGED    " << printable_utf8(who) << ": " << printable_utf8(file) << ": " << printable_utf8(now.text()) << " now, "
              << (then.empty() ? std::string("absent") : "sha256 " + then) << " " << where << "\n";
  };
  const Now sums_now = now_of(*pack, kSumsPath);
  if (sums_now.differs_from(subject.sums)) report(kSumsPath, sums_now, subject.sums, "in the receipt");
  if (Now now = now_of(*pack, kManifestPath); now.differs_from(subject.manifest))
    report(kManifestPath, now, subject.manifest, "in the receipt");
  std::string bytes;
  if (recorded.integrity && sums_now.hex == subject.sums && !sums_now.hex.empty() &&
      pack->read(kSumsPath, bytes, error)) {
    for (const SumsEntry& e : parse_sums(bytes).entries) {
      if (e.path == kManifestPath) continue;  // compared with the receipt above
      if (Now now = now_of(*pack, e.path); now.hex != e.hex) report(e.path, now, e.hex, "in the sums file");
    }
  }
  o.problems += changed;
  if (changed == 0)
    std::cout << "UNCHANGED  " << printable_utf8(who) << (recorded.result.empty() ? "" : ": verified " + recorded.result)
              << (subject.sums.empty() ? " (it had no sums file: only its manifest was compared)"
                  : recorded.integrity ? ""
                                       : " (its files were not checked against its sums file: the receipt "
                                         "does not record GATE-V2-INTEGRITY-01 as verified for it)")
              << "\n";
}

// Path components of `path` made absolute and normal.
std::vector<std::string> components(const std::string& path) {
  std::error_code ec;
  fs::path p = fs::absolute(path, ec).lexically_normal();
  std::vector<std::string> out;
  for (const fs::path& part : p.relative_path())
    if (!part.empty()) out.push_back(part.string());
  return out;
}

// The subject whose name is the longest tail of `path`, or nullptr.
const ReceiptSubject* match(const std::string& path, const std::vector<ReceiptSubject>& subjects) {
  const std::vector<std::string> have = components(path);
  const ReceiptSubject* best = nullptr;
  std::size_t best_len = 0;
  for (const ReceiptSubject& s : subjects) {
    std::vector<std::string> want;
    for (std::size_t at = 0; at <= s.name.size();) {
      std::size_t slash = std::min(s.name.find('/', at), s.name.size());
      want.push_back(s.name.substr(at, slash - at));
      at = slash + 1;
    }
    if (want.size() > have.size() || want.size() <= best_len) continue;
    if (std::equal(want.rbegin(), want.rend(), have.rbegin())) {
      best = &s;
      best_len = want.size();
    }
  }
  return best;
}

}  // namespace

bool prepare_receipt(ReceiptOptions& options, bool runners, std::string& error) {
  if (options.path.empty()) {
    if (!options.sign_key_path.empty() || options.with_time || !options.resource_uri.empty())
      return error = "--sign-key, --receipt-time and --receipt-uri need --receipt FILE", false;
    return true;
  }
  if (runners) return error = "--receipt records packs; it cannot be used with --runners", false;
  if (!options.resource_uri.empty() && !is_valid_utf8(options.resource_uri))
    return error = "--receipt-uri is not valid UTF-8", false;
  std::string unused;
  if (options.with_time && !receipt_time(unused, error)) return false;
  if (!options.sign_key_path.empty() && !load_private_key_file(options.sign_key_path, options.key, error)) return false;
  return true;
}

bool make_receipt(const RunReport& report, const ReceiptOptions& options, std::string& bytes, std::string& error) {
  std::ostringstream json;
  RenderOptions render;
  render.tool_version = tool_version();
  render_json(report, render, json);
  ReceiptRequest req;
  req.tool_version = tool_version();
  if (!options.resource_uri.empty()) req.resource_uri = options.resource_uri;
  if (options.with_time && !receipt_time(req.time_verified, error)) return false;
  req.report_sha256 = sha256_hex(json.str());
  std::string statement;
  if (!receipt_statement(report, req, statement, error)) return false;
  if (options.key.valid()) return sign_statement(std::move(statement), {&options.key}, bytes, error);
  bytes = statement + "\n";
  return true;
}

int cmd_verify_receipt(const Args& args) {
  std::vector<std::string> key_files, positional;
  std::string root;
  bool help = false, require_passed = false;
  std::vector<OptionSpec> specs = {
      {"--trusted-key", true, [&](const std::string& v, std::string&) { key_files.push_back(v); return true; },
       "a public key (PEM) whose signature is trusted (repeatable; at least one)", "PUB", true},
      {"--root", true, [&](const std::string& v, std::string&) { root = v; return true; },
       "check every pack of the receipt at DIR/<name>", "DIR"},
      {"--require-passed", false, [&](const std::string&, std::string&) { require_passed = true; return true; },
       "also fail when the receipt records a checked pack (or, with no pack, the run) as FAILED", ""},
      {"--help", false, [&](const std::string&, std::string&) { help = true; return true; }, "this help", ""},
  };
  std::string error;
  if (!parse_options(args, specs, positional, error)) {
    std::cerr << "mplp-gate verify-receipt: " << error << "\ntry 'mplp-gate verify-receipt --help'\n";
    return kExitError;
  }
  if (help) {
    std::cout << kUsage << options_help(specs);
    return kExitPass;
  }
  // Every line quotes the receipt (signed or not) or a pack: a stranger's.
  GuardedStream guard(std::cout);
  if (positional.empty() || key_files.empty()) {
    std::cerr << "mplp-gate verify-receipt: " << (positional.empty() ? "no receipt FILE given" : "no --trusted-key given")
              << "\ntry 'mplp-gate verify-receipt --help'\n";
    return kExitError;
  }
  const std::string file = positional[0];
  const std::vector<std::string> packs(positional.begin() + 1, positional.end());
  std::vector<PublicKey> keys(key_files.size());
  for (std::size_t i = 0; i < key_files.size(); ++i) {
    if (!load_public_key_file(key_files[i], keys[i], error)) {
      std::cerr << "mplp-gate verify-receipt: " << error << "\n";
      return kExitError;
    }
  }
  std::string bytes;
  if (!read_file(file, kMaxReceiptBytes, bytes, error)) {
    std::cerr << "mplp-gate verify-receipt: cannot read the receipt: " << error << "\n";
    return kExitError;
  }
  if (!root.empty() && !fs::is_directory(root)) {
    std::cerr << "mplp-gate verify-receipt: --root " << root << ": not a directory\n";
    return kExitError;
  }

  Outcome o;
  std::cout << "receipt    " << printable_utf8(file) << "\n";
  std::unique_ptr<StatementRead> statement = open_receipt(bytes, keys, key_files, o);
  std::vector<ReceiptSubject> subjects;
  if (statement) {
    for (const Subject& s : statement->subjects) {
      ReceiptSubject r;
      if (read_receipt_subject(s, r, error)) subjects.push_back(std::move(r));
      else o.fail(error);
    }
    print_summary(*statement, subjects.size());
  }
  if (o.problems == 0) {
    const auto recorded = recorded_results(*statement);
    std::size_t checked = 0;
    auto check_one = [&](const std::string& path, const ReceiptSubject& s) {
      ++checked;
      auto it = recorded.find(s.name);
      const Recorded r = it == recorded.end() ? Recorded{} : it->second;
      verify_pack(path, s, r, o);
      if (require_passed && r.result != "PASSED")
        o.fail(s.name + ": the receipt records " + (r.result.empty() ? "no result" : r.result));
    };
    for (const std::string& p : packs) {
      if (const ReceiptSubject* s = match(p, subjects)) check_one(p, *s);
      else o.fail(p + ": not a pack of this receipt (no subject name is a tail of its path)");
    }
    for (const ReceiptSubject& s : root.empty() ? std::vector<ReceiptSubject>{} : subjects) {
      if (s.name == ".") check_one(root, s);  // the checked directory itself, a pack without a manifest
      else if (is_safe_relative_path(s.name)) check_one(root + "/" + s.name, s);
      else o.fail(s.name + ": not a safe relative name; not looked for under " + root);
    }
    // Packs given and none matched: each already failed, and saying "no PACK
    // given" (or judging the run's result instead) would misreport the call.
    if (checked == 0 && packs.empty()) {
      std::cout << (root.empty() ? "note       no PACK given: only the signature and the statement were checked\n"
                                 : "note       the receipt names no pack to look for under --root: only the "
                                   "signature and the statement were checked\n");
      const rapidjson::Value* result = string_member(statement->predicate, "verificationResult");
      if (require_passed && (result == nullptr || as_view(*result) != "PASSED"))
        o.fail("the receipt records the run as " + (result == nullptr ? std::string("(none)") : printable_utf8(as_view(*result))));
    }
  }
  std::cout << (o.problems == 0 ? "RESULT: PASS" : "RESULT: FAIL (" + std::to_string(o.problems) + " problem(s))")
            << "\n";
  return o.problems == 0 ? kExitPass : kExitFail;
}

}  // namespace mplp::cli
