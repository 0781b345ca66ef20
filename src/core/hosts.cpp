#include "core/hosts.h"

#include <arpa/inet.h>

#include <algorithm>
#include <cctype>

#include "core/text.h"

namespace mplp {

namespace {

std::string normalise(std::string_view s) {
  std::string out = ascii_lower(s);
  if (!out.empty() && out.back() == '.') out.pop_back();
  return out;
}

// One WHATWG IPv4 number: decimal, 0x-hex or 0-prefixed octal.
bool ipv4_number(std::string_view part, std::uint64_t& value) {
  int base = 10;
  if (part.size() >= 2 && part[0] == '0' && (part[1] == 'x' || part[1] == 'X')) {
    base = 16;
    part.remove_prefix(2);
  } else if (part.size() >= 2 && part[0] == '0') {
    base = 8;
    part.remove_prefix(1);
  }
  value = 0;
  if (part.empty()) return base != 10;  // "0x" is 0; "" is not a number
  for (char c : part) {
    const int d = hex_digit_value(c);
    if (d < 0 || d >= base) return false;
    value = value * static_cast<std::uint64_t>(base) + static_cast<std::uint64_t>(d);
    if (value > 0xFFFFFFFFull) value = 0x100000000ull;  // saturate: too big anyway
  }
  return true;
}

bool looks_numeric(std::string_view label) {
  if (label.empty()) return false;
  if (std::all_of(label.begin(), label.end(), [](char c) { return c >= '0' && c <= '9'; })) return true;
  if (label.size() < 2 || label[0] != '0' || (label[1] != 'x' && label[1] != 'X')) return false;
  return std::all_of(label.begin() + 2, label.end(), [](char c) { return std::isxdigit(static_cast<unsigned char>(c)); });
}

std::optional<IpAddress> parse_ipv4(std::string_view host) {
  if (!host.empty() && host.back() == '.') host.remove_suffix(1);
  std::size_t last_dot = host.rfind('.');
  std::string_view last = last_dot == std::string_view::npos ? host : host.substr(last_dot + 1);
  if (!looks_numeric(last)) return std::nullopt;
  std::vector<std::uint64_t> parts;
  std::size_t start = 0;
  while (true) {
    std::size_t dot = host.find('.', start);
    std::string_view part = host.substr(start, dot == std::string_view::npos ? std::string_view::npos : dot - start);
    std::uint64_t v;
    if (parts.size() == 4 || !ipv4_number(part, v)) return std::nullopt;
    parts.push_back(v);
    if (dot == std::string_view::npos) break;
    start = dot + 1;
  }
  std::uint64_t addr = 0;
  for (std::size_t i = 0; i + 1 < parts.size(); ++i) {
    if (parts[i] > 255) return std::nullopt;
    addr |= parts[i] << (8 * (3 - i));
  }
  std::uint64_t limit = 1ull << (8 * (5 - parts.size()));
  if (parts.back() >= limit) return std::nullopt;
  addr |= parts.back();
  IpAddress ip;
  for (int i = 0; i < 4; ++i) ip.bytes[static_cast<std::size_t>(i)] = static_cast<std::uint8_t>(addr >> (8 * (3 - i)));
  ip.canonical = std::to_string(ip.bytes[0]) + "." + std::to_string(ip.bytes[1]) + "." + std::to_string(ip.bytes[2]) +
                 "." + std::to_string(ip.bytes[3]);
  return ip;
}

std::optional<IpAddress> parse_ipv6(std::string_view host) {
  if (host.size() < 2 || host.front() != '[' || host.back() != ']') return std::nullopt;
  std::string inner(host.substr(1, host.size() - 2));
  inner = inner.substr(0, inner.find('%'));  // zone id
  IpAddress ip;
  ip.v6 = true;
  in6_addr a;
  if (inner.empty() || inet_pton(AF_INET6, inner.c_str(), &a) != 1) return std::nullopt;
  std::copy(a.s6_addr, a.s6_addr + 16, ip.bytes.begin());
  char buf[INET6_ADDRSTRLEN];
  ip.canonical = std::string("[") + (inet_ntop(AF_INET6, &a, buf, sizeof buf) ? buf : inner.c_str()) + "]";
  return ip;
}

IpClass v4_class(const std::uint8_t* b) {
  if (b[0] == 127) return IpClass::Loopback;
  if (b[0] == 0) return IpClass::Unspecified;
  if (b[0] == 10 || (b[0] == 172 && (b[1] & 0xF0) == 16) || (b[0] == 192 && b[1] == 168)) return IpClass::Private;
  if (b[0] == 169 && b[1] == 254) return IpClass::LinkLocal;
  return IpClass::Public;
}

bool zeros(const std::uint8_t* b, std::size_t n) {
  return std::all_of(b, b + n, [](std::uint8_t x) { return x == 0; });
}

}  // namespace

std::string_view to_string(IpClass c) {
  switch (c) {
    case IpClass::Public: return "public";
    case IpClass::Loopback: return "loopback";
    case IpClass::Private: return "private";
    case IpClass::LinkLocal: return "link-local";
    case IpClass::Unspecified: return "unspecified";
  }
  return "public";
}

std::optional<IpAddress> parse_ip_host(std::string_view host) {
  if (!host.empty() && host.front() == '[') return parse_ipv6(host);
  return parse_ipv4(host);
}

IpClass ip_class(const IpAddress& ip) {
  const std::uint8_t* b = ip.bytes.data();
  if (!ip.v6) return v4_class(b);
  if (zeros(b, 16)) return IpClass::Unspecified;
  if (zeros(b, 15) && b[15] == 1) return IpClass::Loopback;
  // IPv4 inside IPv6: mapped ::ffff:0:0/96, compatible ::/96, NAT64 64:ff9b::/96, 6to4 2002::/16.
  if (zeros(b, 10) && b[10] == 0xFF && b[11] == 0xFF) return v4_class(b + 12);
  if (zeros(b, 12)) return v4_class(b + 12);
  static const std::uint8_t kNat64[12] = {0x00, 0x64, 0xFF, 0x9B, 0, 0, 0, 0, 0, 0, 0, 0};
  if (std::equal(b, b + 12, kNat64)) return v4_class(b + 12);
  if (b[0] == 0x20 && b[1] == 0x02) return v4_class(b + 2);
  if ((b[0] & 0xFE) == 0xFC) return IpClass::Private;                  // fc00::/7 unique local
  if (b[0] == 0xFE && (b[1] & 0xC0) == 0xC0) return IpClass::Private;  // fec0::/10 site-local (deprecated)
  if (b[0] == 0xFE && (b[1] & 0xC0) == 0x80) return IpClass::LinkLocal;
  return IpClass::Public;
}

bool valid_host_entry(std::string_view entry, std::string& error) {
  if (entry.rfind("ip:", 0) == 0) {
    std::string_view c = entry.substr(3);
    if (c == "loopback" || c == "private" || c == "link-local" || c == "unspecified") return true;
    error = "unknown IP class '" + std::string(entry) +
            "' (expected ip:loopback, ip:private, ip:link-local or ip:unspecified)";
    return false;
  }
  std::string_view name = entry.rfind("*.", 0) == 0 ? entry.substr(2) : entry;
  if (name.empty() || name == "." || name.find('*') != std::string_view::npos) {
    error = "'" + std::string(entry) + "' is not a host name, '*.suffix' or ip:<class>";
    return false;
  }
  // An entry no host can equal would do nothing without a word: a forbidden
  // "evil.io:443" let evil.io through (QA-34). Hosts are compared without
  // port, userinfo or path, case-folded, so an entry is an IP literal or
  // labels of letters, digits, '-', '_', none empty. DNS names are at most
  // 253 bytes, labels 63 (RFC 1035). Under "*." at least one label comes in
  // front. A URL whose host is not ASCII is host.invalid whatever the
  // policy says, so a non-ASCII entry matches nothing (QA-54): it is
  // refused, asking for the A-label form a URL would carry.
  const std::string n = normalise(name);
  const std::size_t wildcard = name.size() < entry.size() ? 2 : 0;
  const std::string shown = "'" + printable_utf8(n.size() > 64 ? n.substr(0, 60) + "..." : std::string(entry)) + "'";
  if (std::any_of(n.begin(), n.end(), [](char c) { return static_cast<unsigned char>(c) >= 0x80; })) {
    error = shown + " is not ASCII: a URL's host is compared as it is written, and one that is not ASCII is " +
            "host.invalid, so no host can match it (write the name's A-labels, as in xn--bcher-kva.example)";
    return false;
  }
  if (n.size() + wildcard > 253u) {
    error = shown + " is " + std::to_string(n.size()) + " bytes long" + (wildcard != 0 ? " after '*.'" : "") +
            ": a host name has at most 253";
    return false;
  }
  if (parse_ip_host(n)) return true;
  std::size_t label = 0;
  for (std::size_t i = 0; i <= n.size(); ++i) {
    if (i == n.size() || n[i] == '.') {
      if (i == label) {
        error = shown + " has an empty label: no host can match it";
        return false;
      }
      if (i - label > 63) {
        error = shown + " has a label of " + std::to_string(i - label) + " bytes: a label has at most 63";
        return false;
      }
      label = i + 1;
      continue;
    }
    const auto c = static_cast<unsigned char>(n[i]);
    if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_')) {
      error = "'" + std::string(entry) + "' holds '" + printable_ascii(n.substr(i, 1)) +
              "': hosts are compared without port, path or userinfo, so no host can match it (" +
              (parse_ip_host("[" + n + "]") ? "write an IPv6 address in brackets: [" + n + "]" : "write the host name alone") +
              ")";
      return false;
    }
  }
  return true;
}

bool HostList::compile(const std::vector<std::string>& entries, HostList& out, std::string& error) {
  HostList l;
  for (const std::string& e : entries) {
    if (!valid_host_entry(e, error)) return false;
    l.entries_.push_back(e);
    std::string n = normalise(e);
    if (n.rfind("*.", 0) == 0) n.erase(0, 1);  // ".suffix"
    l.entry_ips_.push_back(n.rfind("ip:", 0) == 0 || n.front() == '.' ? std::nullopt : parse_ip_host(n));
    l.normalised_.push_back(std::move(n));
  }
  out = std::move(l);
  return true;
}

const std::string* HostList::match(std::string_view host_in) const {
  const std::string host = normalise(host_in);
  const std::optional<IpAddress> ip = parse_ip_host(host);
  for (std::size_t i = 0; i < normalised_.size(); ++i) {
    const std::string& n = normalised_[i];
    if (n.rfind("ip:", 0) == 0) {
      if (ip && to_string(ip_class(*ip)) == std::string_view(n).substr(3)) return &entries_[i];
    } else if (n.front() == '.') {
      // Sub-domains only; IP literals are never sub-domains.
      if (!ip && host.size() > n.size() && host.compare(host.size() - n.size(), n.size(), n) == 0)
        return &entries_[i];
    } else if (host == n || (ip && entry_ips_[i] && entry_ips_[i]->v6 == ip->v6 && entry_ips_[i]->bytes == ip->bytes)) {
      return &entries_[i];
    }
  }
  return nullptr;
}

HostJudgement judge_host(std::string_view host, const HostList& forbidden, const HostList& allowed) {
  HostJudgement j;
  std::optional<IpAddress> ip = parse_ip_host(host);
  if (ip && ip->canonical != host) {
    j.note = std::string(host) + " is the " + (ip->v6 ? "IPv6" : "IPv4") + " address " + ip->canonical + " (" +
             std::string(to_string(ip_class(*ip))) + ")";
  }
  if (const std::string* e = forbidden.match(host)) {
    j.verdict = HostVerdict::Forbidden;
    j.entry = *e;
  } else if (const std::string* a = allowed.match(host)) {
    j.verdict = HostVerdict::Allowed;
    j.entry = *a;
  }
  return j;
}

}  // namespace mplp
