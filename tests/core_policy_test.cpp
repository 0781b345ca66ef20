#include <gtest/gtest.h>

#include "core/policy.h"
#include "core/text.h"

namespace mplp {
namespace {

using namespace std::string_literals;

TEST(Policy, DefaultHasSpecDefaults) {
  const Policy& p = default_policy();
  EXPECT_EQ(p.limits.max_file_size, 2ull * 1024 * 1024 * 1024);
  EXPECT_EQ(p.limits.max_files_per_pack, 100000u);
  EXPECT_EQ(p.limits.max_json_depth, 256u);
  EXPECT_EQ(p.limits.max_findings_per_pack, 10000u);
  auto has = [](const std::vector<std::string>& v, const std::string& s) {
    return std::find(v.begin(), v.end(), s) != v.end();
  };
  for (const char* h : {"github.com", "*.github.com", "lab.mplp.io", "www.mplp.io", "docs.mplp.io",
                        "modelcontextprotocol.io"})
    EXPECT_TRUE(has(p.allowed_hosts, h)) << h;
  for (const char* h : {"localhost", "*.vercel.app", "*.ngrok.io", "*.ngrok-free.app", "*.trycloudflare.com"})
    EXPECT_TRUE(has(p.forbidden_hosts, h)) << h;
  EXPECT_TRUE(p.gate_enabled("GATE-V2-SSOT-01"));
}

TEST(Policy, EmptyFileMeansDefaults) {
  Policy p;
  std::string err;
  ASSERT_TRUE(parse_policy("", "p.yaml", p, err)) << err;
  EXPECT_EQ(p.allowed_hosts, default_policy().allowed_hosts);
  EXPECT_EQ(p.source, "p.yaml");
}

TEST(Policy, OverridesListsLimitsAndGates) {
  Policy p;
  std::string err;
  ASSERT_TRUE(parse_policy("version: 1\n"
                           "hosts:\n  allowed: [example.org]\n"
                           "gates:\n  GATE-V2-DET-01:\n    enabled: false\n"
                           "  GATE-V2-INTEGRITY-01:\n    severity: warning\n"
                           "limits:\n  max_json_depth: 16\n  max_findings_per_pack: 50\n",
                           "p.yaml", p, err))
      << err;
  EXPECT_EQ(p.allowed_hosts, std::vector<std::string>{"example.org"});
  EXPECT_EQ(p.forbidden_hosts, default_policy().forbidden_hosts);  // untouched keys keep defaults
  EXPECT_FALSE(p.gate_enabled("GATE-V2-DET-01"));
  EXPECT_EQ(p.adjust("GATE-V2-INTEGRITY-01", Severity::Error), Severity::Warning);
  EXPECT_EQ(p.adjust("GATE-V2-INTEGRITY-01", Severity::Info), Severity::Info);
  EXPECT_EQ(p.adjust("GATE-V2-SSOT-01", Severity::Error), Severity::Error);
  EXPECT_EQ(p.limits.max_json_depth, 16u);
  EXPECT_EQ(p.limits.max_findings_per_pack, 50u);
  EXPECT_EQ(p.limits.max_files_per_pack, default_policy().limits.max_files_per_pack);
  EXPECT_EQ(p.gates.at("GATE-V2-DET-01").line, 5);
}

struct BadPolicy {
  std::string yaml;
  std::string expect;  // substring of the error, which must also name file:line
};

class PolicyErrors : public ::testing::TestWithParam<BadPolicy> {};

TEST_P(PolicyErrors, NameFileLineAndKey) {
  Policy p;
  std::string err;
  EXPECT_FALSE(parse_policy(GetParam().yaml, "bad.yaml", p, err));
  EXPECT_NE(err.find("bad.yaml:"), std::string::npos) << err;
  EXPECT_NE(err.find(GetParam().expect), std::string::npos) << err;
}

INSTANTIATE_TEST_SUITE_P(
    All, PolicyErrors,
    ::testing::Values(BadPolicy{"hosts:\n  alowed: [a.com]\n", "hosts.alowed"},
                      BadPolicy{"limits:\n  max_json_depth: -1\n", "limits.max_json_depth"},
                      BadPolicy{"limits:\n  max_file_size: 0\n", "limits.max_file_size"},
                      BadPolicy{"limits:\n  max_findings_per_pack: 0\n", "limits.max_findings_per_pack"},
                      BadPolicy{"limits:\n  max_files_per_pack: lots\n", "limits.max_files_per_pack"},
                      BadPolicy{"gates:\n  GATE-V2-DET-01:\n    enabled: maybe\n", "gates.GATE-V2-DET-01.enabled"},
                      BadPolicy{"gates:\n  GATE-V2-DET-01:\n    severity: fatal\n", "severity"},
                      BadPolicy{"gates:\n  SSOT:\n    enabled: false\n", "gates.SSOT"},
                      BadPolicy{"gates:\n  ssot-01:\n    enabled: false\n",
                                "gate ids look like GATE-V2-SSOT-01 (did you mean GATE-V2-SSOT-01?)"},
                      BadPolicy{"hosts:\n  allowed: github.com\n", "hosts.allowed"},
                      BadPolicy{"hosts:\n  allowed: [\"a b\"]\n", "hosts.allowed"},
                      // DNS's limits (RFC 1035): 253 bytes a name, 63 a label.
                      BadPolicy{"hosts:\n  allowed: [" + std::string(250, 'a') + ".com]\n",
                                "...' is 254 bytes long: a host name has at most 253"},
                      BadPolicy{"hosts:\n  forbidden: [" + std::string(64, 'a') + ".com]\n",
                                "has a label of 64 bytes: a label has at most 63"},
                      BadPolicy{"hosts:\n  allowed: [\"*." + std::string(64, 'b') + "\"]\n", "a label of 64 bytes"},
                      // Under "*." a label comes in front: 252 bytes match nothing.
                      BadPolicy{"hosts:\n  allowed: [\"*." + std::string(63, 'c') + "." + std::string(63, 'c') + "." +
                                    std::string(63, 'c') + "." + std::string(60, 'c') + "\"]\n",
                                "is 252 bytes long after '*.': a host name has at most 253"},
                      // Not ASCII: a URL with such a host is host.invalid, so it matches nothing.
                      BadPolicy{"hosts:\n  allowed: [" + std::string(200, 'd') + ".\xc3\xbc]\n", "is not ASCII"},
                      BadPolicy{"hosts:\n  forbidden: [\"b\xc3\xbc" "cher.de\"]\n", "hosts.forbidden"},
                      BadPolicy{"version: 2\n", "version"},
                      // One range for 0 and a value under the minimum (QA-56).
                      BadPolicy{"limits:\n  container_memory: 1048576\n",
                                "limits.container_memory': must be between 16777216 and 1125899906842624 (bytes: "
                                "16 MiB at least)"},
                      BadPolicy{"limits:\n  container_memory: 0\n",
                                "limits.container_memory': must be between 16777216 and 1125899906842624 (bytes: "
                                "16 MiB at least)"},
                      BadPolicy{"limits:\n  container_memory: 8G\n", "limits.container_memory"},
                      BadPolicy{"limits:\n  container_pids: 0\n", "limits.container_pids"},
                      BadPolicy{"- a\n- b\n", "expected a mapping"},
                      BadPolicy{"hosts: [\n", "invalid YAML"},
                      BadPolicy{"surprise: 1\n", "surprise"},
                      BadPolicy{"runners:\n  trusted_base: [debian-12]\n", "runners.trusted_base"},
                      BadPolicy{"runners:\n  trusted_bases: debian-12\n", "runners.trusted_bases"},
                      BadPolicy{"runners:\n  trusted_bases: [\"../x\"]\n", "runners.trusted_bases"},
                      BadPolicy{"runners:\n  build_network: [Node]\n", "runners.build_network"},
                      BadPolicy{"runners:\n  build_network: [[a]]\n", "runners.build_network"},
                      // A quoted or tagged string is not a boolean or a number:
                      // "false" taken for false would turn a gate off by a typo.
                      BadPolicy{"gates:\n  GATE-V2-DET-01:\n    enabled: \"false\"\n",
                                "enabled': expected true or false, got the string \"false\""},
                      BadPolicy{"gates:\n  GATE-V2-DET-01:\n    enabled: 'true'\n", "got the string \"true\""},
                      BadPolicy{"gates:\n  GATE-V2-DET-01:\n    enabled: !!str false\n", "got the string"},
                      BadPolicy{"gates:\n  GATE-V2-DET-01:\n    enabled: yes\n", "expected true or false, got 'yes'"},
                      BadPolicy{"trust:\n  require_signature: \"true\"\n", "trust.require_signature"},
                      BadPolicy{"limits:\n  max_file_size: \"10\"\n", "got the string \"10\""},
                      BadPolicy{"limits:\n  max_json_depth: !!str 10\n", "limits.max_json_depth"}));

// What a container of `run` may use: the defaults, and a policy's own.
TEST(Policy, ContainerLimits) {
  EXPECT_EQ(default_policy().limits.container_memory, 8ull << 30);
  EXPECT_EQ(default_policy().limits.container_pids, 4096u);
  Policy p;
  std::string err;
  ASSERT_TRUE(parse_policy("limits:\n  container_memory: 16777216\n  container_pids: 1\n", "p.yaml", p, err)) << err;
  EXPECT_EQ(p.limits.container_memory, 16777216u);
  EXPECT_EQ(p.limits.container_pids, 1u);
}

// At the limits of DNS, hosts are still accepted.
TEST(Policy, HostsAtDnsLimitsAreAccepted) {
  std::string label(63, 'a'), name = label + "." + label + "." + label + "." + std::string(61, 'b');  // 253 bytes
  Policy p;
  std::string err;
  EXPECT_TRUE(parse_policy("hosts:\n  allowed: [" + name + ", \"*." + label + ".io\", xn--bcher-kva.de]\n", "p.yaml", p,
                           err))
      << err;
  EXPECT_EQ(p.allowed_hosts.size(), 3u);
}

// Booleans and numbers as YAML's core schema writes them, plain or tagged.
TEST(Policy, BooleansAndNumbersInEveryCoreSchemaSpelling) {
  for (const char* f : {"false", "False", "FALSE", "!!bool false"}) {
    Policy p;
    std::string err;
    ASSERT_TRUE(parse_policy(std::string("gates:\n  GATE-V2-DET-01:\n    enabled: ") + f + "\n", "p.yaml", p, err))
        << f << ": " << err;
    EXPECT_FALSE(p.gates.at("GATE-V2-DET-01").enabled) << f;
  }
  for (const char* t : {"true", "True", "TRUE", "!!bool true"}) {
    Policy p;
    std::string err;
    ASSERT_TRUE(parse_policy(std::string("trust:\n  require_signature: ") + t + "\n", "p.yaml", p, err)) << t << ": " << err;
    EXPECT_TRUE(p.require_signature) << t;
  }
  Policy p;
  std::string err;
  ASSERT_TRUE(parse_policy("limits:\n  max_json_depth: !!int 12\n", "p.yaml", p, err)) << err;
  EXPECT_EQ(p.limits.max_json_depth, 12u);
}

// Runner definitions are untrusted: nothing is trusted by default.
TEST(Policy, RunnersTrustNothingByDefaultAndNameIdsWhenTold) {
  EXPECT_TRUE(default_policy().runners.trusted_bases.empty());
  EXPECT_TRUE(default_policy().runners.build_network.empty());
  EXPECT_FALSE(default_policy().runners.allows_build_network("node-20"));
  Policy p;
  std::string err;
  ASSERT_TRUE(parse_policy("runners:\n  trusted_bases: [debian-12]\n  build_network: [node-20, dotnet-8]\n", "p.yaml",
                           p, err))
      << err;
  EXPECT_EQ(p.runners.trusted_bases, std::vector<std::string>{"debian-12"});
  EXPECT_TRUE(p.runners.allows_build_network("dotnet-8"));
  EXPECT_FALSE(p.runners.allows_build_network("python-3.11"));
}

TEST(Policy, ErrorLineNumbersAreRight) {
  Policy p;
  std::string err;
  EXPECT_FALSE(parse_policy("version: 1\nhosts:\n  allowed: [a.com]\n  forbiden: [b.com]\n", "x.yaml", p, err));
  EXPECT_NE(err.find("x.yaml:4:"), std::string::npos) << err;
}

// Issue 13, point 5: the policy takes the strict YAML path of every other
// input; yaml-cpp alone keeps the last of two equal keys without a word.
TEST(Policy, DuplicateKeyIsAnErrorNamingItsLine) {
  Policy p;
  std::string err;
  EXPECT_FALSE(parse_policy("version: 1\nhosts:\n  allowed: [a.com]\n  allowed: [b.com]\n", "d.yaml", p, err));
  EXPECT_NE(err.find("d.yaml:4:"), std::string::npos) << err;
  EXPECT_NE(err.find("duplicate key 'allowed'"), std::string::npos) << err;
  EXPECT_FALSE(parse_policy("limits:\n  max_json_depth: 9\nlimits: {}\n", "top.yaml", p, err));
  EXPECT_NE(err.find("top.yaml:3:"), std::string::npos) << err;
  EXPECT_FALSE(parse_policy("version: 1\n---\nversion: 1\n", "two.yaml", p, err));
  EXPECT_NE(err.find("two.yaml"), std::string::npos) << err;
}

// A policy is UTF-8 text, comments included: a Latin-1 comment, UTF-16 or a
// NUL byte is an error naming the place (the policy travels inside every
// shard report, and merge compares it byte for byte).
TEST(Policy, OnlyUtf8TextIsAPolicy) {
  Policy p;
  std::string err;
  EXPECT_TRUE(parse_policy("# caf\xc3\xa9\n", "p.yaml", p, err)) << err;
  const std::pair<std::string, std::string> bad[] = {
      {"# ok\n# caf\xe9\n", "p.yaml:2:6: not UTF-8 text (byte 10 is \\xe9)"},
      {"\xff\xfes\0t\0", "p.yaml:1:1: not UTF-8 text (byte 0 is \\xff)"},
      {"s\0t\0r\0"s, "p.yaml:1:2: not text (byte 1 is NUL)"},
      {"a: 1\nb: \xed\xa0\x80\n", "p.yaml:2:4: not UTF-8 text (byte 8 is \\xed)"},
      {"# a\r# b\r\n# \xe9", "p.yaml:3:3: not UTF-8 text (byte 11 is \\xe9)"},
  };
  for (const auto& [yaml, message] : bad) {
    EXPECT_FALSE(parse_policy(yaml, "p.yaml", p, err)) << printable_ascii(yaml);
    EXPECT_EQ(err.rfind(message, 0), 0u) << err;
  }
}

TEST(Policy, LoadFileMissingNamesTheFile) {
  Policy p;
  std::string err;
  EXPECT_FALSE(load_policy_file("/nonexistent/policy.yaml", p, err));
  EXPECT_NE(err.find("/nonexistent/policy.yaml"), std::string::npos);
}

// Issue 14, point 5: `extends: default` extends lists; suppress entries need a reason.
TEST(Policy, ExtendsDefaultExtendsListsAndReplacesScalars) {
  Policy alone, extended;
  std::string err;
  ASSERT_TRUE(parse_policy("hosts:\n  allowed: [example.org]\nlimits:\n  max_json_depth: 9\n", "a.yaml", alone, err))
      << err;
  EXPECT_EQ(alone.allowed_hosts, std::vector<std::string>{"example.org"}) << "stand-alone: the list replaces";
  ASSERT_TRUE(parse_policy("extends: default\nhosts:\n  allowed: [example.org, github.com]\n  forbidden: [evil.test]\n"
                           "limits:\n  max_json_depth: 9\n",
                           "b.yaml", extended, err))
      << err;
  std::vector<std::string> allowed = default_policy().allowed_hosts;
  allowed.push_back("example.org");  // github.com was there already: listed once
  EXPECT_EQ(extended.allowed_hosts, allowed);
  EXPECT_EQ(extended.forbidden_hosts.back(), "evil.test");
  EXPECT_EQ(extended.forbidden_hosts.size(), default_policy().forbidden_hosts.size() + 1);
  EXPECT_EQ(extended.limits.max_json_depth, 9u) << "scalars replace";
  Policy bad;
  EXPECT_FALSE(parse_policy("extends: strict\n", "c.yaml", bad, err));
  EXPECT_NE(err.find("c.yaml:1:10: key 'extends'"), std::string::npos) << err;
}

TEST(Policy, SuppressEntriesNeedACodeAndAReason) {
  Policy p;
  std::string err;
  ASSERT_TRUE(parse_policy("suppress:\n  - code: sums.unlisted\n    path: reports/*.json\n    pack: 'mcp-*'\n"
                           "    reason: added after sealing upstream\n",
                           "p.yaml", p, err))
      << err;
  ASSERT_EQ(p.suppressions.size(), 1u);
  const Suppression& s = p.suppressions[0];
  EXPECT_EQ(s.where, "p.yaml:2:5");
  EXPECT_TRUE(s.matches("sums.unlisted", "reports/evaluation.report.json", "mcp-d1-real-runner-001"));
  EXPECT_TRUE(s.matches("sums.unlisted", "reports/sub/x.json", "mcp-x")) << "* crosses /";
  EXPECT_FALSE(s.matches("sums.unlisted", "artifacts/x.json", "mcp-x"));
  EXPECT_FALSE(s.matches("sums.unlisted", "reports/x.json", "langchain-x"));
  EXPECT_FALSE(s.matches("sums.mismatch", "reports/x.json", "mcp-x"));
  Suppression any{"sums.*", "", "", "r", ""};
  EXPECT_TRUE(any.matches("sums.mismatch", "x", "y"));
  for (const char* bad : {"suppress:\n  - code: sums.unlisted\n", "suppress:\n  - code: sums.unlisted\n    reason: ''\n",
                          // Blanks, or a zero-width space, are no reason (QA-54).
                          "suppress:\n  - code: sums.unlisted\n    reason: '   '\n",
                          "suppress:\n  - code: sums.unlisted\n    reason: \"\\t\\u200b \"\n",
                          "suppress:\n  - code: ' '\n    reason: why\n",
                          "suppress:\n  - reason: why\n", "suppress:\n  - code: a\n    reason: b\n    when: now\n",
                          "suppress: sums.unlisted\n"}) {
    Policy q;
    EXPECT_FALSE(parse_policy(bad, "q.yaml", q, err)) << bad;
    EXPECT_NE(err.find("q.yaml:"), std::string::npos) << err;
  }
  EXPECT_FALSE(parse_policy("suppress:\n  - code: sums.unlisted\n", "q.yaml", p, err));
  EXPECT_NE(err.find("needs a reason"), std::string::npos) << err;
}

}  // namespace
}  // namespace mplp
