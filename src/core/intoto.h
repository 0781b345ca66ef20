// in-toto attestation Statements v1 (github.com/in-toto/attestation,
// spec/v1/statement.md), signed in a DSSE envelope (core/dsse.h).
//
//   {"_type":"https://in-toto.io/Statement/v1",
//    "subject":[{"name":"artifacts/plan.json","digest":{"sha256":"<hex>"}}, ...],
//    "predicateType":"<URI>", "predicate":{...}}
//
// Any predicate can be wrapped: run provenance (SLSA Provenance v1,
// runner/provenance.h) and, later, verification summaries. The statement is
// written compactly with keys in the order above and subjects sorted by
// name, so the same inputs give the same bytes.
//
//   std::vector<Subject> subjects = {{"manifest.json", {{"sha256", hex}}}};
//   std::string statement = statement_json(subjects, kSlsaProvenanceV1, predicate);
//   std::string line;
//   if (!sign_statement(statement, {&key}, line, err)) ...   // one JSONL line with "\n"
//
//   StatementRead s;
//   read_statement(payload_bytes, {.max_depth = 256}, s);
//   for (const DsseProblem& p : s.problems) ...   // pointers into the statement
#pragma once

#include <rapidjson/document.h>

#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "core/dsse.h"
#include "core/json.h"
#include "core/keys.h"

namespace mplp {

inline constexpr std::string_view kStatementType = "https://in-toto.io/Statement/v1";
inline constexpr std::string_view kSlsaProvenanceV1 = "https://slsa.dev/provenance/v1";

struct Subject {
  std::string name;
  std::map<std::string, std::string> digest;  // algorithm -> lowercase hex
  // ResourceDescriptor `annotations` with string values (written when not
  // empty; when reading, members whose value is not a string are left out).
  std::map<std::string, std::string> annotations;
};

// The statement's JSON; subjects are sorted by name (then digest, then annotations).
std::string statement_json(std::vector<Subject> subjects, std::string_view predicate_type,
                           const rapidjson::Value& predicate);

// The statement signed by every key, as one envelope line ending in "\n".
bool sign_statement(std::string statement, const std::vector<const PrivateKey*>& keys, std::string& line,
                    std::string& error);

// An untrusted statement: what could be read, and each problem by pointer.
struct StatementRead {
  StatementRead() = default;
  StatementRead(const StatementRead&) = delete;
  StatementRead& operator=(const StatementRead&) = delete;
  bool json_ok = false;
  JsonError json_error;
  JsonDoc doc;                        // the parsed statement (when json_ok)
  std::vector<DsseProblem> problems;  // shape problems; `_type`/`predicateType` values are left to callers
  std::vector<Subject> subjects;      // well-formed subjects, in statement order
  std::vector<std::string> subject_pointers;  // "/subject/<i>" of each entry of `subjects`
  const rapidjson::Value* type = nullptr;            // `_type` (nullptr when absent)
  const rapidjson::Value* predicate_type = nullptr;  // `predicateType`
  const rapidjson::Value* predicate = nullptr;       // `predicate`
};

// Fills `out` (whose pointers point into out.doc: do not copy it).
void read_statement(std::string_view json, const JsonOptions& options, StatementRead& out);

}  // namespace mplp
