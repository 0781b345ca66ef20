// Unit tests of core/yaml_json's expansion budget: YAML aliases repeat what
// they name, so the bytes of the result, not the nodes, bound memory.
#include "core/yaml_json.h"

#include <gtest/gtest.h>

namespace mplp {
namespace {

TEST(YamlBudget, AliasesCountTowardsTheExpandedSize) {
  std::string bomb = "a: &a \"" + std::string(1000, 'x') + "\"\nb: [*a, *a, *a, *a, *a, *a, *a, *a]\n";
  YamlJson y;
  std::string err;
  EXPECT_TRUE(yaml_to_json(bomb, "b.yaml", y, err, 64, 1000000, 0)) << err;
  EXPECT_FALSE(yaml_to_json(bomb, "b.yaml", y, err, 64, 1000000, 5000));
  EXPECT_NE(err.find("b.yaml:"), std::string::npos) << err;
  EXPECT_NE(err.find("expands to more than 5000 bytes"), std::string::npos) << err;
  // Keys that are aliases count too.
  std::string keys = "k: &k \"" + std::string(4000, 'y') + "\"\nm: {*k : 1}\n";
  EXPECT_FALSE(yaml_to_json(keys, "k.yaml", y, err, 64, 1000000, 9000)) << "accepted";
}

TEST(YamlBudget, DefaultGrowsWithTheInputAndNamesThePlace) {
  // A plain document as large as the budget's input term loads.
  std::string big = "k: \"" + std::string(4 << 20, 'z') + "\"\n";
  YamlJson y;
  std::string err;
  EXPECT_TRUE(yaml_to_json(big, "big.yaml", y, err)) << err;
  // 200 copies of a 512 KiB string do not; the error names the repeated value.
  std::string bomb = "a: &a \"" + std::string(512 << 10, 'x') + "\"\nb: [";
  for (int i = 0; i < 200; ++i) bomb += i ? ", *a" : "*a";
  bomb += "]\n";
  EXPECT_FALSE(yaml_to_json(bomb, "bomb.yaml", y, err));
  EXPECT_EQ(err.rfind("bomb.yaml:1:4: document expands to more than", 0), 0u) << err;
}

}  // namespace
}  // namespace mplp
