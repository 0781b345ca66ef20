// The inputs the fuzzers found (fuzz/regressions/<target>/), replayed in the
// ordinary g++ build too: each must now be refused cleanly, with the reason
// the fix gives. (scripts/test-stages/50-fuzz.sh also replays them through
// the fuzz targets, under the sanitizers, with every invariant.)
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <string>
#include <vector>

#include "core/json.h"
#include "core/registry.h"
#include "core/yaml_json.h"
#include "test_util.h"

namespace mplp {
namespace {

namespace fs = std::filesystem;

std::vector<std::string> regressions(const std::string& target) {
  std::vector<std::string> files;
  for (const auto& e : fs::directory_iterator(test::source_root() + "/fuzz/regressions/" + target))
    if (e.is_regular_file()) files.push_back(e.path().string());
  std::sort(files.begin(), files.end());
  return files;
}

// yaml-cpp passes ill-formed UTF-8 through; valijson's minLength/maxLength
// then read out of bounds (found by fuzz_registry and fuzz_runner_yaml), and
// the JSON it made did not re-parse (fuzz_yaml_json). yaml_to_json refuses it.
TEST(FuzzRegressions, YamlWithInvalidUtf8IsRefused) {
  std::vector<std::string> files;
  for (const char* t : {"registry", "runner_yaml", "yaml_json"})
    for (const std::string& f : regressions(t))
      if (f.find("utf8") != std::string::npos) files.push_back(f);
  ASSERT_GE(files.size(), 3u);
  for (const std::string& f : files) {
    YamlJson y;
    std::string err;
    EXPECT_FALSE(yaml_to_json(test::read_file(f), "x.yaml", y, err)) << f;
    EXPECT_NE(err.find("not valid UTF-8"), std::string::npos) << f << ": " << err;
    SubstrateRegistry reg;
    EXPECT_FALSE(parse_registry(test::read_file(f), "x.yaml", reg, err)) << f;
  }
}

TEST(FuzzRegressions, YamlInvalidUtf8InKeyIsRefused) {
  YamlJson y;
  std::string err;
  EXPECT_FALSE(yaml_to_json("ok: 1\n\xff\xfe: 2\n", "x.yaml", y, err));
  EXPECT_EQ(err.rfind("x.yaml:2:", 0), 0u) << err;
  EXPECT_TRUE(yaml_to_json("caf\xc3\xa9: \"\xe2\x82\xac\"\n", "x.yaml", y, err)) << err;  // valid UTF-8 passes
}

// yaml-cpp 0.7's LoadAll never returns on a stray flow indicator (a file
// holding just ","): endless empty documents, memory without bound (found
// by fuzz_registry, fuzz_runner_yaml and fuzz_yaml_json as timeouts).
TEST(FuzzRegressions, YamlStrayFlowIndicatorDoesNotHang) {
  std::vector<std::string> files;
  for (const char* t : {"registry", "runner_yaml", "yaml_json"})
    for (const std::string& f : regressions(t))
      if (f.find("hang") != std::string::npos) files.push_back(f);
  ASSERT_GE(files.size(), 4u);
  for (const std::string& f : files) {
    YamlJson y;
    std::string err;
    EXPECT_FALSE(yaml_to_json(test::read_file(f), "x.yaml", y, err)) << f;
  }
  YamlJson y;
  std::string err;
  EXPECT_FALSE(yaml_to_json("---\na: 1\n---\nb: 2\n", "x.yaml", y, err));
  EXPECT_EQ(err, "x.yaml:3:1: a second YAML document (one file holds one)");
  EXPECT_TRUE(yaml_to_json("a: 1\n...\n", "x.yaml", y, err)) << err;
  EXPECT_TRUE(yaml_to_json("# nothing\n", "x.yaml", y, err)) << err;
  EXPECT_TRUE(y.doc.IsNull());
}

// 1e400 overflowed to infinity, which no JSON text can hold.
TEST(FuzzRegressions, YamlFloatOverflowIsRefused) {
  YamlJson y;
  std::string err;
  EXPECT_FALSE(yaml_to_json(test::read_file(test::source_root() + "/fuzz/regressions/yaml_json/float-overflow-inf.yaml"),
                            "x.yaml", y, err));
  EXPECT_NE(err.find("number out of range"), std::string::npos) << err;
  EXPECT_TRUE(yaml_to_json("a: 1e300\nb: -1.5e-300\n", "x.yaml", y, err)) << err;
  EXPECT_DOUBLE_EQ(y.doc["a"].GetDouble(), 1e300);
}

// RapidJSON 1.1.0 decodes a lone low-surrogate escape into ill-formed UTF-8
// (ED B8 80), so parse_json accepts "\ude00" and the document holds bytes no
// JSON writer may emit (found by fuzz_json). Open: core/json.cpp must refuse
// it; enable this test with the fix.
TEST(FuzzRegressions, JsonLoneLowSurrogateIsRefused) {
  for (const char* text : {"\"\\ude00\"", "[\"a\\udfff\"]", "{\"\\udc00\": 1}"}) {
    JsonDoc doc;
    EXPECT_FALSE(parse_json(text, {}, doc)) << text;
  }
  JsonDoc doc;
  EXPECT_FALSE(parse_json(test::read_file(test::source_root() + "/fuzz/regressions/json/lone-low-surrogate.json"), {},
                          doc));
}

// RapidJSON 1.1.0's full-precision strtod normalises a zero significand with
// __builtin_clzll(0) (UBSan report in fuzz_json), so "0e-30" parses as a
// non-zero number that depends on the build (9.6e-240 with g++ -O2, 1.7e-49
// with -O0). Open: core/json.cpp must read these as zero; enable this test
// with the fix.
TEST(FuzzRegressions, JsonZeroWithNegativeExponentIsZero) {
  for (const char* text : {"0e-30", "-0e-30", "0.000e-300", "[0.0e-5, 0e-400]"}) {
    JsonDoc doc;
    ASSERT_TRUE(parse_json(text, {}, doc)) << text;
    const rapidjson::Value& v = doc.value.IsArray() ? doc.value[0] : doc.value;
    EXPECT_EQ(v.GetDouble(), 0.0) << text;
  }
}

// A string ending in a truncated UTF-8 sequence at the very end of the input
// made RapidJSON's validator read past the terminator (ASan heap overflow in
// fuzz_schema_manifest); parse_json pads its copy so the read stays inside.
TEST(FuzzRegressions, JsonTruncatedUtf8AtEndIsAnError) {
  JsonDoc doc;
  EXPECT_FALSE(parse_json(
      test::read_file(test::source_root() + "/fuzz/regressions/schema_manifest/truncated-utf8-at-end.json"), {}, doc));
  for (const char* text : {"\"\xf0", "\"\xe9", "\"\xf0\x9f", "[\"\xf0\x9f\x98"}) EXPECT_FALSE(parse_json(text, {}, doc));
}

// Numbers are converted with correct rounding, so writing a parsed document
// and parsing it again gives the same values (fuzz_json's invariant).
TEST(FuzzRegressions, JsonNumbersRoundTrip) {
  JsonDoc once, twice;
  ASSERT_TRUE(parse_json(test::read_file(test::source_root() + "/fuzz/regressions/json/roundtrip-125e-300.json"), {},
                         once));
  std::string text = to_compact_json(once.value, SIZE_MAX);
  ASSERT_TRUE(parse_json(text, {}, twice));
  EXPECT_EQ(to_compact_json(twice.value, SIZE_MAX), text);
  JsonDoc d;
  ASSERT_TRUE(parse_json("[125e-300, 18446744073709551615, -9223372036854775808, 1.5, 1e400]", {}, d) == false);
  EXPECT_NE(d.error.message.find("too big"), std::string::npos) << d.error.message;
  ASSERT_TRUE(parse_json("[125e-300, 18446744073709551615, -9223372036854775808, 1.5]", {}, d));
  EXPECT_EQ(d.value[0].GetDouble(), 1.25e-298);
  EXPECT_EQ(d.value[1].GetUint64(), 18446744073709551615ull);
  EXPECT_EQ(d.value[2].GetInt64(), INT64_MIN);
  EXPECT_EQ(d.value[3].GetDouble(), 1.5);
}

}  // namespace
}  // namespace mplp
