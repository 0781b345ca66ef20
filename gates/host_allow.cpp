#include "gates/host_allow.h"

#include <map>
#include <set>

#include "core/safe_fs.h"
#include "gates/host_scan.h"

namespace mplp {

namespace {

constexpr std::string_view kChecks = R"(Every regular file is scanned as bytes, line by line (invalid UTF-8 or NUL bytes
do not exempt a file); every string (keys and values) of every .json/.ndjson file that parses is
scanned again after JSON unescaping. URLs: http, https, ws, wss, ftp, git, ssh (any case, not
preceded by a letter or digit) followed by :// and an authority, and scp-style user@host:path
outside any URL. The host (after the last '@', IPv6 in brackets, port dropped, %XX decoded, case
folded, one trailing dot dropped) must not be on hosts.forbidden and must be on hosts.allowed; an
empty host is an error. IP literals are classified (loopback, private, link-local, unspecified),
including decimal, hex, octal and short IPv4 forms and IPv4 inside IPv6. A line or decoded string
carrying '@v2-exempt HOST_ALLOW <reason>' is exempt (info). With --runners, every file under the
runners directory is scanned the same way, and each FROM image of a Containerfile/Dockerfile must
come from a registry on hosts.registries.)";

std::string lower(std::string_view s) {
  std::string out(s);
  for (char& c : out)
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  return out;
}

bool is_containerfile(std::string_view path) {
  std::string name = lower(path.substr(path.rfind('/') == std::string_view::npos ? 0 : path.rfind('/') + 1));
  for (const char* base : {"containerfile", "dockerfile"}) {
    std::string b = base;
    if (name == b || name.rfind(b + ".", 0) == 0 ||
        (name.size() > b.size() && name.compare(name.size() - b.size() - 1, b.size() + 1, "." + b) == 0))
      return true;
  }
  return false;
}

// Expands $NAME, ${NAME} and ${NAME:-default} from ARG defaults; false when
// a variable has no value.
bool expand_args(std::string_view in, const std::map<std::string, std::string>& args, std::string& out) {
  out.clear();
  for (std::size_t i = 0; i < in.size(); ++i) {
    if (in[i] != '$') {
      out += in[i];
      continue;
    }
    std::string name, fallback;
    bool has_fallback = false;
    if (i + 1 < in.size() && in[i + 1] == '{') {
      std::size_t close = in.find('}', i + 2);
      if (close == std::string_view::npos) return false;
      name = std::string(in.substr(i + 2, close - i - 2));
      if (std::size_t d = name.find(":-"); d != std::string::npos) {
        fallback = name.substr(d + 2);
        name.resize(d);
        has_fallback = true;
      }
      i = close;
    } else {
      std::size_t j = i + 1;
      while (j < in.size() && (std::isalnum(static_cast<unsigned char>(in[j])) || in[j] == '_')) ++j;
      name = std::string(in.substr(i + 1, j - i - 1));
      i = j - 1;
    }
    auto it = args.find(name);
    if (it != args.end() && !it->second.empty()) out += it->second;
    else if (has_fallback) out += fallback;
    else return false;
  }
  return true;
}

std::string unquote(std::string s) {
  if (s.size() >= 2 && (s.front() == '"' || s.front() == '\'') && s.back() == s.front()) return s.substr(1, s.size() - 2);
  return s;
}

// The registry host part of an image reference ("docker.io" when none).
std::string registry_of(std::string_view image) {
  std::size_t slash = image.find('/');
  if (slash == std::string_view::npos) return "docker.io";
  std::string_view first = image.substr(0, slash);
  if (first.find_first_of(".:[") == std::string_view::npos && lower(first) != "localhost") return "docker.io";
  return std::string(first);
}

// Checks the FROM lines of one Containerfile.
void check_from_lines(const std::string& file, std::string_view bytes, const HostRules& rules, FindingSink& sink) {
  std::map<std::uint64_t, std::string> exempt;  // line -> reason
  for (const ExemptMarker& m : find_exempt_markers(bytes))
    if (m.has_reason) exempt.emplace(m.line, m.reason);
  std::map<std::string, std::string> args;  // ARG defaults before the first FROM
  std::set<std::string> stages;
  bool seen_from = false;
  std::uint64_t line_no = 0;
  for (std::size_t pos = 0; pos < bytes.size();) {
    // One logical line: physical lines joined at a trailing backslash.
    std::uint64_t first_line = line_no + 1;
    std::string logical;
    while (pos < bytes.size()) {
      std::size_t nl = bytes.find('\n', pos);
      std::size_t end = nl == std::string_view::npos ? bytes.size() : nl;
      std::string_view phys = bytes.substr(pos, end - pos);
      pos = end + 1;
      ++line_no;
      while (!phys.empty() && (phys.back() == '\r' || phys.back() == ' ' || phys.back() == '\t')) phys.remove_suffix(1);
      bool cont = !phys.empty() && phys.back() == '\\';
      if (cont) phys.remove_suffix(1);
      logical += phys;
      logical += ' ';
      if (!cont) break;
    }
    std::vector<std::string> words;
    for (std::size_t i = 0; i < logical.size();) {
      std::size_t b = logical.find_first_not_of(" \t", i);
      if (b == std::string::npos) break;
      std::size_t e = logical.find_first_of(" \t", b);
      words.push_back(logical.substr(b, e - b));
      i = e;
    }
    if (words.empty() || words[0][0] == '#') continue;
    std::string instr = lower(words[0]);
    if (instr == "arg" && !seen_from) {
      for (std::size_t k = 1; k < words.size(); ++k) {
        std::size_t eq = words[k].find('=');
        if (eq != std::string::npos) args[words[k].substr(0, eq)] = unquote(words[k].substr(eq + 1));
      }
      continue;
    }
    if (instr != "from") continue;
    seen_from = true;
    std::size_t k = 1;
    while (k < words.size() && words[k].rfind("--", 0) == 0) ++k;
    if (k >= words.size()) continue;
    // Stage names count from the next FROM on ("FROM node AS node" pulls node).
    std::set<std::string> earlier = stages;
    if (k + 2 < words.size() && lower(words[k + 1]) == "as") stages.insert(lower(words[k + 2]));
    std::string image;
    Finding f;
    f.file = file;
    f.location.line = first_line;
    if (!expand_args(words[k], args, image) || image.empty()) {
      f.code = kRegistryUnresolved;
      f.message = "FROM " + printable(words[k], 120) + ": the image uses a build argument without a default";
      f.expected = "an image reference whose registry can be checked";
      f.actual = printable(words[k], 300);
      f.hint = "give the ARG a default before the first FROM, or write the image out";
    } else {
      std::string li = lower(image);
      if (li == "scratch" || earlier.count(li) > 0) continue;
      // "localhost/name" (no port) is how podman names an image built or
      // imported on this machine: it comes from local storage, not from a
      // registry. "localhost:5000/name" is a registry, judged below.
      if (li.rfind("localhost/", 0) == 0) continue;
      std::string registry = registry_of(image.substr(0, image.find('@')));
      std::string host, error;
      host_of_authority(registry, host, error);
      if (host == "index.docker.io") host = "docker.io";  // Docker's own alias
      HostJudgement j;
      if (error.empty()) j = judge_host(host, rules.forbidden, rules.registries);
      if (!host_finding(host, "FROM " + image, error, j, rules.registries, true, f)) continue;
      f.file = file;
      f.location.line = first_line;
    }
    if (auto ex = exempt.find(first_line); ex != exempt.end()) exempt_finding(f, ex->second);
    sink.report(std::move(f));
  }
}

void unscanned(FindingSink& sink, const std::string& file, const std::string& why, Severity s = Severity::Error) {
  Finding f;
  f.severity = s;
  f.code = kUnscanned;
  f.file = file;
  f.message = "not scanned for hosts: " + why;
  f.hint = "make the file a readable regular file within the policy's limits";
  sink.report(std::move(f));
}

bool rules_or_report(const GateContext& ctx, HostRules& rules, FindingSink& sink) {
  std::string err;
  if (HostRules::from_policy(ctx.policy, rules, err)) return true;
  Finding f;
  f.code = kPolicyInvalid;
  f.message = ctx.policy.source + ": " + err;
  f.hint = "fix the policy's hosts section";
  sink.report(std::move(f));
  return false;
}

class HostAllowGate : public Gate {
 public:
  const GateInfo& info() const override {
    static const GateInfo kInfo{
        "GATE-V2-HOST-ALLOW-01",
        "Evidence and runner definitions name only allowed hosts",
        "Evidence that points at localhost, private networks or throw-away tunnels cannot be "
        "checked by anyone else and may leak internal addresses; only hosts the policy allows "
        "may appear, however they are spelled or escaped.",
        kChecks,
        GateScope::Pack,
        {
            {kHostForbidden, Severity::Error, "a URL's host is on the forbidden list",
             "remove the URL or point it at an allowed public host"},
            {kHostNotAllowed, Severity::Error, "a URL's host is not on the allowed list",
             "use an allowed host, add the host to hosts.allowed, or exempt the line with a reason"},
            {kHostInvalid, Severity::Error, "a URL has no usable host (empty, malformed, odd bytes)",
             "fix or remove the URL"},
            {kHostExempt, Severity::Info, "a URL that would fail is exempted by '@v2-exempt HOST_ALLOW <reason>'",
             "nothing to do; review the reason"},
            {kExemptNoReason, Severity::Error, "'@v2-exempt HOST_ALLOW' without a reason",
             "add a reason after the marker on the same line"},
            {kTooMany, Severity::Error, "a file holds more failing URLs than the per-file limit (1000): the scan of that file stopped",
             "fix the listed URLs; the rest are counted"},
            {kUnscanned, Severity::Error, "a file could not be scanned (too large, unreadable, not regular)",
             "keep files within the policy's limits and regular"},
            {kPolicyInvalid, Severity::Error, "the policy's host lists hold an invalid entry",
             "fix hosts.allowed / hosts.forbidden / hosts.registries"},
            {kRegistryForbidden, Severity::Error, "a FROM image comes from a forbidden registry host",
             "build FROM an image on an allowed registry"},
            {kRegistryNotAllowed, Severity::Error, "a FROM image comes from a registry not on hosts.registries",
             "use an allowed registry or add it to hosts.registries"},
            {kRegistryUnresolved, Severity::Error, "a FROM image uses a build argument with no default",
             "give the ARG a default or write the image out"},
        }};
    return kInfo;
  }

  void check_pack(const Pack& pack, const GateContext& ctx, FindingSink& sink) const override {
    HostRules rules;
    if (!rules_or_report(ctx, rules, sink)) return;
    if (pack.truncated())
      unscanned(sink, "", "the pack has more files than limits.max_files_per_pack; the rest were not scanned");
    for (const Entry& e : pack.entries()) {
      if (e.type != EntryType::Regular) continue;
      std::string err;
      std::shared_ptr<const std::string> bytes = pack.bytes(e.path, err);
      if (!bytes) {
        unscanned(sink, e.path, err);
        continue;
      }
      scan_file_hosts(e.path, *bytes, rules, pack.limits().max_json_depth, sink);
    }
  }

  void check_runners(const GateContext& ctx, FindingSink& sink) const override {
    if (!ctx.options.runners_dir) return sink.skip("no runners directory given");
    HostRules rules;
    if (!rules_or_report(ctx, rules, sink)) return;
    std::string dir = *ctx.options.runners_dir;
    while (dir.size() > 1 && dir.back() == '/') dir.pop_back();
    // Findings name files from the runners directory's parent: runners/<id>/Containerfile.
    std::string prefix = dir.substr(dir.rfind('/') == std::string::npos ? 0 : dir.rfind('/') + 1);
    prefix = (prefix.empty() || prefix == "." || prefix == "..") ? "" : prefix + "/";
    std::string err;
    std::optional<Dir> root = Dir::open(dir, err);
    if (!root) return unscanned(sink, prefix, err);
    const Limits& limits = ctx.policy.limits;
    WalkResult tree = walk(*root, {.max_entries = limits.max_files_per_pack});
    if (tree.truncated) unscanned(sink, prefix, "more entries than limits.max_files_per_pack; the rest were not scanned");
    for (const auto& [path, why] : tree.errors) unscanned(sink, prefix + path, why);
    for (const Entry& e : tree.entries) {
      if (e.type == EntryType::Directory) continue;
      if (e.type != EntryType::Regular) {
        unscanned(sink, prefix + e.path, std::string("a ") + std::string(to_string(e.type)) + " is not followed",
                  Severity::Warning);
        continue;
      }
      std::string bytes;
      if (!read_beneath(*root, e.path, limits.max_file_size, bytes, err)) {
        unscanned(sink, prefix + e.path, err);
        continue;
      }
      scan_file_hosts(prefix + e.path, bytes, rules, limits.max_json_depth, sink);
      if (is_containerfile(e.path)) check_from_lines(prefix + e.path, bytes, rules, sink);
    }
  }
};

}  // namespace

const Gate& host_allow_gate() {
  static const HostAllowGate gate;
  return gate;
}

}  // namespace mplp
