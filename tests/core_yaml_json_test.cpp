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

// QA-34: a 16 MB flow list took 4 GB and 30 s before "too many nodes": the
// nodes are now counted while the text is first read, so the error comes at
// the node past the limit, with its place, before anything is built.
TEST(YamlBudget, NodesAreCountedBeforeTheDocumentIsBuilt) {
  std::string list = "version: \"2.0.0\"\nrunners: [";
  for (int i = 0; i < 3000000; ++i) list += i ? ",a" : "a";
  list += "]\n";
  YamlJson y;
  std::string err;
  EXPECT_FALSE(yaml_to_json(list, "big.yaml", y, err));
  // Node 200,001: the 199,996th item (after the map, two keys, a value, the list).
  EXPECT_EQ(err, "big.yaml:2:" + std::to_string(11 + 2 * 199995) + ": document has too many nodes");
  EXPECT_TRUE(yaml_to_json("a: [1, 2, 3]\n", "ok.yaml", y, err, 64, 6, 0)) << err;  // map, key, list, 3 items
  EXPECT_FALSE(yaml_to_json("a: [1, 2, 3, 4]\n", "no.yaml", y, err, 64, 6, 0));
  EXPECT_EQ(err, "no.yaml:1:14: document has too many nodes");
}

// QA-34: `!!binary Z2l0aHViLmNvbQ==` became the "host" Z2l0aHViLmNvbQ==, and
// `!!int "mcp"` the string mcp: a tag is read only where the value already is
// what it says; any other is an error naming its place.
TEST(YamlTags, OnlyTagsThatSayWhatTheValueIsAreRead) {
  YamlJson y;
  std::string err;
  ASSERT_TRUE(yaml_to_json("a: !!str 12\nb: !!int 7\nc: !!bool true\nd: !!float 1.5\ne: !!null ~\n"
                           "f: !!seq [1]\ng: !!map {h: 1}\ni: \"q\"\n",
                           "ok.yaml", y, err))
      << err;
  EXPECT_TRUE(y.doc["a"].IsString());
  EXPECT_EQ(y.doc["b"].GetInt64(), 7);
  EXPECT_TRUE(y.doc["c"].GetBool());
  EXPECT_DOUBLE_EQ(y.doc["d"].GetDouble(), 1.5);
  EXPECT_TRUE(y.doc["e"].IsNull());
  for (const auto& [text, place] : std::vector<std::pair<std::string, std::string>>{
           {"hosts: [!!binary Z2l0aHViLmNvbQ==]\n", "t.yaml:1:9: the tag !!binary"},
           {"version: !custom 1\n", "t.yaml:1:10: the tag !custom"},
           {"id: !!int \"mcp\"\n", "t.yaml:1:5: the tag !!int"},
           {"on: !!bool yes\n", "t.yaml:1:5: the tag !!bool"},
           {"l: !!map [1]\n", "t.yaml:1:4: the tag !!map"},
           {"x: !<tag:example.com,2000:t> 1\n", "t.yaml:1:4: the tag tag:example.com,2000:t"},
           {"!custom hosts: 1\n", "t.yaml:1:1: the tag !custom"},  // QA-35: keys too
           {"? !!binary aG9zdHM=\n: 1\n", "t.yaml:1:3: the tag !!binary"}}) {
    EXPECT_FALSE(yaml_to_json(text, "t.yaml", y, err)) << text;
    EXPECT_EQ(err.rfind(place, 0), 0u) << err;
  }
}

// A file holds one document; a second is an error naming the line where it
// starts (after "---", or what a stray indicator begins), and one document
// with an explicit start or end marker is still one.
TEST(YamlDocuments, ASecondDocumentIsNamedByItsLine) {
  YamlJson y;
  std::string err;
  EXPECT_FALSE(yaml_to_json("a: 1\nb: 2\n---\nc: 3\n", "two.yaml", y, err));
  EXPECT_EQ(err, "two.yaml:3:1: a second YAML document (one file holds one)");
  EXPECT_FALSE(yaml_to_json("a: 1\n...\n\n\n,\n", "stray.yaml", y, err));
  EXPECT_EQ(err, "stray.yaml:5:1: a second YAML document (one file holds one)");
  // A file holding just ",": no second document, a stray comma (QA-49).
  EXPECT_FALSE(yaml_to_json(",\n", "comma.yaml", y, err));
  EXPECT_EQ(err, "comma.yaml:1:1: invalid YAML: a stray ',' outside a flow collection ([ ] or { })");
  err.clear();
  EXPECT_TRUE(yaml_to_json("---\na: 1\n...\n", "one.yaml", y, err)) << err;
  EXPECT_TRUE(yaml_to_json("", "empty.yaml", y, err)) << err;
}

// Nesting past yaml-cpp's own recursion guard (about 500 levels) is named as
// nesting, with its place; yaml-cpp's message for it is "bad file".
TEST(YamlDepth, PastTheReadersGuardTheErrorSaysNesting) {
  YamlJson y;
  std::string err;
  for (int levels : {600, 5000}) {
    const std::string deep = "a: " + std::string(levels, '[') + std::string(levels, ']') + "\n";
    EXPECT_FALSE(yaml_to_json(deep, "deep.yaml", y, err, 100000, 1000000, 0));
    EXPECT_EQ(err.rfind("deep.yaml:1:", 0), 0u) << err;
    EXPECT_NE(err.find("nested deeper than the YAML reader allows"), std::string::npos) << err;
    EXPECT_EQ(err.find("bad file"), std::string::npos) << err;
  }
  // Within both limits it loads; past ours it says ours.
  EXPECT_TRUE(yaml_to_json("a: [[[1]]]\n", "ok.yaml", y, err, 64, 1000000, 0)) << err;
  EXPECT_FALSE(yaml_to_json("a: " + std::string(100, '[') + std::string(100, ']'), "d.yaml", y, err, 64, 1000000, 0));
  EXPECT_NE(err.find("nesting deeper than 64"), std::string::npos) << err;
}

}  // namespace
}  // namespace mplp
