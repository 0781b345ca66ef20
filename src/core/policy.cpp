#include "core/policy.h"

#include <fnmatch.h>
#include <yaml-cpp/yaml.h>

#include <filesystem>
#include <algorithm>
#include <set>

#include "core/digest.h"
#include "core/embedded.h"
#include "core/hosts.h"
#include "core/safe_fs.h"
#include "core/text.h"
#include "core/values.h"
#include "core/yaml_json.h"

namespace mplp {

namespace {

struct PolicyError {
  std::string message;
};

[[noreturn]] void fail(const std::string& source, const YAML::Node& node, const std::string& key,
                       const std::string& what) {
  const YAML::Mark m = node.Mark();
  std::string where = source;
  if (m.line >= 0) where += ":" + std::to_string(m.line + 1) + ":" + std::to_string(m.column + 1);
  throw PolicyError{where + ": key '" + key + "': " + what};
}

void expect_keys(const std::string& source, const YAML::Node& map, const std::string& path,
                 const std::set<std::string>& known) {
  if (!map.IsMap()) fail(source, map, path, "expected a mapping");
  for (const auto& kv : map) {
    if (!kv.first.IsScalar()) fail(source, kv.first, path, "keys must be plain strings");
    const std::string key = kv.first.Scalar();
    if (known.count(key) == 0) {
      std::string list;
      for (const std::string& k : known) list += (list.empty() ? "" : ", ") + k;
      fail(source, kv.first, path.empty() ? key : path + "." + key, "unknown key (expected one of: " + list + ")");
    }
  }
}

std::vector<std::string> string_list(const std::string& source, const YAML::Node& node, const std::string& key) {
  if (!node.IsSequence()) fail(source, node, key, "expected a list of strings");
  std::vector<std::string> out;
  for (const YAML::Node& item : node) {
    if (!item.IsScalar() || item.Scalar().empty()) fail(source, item, key, "expected a non-empty string");
    const std::string& s = item.Scalar();
    for (char c : s)
      if (static_cast<unsigned char>(c) <= ' ' || c == '/' || c == '@')
        fail(source, item, key, "'" + s + "' is not a host name pattern");
    std::string why;
    if (!valid_host_entry(s, why)) fail(source, item, key, why);
    out.push_back(s);
  }
  return out;
}

std::vector<std::string> id_list(const std::string& source, const YAML::Node& node, const std::string& key) {
  if (!node.IsSequence()) fail(source, node, key, "expected a list of ids");
  std::vector<std::string> out;
  for (const YAML::Node& item : node) {
    if (!item.IsScalar() || !is_runner_id(item.Scalar()))
      fail(source, item, key, "expected an id like node-20 (" + std::string(kRunnerIdPattern) + ")");
    out.push_back(item.Scalar());
  }
  return out;
}

// A plain scalar (resolved by the core schema), or one tagged !!`type`:
// yaml-cpp gives a plain scalar the tag "?" and a quoted one "!".
bool is_untyped_or(const YAML::Node& node, const char* type) {
  return node.Tag() == "?" || node.Tag() == std::string("tag:yaml.org,2002:") + type;
}

constexpr std::uint64_t kMinContainerMemory = 16ull << 20;

// An integer in min..max (min at least 1); one message for a value outside
// (QA-56: 0 and a value under a larger minimum were told different ranges).
std::uint64_t positive_int(const std::string& source, const YAML::Node& node, const std::string& key,
                           std::uint64_t max, std::uint64_t min = 1, const std::string& unit = "") {
  if (!node.IsScalar()) fail(source, node, key, "expected a positive integer");
  const std::string& s = node.Scalar();
  if (!is_untyped_or(node, "int"))
    fail(source, node, key, "expected a positive integer, got the string \"" + s + "\" (quoted or tagged)");
  if (s.empty() || s.size() > 19) fail(source, node, key, "expected a positive integer, got '" + s + "'");
  std::uint64_t v = 0;
  for (char c : s) {
    if (c < '0' || c > '9') fail(source, node, key, "expected a positive integer, got '" + s + "'");
    v = v * 10 + static_cast<std::uint64_t>(c - '0');
  }
  if (v < min || v == 0 || v > max)
    fail(source, node, key, "must be between " + std::to_string(min) + " and " + std::to_string(max) + unit);
  return v;
}

// A boolean is a plain scalar as YAML's core schema reads one (true, True,
// TRUE, false, ...) or one tagged !!bool; a quoted "false" is a string, and
// taking it for false would turn a gate off by a typo.
bool boolean(const std::string& source, const YAML::Node& node, const std::string& key) {
  if (!node.IsScalar()) fail(source, node, key, "expected true or false");
  const std::string& s = node.Scalar();
  if (!is_untyped_or(node, "bool"))
    fail(source, node, key, "expected true or false, got the string \"" + s + "\" (quoted or tagged)");
  if (s == "true" || s == "True" || s == "TRUE") return true;
  if (s == "false" || s == "False" || s == "FALSE") return false;
  fail(source, node, key, "expected true or false, got '" + s + "'");
}

std::string mark_of(const std::string& source, const YAML::Node& node) {
  const YAML::Mark m = node.Mark();
  return m.line >= 0 ? source + ":" + std::to_string(m.line + 1) + ":" + std::to_string(m.column + 1) : source;
}

// trust: {keys: [{path, runners, substrates}]}; paths are relative to the policy file.
void apply_trust(const std::string& source, const YAML::Node& trust, Policy& p, bool extend) {
  expect_keys(source, trust, "trust", {"keys", "require_signature"});
  if (const YAML::Node r = trust["require_signature"]) p.require_signature = boolean(source, r, "trust.require_signature");
  const YAML::Node keys = trust["keys"];
  if (!keys) return;
  if (!keys.IsSequence()) fail(source, keys, "trust.keys", "expected a list of {path, runners, substrates}");
  if (!extend) p.trusted_keys.clear();
  const std::filesystem::path base = std::filesystem::path(source).parent_path();
  for (std::size_t i = 0; i < keys.size(); ++i) {
    const YAML::Node k = keys[i];
    const std::string key = "trust.keys[" + std::to_string(i) + "]";
    expect_keys(source, k, key, {"path", "runners", "substrates"});
    const YAML::Node path = k["path"];
    if (!path || !path.IsScalar() || path.Scalar().empty())
      fail(source, path ? path : k, key + ".path", "expected the path of a public key file");
    PolicyTrustedKey t;
    std::filesystem::path written(path.Scalar());
    t.path = (written.is_absolute() || base.empty() ? written : base / written).lexically_normal().string();
    t.where = mark_of(source, path) + ": " + key + ".path";
    if (k["runners"]) t.runners = id_list(source, k["runners"], key + ".runners");
    if (k["substrates"]) t.substrates = id_list(source, k["substrates"], key + ".substrates");
    p.trusted_keys.push_back(std::move(t));
  }
}

// `extends: default`: a list the file sets is added to the default's (each
// entry once, the default's first); otherwise it replaces it.
void set_list(std::vector<std::string>& dst, std::vector<std::string> src, bool extend) {
  if (!extend) {
    dst = std::move(src);
    return;
  }
  for (std::string& s : src)
    if (std::find(dst.begin(), dst.end(), s) == dst.end()) dst.push_back(std::move(s));
}

// What a suppression's texts may hold: they are quoted in every report.
constexpr std::size_t kMaxSuppressText = 4096;

std::string too_long(std::size_t bytes) {
  return std::to_string(bytes) + " bytes: at most " + std::to_string(kMaxSuppressText) + " (it is quoted in every report)";
}

std::string required_text(const std::string& source, const YAML::Node& entry, const std::string& key,
                          const char* field, const char* what) {
  const YAML::Node v = entry[field];
  // Blanks alone (spaces, a zero-width character) say nothing either.
  if (!v || !v.IsScalar() || trim_blank(v.Scalar()).empty()) fail(source, v ? v : entry, key + "." + field, what);
  if (v.Scalar().size() > kMaxSuppressText) fail(source, v, key + "." + field, too_long(v.Scalar().size()));
  return v.Scalar();
}

// suppress: [{code, path, pack, reason}]: reason is required, so that every
// accepted finding says why in every report.
void apply_suppress(const std::string& source, const YAML::Node& list, Policy& p, bool extend) {
  if (!list.IsSequence()) fail(source, list, "suppress", "expected a list of {code, path, pack, reason}");
  if (!extend) p.suppressions.clear();
  for (std::size_t i = 0; i < list.size(); ++i) {
    const YAML::Node e = list[i];
    const std::string key = "suppress[" + std::to_string(i) + "]";
    expect_keys(source, e, key, {"code", "path", "pack", "reason"});
    Suppression s;
    s.code = required_text(source, e, key, "code", "expected a finding code (see `mplp-gate gates --codes`)");
    s.reason = required_text(source, e, key, "reason", "a suppression needs a reason: why is this finding accepted?");
    for (const char* glob : {"path", "pack"})
      if (e[glob]) {
        if (!e[glob].IsScalar()) fail(source, e[glob], key + "." + glob, "expected a glob");
        if (e[glob].Scalar().size() > kMaxSuppressText)
          fail(source, e[glob], key + "." + glob, too_long(e[glob].Scalar().size()));
        (std::string_view(glob) == "path" ? s.path : s.pack) = e[glob].Scalar();
      }
    s.where = mark_of(source, e);
    p.suppressions.push_back(std::move(s));
  }
}

void apply(const std::string& source, const YAML::Node& root, Policy& p) {
  if (root.IsNull()) return;  // empty file: the defaults
  expect_keys(source, root, "",
              {"version", "extends", "hosts", "gates", "limits", "runners", "trust", "suppress"});
  bool extend = false;
  if (const YAML::Node e = root["extends"]) {
    if (!e.IsScalar() || e.Scalar() != "default")
      fail(source, e, "extends", "only 'default' (the built-in policy) can be extended");
    extend = true;
  }
  if (const YAML::Node sup = root["suppress"]) apply_suppress(source, sup, p, extend);
  if (const YAML::Node trust = root["trust"]) apply_trust(source, trust, p, extend);
  if (const YAML::Node v = root["version"]) {
    if (!v.IsScalar() || v.Scalar() != "1") fail(source, v, "version", "only version 1 is supported");
  }
  if (const YAML::Node hosts = root["hosts"]) {
    expect_keys(source, hosts, "hosts", {"allowed", "forbidden", "registries"});
    if (hosts["allowed"]) set_list(p.allowed_hosts, string_list(source, hosts["allowed"], "hosts.allowed"), extend);
    if (hosts["forbidden"])
      set_list(p.forbidden_hosts, string_list(source, hosts["forbidden"], "hosts.forbidden"), extend);
    if (hosts["registries"])
      set_list(p.allowed_registries, string_list(source, hosts["registries"], "hosts.registries"), extend);
  }
  if (const YAML::Node gates = root["gates"]) {
    if (!gates.IsMap()) fail(source, gates, "gates", "expected a mapping of gate ids");
    for (const auto& kv : gates) {
      const std::string id = kv.first.Scalar();
      const std::string key = "gates." + id;
      // A short id (SSOT-01), as --gate takes: the policy names gates in full.
      if (id.rfind("GATE-", 0) != 0)
        fail(source, kv.first, key,
             "gate ids look like GATE-V2-SSOT-01" +
                 (id.find('-') != std::string::npos ? " (did you mean GATE-V2-" + ascii_upper(id) + "?)" : std::string()));
      expect_keys(source, kv.second, key, {"enabled", "severity"});
      GatePolicy g;
      g.line = kv.first.Mark().line + 1;
      g.column = kv.first.Mark().column + 1;
      if (const YAML::Node e = kv.second["enabled"]) g.enabled = boolean(source, e, key + ".enabled");
      if (const YAML::Node s = kv.second["severity"]) {
        Severity sev;
        if (!s.IsScalar() || !parse_severity(s.Scalar(), sev))
          fail(source, s, key + ".severity", "expected error, warning or info");
        g.max_severity = sev;
      }
      p.gates[id] = g;
    }
  }
  if (const YAML::Node limits = root["limits"]) {
    expect_keys(source, limits, "limits",
                {"max_file_size", "max_files_per_pack", "max_json_depth", "max_findings_per_pack", "container_memory",
                 "container_pids"});
    if (limits["max_file_size"])
      p.limits.max_file_size = positive_int(source, limits["max_file_size"], "limits.max_file_size", 1ull << 50);
    if (limits["max_files_per_pack"])
      p.limits.max_files_per_pack =
          positive_int(source, limits["max_files_per_pack"], "limits.max_files_per_pack", 100000000);
    if (limits["max_json_depth"])
      p.limits.max_json_depth =
          static_cast<unsigned>(positive_int(source, limits["max_json_depth"], "limits.max_json_depth", 100000));
    if (limits["max_findings_per_pack"])
      p.limits.max_findings_per_pack =
          positive_int(source, limits["max_findings_per_pack"], "limits.max_findings_per_pack", 100000000);
    // Below 16 MiB no runtime starts a container (docker refuses under 6 MB).
    if (const YAML::Node memory = limits["container_memory"])
      p.limits.container_memory = positive_int(source, memory, "limits.container_memory", 1ull << 50,
                                               kMinContainerMemory, " (bytes: 16 MiB at least)");
    if (limits["container_pids"])
      p.limits.container_pids = positive_int(source, limits["container_pids"], "limits.container_pids", 4194304);
  }
  if (const YAML::Node runners = root["runners"]) {
    expect_keys(source, runners, "runners", {"trusted_bases", "build_network"});
    if (runners["trusted_bases"])
      set_list(p.runners.trusted_bases, id_list(source, runners["trusted_bases"], "runners.trusted_bases"), extend);
    if (runners["build_network"])
      set_list(p.runners.build_network, id_list(source, runners["build_network"], "runners.build_network"), extend);
  }
}

}  // namespace

bool RunnerPolicy::allows_build_network(std::string_view runner_id) const {
  return std::find(build_network.begin(), build_network.end(), runner_id) != build_network.end();
}

bool Policy::gate_enabled(std::string_view id) const {
  auto it = gates.find(std::string(id));
  return it == gates.end() || it->second.enabled;
}

bool Suppression::matches(const std::string& finding_code, const std::string& file,
                          const std::string& pack_name) const {
  return ::fnmatch(code.c_str(), finding_code.c_str(), 0) == 0 &&
         (path.empty() || ::fnmatch(path.c_str(), file.c_str(), 0) == 0) &&
         (pack.empty() || ::fnmatch(pack.c_str(), pack_name.c_str(), 0) == 0);
}

Severity Policy::adjust(std::string_view gate_id, Severity s) const {
  auto it = gates.find(std::string(gate_id));
  if (it == gates.end() || !it->second.max_severity) return s;
  return static_cast<int>(s) > static_cast<int>(*it->second.max_severity) ? *it->second.max_severity : s;
}

namespace {

// The policy is hashed as bytes and travels whole inside every shard report
// (merge compares it): UTF-8 only, comments included, so every reader sees
// one text. yaml-cpp would also read UTF-16 and let a Latin-1 comment by.
bool utf8_text(std::string_view yaml, const std::string& source, std::string& error) {
  std::size_t line = 1, column = 1;
  for (std::size_t i = 0; i < yaml.size();) {
    const std::size_t n = yaml[i] == '\0' ? 0 : utf8_sequence_length(yaml, i);
    if (n == 0) {
      error = source + ":" + std::to_string(line) + ":" + std::to_string(column) +
              (yaml[i] == '\0' ? ": not text (byte " + std::to_string(i) + " is NUL): a policy holds no NUL byte"
                                : ": not UTF-8 text (byte " + std::to_string(i) + " is " +
                                      printable_ascii(yaml.substr(i, 1)) + "): save the policy as UTF-8");
      return false;
    }
    // A line ends at LF, CRLF or a lone CR, as YAML counts lines.
    if (yaml[i] == '\n' || (yaml[i] == '\r' && (i + 1 == yaml.size() || yaml[i + 1] != '\n'))) ++line, column = 0;
    ++column;
    i += n;
  }
  return true;
}

}  // namespace

bool parse_policy(std::string_view yaml, const std::string& source, Policy& out, std::string& error) {
  if (!utf8_text(yaml, source, error)) return false;
  Policy p = default_policy();
  p.source = source;
  p.sha256 = sha256_hex(yaml);
  p.yaml = std::string(yaml);
  // The strict path every other YAML input takes first: duplicate keys, a
  // second document and alias bombs are errors naming the line, where
  // yaml-cpp alone would keep the last duplicate without a word.
  YamlJson strict;
  if (!yaml_to_json(yaml, source, strict, error)) return false;
  try {
    YAML::Node root = YAML::Load(std::string(yaml));
    apply(source, root, p);
  } catch (const PolicyError& e) {
    error = e.message;
    return false;
  } catch (const YAML::Exception& e) {
    error = source;
    if (e.mark.line >= 0) error += ":" + std::to_string(e.mark.line + 1) + ":" + std::to_string(e.mark.column + 1);
    error += ": invalid YAML: " + e.msg;
    return false;
  }
  out = std::move(p);
  return true;
}

bool load_policy_file(const std::string& path, Policy& out, std::string& error) {
  std::string text;
  if (!read_file(path, 16 * 1024 * 1024, text, error)) return false;
  return parse_policy(text, path, out, error);
}

const Policy& default_policy() {
  static const Policy p = [] {
    Policy d;
    d.source = "<default policy>";
    d.sha256 = sha256_hex(embedded::get("policy/default.yaml"));
    d.yaml = std::string(embedded::get("policy/default.yaml"));
    YAML::Node root = YAML::Load(std::string(embedded::get("policy/default.yaml")));
    apply(d.source, root, d);
    return d;
  }();
  return p;
}

}  // namespace mplp
