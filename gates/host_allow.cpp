#include "gates/host_allow.h"

#include <unistd.h>

#include <map>
#include <set>

#include "core/dockerfile.h"
#include "core/registry.h"
#include "core/safe_fs.h"
#include "core/text.h"
#include "gates/host_scan.h"

namespace mplp {

namespace {

// The gate's spec: id, scopes, finding kinds (below, before the gate).
const GateInfo& gate_info();

constexpr std::string_view kChecks = R"(Every regular file is scanned as bytes, line by line
(invalid UTF-8 or NUL bytes do not exempt a file); every string (keys and values) of every
.json/.ndjson file that parses is scanned again after JSON unescaping. URLs as browsers read them:
any RFC 3986 scheme (any case) with //authority; after http, https, ws, wss and ftp any run of / and
\ (https:/x, https:\\x) or, for a host that looks like one, none; file:// only with a host other
than localhost. Also scp-style user@host:path outside any URL. The host (after the last '@', IPv6 in
brackets, port dropped, %XX decoded, case folded, one trailing dot dropped) must not be on
hosts.forbidden and must be on hosts.allowed; an empty host is an error. IP literals are classified
(loopback, private, link-local, unspecified), including decimal, hex, octal and short IPv4 forms and
IPv4 inside IPv6. A line or decoded string carrying '@v2-exempt HOST_ALLOW <reason>' is exempt
(info). With --runners, every file under the runners directory is scanned the same way, and every
image a build of a Containerfile/Dockerfile (or a registry dockerfile:) would pull must come from a
registry on hosts.registries: FROM, COPY/ADD --from, RUN --mount from, ONBUILD, and the # syntax
frontend, read as BuildKit and buildah read the file (parser directives, continuations, comments,
heredocs, ARG defaults before the first FROM, stage names). An image the file does not fix is an
error.)";

bool is_containerfile(std::string_view path) {
  std::string name = ascii_lower(path.substr(path.rfind('/') == std::string_view::npos ? 0 : path.rfind('/') + 1));
  for (const char* base : {"containerfile", "dockerfile"}) {
    std::string b = base;
    if (name == b || name.rfind(b + ".", 0) == 0 ||
        (name.size() > b.size() && name.compare(name.size() - b.size() - 1, b.size() + 1, "." + b) == 0))
      return true;
  }
  return false;
}

// The registry host of an image reference, as the reference libraries of
// docker and podman split it (distribution/reference splitDockerDomain): the
// first path component when it has a '.' or ':', is "localhost", or has an
// upper-case letter (a repository path cannot); otherwise docker.io.
std::string registry_of(std::string_view image) {
  std::size_t slash = image.find('/');
  if (slash == std::string_view::npos) return "docker.io";
  std::string_view first = image.substr(0, slash);
  if (first.find_first_of(".:[") == std::string_view::npos && first != "localhost" && ascii_lower(first) == first)
    return "docker.io";
  return std::string(first);
}

// Checks every image a build of one Containerfile would pull (core/dockerfile.h).
void check_images(const std::string& file, std::string_view bytes, const HostRules& rules, FindingSink& sink) {
  std::map<std::uint64_t, std::string> exempt;  // line -> reason
  for (const ExemptMarker& m : find_exempt_markers(bytes))
    if (m.has_reason) exempt.emplace(m.line, m.reason);
  DockerfileImages found = dockerfile_images(bytes);
  if (found.truncated) {
    Finding f = make_finding(Severity::Error, std::string(kRegistryUnresolved), file,
                             "more than " + std::to_string(kMaxDockerfileImages) +
                                 " image references: the rest of the file was not checked");
    f.hint = "split the build, or keep it to the images it needs";
    sink.report(std::move(f));
  }
  for (const DockerfileImage& i : found.images) {
    std::string shown = i.source + " " + printable_ascii(i.written, 120);
    Finding f;
    if (!i.unresolved.empty()) {
      f.code = kRegistryUnresolved;
      f.message = shown + ": the image cannot be known from the file: " + printable_ascii(i.unresolved, 200);
      f.expected = "an image reference whose registry can be checked";
      f.actual = printable_ascii(i.written, 300);
      f.hint = "write the image out, or give the ARG a default before the first FROM";
    } else {
      // "localhost/name" (no port) is how podman names an image built or
      // imported on this machine: it comes from local storage, not from a
      // registry. "localhost:5000/name" is a registry, judged below.
      if (ascii_lower(i.image).rfind("localhost/", 0) == 0) continue;
      std::string registry = registry_of(std::string_view(i.image).substr(0, i.image.find('@')));
      std::string host, error;
      host_of_authority(registry, host, error);
      if (host == "index.docker.io") host = "docker.io";  // Docker's own alias
      HostJudgement j;
      if (error.empty()) j = judge_host(host, rules.forbidden, rules.registries);
      if (!host_finding(host, i.source + " " + i.image, error, j, rules.registries, true, f)) continue;
    }
    f.file = file;
    f.location.line = i.line;
    if (auto ex = exempt.find(i.line); ex != exempt.end()) exempt_finding(f, ex->second);
    sink.report(std::move(f));
  }
}

constexpr std::uint64_t kStreamAbove = 16ull << 20;

// Files scanned in windows as they stream by, never held whole (bounded
// memory): the large ones, except JSON, whose string scan needs the whole
// document.
bool streamed(const Entry& e, const Limits& limits) {
  return e.size > kStreamAbove && e.size <= limits.max_file_size && !has_json_string_scan(e.path);
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

const GateInfo& gate_info() {
  static const GateInfo info = documented({"GATE-V2-HOST-ALLOW-01",
      {GateScope::Pack, GateScope::Runners},
      {
          {kHostForbidden, Severity::Error, "remove the URL or point it at an allowed public host"},
          {kHostNotAllowed, Severity::Error, "use an allowed host, add the host to hosts.allowed, or exempt the line with a reason"},
          {kHostInvalid, Severity::Error, "fix or remove the URL"},
          {kHostExempt, Severity::Info, "nothing to do; review the reason"},
          {kExemptNoReason, Severity::Error, "add a reason after the marker on the same line"},
          {kTooMany, Severity::Error, "fix the listed URLs; the rest are counted"},
          {kUnscanned, Severity::Error, "keep files within the policy's limits and regular"},
          {kPolicyInvalid, Severity::Error, "fix hosts.allowed / hosts.forbidden / hosts.registries"},
          {kRegistryForbidden, Severity::Error, "use an image on an allowed registry"},
          {kRegistryNotAllowed, Severity::Error, "use an allowed registry or add it to hosts.registries"},
          {kRegistryUnresolved, Severity::Error, "write the image out, or give the ARG a default before the first FROM"},
      }});
  return info;
}

class HostAllowGate : public Gate {
 public:
  const GateInfo& info() const override { return gate_info(); }

  void check_pack(const Pack& pack, const GateContext& ctx, FindingSink& sink) const override {
    HostRules rules;
    if (!rules_or_report(ctx, rules, sink)) return;
    if (pack.truncated())
      unscanned(sink, "", "the pack has more files than limits.max_files_per_pack; the rest were not scanned");
    for (const Entry& e : pack.entries()) {
      if (e.type != EntryType::Regular) continue;
      std::string err;
      if (streamed(e, pack.limits())) {
        // The tap on the hash read judged exactly the hashed bytes.
        if (const auto* tap = dynamic_cast<const HostScanTap*>(pack.tap(e.path, info().id));
            tap != nullptr && tap->ended()) {
          tap->pass_findings(sink);
          continue;
        }
        // Without it (the file was read before this gate asked for a tap),
        // a second read; findings of a file that changed after its hash
        // read would judge bytes no digest covers: it reports that instead.
        int fd = pack.reopen(e.path, err);
        HeldFindings found;
        bool ok = fd >= 0 && scan_file_hosts_streamed(e.path, fd, rules, found, err) && pack.unchanged(e.path, fd, err);
        if (fd >= 0) ::close(fd);
        if (ok) found.pass_to(sink);
        else unscanned(sink, e.path, err);
        continue;
      }
      std::shared_ptr<const std::string> bytes = pack.bytes(e.path, err);
      if (!bytes) {
        unscanned(sink, e.path, err);
        continue;
      }
      scan_file_hosts(e.path, *bytes, rules, pack.limits().max_json_depth, sink);
    }
  }

  std::unique_ptr<FileTap> large_file_tap(const Entry& file, const GateContext& ctx) const override {
    HostRules rules;
    std::string err;
    if (!streamed(file, ctx.policy.limits) || !HostRules::from_policy(ctx.policy, rules, err)) return nullptr;
    return std::make_unique<HostScanTap>(file.path, std::move(rules));
  }

  void check_runners(const GateContext& ctx, FindingSink& sink) const override {
    if (!ctx.options.runners_dir) return sink.skip("no runners directory given");
    HostRules rules;
    if (!rules_or_report(ctx, rules, sink)) return;
    std::string dir = *ctx.options.runners_dir;
    while (dir.size() > 1 && dir.back() == '/') dir.pop_back();
    // Findings name files relative to the runners directory, as every runner
    // gate does (<id>/Containerfile); the registry's dockerfile: paths are
    // relative to its parent (runners/<id>/Containerfile).
    std::string prefix = dir.substr(dir.rfind('/') == std::string::npos ? 0 : dir.rfind('/') + 1);
    prefix = (prefix.empty() || prefix == "." || prefix == "..") ? "" : prefix + "/";
    std::string err;
    std::optional<Dir> root = Dir::open(dir, err);
    if (!root) return unscanned(sink, "", err);
    const Limits& limits = ctx.policy.limits;
    // A file the registry names as a runner's `dockerfile:` is one, whatever its name.
    std::set<std::string> named_by_registry;
    if (ctx.registry != nullptr)
      for (const RegistryRunner& r : ctx.registry->runners)
        named_by_registry.insert(r.dockerfile.rfind("./", 0) == 0 ? r.dockerfile.substr(2) : r.dockerfile);
    WalkResult tree = walk(*root, {.max_entries = limits.max_files_per_pack});
    if (tree.truncated) unscanned(sink, "", "more entries than limits.max_files_per_pack; the rest were not scanned");
    for (const auto& [path, why] : tree.errors) unscanned(sink, path, why);
    for (const Entry& e : tree.entries) {
      if (e.type == EntryType::Directory) continue;
      if (e.type != EntryType::Regular) {
        unscanned(sink, e.path, std::string("a ") + std::string(to_string(e.type)) + " is not followed",
                  Severity::Warning);
        continue;
      }
      std::string bytes;
      if (!read_beneath(*root, e.path, limits.max_file_size, bytes, err)) {
        unscanned(sink, e.path, err);
        continue;
      }
      scan_file_hosts(e.path, bytes, rules, limits.max_json_depth, sink);
      if (is_containerfile(e.path) || named_by_registry.count(prefix + e.path) > 0)
        check_images(e.path, bytes, rules, sink);
    }
  }
};

}  // namespace

const Gate& host_allow_gate() {
  static const HostAllowGate gate;
  return gate;
}

}  // namespace mplp
