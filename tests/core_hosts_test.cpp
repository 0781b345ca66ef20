// Unit tests of core/hosts: host lists, wildcard entries and IP classes.
#include "core/hosts.h"

#include <gtest/gtest.h>

#include "core/policy.h"

namespace mplp {
namespace {

HostList list(const std::vector<std::string>& entries) {
  HostList l;
  std::string err;
  EXPECT_TRUE(HostList::compile(entries, l, err)) << err;
  return l;
}

std::string cls(std::string_view host) {
  auto ip = parse_ip_host(host);
  return ip ? std::string(to_string(ip_class(*ip))) + " " + ip->canonical : "name";
}

TEST(CoreHosts, ExactAndWildcardOnDotBoundary) {
  HostList l = list({"github.com", "*.github.com", "Lab.MPLP.io."});
  EXPECT_NE(l.match("github.com"), nullptr);
  EXPECT_NE(l.match("api.github.com"), nullptr);
  EXPECT_NE(l.match("a.b.github.com"), nullptr);
  EXPECT_NE(l.match("lab.mplp.io"), nullptr);
  EXPECT_NE(l.match("LAB.mplp.io."), nullptr);
  EXPECT_EQ(l.match("github.com.evil.example"), nullptr);
  EXPECT_EQ(l.match("evilgithub.com"), nullptr);
  EXPECT_EQ(l.match("xgithub.com"), nullptr);
  EXPECT_EQ(l.match(".github.com"), nullptr);
  EXPECT_EQ(l.match("githubXcom"), nullptr);
  EXPECT_EQ(l.match("mplp.io"), nullptr);
  HostList w = list({"*.vercel.app"});
  EXPECT_EQ(w.match("vercel.app"), nullptr);  // sub-domains only
  EXPECT_NE(w.match("x.vercel.app"), nullptr);
  EXPECT_EQ(*w.match("x.vercel.app"), "*.vercel.app");
}

TEST(CoreHosts, Ipv4Forms) {
  EXPECT_EQ(cls("127.0.0.1"), "loopback 127.0.0.1");
  EXPECT_EQ(cls("127.255.1.2"), "loopback 127.255.1.2");
  EXPECT_EQ(cls("2130706433"), "loopback 127.0.0.1");
  EXPECT_EQ(cls("0x7f.1"), "loopback 127.0.0.1");
  EXPECT_EQ(cls("0x7F000001"), "loopback 127.0.0.1");
  EXPECT_EQ(cls("0177.0.0.1"), "loopback 127.0.0.1");
  EXPECT_EQ(cls("127.1"), "loopback 127.0.0.1");
  EXPECT_EQ(cls("127.0.1"), "loopback 127.0.0.1");
  EXPECT_EQ(cls("10.1.2.3"), "private 10.1.2.3");
  EXPECT_EQ(cls("172.16.0.1"), "private 172.16.0.1");
  EXPECT_EQ(cls("172.31.255.255"), "private 172.31.255.255");
  EXPECT_EQ(cls("172.32.0.1"), "public 172.32.0.1");
  EXPECT_EQ(cls("172.15.0.1"), "public 172.15.0.1");
  EXPECT_EQ(cls("192.168.1.1"), "private 192.168.1.1");
  EXPECT_EQ(cls("192.169.1.1"), "public 192.169.1.1");
  EXPECT_EQ(cls("169.254.169.254"), "link-local 169.254.169.254");
  EXPECT_EQ(cls("0.0.0.0"), "unspecified 0.0.0.0");
  EXPECT_EQ(cls("0"), "unspecified 0.0.0.0");
  EXPECT_EQ(cls("0x0"), "unspecified 0.0.0.0");
  EXPECT_EQ(cls("8.8.8.8"), "public 8.8.8.8");
  EXPECT_EQ(cls("8.8.8.8."), "public 8.8.8.8");
  // Not IPv4: names, or numbers out of range (then a name, never allowed).
  EXPECT_EQ(cls("github.com"), "name");
  EXPECT_EQ(cls("1.2.3.4.5"), "name");
  EXPECT_EQ(cls("256.0.0.1"), "name");
  EXPECT_EQ(cls("4294967296"), "name");
  EXPECT_EQ(cls("99999999999999999999999"), "name");
  EXPECT_EQ(cls("09.1.1.1"), "name");  // 09 is bad octal
  EXPECT_EQ(cls("1.2.3.a"), "name");
  EXPECT_EQ(cls("a.1"), "name");       // WHATWG: a numeric last label makes it an (invalid) IPv4
  EXPECT_EQ(cls("1.2.3.0x"), "public 1.2.3.0");
}

TEST(CoreHosts, Ipv6Forms) {
  EXPECT_EQ(cls("[::1]"), "loopback [::1]");
  EXPECT_EQ(cls("[0:0:0:0:0:0:0:1]"), "loopback [::1]");
  EXPECT_EQ(cls("[::]"), "unspecified [::]");
  EXPECT_EQ(cls("[fe80::1%eth0]"), "link-local [fe80::1]");
  EXPECT_EQ(cls("[febf::1]"), "link-local [febf::1]");
  EXPECT_EQ(cls("[fc00::1]"), "private [fc00::1]");
  EXPECT_EQ(cls("[fd12:3456::1]"), "private [fd12:3456::1]");
  EXPECT_EQ(cls("[::ffff:127.0.0.1]"), "loopback [::ffff:127.0.0.1]");
  EXPECT_EQ(cls("[::ffff:7f00:1]"), "loopback [::ffff:127.0.0.1]");
  EXPECT_EQ(cls("[::ffff:10.0.0.1]"), "private [::ffff:10.0.0.1]");
  EXPECT_EQ(cls("[::ffff:169.254.1.1]"), "link-local [::ffff:169.254.1.1]");
  EXPECT_EQ(cls("[::ffff:8.8.8.8]"), "public [::ffff:8.8.8.8]");
  EXPECT_EQ(cls("[64:ff9b::7f00:1]"), "loopback [64:ff9b::7f00:1]");
  EXPECT_EQ(cls("[2002:c0a8:0101::1]"), "private [2002:c0a8:101::1]");
  EXPECT_EQ(cls("[2001:4860:4860::8888]"), "public [2001:4860:4860::8888]");
  EXPECT_EQ(cls("[not-an-ip]"), "name");
  EXPECT_EQ(cls("[]"), "name");
}

TEST(CoreHosts, IpClassEntriesAndIpExactEntries) {
  HostList f = list({"localhost", "ip:loopback", "ip:private", "ip:link-local", "ip:unspecified"});
  for (const char* h : {"localhost", "127.0.0.1", "2130706433", "0x7f.1", "[::1]", "10.0.0.1", "[fd00::1]",
                        "169.254.169.254", "[fe80::1]", "0.0.0.0", "[::]", "[::ffff:127.0.0.1]", "192.168.0.1"})
    EXPECT_NE(f.match(h), nullptr) << h;
  for (const char* h : {"8.8.8.8", "[2001:db8::1]", "github.com", "localhost.evil.io", "127.0.0.1.nip.io"})
    EXPECT_EQ(f.match(h), nullptr) << h;
  EXPECT_EQ(*f.match("[::1]"), "ip:loopback");
  HostList exact = list({"93.184.216.34", "[2001:db8::1]"});
  EXPECT_NE(exact.match("1572395042"), nullptr);  // same address, decimal
  EXPECT_NE(exact.match("[2001:0db8:0:0::1]"), nullptr);
  EXPECT_EQ(exact.match("93.184.216.35"), nullptr);
}

TEST(CoreHosts, InvalidEntriesAreRejected) {
  HostList l;
  std::string err;
  EXPECT_FALSE(HostList::compile({"ip:public-ish"}, l, err));
  EXPECT_NE(err.find("ip:public-ish"), std::string::npos);
  EXPECT_FALSE(HostList::compile({"*."}, l, err));
  EXPECT_FALSE(HostList::compile({"a.*.com"}, l, err));
  EXPECT_FALSE(HostList::compile({"*"}, l, err));
  // QA-34: entries no host can equal (hosts are compared without port, path
  // or userinfo) did nothing without a word.
  for (const char* never : {"evil.io:443", "a..b", ".a", "user@evil.io", "evil.io/x", "e vil.io", "::1", "[::1", "Z2l0aHViLmNvbQ=="}) {
    EXPECT_FALSE(HostList::compile({never}, l, err)) << never;
    EXPECT_NE(err.find(never), std::string::npos) << err;
  }
  EXPECT_FALSE(HostList::compile({"::1"}, l, err));
  EXPECT_NE(err.find("in brackets: [::1]"), std::string::npos) << err;
  // QA-54: a URL's host that is not ASCII is host.invalid, so no such entry
  // matches anything; the message asks for its A-labels.
  for (const char* unicode : {"b\xc3\xbc" "cher.de", "*.b\xc3\xbc" "cher.de", "\xe2\x80\x8b" "github.com", "a.\xff"}) {
    EXPECT_FALSE(HostList::compile({unicode}, l, err)) << unicode;
    EXPECT_NE(err.find("is not ASCII"), std::string::npos) << err;
    EXPECT_NE(err.find("xn--"), std::string::npos) << err;
  }
  for (const char* fine : {"[::1]", "127.0.0.1", "x_y.com", "-x.com", "xn--bcher-kva.de", "*.evil.io", "EVIL.io.", "0x7f000001"})
    EXPECT_TRUE(HostList::compile({fine}, l, err)) << fine << ": " << err;
  EXPECT_TRUE(HostList::compile({}, l, err));
  EXPECT_EQ(l.match("github.com"), nullptr);
}

TEST(CoreHosts, ForbiddenIsCheckedBeforeAllowed) {
  HostList forbidden = list({"*.evil.github.com", "ip:loopback"});
  HostList allowed = list({"github.com", "*.github.com", "127.0.0.1"});
  EXPECT_EQ(judge_host("api.github.com", forbidden, allowed).verdict, HostVerdict::Allowed);
  HostJudgement j = judge_host("x.evil.github.com", forbidden, allowed);
  EXPECT_EQ(j.verdict, HostVerdict::Forbidden);
  EXPECT_EQ(j.entry, "*.evil.github.com");
  EXPECT_EQ(judge_host("127.0.0.1", forbidden, allowed).verdict, HostVerdict::Forbidden);
  j = judge_host("0x7f.1", forbidden, allowed);
  EXPECT_EQ(j.verdict, HostVerdict::Forbidden);
  EXPECT_NE(j.note.find("127.0.0.1"), std::string::npos);
  EXPECT_EQ(judge_host("gitlab.com", forbidden, allowed).verdict, HostVerdict::NotAllowed);
}

TEST(CoreHosts, DefaultPolicyLists) {
  const Policy& p = default_policy();
  HostList f, a;
  std::string err;
  ASSERT_TRUE(HostList::compile(p.forbidden_hosts, f, err)) << err;
  ASSERT_TRUE(HostList::compile(p.allowed_hosts, a, err)) << err;
  for (const char* h : {"github.com", "api.github.com", "lab.mplp.io", "www.mplp.io", "docs.mplp.io",
                        "modelcontextprotocol.io"})
    EXPECT_EQ(judge_host(h, f, a).verdict, HostVerdict::Allowed) << h;
  for (const char* h : {"localhost", "app.vercel.app", "x.ngrok.io", "x.ngrok-free.app", "x.trycloudflare.com",
                        "127.0.0.1", "[::1]", "10.0.0.1", "172.16.0.1", "192.168.0.1", "[fc00::1]",
                        "169.254.0.1", "[fe80::1]", "0.0.0.0", "[::]", "[::ffff:127.0.0.1]", "2130706433",
                        "0x7f.1"})
    EXPECT_EQ(judge_host(h, f, a).verdict, HostVerdict::Forbidden) << h;
  for (const char* h : {"github.com.evil.example", "mplp.io", "evil.io", "8.8.8.8", "gitlab.com"})
    EXPECT_EQ(judge_host(h, f, a).verdict, HostVerdict::NotAllowed) << h;
  HostList r;
  ASSERT_TRUE(HostList::compile(p.allowed_registries, r, err)) << err;
  EXPECT_NE(r.match("docker.io"), nullptr);
  EXPECT_NE(r.match("mcr.microsoft.com"), nullptr);
  EXPECT_EQ(r.match("ghcr.io"), nullptr);
}

}  // namespace
}  // namespace mplp
