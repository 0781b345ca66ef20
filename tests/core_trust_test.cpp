// The policy's `trust` section and core/trust.h: paths relative to the
// policy file, scopes, and errors that name the policy line and the key file.
#include <gtest/gtest.h>

#include "core/policy.h"
#include "core/trust.h"
#include "test_util.h"

namespace mplp {
namespace {

TEST(TrustPolicy, KeysResolveAgainstThePolicyDirectory) {
  Policy p;
  std::string err;
  ASSERT_TRUE(parse_policy("trust:\n"
                           "  require_signature: true\n"
                           "  keys:\n"
                           "    - path: keys/a.pub\n"
                           "      runners: [node-20, python-3.11]\n"
                           "    - path: /abs/b.pub\n"
                           "      substrates: [mcp]\n"
                           "    - path: ../c.pub\n",
                           "conf/policy.yaml", p, err))
      << err;
  EXPECT_TRUE(p.require_signature);
  ASSERT_EQ(p.trusted_keys.size(), 3u);
  EXPECT_EQ(p.trusted_keys[0].path, "conf/keys/a.pub");
  EXPECT_EQ(p.trusted_keys[1].path, "/abs/b.pub");
  EXPECT_EQ(p.trusted_keys[2].path, "c.pub");
  EXPECT_EQ(*p.trusted_keys[0].runners, (std::vector<std::string>{"node-20", "python-3.11"}));
  EXPECT_FALSE(p.trusted_keys[0].substrates.has_value());
  EXPECT_FALSE(p.trusted_keys[1].runners.has_value());
  EXPECT_EQ(p.trusted_keys[0].where, "conf/policy.yaml:4:13: trust.keys[0].path");
  // Without a directory in the policy's name, paths stay as written.
  ASSERT_TRUE(parse_policy("trust: {keys: [{path: k.pub}]}", "policy.yaml", p, err)) << err;
  EXPECT_EQ(p.trusted_keys[0].path, "k.pub");
  EXPECT_TRUE(default_policy().trusted_keys.empty());
  EXPECT_FALSE(default_policy().require_signature);
}

TEST(TrustPolicy, BadTrustSectionsNameLineAndKey) {
  struct Case {
    const char* yaml;
    const char* says;
  };
  const Case cases[] = {
      {"trust: [a]\n", "key 'trust': expected a mapping"},
      {"trust:\n  key: []\n", "trust.key': unknown key"},
      {"trust:\n  keys: {path: a}\n", "trust.keys': expected a list"},
      {"trust:\n  keys:\n    - a.pub\n", "trust.keys[0]': expected a mapping"},
      {"trust:\n  keys:\n    - runners: [x]\n", "trust.keys[0].path': expected the path"},
      {"trust:\n  keys:\n    - path: \"\"\n", "trust.keys[0].path'"},
      {"trust:\n  keys:\n    - path: a\n      runners: node-20\n", "trust.keys[0].runners': expected a list of ids"},
      {"trust:\n  keys:\n    - path: a\n      substrates: [\"Bad Id\"]\n", "trust.keys[0].substrates': expected an id"},
      {"trust:\n  keys:\n    - path: a\n      scope: x\n", "trust.keys[0].scope': unknown key"},
      {"trust:\n  require_signature: yes please\n", "trust.require_signature': expected true or false"},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.yaml);
    Policy p;
    std::string err;
    EXPECT_FALSE(parse_policy(c.yaml, "p.yaml", p, err));
    EXPECT_EQ(err.rfind("p.yaml:", 0), 0u) << err;
    EXPECT_NE(err.find(c.says), std::string::npos) << err;
  }
}

TEST(TrustStore, LoadsCommandLineAndPolicyKeysWithScopes) {
  test::TempDir tmp;
  // The policy names the key relative to itself (conf/../keys).
  test::copy_tree(test::fixture("keys"), tmp / "keys");
  test::write_file(tmp / "conf/policy.yaml", "trust:\n  keys:\n    - path: ../keys/test-ecdsa.pub\n"
                                             "      runners: [node-20]\n      substrates: [mcp]\n");
  Policy p;
  std::string err;
  ASSERT_TRUE(load_policy_file(tmp / "conf/policy.yaml", p, err)) << err;
  TrustStore t;
  ASSERT_TRUE(load_trust({test::fixture("keys/test-a.pub")}, p, t, err)) << err;
  ASSERT_EQ(t.keys.size(), 2u);
  EXPECT_EQ(t.keys[0].source, test::fixture("keys/test-a.pub"));
  EXPECT_TRUE(t.keys[0].allows("anything", "any"));
  EXPECT_EQ(t.keys[0].scope_text(), "any runner and substrate");
  EXPECT_EQ(t.keys[1].key.type(), KeyType::EcdsaP256);
  EXPECT_TRUE(t.keys[1].allows("node-20", "mcp"));
  EXPECT_FALSE(t.keys[1].allows("node-18", "mcp"));
  EXPECT_FALSE(t.keys[1].allows("node-20", "langchain"));
  EXPECT_EQ(t.keys[1].scope_text(), "runners [node-20], substrates [mcp]");
}

TEST(TrustStore, AKeyThatCannotBeUsedStopsTheRunNamingIt) {
  test::TempDir tmp;
  Policy p;
  std::string err;
  TrustStore t;
  EXPECT_FALSE(load_trust({test::fixture("keys/test-a.key")}, p, t, err));
  EXPECT_NE(err.find("--trusted-key: " + test::fixture("keys/test-a.key")), std::string::npos) << err;
  EXPECT_NE(err.find("holds a private key"), std::string::npos) << err;
  test::write_file(tmp / "p.yaml", "trust:\n  keys:\n    - path: missing.pub\n");
  ASSERT_TRUE(load_policy_file(tmp / "p.yaml", p, err)) << err;
  EXPECT_FALSE(load_trust({}, p, t, err));
  EXPECT_NE(err.find(tmp / "p.yaml:3:13: trust.keys[0].path: key file " + tmp.path() + "/missing.pub"),
            std::string::npos)
      << err;
}

}  // namespace
}  // namespace mplp
