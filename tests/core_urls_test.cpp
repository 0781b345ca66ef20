// Unit tests of core/urls: URL and host extraction over raw bytes.
#include "core/urls.h"

#include <gtest/gtest.h>

#include <random>

namespace mplp {
namespace {

using namespace std::string_literals;

std::vector<std::string> hosts(std::string_view text) {
  std::vector<std::string> out;
  for (const UrlOccurrence& u : find_urls(text)) out.push_back(u.error.empty() ? u.host : "!" + u.error);
  return out;
}

using V = std::vector<std::string>;

TEST(CoreUrls, FindsEverySchemeInAnyCase) {
  EXPECT_EQ(hosts("http://a.io https://b.io ws://c.io wss://d.io ftp://e.io git://f.io ssh://g.io"),
            (V{"a.io", "b.io", "c.io", "d.io", "e.io", "f.io", "g.io"}));
  EXPECT_EQ(hosts("HTTPS://GitHub.COM/x HtTp://X.Y"), (V{"github.com", "x.y"}));
  auto u = find_urls("see HTTPS://GitHub.COM/a/b?c#d now");
  ASSERT_EQ(u.size(), 1u);
  EXPECT_EQ(u[0].scheme, "https");
  EXPECT_EQ(u[0].url, "HTTPS://GitHub.COM/a/b?c#d");
  EXPECT_EQ(u[0].offset, 4u);
  EXPECT_EQ(u[0].column, 5u);
}

// may_hold_url is a pre-filter: whatever find_urls reports, it lets through.
TEST(CoreUrls, MayHoldUrlLetsThroughEverythingFindUrlsFinds) {
  for (const char* yes : {"https:/169.254.169.254/", "HTTP:x.io", "ws:\\\\h", "xftp:h", "git://h/r", "a@b:c",
                          "ssh://h", "see https:example.com", "FILE:\\\\h"})
    EXPECT_TRUE(may_hold_url(yes)) << yes;
  for (const char* no : {"C:\\Users", "12:30:00", "key: value", "no colon", "", ":", "mailto:x", "tcp:h"})
    EXPECT_FALSE(may_hold_url(no)) << no;
  for (const char* text : {"https:/1.2.3.4/", "wss:\\\\evil.example", "FTP:evil.example", "u@h.example:p",
                           "http://10.0.0.1/", "x https:/a.b y", "git@github.com:o/r", "12:30 and http:x.example",
                           "file:\\\\evil.example\\share"}) {
    EXPECT_FALSE(find_urls(text).empty()) << text;
    EXPECT_TRUE(may_hold_url(text)) << text;
  }
}

TEST(CoreUrls, LocalPathsAndPointersAreNotHosts) {
  EXPECT_TRUE(hosts("mplp://artifacts/plan.json file:///etc/passwd file://localhost/x FILE://LOCALHOST./y").empty());
  EXPECT_TRUE(hosts("file:/etc/x file:relative mailto:a@b urn:isbn:0451450523 tel:+1-555 data:text/plain,x").empty());
  EXPECT_TRUE(hosts("https//x.io C:\\Users\\x C:/x note:/tmp/x a:\\b std::string x::y \"https:\" http: ,").empty());
  // Non-special schemes need scheme://authority (RFC 3986).
  EXPECT_TRUE(hosts("sftp:/x.io s3:x.io ldap:\\\\x.io").empty());
}

TEST(CoreUrls, EverySchemeWithAnAuthorityCounts) {
  // RFC 3986: ALPHA *( ALPHA / DIGIT / "+" / "-" / "." ), any case.
  EXPECT_EQ(hosts("sftp://a.io ldap://b.io rsync://c.io s3://bucket/k SMB://d.io x-y.z+1://e.io"),
            (V{"a.io", "b.io", "c.io", "bucket", "d.io", "e.io"}));
  EXPECT_EQ(hosts("jdbc:mysql://db.internal:3306/x mongodb+srv://u:p@cluster.example/"),
            (V{"db.internal", "cluster.example"}));
  // The scheme is the whole run of scheme bytes, from its first letter.
  EXPECT_EQ(hosts("xhttps://evil.io 1http://f.io git+https://github.com/x -http://b.io"),
            (V{"evil.io", "f.io", "github.com", "b.io"}));
  auto u = find_urls("x git+https://github.com/x");
  ASSERT_EQ(u.size(), 1u);
  EXPECT_EQ(u[0].scheme, "git+https");
  EXPECT_EQ(u[0].offset, 2u);
  EXPECT_EQ(u[0].authority_offset, 14u);
  // file:// names a host unless it is empty or localhost.
  EXPECT_EQ(hosts("file://server.example/share file:\\\\10.0.0.1\\s"), (V{"server.example", "10.0.0.1"}));
}

TEST(CoreUrls, SpecialSchemesSkipAnyRunOfSlashesAndBackslashes) {
  // WHATWG URL parser: after http, https, ws, wss or ftp any run of slashes and backslashes
  // is skipped before the host, as browsers do.
  EXPECT_EQ(hosts("https:/evil.io/x https:\\\\evil.io https:\\/\\/evil.io HTTP:\\evil.io ws:///evil.io"),
            (V{"evil.io", "evil.io", "evil.io", "evil.io", "evil.io"}));
  EXPECT_EQ(hosts("ftp:////10.0.0.1/ wss:\\\\\\[::1]/"), (V{"10.0.0.1", "[::1]"}));
  // No slash at all is followed too, when what follows looks like a host.
  EXPECT_EQ(hosts("http:evil.io https:user@10.0.0.1:8/ http:localhost/"), (V{"evil.io", "10.0.0.1", "localhost"}));
  EXPECT_TRUE(hosts("http:true https: ws:x http:8080 ftp:anonymous").empty());
  auto u = find_urls("go https:\\\\evil.io\\x now");
  ASSERT_EQ(u.size(), 1u);
  EXPECT_EQ(u[0].scheme, "https");
  EXPECT_EQ(u[0].url, "https:\\\\evil.io\\x");
  EXPECT_EQ(u[0].authority_offset, 11u);
}

TEST(CoreUrls, AuthorityEndsAtEachSpecCharacter) {
  for (char c : std::string(" \t\r\n`/?#\"'<>\\{}|^(),;")) {
    std::string text = std::string("http://a.io") + c + "b.evil";
    EXPECT_EQ(hosts(text), (V{"a.io"})) << "end char 0x" << std::hex << static_cast<int>(c);
  }
  // Other bytes are part of the authority.
  EXPECT_EQ(hosts("http://a.io!b"), (V{"a.io!b"}));
  EXPECT_EQ(hosts("http://a.io*b"), (V{"a.io*b"}));
}

// QA-33: a browser reads the authority to / ? # or \, so a byte the prose
// reading ends it at is userinfo when an '@' follows: both hosts count.
TEST(CoreUrls, ABrowsersHostAfterAProseEndAlsoCounts) {
  for (char c : std::string("`\"'<>{}|^(),;")) {
    std::string text = std::string("http://github.com") + c + "@169.254.169.254/latest";
    EXPECT_EQ(hosts(text), (V{"github.com", "169.254.169.254"})) << "char 0x" << std::hex << static_cast<int>(c);
    EXPECT_EQ(hosts(text + " more"), (V{"github.com", "169.254.169.254"}));
  }
  EXPECT_EQ(hosts("https://github.com;x,y@10.0.0.5:8080/admin"), (V{"github.com", "10.0.0.5"}));
  EXPECT_EQ(hosts("wss://a.io|u@b.io?q"), (V{"a.io", "b.io"}));
  // The last '@' before the browser's end; its port is dropped.
  EXPECT_EQ(hosts("ftp://a.io(@x@evil.io:21#f"), (V{"a.io", "evil.io"}));
  // Inside a JSON string: the string's own quote ends the browser's reading.
  EXPECT_EQ(hosts("{\"u\":\"https://github.com|@127.0.0.1/\"}"), (V{"github.com", "127.0.0.1"}));
  // What stays one host: whitespace, / ? # \ or the opening quote before the '@'.
  EXPECT_EQ(hosts("https://github.com; mail me@evil.io/x"), (V{"github.com"}));
  EXPECT_EQ(hosts("https://github.com;/p@evil.io/"), (V{"github.com"}));
  EXPECT_EQ(hosts("https://github.com,?q=@evil.io"), (V{"github.com"}));
  EXPECT_EQ(hosts("{\"u\":\"https://github.com\",\"e\":\"a@evil.io\"}"), (V{"github.com"}));
  EXPECT_EQ(hosts("'https://github.com', 'x'@evil.io"), (V{"github.com"}));
  EXPECT_EQ(hosts("[t](https://github.com)@evil.io/"), (V{"github.com"}));
  // In quotes the quote ends the URL, not a blank: a browser drops tabs and
  // keeps spaces as userinfo (QA-35). A line end still ends it (windows of a
  // large file hold whole lines: the verdict must not depend on them).
  EXPECT_EQ(hosts("<a href=\"https://github.com @10.0.0.5/\">x</a>"), (V{"github.com", "10.0.0.5"}));
  EXPECT_EQ(hosts("<a href=\"https://github.com\n@10.0.0.5/\">x</a>"), (V{"github.com"}));
  EXPECT_EQ(hosts("'https://github.com\t@10.0.0.6/'"), (V{"github.com", "10.0.0.6"}));
  EXPECT_EQ(hosts("\"https://github.com x@10.0.0.7\""), (V{"github.com", "10.0.0.7"}));
  EXPECT_EQ(hosts("\"https://github.com\" and x@evil.io/"), (V{"github.com"}));
  EXPECT_EQ(hosts("https://github.com\n@evil.io/"), (V{"github.com"}));  // prose: a line ends it
  // The same host twice is reported once.
  EXPECT_EQ(hosts("https://github.com;@github.com/"), (V{"github.com"}));
  // In binary bytes only a plain host counts: the browser's may be the one.
  auto binary = [](std::string_view t) {
    V out;
    for (const UrlOccurrence& u : find_urls(t, ScanText::Binary)) out.push_back(u.host);
    return out;
  };
  EXPECT_EQ(binary("\xff http://g\xa6;@10.0.0.5/"), (V{"10.0.0.5"}));
  EXPECT_EQ(binary("\xff http://github.com;@\xa6/"), (V{"github.com"}));
}

// A line of URLs that each end at a prose byte stays linear: the browser's
// end and the last '@' before it are found once for all of them.
TEST(CoreUrls, BrowserReadingsOfOneLineStayLinear) {
  std::string line;
  for (int i = 0; i < 200000; ++i) line += "http:a.io,";  // no slash: nothing ends the browser's reading
  line += "@b.io";
  EXPECT_EQ(find_urls(line).size(), 400000u);  // each URL: a.io, and b.io as a browser reads it
  // With slashes each browser reading ends at the next URL's "//".
  line.clear();
  for (int i = 0; i < 200000; ++i) line += "http://a.io,";
  line += "@b.io";
  EXPECT_EQ(find_urls(line).size(), 200001u);
}

TEST(CoreUrls, HostFollowsLastAtAndDropsPortAndUserinfo) {
  EXPECT_EQ(hosts("https://github.com@evil.io/"), (V{"evil.io"}));
  EXPECT_EQ(hosts("https://u:p@x@github.com:8443/"), (V{"github.com"}));
  EXPECT_EQ(hosts("ssh://git@github.com:22/org/repo"), (V{"github.com"}));
  EXPECT_EQ(hosts("http://evil.io\\@github.com/"), (V{"evil.io"}));
}

TEST(CoreUrls, Ipv6InBrackets) {
  EXPECT_EQ(hosts("http://[::1]:8080/x"), (V{"[::1]"}));
  EXPECT_EQ(hosts("http://[FE80::1%25eth0]/"), (V{"[fe80::1]"}));  // zone id dropped
  EXPECT_EQ(hosts("http://[::ffff:127.0.0.1]/"), (V{"[::ffff:127.0.0.1]"}));
  EXPECT_EQ(hosts("http://[::1/x"), (V{"!unterminated IPv6 literal (no ']')"}));
  EXPECT_EQ(hosts("http://[github.com]/"), (V{"!invalid IPv6 literal"}));
  EXPECT_EQ(hosts("http://[::1]x/"), (V{"!unexpected characters after the IPv6 literal"}));
}

TEST(CoreUrls, PercentDecodingCaseAndTrailingDot) {
  EXPECT_EQ(hosts("http://%67ithub.com/"), (V{"github.com"}));
  EXPECT_EQ(hosts("http://GITHUB.COM./"), (V{"github.com"}));
  EXPECT_EQ(hosts("http://github.com../"), (V{"github.com."}));
  EXPECT_EQ(hosts("http://127.0.0.1%2e/"), (V{"127.0.0.1"}));
  // Decoded bytes that cannot be in a host are an error, and re-encoded.
  auto u = find_urls("http://evil.io%2fgithub.com/ http://a%3a80/ http://a%40b/ http://a%zzb/ http://\xc3\xa9.io/");
  ASSERT_EQ(u.size(), 5u);
  for (const UrlOccurrence& o : u) {
    EXPECT_FALSE(o.error.empty()) << o.url;
    EXPECT_EQ(o.host.find(':'), std::string::npos) << o.host;
  }
  EXPECT_EQ(u[0].host, "evil.io%2fgithub.com");
  EXPECT_EQ(u[4].host, "%c3%a9.io");
}

TEST(CoreUrls, EmptyHostIsAnError) {
  for (const char* t : {"http://", "https:///", "http://:80/", "http://user@/", "http://./", "ftp://?q", "s3://"}) {
    auto u = find_urls(t);
    ASSERT_EQ(u.size(), 1u) << t;
    EXPECT_EQ(u[0].error, "empty host") << t;
  }
}

TEST(CoreUrls, ScpStyleOutsideUrls) {
  EXPECT_EQ(hosts("git@github.com:org/repo.git"), (V{"github.com"}));
  EXPECT_EQ(hosts("clone deploy@10.0.0.5:/srv/repo"), (V{"10.0.0.5"}));
  EXPECT_EQ(hosts("git@localhost:repo"), (V{"localhost"}));
  EXPECT_EQ(hosts("git@[::1]:repo"), (V{"[::1]"}));
  EXPECT_EQ(hosts("git@2130706433:repo"), (V{"2130706433"}));
  auto u = find_urls("x git@github.com:o/r");
  ASSERT_EQ(u.size(), 1u);
  EXPECT_EQ(u[0].scheme, "scp");
  EXPECT_EQ(u[0].offset, 2u);
  // Inside a URL it is part of that URL, not a second host.
  EXPECT_EQ(hosts("https://github.com/a/b@evil.io:x"), (V{"github.com"}));
  EXPECT_EQ(hosts("mplp://pack/x@evil.io:y"), V{});
  // Not hosts: digests, times, e-mail addresses, C++ scopes.
  EXPECT_EQ(hosts("FROM node:20@sha256:0123456789abcdef0123456789abcdef0123456789abcdef"), V{});
  EXPECT_EQ(hosts("run@2024-01-01T10:00:00Z a@12:30 bob@example.com: hi std@foo.bar::baz"), V{});
}

TEST(CoreUrls, TwoUrlsOnOneLineAndNestedUrls) {
  auto u = find_urls("a https://github.com/x b http://10.0.0.1/y\nhttps://web.archive.org/web/http://127.0.0.1/");
  ASSERT_EQ(u.size(), 4u);
  EXPECT_EQ(u[0].host, "github.com");
  EXPECT_EQ(u[1].host, "10.0.0.1");
  EXPECT_EQ(u[1].line, 1u);
  EXPECT_EQ(u[1].column, 26u);
  EXPECT_EQ(u[2].host, "web.archive.org");
  EXPECT_EQ(u[2].line, 2u);
  EXPECT_EQ(u[3].host, "127.0.0.1");
}

TEST(CoreUrls, BinaryBytesAndNulAreScanned) {
  const std::string text = "\x00\xff\xfe junk http://10.0.0.1/ \x00 more\n\x80https://github.com"s;
  auto u = find_urls(text);
  ASSERT_EQ(u.size(), 2u);
  EXPECT_EQ(u[0].host, "10.0.0.1");
  EXPECT_EQ(u[1].host, "github.com");
  EXPECT_EQ(u[1].line, 2u);
  // A NUL or control byte inside an authority is part of it (and an error).
  auto v = find_urls("http://github.com\x01.evil.io/"s);
  ASSERT_EQ(v.size(), 1u);
  EXPECT_FALSE(v[0].error.empty());
}

// Issue 13, point 3: no hosts from noise. scp-style hosts must be plain
// hosts (LDH labels or an IP literal); in binary bytes scp is not read and
// a URL counts only with a plain host.
TEST(CoreUrls, PlainHostsAreLdhLabelsOrIpLiterals) {
  for (const char* h : {"github.com", "a", "10.0.0.1", "0x7f.1", "2130706433", "a-b.c-d", "xn--bcher-kva.example",
                        "[::1]", "[fe80::1]", "localhost"})
    EXPECT_TRUE(is_plain_host(h)) << h;
  for (const char* h : {"", ".", "a..b", "-a.com", "a-.com", "a_b.com", "d@.", "g\xa6", "a.com%2f", "[::1",
                        "[zz::1]", "[]", "a b"})
    EXPECT_FALSE(is_plain_host(h)) << h;
  EXPECT_TRUE(is_plain_host(std::string(63, 'a') + ".com"));
  EXPECT_FALSE(is_plain_host(std::string(64, 'a') + ".com"));
  std::string long_name;
  for (int i = 0; i < 64; ++i) long_name += "abc.";
  EXPECT_FALSE(is_plain_host(long_name + "com"));  // 259 bytes
}

TEST(CoreUrls, ScpNeedsAPlainHost) {
  EXPECT_EQ(hosts("x d@.:g y"), V{});
  EXPECT_EQ(hosts("x a@..:b y"), V{});
  EXPECT_EQ(hosts("x a@-.-:b y"), V{});
  EXPECT_EQ(hosts("x a@b_c.com:d y"), V{});
  EXPECT_EQ(hosts("git@ex%00ample.com:x"), V{});
  // Percent-encoding that decodes to a plain host still counts: it is a
  // spelling, not noise.
  EXPECT_EQ(hosts("git@%31%30.0.0.1:x"), (V{"10.0.0.1"}));
  EXPECT_EQ(hosts("git@GitHub.com.:x"), (V{"github.com"}));
}

TEST(CoreUrls, BinaryBytesReadNoScpAndOnlyPlainHostUrls) {
  const std::string bin = "\xff\xfe git@10.0.0.1:x http://d@.:g\xa6 http://a\x01b.com/ https://github.com/x \x00"s;
  std::vector<std::string> got;
  for (const UrlOccurrence& u : find_urls(bin, ScanText::Binary)) got.push_back(u.error.empty() ? u.host : "!" + u.error);
  EXPECT_EQ(got, (V{"github.com"}));
  // The same bytes read as text: the scp reference and the bad URLs count.
  std::vector<std::string> as_text;
  for (const UrlOccurrence& u : find_urls(bin)) as_text.push_back(u.scheme);
  EXPECT_EQ(as_text, (V{"scp", "http", "http", "https"}));
  EXPECT_EQ(find_urls("http://[::1]/ ftp://10.0.0.1/"s, ScanText::Binary).size(), 2u);
}

TEST(CoreUrls, ExemptMarkers) {
  auto m = find_exempt_markers("a @v2-exempt HOST_ALLOW test fixture\nb @v2-exempt HOST_ALLOW\nc @v2-exempt HOST_ALLOW -- \n");
  ASSERT_EQ(m.size(), 3u);
  EXPECT_TRUE(m[0].has_reason);
  EXPECT_EQ(m[0].reason, "test fixture");
  EXPECT_EQ(m[0].line, 1u);
  EXPECT_FALSE(m[1].has_reason);
  EXPECT_EQ(m[1].line, 2u);
  EXPECT_FALSE(m[2].has_reason);
  EXPECT_TRUE(find_exempt_markers("@v2-exempt HOST_ALLOWED x").empty());
  EXPECT_TRUE(find_exempt_markers("@v2-exempt SSOT reason").empty());
  // In a decoded string the reason may follow a newline.
  EXPECT_FALSE(find_exempt_markers("@v2-exempt HOST_ALLOW\nwhy")[0].has_reason);
  EXPECT_TRUE(find_exempt_markers("@v2-exempt HOST_ALLOW\nwhy", true)[0].has_reason);
}

TEST(CoreUrls, ManyMarkersOnOneLineStayLinear) {
  std::string line;
  for (int i = 0; i < 200000; ++i) line += "@v2-exempt HOST_ALLOW ";
  // Linear: a quadratic scan of 200,000 markers would time the suite out.
  auto m = find_exempt_markers(line);
  EXPECT_EQ(m.size(), 200000u);
  EXPECT_TRUE(m.front().has_reason);  // later markers' letters follow it
  EXPECT_FALSE(m.back().has_reason);
}

// Patterns whose naive scan is quadratic (each URL scanning to the end of a
// long line): with a linear scan these take well under a second; quadratic,
// they would run for hours and time the suite out.
TEST(CoreUrls, HostileLinesScanInLinearTime) {
  std::string nested;
  for (int i = 0; i < 400000; ++i) nested += "http://github.com/";
  std::size_t n = 0;
  scan_urls(nested, [&](UrlOccurrence& u) {
    n += u.host == "github.com" ? 1 : 0;
    return true;
  });
  EXPECT_EQ(n, 400000u);
  std::string prose;
  for (int i = 0; i < 1000000; ++i) prose += "http:";
  EXPECT_TRUE(find_urls(prose).empty());
  std::string colons;
  for (int i = 0; i < 1000000; ++i) colons += "ab+c:x";
  EXPECT_TRUE(find_urls(colons).empty());
}

TEST(CoreUrls, LargeInputsScanFast) {
  // 24 MiB of text with URLs and '@' sprinkled in, and one 8 MiB line of '@'.
  std::string big;
  big.reserve(64u << 20);
  std::string chunk = "lorem ipsum dolor sit amet user@example http://github.com/a x@y.z:w \xff\x00\n";
  while (big.size() < (16u << 20)) big += chunk;
  big += std::string(8u << 20, '@');
  big += "a@b.c:d";
  // No time is asserted (bench/ measures speed); a quadratic scan of these
  // would run for hours and time the suite out.
  std::size_t n = 0;
  scan_urls(big, [&](UrlOccurrence&) { return ++n, true; });
  EXPECT_GT(n, 300000u);
  // A single authority of 32 MiB.
  std::string huge = "http://" + std::string(16u << 20, 'a') + ".io/";
  auto u = find_urls(huge);
  ASSERT_EQ(u.size(), 1u);
  EXPECT_EQ(u[0].host.size(), (16u << 20) + 3);
}

// Property test: whatever the bytes, every host is lower-case and carries no
// port (':' only inside brackets), occurrences are in offset order, and a
// host without an error is non-empty.
TEST(CoreUrls, FuzzInvariants) {
  std::mt19937 rng(12345);
  const std::string alphabet = "hHtTpPsS:/@[]%.0123456789aAfF:x-_\\ \n\t\"'?#\x00\xff\xc3\xa9";
  const std::vector<std::string> seeds = {"http://", "https://", "git@", "ssh://", ":80", "%2e", "[::1]", "@v2-exempt HOST_ALLOW"};
  for (int iter = 0; iter < 20000; ++iter) {
    std::string s;
    int len = static_cast<int>(rng() % 60);
    for (int i = 0; i < len; ++i) {
      if (rng() % 5 == 0) s += seeds[rng() % seeds.size()];
      else s += alphabet[rng() % alphabet.size()];
    }
    auto urls = find_urls(s);
    std::size_t last = 0;
    for (const UrlOccurrence& u : urls) {
      ASSERT_GE(u.offset, last) << s;
      last = u.offset;
      ASSERT_LT(u.offset, s.size());
      for (char c : u.host) ASSERT_FALSE(c >= 'A' && c <= 'Z') << u.host;
      bool bracketed = !u.host.empty() && u.host.front() == '[' && u.host.back() == ']';
      if (!bracketed) {
        ASSERT_EQ(u.host.find(':'), std::string::npos) << u.host;
      }
      if (u.error.empty()) {
        ASSERT_FALSE(u.host.empty()) << s;
      }
    }
    find_exempt_markers(s);
    find_exempt_markers(s, true);
  }
}

}  // namespace
}  // namespace mplp

// core/json_strings: the SAX pass that gives the JSON scan its strings.
#include "core/json_strings.h"

namespace mplp {
namespace {

std::vector<JsonStringHit> strings_of(std::string_view doc, unsigned depth = 256) {
  std::vector<JsonStringHit> hits;
  JsonError err;
  EXPECT_TRUE(collect_json_strings(doc, depth, [](std::string_view, bool) { return true; }, hits, err))
      << err.message;
  return hits;
}

TEST(CoreJsonStrings, SpansPointersAndDecodedText) {
  std::string doc = R"({"a~b/c": ["x", {"k\"": "v\\"}], "u": "\u0068\/é\ud83d\ude00z"})";
  auto hits = strings_of(doc);
  ASSERT_EQ(hits.size(), 6u);
  EXPECT_EQ(hits[0].pointer, "/a~0b~1c");
  EXPECT_TRUE(hits[0].is_key);
  EXPECT_EQ(hits[1].pointer, "/a~0b~1c/0");
  EXPECT_EQ(hits[1].text, "x");
  EXPECT_EQ(hits[2].text, "k\"");
  EXPECT_EQ(hits[3].pointer, "/a~0b~1c/1/k\"");
  EXPECT_EQ(hits[3].text, "v\\");
  EXPECT_EQ(hits[5].text, "h/\xc3\xa9\xf0\x9f\x98\x80z");
  for (const JsonStringHit& h : hits) {
    EXPECT_EQ(doc[h.raw_begin], '"');
    EXPECT_EQ(doc[h.raw_end - 1], '"');
  }
  // Decoded offsets map to the escapes that made them.
  const JsonStringHit& u = hits[5];
  std::string_view raw = std::string_view(doc).substr(u.raw_begin, u.raw_end - u.raw_begin);
  std::vector<std::size_t> offs = {0, 1, 2, 3, 4, 7, 8};
  map_to_raw_offsets(raw, offs);
  EXPECT_EQ(offs, (std::vector<std::size_t>{1, 7, 9, 10, 11, 11, 23}));
}

TEST(CoreJsonStrings, RejectsWhatDoesNotParse) {
  std::vector<JsonStringHit> hits;
  JsonError err;
  auto all = [](std::string_view, bool) { return true; };
  EXPECT_FALSE(collect_json_strings("{\"a\": \"x\"", 256, all, hits, err));
  EXPECT_TRUE(hits.empty());
  EXPECT_FALSE(collect_json_strings(std::string("{\"a\": \"x\"}\0 {", 13), 256, all, hits, err));
  EXPECT_EQ(err.message, "NUL byte in JSON text");
  EXPECT_FALSE(collect_json_strings("\"\xff\"", 256, all, hits, err));  // invalid UTF-8
  EXPECT_FALSE(collect_json_strings(std::string(10000, '[') + std::string(10000, ']'), 256, all, hits, err));
  EXPECT_NE(err.message.find("256"), std::string::npos);
  EXPECT_TRUE(collect_json_strings(std::string(200, '[') + "\"s\"" + std::string(200, ']'), 256, all, hits, err));
  ASSERT_EQ(hits.size(), 1u);
  EXPECT_EQ(hits[0].raw_begin, 200u);
  // Escape detection: what the JSON scan relies on to skip plain strings.
  std::vector<bool> escaped;
  auto note = [&](std::string_view, bool e) { return escaped.push_back(e), false; };
  EXPECT_TRUE(collect_json_strings(R"(["plain", "a\/b", "\u00e9", "é", "\\"])", 256, note, hits, err));
  EXPECT_EQ(escaped, (std::vector<bool>{false, true, true, false, true}));
}

}  // namespace
}  // namespace mplp
