// Field checks shared by the provenance gates (SSOT-01, REAL-QUALIFY-01,
// DET-01, CONSISTENCY-01, ATTESTATION-01).
//
// These gates read the same kind of values (non-placeholder strings, hex
// pins, nested objects) out of `manifest.json` and `reports/runner.meta.json`
// and must word the same defect the same way, so the checks live here once.
// Every finding is located by file and JSON pointer; fields are named by
// their pointer ("/env_ref/runner_id"), and messages show the pointer with
// '.' for '/' ("env_ref.runner_id").
//
//   const rapidjson::Value* m = real_manifest_or_report(pack, info(), "ssot.manifest-unusable", sink);
//   if (m == nullptr) return;                 // reported (unusable) or skipped (not REAL)
//   FieldChecker c(info(), sink, "manifest.json");
//   const rapidjson::Value* env = c.object(m, "", "env_ref", "ssot.env-ref-missing", "...");
//   if (auto id = c.text(env, "/env_ref", "runner_id", "ssot.runner-id", "...")) use(*id);
#pragma once

#include <rapidjson/document.h>

#include <optional>
#include <string>
#include <string_view>

#include "core/finding.h"
#include "core/gate.h"
#include "core/pack.h"

namespace mplp {

// The message of the finding every provenance gate emits for a missing or
// unusable manifest (issue 2, section 6).
inline constexpr std::string_view kManifestUnusable = "manifest unusable: provenance cannot be established";

// Why the manifest is unusable ("manifest.json is missing", ...); "" when usable.
std::string manifest_state_text(const Pack& pack);

// Why a pack with a usable manifest is not INDEXABLE_REAL, as a skip reason.
std::string not_real_reason(const Pack& pack);

// For gates that apply to INDEXABLE_REAL packs only: returns the manifest
// object, or nullptr after either reporting an unusable manifest as
// `gate`'s `unusable_code` (provenance cannot be established, so the gate
// fails) or skipping a pack that is not INDEXABLE_REAL (saying why).
const rapidjson::Value* real_manifest_or_report(const Pack& pack, const GateInfo& gate, std::string_view unusable_code,
                                                FindingSink& sink);

// "missing" for nullptr, else the value as compact JSON (shortened).
std::string describe(const rapidjson::Value* v);

// The pointer of member `key` of the value at pointer `parent` ("" = root);
// the key is escaped (RFC 6901).
std::string child(std::string_view parent, std::string_view key);
// How messages name the value at `pointer`: "/env_ref/runner_id" -> "env_ref.runner_id".
std::string name_of(std::string_view pointer);

// Reports findings of one gate about the fields of one JSON file of the
// pack; each finding has its kind's severity (GateInfo::kinds).
class FieldChecker {
 public:
  FieldChecker(const GateInfo& gate, FindingSink& sink, std::string file)
      : gate_(gate), sink_(sink), file_(std::move(file)) {}

  // Reports one finding at JSON pointer `where` of this file.
  void report(std::string_view code, std::string where, std::string message, std::string expected,
              std::string actual, std::string_view hint);

  // The member `key` of `obj` when it is a JSON object; otherwise reports an
  // `code` ("is missing" / "is not an object") and returns nullptr.
  // `parent` is the JSON pointer of `obj` ("" for the document root).
  const rapidjson::Value* object(const rapidjson::Value* obj, std::string_view parent, std::string_view key,
                                 std::string_view code, std::string_view hint);

  // The member `key` of `obj` when it is a non-placeholder string; otherwise
  // reports an error `code` saying whether it is missing, null, a
  // placeholder or not a string, and returns nullopt.
  std::optional<std::string_view> text(const rapidjson::Value* obj, std::string_view parent, std::string_view key,
                                       std::string_view code, std::string_view hint);
  // The same for a value already looked up (nullptr = missing) at `pointer`.
  std::optional<std::string_view> text_value(const rapidjson::Value* v, const std::string& pointer,
                                             std::string_view code, std::string_view hint);

  // The member `key` of `obj` when it is a non-placeholder string accepted
  // by `valid` (e.g. is_runner_id); otherwise reports an error `code` with
  // `expected` (e.g. "a runner id") and returns nullopt.
  std::optional<std::string_view> matching(const rapidjson::Value* obj, std::string_view parent, std::string_view key,
                                           bool (*valid)(std::string_view), std::string_view expected,
                                           std::string_view code, std::string_view hint);

  const std::string& file() const { return file_; }
  FindingSink& sink() { return sink_; }

 private:
  const GateInfo& gate_;
  FindingSink& sink_;
  std::string file_;
};

}  // namespace mplp
