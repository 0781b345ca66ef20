// Issue 17, point 5, through the built binary: the reasons RapidJSON's
// handler stops for (a lone surrogate escape, a number beyond a double)
// reach the user by name, not as "Terminate parsing due to Handler error.".
#include <gtest/gtest.h>

#include "core/json.h"
#include "test_util.h"

namespace mplp {
namespace {

using test::run_tool;
using test::TempDir;

constexpr const char* kHandlerStop = "Terminate parsing due to Handler error.";

// The good pack with `member` (JSON text) put first in its manifest.
std::string pack_with_manifest_member(const TempDir& t, const std::string& name, const std::string& member) {
  std::string p = test::copy_good_pack(t, name);
  std::string m = test::read_file(p + "/manifest.json");
  std::size_t brace = m.find('{');
  EXPECT_NE(brace, std::string::npos);
  test::write_file(p + "/manifest.json", m.substr(0, brace + 1) + member + ", " + m.substr(brace + 1));
  return p;
}

// The json.invalid finding of manifest.json in a JSON report.
const rapidjson::Value* manifest_finding(const rapidjson::Value& report) {
  for (const auto& pack : report["packs"].GetArray())
    for (const auto& gate : pack["gates"].GetArray())
      for (const auto& f : gate["findings"].GetArray())
        if (as_view(f["code"]) == "json.invalid" && as_view(f["file"]) == "manifest.json") return &f;
  return nullptr;
}

struct Case {
  const char* name;
  std::string member;
  std::string message;
};

TEST(JsonErrorsCli, HandlerReasonsReachTheUser) {
  const std::vector<Case> cases = {
      {"lone-surrogate", R"("note": "\ude00")", "string escape decodes to invalid Unicode (lone surrogate)"},
      {"lone-surrogate-key", R"("\udc00x": 1)", "string escape decodes to invalid Unicode (lone surrogate)"},
      {"too-big", R"("n": 1e400)", "Number too big to be stored in double."},
      {"too-big-rounded", R"("n": 17976931348623159e292)", "Number too big to be stored in double."},
      {"too-big-negative", R"("n": [0, -1e309])", "Number too big to be stored in double."},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    TempDir t;
    std::string p = pack_with_manifest_member(t, c.name, c.member);
    auto text = run_tool({"check", p});
    EXPECT_EQ(text.exit_code, 1) << text.out << text.err;
    EXPECT_NE(text.out.find("not valid JSON: " + c.message), std::string::npos) << text.out;
    EXPECT_EQ(text.out.find(kHandlerStop), std::string::npos) << text.out;
    EXPECT_EQ(text.out.find("internal error"), std::string::npos) << text.out;

    auto json = run_tool({"check", "--format", "json", p});
    EXPECT_EQ(json.exit_code, 1) << json.err;
    JsonDoc report;
    ASSERT_TRUE(parse_json(json.out, {}, report)) << report.error.message;
    const rapidjson::Value* f = manifest_finding(report.value);
    ASSERT_NE(f, nullptr) << json.out;
    EXPECT_EQ(as_view((*f)["message"]), "not valid JSON: " + c.message);
    EXPECT_EQ(json.out.find(kHandlerStop), std::string::npos);
  }
}

}  // namespace
}  // namespace mplp
