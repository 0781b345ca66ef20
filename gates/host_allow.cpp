// GATE-V2-HOST-ALLOW-01 (gate_list.cpp lists it): see gates/docs/GATE-V2-HOST-ALLOW-01.md.
#include <unistd.h>

#include <map>
#include <memory>
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
    Finding f = gate_info().finding(kRegistryUnresolved, file,
                                    "more than " + std::to_string(kMaxDockerfileImages) +
                                        " image references: the rest of the file was not checked");
    f.hint = "split the build, or keep it to the images it needs";
    sink.report(std::move(f));
  }
  for (const DockerfileImage& i : found.images) {
    std::string shown = i.source + " " + printable_ascii(i.written, 120);
    std::optional<Finding> f;
    if (!i.unresolved.empty()) {
      f = gate_info().finding(kRegistryUnresolved, file,
                              shown + ": the image cannot be known from the file: " +
                                  printable_ascii(i.unresolved, 200));
      f->expected = "an image reference whose registry can be checked";
      f->actual = printable_ascii(i.written, 300);
      f->hint = "write the image out, or give the ARG a default before the first FROM";
    } else if (i.transport) {
      // Not a registry's image: "containers-storage:x" is no docker.io
      // image, "oci-archive:/x" no host "oci-archive" (QA-49).
      f = gate_info().finding(kRegistryUnresolved, file,
                              shown + ": the image is named through a transport, which the builder reads from the "
                                      "build host's files or stores instead of pulling it from a registry");
      f->expected = "an image reference whose registry can be checked";
      f->actual = printable_ascii(i.written, 300);
      f->hint = "name the image by registry, repository and digest (a runner definition may not use a transport)";
    } else {
      // "localhost/name" (no port) is how podman names an image built or
      // imported on this machine: it comes from local storage, not from a
      // registry. "localhost:5000/name" is a registry, judged below, and so
      // is "LOCALHOST/name": a first component with a capital is a registry
      // domain to both engines, and podman's local names are lower-case.
      if (i.image.rfind("localhost/", 0) == 0) continue;
      std::string registry = registry_of(std::string_view(i.image).substr(0, i.image.find('@')));
      std::string host, error;
      host_of_authority(registry, host, error);
      if (host == "index.docker.io") host = "docker.io";  // Docker's own alias
      HostJudgement j;
      if (error.empty()) j = judge_host(host, rules.forbidden, rules.registries);
      f = host_finding(gate_info(), file, host, i.source + " " + i.image, error, j, rules.registries, true);
      if (!f) continue;
    }
    f->location.line = i.line;
    if (auto ex = exempt.find(i.line); ex != exempt.end()) exempt_finding(gate_info(), *f, ex->second);
    sink.report(std::move(*f));
  }
}

constexpr std::uint64_t kStreamAbove = 16ull << 20;

// Files scanned without being held whole (bounded memory): the large ones.
bool streamed(const Entry& e, const Limits& limits) {
  return e.size > kStreamAbove && e.size <= limits.max_file_size;
}

Finding unscanned(const std::string& file, const std::string& why) {
  Finding f = gate_info().finding(kUnscanned, file, "not scanned for hosts: " + why);
  f.hint = "make the file a readable regular file within the policy's limits";
  return f;
}

// The policy's host lists compiled, or why they do not compile. The rules
// are shared with the taps of large files.
struct CompiledHosts {
  std::shared_ptr<const HostRules> rules;  // null when the lists are invalid
  std::string error;
};

// What prepare() makes: the lists compiled once for the run.
struct PreparedHosts : PreparedRun {
  explicit PreparedHosts(CompiledHosts h) : hosts(std::move(h)) {}
  CompiledHosts hosts;
};

CompiledHosts compile(const Policy& policy) {
  auto rules = std::make_shared<HostRules>();
  CompiledHosts out;
  if (HostRules::from_policy(policy, *rules, out.error)) out.rules = std::move(rules);
  return out;
}

// The run's compiled rules; a gate called without its prepare() (a unit
// test calling it directly) compiles them now.
CompiledHosts compiled(const GateContext& ctx) {
  if (const auto* run = dynamic_cast<const PreparedHosts*>(ctx.prepared)) return run->hosts;
  return compile(ctx.policy);
}

// The rules, or null after reporting why the policy's lists are invalid
// (where and as often as a gate that compiled them itself would).
std::shared_ptr<const HostRules> rules_or_report(const GateContext& ctx, FindingSink& sink) {
  CompiledHosts c = compiled(ctx);
  if (!c.rules) {
    Finding f = gate_info().finding(kPolicyInvalid, "", ctx.policy.source + ": " + c.error);
    f.hint = "fix the policy's hosts section";
    sink.report(std::move(f));
  }
  return c.rules;
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

  std::unique_ptr<PreparedRun> prepare(const GateContext& ctx) const override {
    return std::make_unique<PreparedHosts>(compile(ctx.policy));
  }

  void check_pack(const Pack& pack, const GateContext& ctx, FindingSink& sink) const override {
    std::shared_ptr<const HostRules> rules = rules_or_report(ctx, sink);
    if (!rules) return;
    if (pack.truncated())
      sink.report(unscanned("", "the pack has more files than limits.max_files_per_pack; the rest were not scanned"));
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
        // Without it (a JSON file, whose string scan reads the file again
        // anyway, or a file read before this gate asked for a tap), a second
        // read; findings of a file that changed after its hash read would
        // judge bytes no digest covers: it reports that instead.
        HeldFindings found;
        const bool ok = pack.read_again(
            e.path,
            [&](int fd, std::string& error) {
              return scan_file_hosts_streamed(info(), e.path, fd, *rules, pack.limits().max_json_depth, found, error);
            },
            err);
        if (ok) found.pass_to(sink);
        else sink.report(unscanned(e.path, err));
        continue;
      }
      std::shared_ptr<const std::string> bytes = pack.bytes(e.path, err);
      if (!bytes) {
        sink.report(unscanned(e.path, err));
        continue;
      }
      scan_file_hosts(info(), e.path, *bytes, *rules, pack.limits().max_json_depth, sink);
    }
  }

  std::unique_ptr<FileTap> large_file_tap(const Entry& file, const GateContext& ctx) const override {
    if (!streamed(file, ctx.policy.limits) || has_json_string_scan(file.path)) return nullptr;
    CompiledHosts c = compiled(ctx);
    if (!c.rules) return nullptr;  // check_pack reports the policy
    return std::make_unique<HostScanTap>(info(), file.path, std::move(c.rules));
  }

  void check_runners(const GateContext& ctx, FindingSink& sink) const override {
    if (!ctx.options.runners_dir) return sink.skip("no runners directory given");
    std::shared_ptr<const HostRules> rules = rules_or_report(ctx, sink);
    if (!rules) return;
    std::string dir = *ctx.options.runners_dir;
    while (dir.size() > 1 && dir.back() == '/') dir.pop_back();
    // Findings name files relative to the runners directory, as every runner
    // gate does (<id>/Containerfile); the registry's dockerfile: paths are
    // relative to its parent (runners/<id>/Containerfile).
    std::string prefix = dir.substr(dir.rfind('/') == std::string::npos ? 0 : dir.rfind('/') + 1);
    prefix = (prefix.empty() || prefix == "." || prefix == "..") ? "" : prefix + "/";
    std::string err;
    std::optional<Dir> root = Dir::open(dir, err);
    if (!root) return sink.report(unscanned("", err));
    const Limits& limits = ctx.policy.limits;
    // A file the registry names as a runner's `dockerfile:` is one, whatever its name.
    std::set<std::string> named_by_registry;
    if (ctx.registry != nullptr)
      for (const RegistryRunner& r : ctx.registry->runners)
        named_by_registry.insert(r.dockerfile.rfind("./", 0) == 0 ? r.dockerfile.substr(2) : r.dockerfile);
    WalkResult tree = walk(*root, {.max_entries = limits.max_files_per_pack});
    if (tree.truncated)
      sink.report(unscanned("", "more entries than limits.max_files_per_pack; the rest were not scanned"));
    for (const auto& [path, why] : tree.errors) sink.report(unscanned(path, why));
    for (const Entry& e : tree.entries) {
      if (e.type == EntryType::Directory) continue;
      if (e.type != EntryType::Regular) {
        Finding f = unscanned(e.path, std::string("a ") + std::string(to_string(e.type)) + " is not followed");
        // A warning, not the kind's error: a link or special file under the
        // runners directory is not followed, and the finding says so.
        f.severity = Severity::Warning;
        sink.report(std::move(f));
        continue;
      }
      const bool definition = is_containerfile(e.path) || named_by_registry.count(prefix + e.path) > 0;
      if (streamed(e, limits)) {
        scan_runner_file_streamed(*root, e.path, *rules, limits, sink);
        // Images are read from the parsed file, which is not held: no build
        // definition is this large, and an unchecked one must not pass.
        if (definition) sink.report(unscanned(e.path, "a build definition over 16 MiB is not read for the images it pulls"));
        continue;
      }
      std::string bytes;
      if (!read_beneath(*root, e.path, limits.max_file_size, bytes, err)) {
        sink.report(unscanned(e.path, err));
        continue;
      }
      scan_file_hosts(info(), e.path, bytes, *rules, limits.max_json_depth, sink);
      if (definition) check_images(e.path, bytes, *rules, sink);
    }
  }

 private:
  // A large file of the runners directory, scanned as a pack's is: in
  // windows, never held whole (QA-49: a 1.5 GB file took 1.5 GB).
  void scan_runner_file_streamed(const Dir& root, const std::string& rel, const HostRules& rules, const Limits& limits,
                                 FindingSink& sink) const {
    std::string err;
    const int fd = open_regular_beneath(root, rel, err);
    if (fd < 0) return sink.report(unscanned(rel, err));
    HeldFindings found;
    const bool ok = scan_file_hosts_streamed(info(), rel, fd, rules, limits.max_json_depth, found, err);
    ::close(fd);
    if (ok) found.pass_to(sink);
    else sink.report(unscanned(rel, err));
  }
};

}  // namespace

const Gate& host_allow_gate() {
  static const HostAllowGate gate;
  return gate;
}

}  // namespace mplp
