// Fuzzes the readers of signed provenance (core/dsse.h, core/intoto.h,
// core/base64.h): the input is read as a DSSE envelope and as an in-toto
// statement. Invariants: problems are named by JSON pointers; a payload that
// was read re-encodes to an envelope that reads back identically with no
// problem; no signature of random input verifies under a fixed key; base64
// decodes only what it can encode back; a statement's well-formed subjects
// written out by statement_json read back the same.
#include <algorithm>
#include <string>

#include "core/base64.h"
#include "core/dsse.h"
#include "core/intoto.h"
#include "core/keys.h"
#include "fuzz_util.h"

namespace {

void check_problems(const std::vector<mplp::DsseProblem>& problems) {
  for (const mplp::DsseProblem& p : problems) {
    FUZZ_CHECK(p.pointer.empty() || p.pointer[0] == '/', p.pointer);
    FUZZ_CHECK(!p.message.empty(), p.pointer);
  }
}

const mplp::PublicKey& fixed_key() {
  static const mplp::PublicKey key = [] {
    mplp::PrivateKey k;
    std::string err;
    if (!mplp::generate_key(mplp::KeyType::Ed25519, k, err)) mplp::fuzz::invariant_failed("keygen", err, __FILE__, __LINE__);
    return k.public_key();
  }();
  return key;
}

void fuzz_envelope(std::string_view in) {
  mplp::DsseRead r = mplp::read_dsse(in, {.max_depth = 64});
  if (!r.json_ok) {
    FUZZ_CHECK(r.json_error.line >= 1 && r.json_error.column >= 1, r.json_error.message);
    return;
  }
  check_problems(r.problems);
  FUZZ_CHECK(r.envelope.signatures.size() <= mplp::kMaxDsseSignatures, std::to_string(r.envelope.signatures.size()));
  if (!r.payload_ok) return;
  FUZZ_CHECK(mplp::dsse_verified_by(r.envelope, fixed_key()) == -1, "random input verified");
  // Round trip: what was read is written and read again unchanged (sig bytes included).
  std::vector<mplp::DsseSignature> usable;
  for (const mplp::DsseSignature& s : r.envelope.signatures)
    if (s.usable) usable.push_back(s);
  mplp::DsseEnvelope env{r.envelope.payload_type, r.envelope.payload, usable};
  std::string json = mplp::dsse_to_json(env);
  mplp::DsseRead back = mplp::read_dsse(json, {.max_depth = 64});
  if (!back.json_ok) {
    // Only a payloadType or keyid that is not valid UTF-8 could break the writer; JSON read them, so never.
    mplp::fuzz::invariant_failed("back.json_ok", json, __FILE__, __LINE__);
  }
  FUZZ_CHECK(back.problems.empty(), back.problems.empty() ? "" : back.problems[0].message);
  FUZZ_CHECK(back.envelope.payload == env.payload && back.envelope.payload_type == env.payload_type, json);
  FUZZ_CHECK(back.envelope.signatures.size() == usable.size(), json);
  for (std::size_t i = 0; i < usable.size(); ++i)
    FUZZ_CHECK(back.envelope.signatures[i].sig == usable[i].sig && back.envelope.signatures[i].keyid == usable[i].keyid,
               json);
}

void fuzz_base64(std::string_view in) {
  std::string out;
  if (!mplp::base64_decode(in, out)) return;
  std::string canonical = mplp::base64_encode(out);
  FUZZ_CHECK(canonical.size() == (out.size() + 2) / 3 * 4, canonical);
  std::string again;
  FUZZ_CHECK(mplp::base64_decode(canonical, again) && again == out, canonical);
  // The input differs from the canonical form only by alphabet and padding.
  std::string folded(in);
  for (char& c : folded) c = c == '-' ? '+' : c == '_' ? '/' : c;
  while (!folded.empty() && folded.back() == '=') folded.pop_back();
  std::string bare = canonical;
  while (!bare.empty() && bare.back() == '=') bare.pop_back();
  FUZZ_CHECK(folded == bare, std::string(in));
}

void fuzz_statement(std::string_view in) {
  mplp::StatementRead s;
  mplp::read_statement(in, {.max_depth = 64}, s);
  if (!s.json_ok) return;
  check_problems(s.problems);
  FUZZ_CHECK(s.subjects.size() == s.subject_pointers.size(), "pointers");
  for (const std::string& p : s.subject_pointers) FUZZ_CHECK(p.rfind("/subject/", 0) == 0, p);
  rapidjson::Document pred(rapidjson::kObjectType);
  std::string text = mplp::statement_json(s.subjects, "https://example.com/p", pred);
  mplp::StatementRead back;
  mplp::read_statement(text, {.max_depth = 64}, back);
  FUZZ_CHECK(back.json_ok && back.problems.empty(), text);
  FUZZ_CHECK(back.subjects.size() == s.subjects.size(), text);
  auto less = [](const mplp::Subject& a, const mplp::Subject& b) {
    return std::tie(a.name, a.digest, a.annotations) < std::tie(b.name, b.digest, b.annotations);
  };
  std::vector<mplp::Subject> want = s.subjects;
  std::sort(want.begin(), want.end(), less);
  for (std::size_t i = 0; i < want.size(); ++i)
    FUZZ_CHECK(back.subjects[i].name == want[i].name && back.subjects[i].digest == want[i].digest &&
                   back.subjects[i].annotations == want[i].annotations,
               text);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view in = mplp::fuzz::as_text(data, size);
  fuzz_envelope(in);
  fuzz_base64(in);
  fuzz_statement(in);
  return 0;
}
