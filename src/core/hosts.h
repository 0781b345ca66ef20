// Host list matching for GATE-V2-HOST-ALLOW-01 (and registry lists).
//
// A list entry is one of:
//   - an exact host name ("github.com"), compared case-insensitively, one
//     trailing dot ignored; an IP literal entry also matches other spellings
//     of the same address ("127.0.0.1" matches "0x7f.1" and "2130706433");
//   - "*.suffix": sub-domains of suffix on a dot boundary only ("*.github.com"
//     matches "api.github.com", not "github.com" nor "evilgithub.com");
//   - "ip:loopback", "ip:private", "ip:link-local", "ip:unspecified": every IP
//     literal (v4 or v6) in that class (see ip_class below).
// Hosts are as find_urls (core/urls.h) returns them: lower-case, no port,
// IPv6 in brackets.
//
//   HostList forbidden, allowed;
//   if (!HostList::compile(policy.forbidden_hosts, forbidden, err)) ...
//   HostJudgement j = judge_host("10.0.0.1", forbidden, allowed);
//   // j.verdict == HostVerdict::Forbidden, j.entry == "ip:private"
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace mplp {

enum class IpClass { Public, Loopback, Private, LinkLocal, Unspecified };
std::string_view to_string(IpClass c);  // "public", "loopback", ...

// An IP literal host. IPv4 follows the WHATWG URL parser, which is what
// browsers and most HTTP clients resolve: 1 to 4 dot-separated parts, each
// decimal, 0x-hex or 0-prefixed octal, the last filling the remaining bytes
// ("2130706433", "0x7f.1", "0177.0.0.1" and "127.1" are all 127.0.0.1).
// IPv6 is "[...]" (zone id ignored); IPv4 embedded in IPv6 (mapped
// ::ffff:a.b.c.d, compatible ::a.b.c.d, NAT64 64:ff9b::/96, 6to4 2002::/16)
// is classified by the embedded IPv4 address.
struct IpAddress {
  bool v6 = false;
  std::array<std::uint8_t, 16> bytes{};  // v4: the first 4
  std::string canonical;                 // "127.0.0.1" or "[::1]"
};
// nullopt when `host` is not an IP literal (then it is a name). A host whose
// last label is a number but which is not a valid IPv4 address is a name.
std::optional<IpAddress> parse_ip_host(std::string_view host);

// Classes: loopback 127/8, ::1; private 10/8, 172.16/12, 192.168/16,
// fc00::/7, fec0::/10; link-local 169.254/16, fe80::/10; unspecified 0/8, ::.
IpClass ip_class(const IpAddress& ip);

// True when `entry` is a valid list entry; otherwise `error` says why.
bool valid_host_entry(std::string_view entry, std::string& error);

class HostList {
 public:
  // Fails (naming the entry) on an invalid entry.
  static bool compile(const std::vector<std::string>& entries, HostList& out, std::string& error);
  // The first entry matching `host`, or nullptr.
  const std::string* match(std::string_view host) const;
  const std::vector<std::string>& entries() const { return entries_; }

 private:
  std::vector<std::string> entries_;     // as written
  std::vector<std::string> normalised_;  // lower-case, no trailing dot; "*.x" kept as ".x"
  std::vector<std::optional<IpAddress>> entry_ips_;
};

enum class HostVerdict { Allowed, Forbidden, NotAllowed };

struct HostJudgement {
  HostVerdict verdict = HostVerdict::NotAllowed;
  std::string entry;  // the list entry that decided (empty for NotAllowed)
  std::string note;   // e.g. "0x7f.1 is the IPv4 address 127.0.0.1 (loopback)"
};

// The forbidden list is checked first, then the allowed list.
HostJudgement judge_host(std::string_view host, const HostList& forbidden, const HostList& allowed);

}  // namespace mplp
