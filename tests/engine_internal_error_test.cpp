// Issue 17, point 5: a failed RapidJSON assertion inside a gate's work ends
// as an internal.error finding, as any other exception does, not as a crash
// (a `const char*` thrown, as before, escaped every catch of std::exception).
#include <gtest/gtest.h>
#include <rapidjson/document.h>

#include <thread>

#include "core/json.h"
#include "core/thread_pool.h"
#include "engine/check.h"
#include "engine/internal_error.h"

namespace mplp {
namespace {

// What a buggy gate might do: read a number as a string.
void misread(const rapidjson::Value& v) { (void)as_view(v); }

TEST(InternalError, RapidJsonAssertionIsCaughtWithItsCondition) {
  JsonDoc doc;
  ASSERT_TRUE(parse_json(R"({"runner_id": 20})", {}, doc));
  std::optional<std::string> what = run_caught([&] { misread(*member(doc.value, "runner_id")); });
  ASSERT_TRUE(what);
  EXPECT_EQ(*what, "RapidJSON assertion failed: IsString()");
  EXPECT_FALSE(run_caught([&] { (void)member(doc.value, "runner_id")->GetInt(); }));
}

TEST(InternalError, TheFindingSaysWhatFailed) {
  std::optional<std::string> what = run_caught([] { misread(rapidjson::Value(rapidjson::kArrayType)); });
  ASSERT_TRUE(what);
  Finding f = internal_error_finding(*what);
  EXPECT_EQ(f.code, "internal.error");
  EXPECT_EQ(f.severity, Severity::Error);
  EXPECT_EQ(f.message, "internal error in gate: RapidJSON assertion failed: IsString()");
  EXPECT_FALSE(f.hint.empty());
  // The engine documents the kind it reports, with the same severity.
  const FindingKind* kind = find_finding_kind("GATE-V2-SSOT-01", "internal.error");
  ASSERT_NE(kind, nullptr);
  EXPECT_EQ(kind->severity, f.severity);
}

// Gates run on the worker threads of the pool: the assertion crosses back to
// the caller as the same exception, which the engine's catch takes.
TEST(InternalError, AnAssertionOnAWorkerThreadReachesTheCaller) {
  ThreadPool pool(2);
  std::optional<std::string> what = run_caught([&] {
    parallel_for(pool, 8, [](std::size_t i) {
      if (i == 5) misread(rapidjson::Value(5));
    });
  });
  ASSERT_TRUE(what);
  EXPECT_EQ(*what, "RapidJSON assertion failed: IsString()");
}

}  // namespace
}  // namespace mplp
