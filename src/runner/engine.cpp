#include "runner/engine.h"

#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <map>
#include <mutex>
#include <optional>

#include "core/digest.h"
#include "core/leftovers.h"
#include "core/safe_fs.h"
#include "core/scoped_temp_dir.h"
#include "core/values.h"
#include "runner/private_cache.h"
#include "runner/process.h"

namespace mplp::runner {

namespace {

// Runs `name args`; usable when it exits 0. Its first output line is the version.
bool probe(const std::string& name, const std::vector<std::string>& args, Engine& out, std::string& reason) {
  std::string bin = find_in_path(name);
  if (bin.empty()) {
    reason = name + ": not found in PATH";
    return false;
  }
  ProcessSpec s;
  s.argv = {bin};
  s.argv.insert(s.argv.end(), args.begin(), args.end());
  s.timeout_seconds = 60;
  ProcessResult r = run_process(s);
  if (!r.started || r.exit_code != 0) {
    std::string detail = !r.started ? r.error : tail_text(r.err.empty() ? r.out : r.err, 300);
    reason = name + ": not usable (" + (detail.empty() ? "exit " + std::to_string(r.exit_code) : detail) + ")";
    return false;
  }
  out.name = name;
  out.binary = bin;
  out.version = r.out.substr(0, r.out.find_first_of("\r\n"));
  return true;
}

// One field of a `docker --mount` value (CSV: quoted, quotes doubled), so the
// commas of the overlay options stay inside it.
std::string csv_field(const std::string& s) {
  std::string out = "\"";
  for (char c : s) out += c == '"' ? std::string("\"\"") : std::string(1, c);
  return out + "\"";
}

rlim_t hard_limit(int resource, rlim_t cap) {
  rlimit rl{};
  if (::getrlimit(resource, &rl) != 0 || rl.rlim_max == RLIM_INFINITY) return cap;
  return std::min<rlim_t>(rl.rlim_max, cap);
}

}  // namespace

bool is_engine_name(const std::string& wanted) {
  return wanted == "podman" || wanted == "docker" || wanted == "auto";
}

namespace {

// podman's version is its client's, fixed for one binary file: it is kept in
// the private cache under the binary's identity (path, device, inode, size,
// modification and change times), so that a replaced binary is asked again.
std::string binary_key(const std::string& bin) {
  struct stat st {};
  if (::stat(bin.c_str(), &st) != 0) return "";
  return sha256_hex(bin + '\0' + std::to_string(st.st_dev) + '.' + std::to_string(st.st_ino) + '.' +
                    std::to_string(st.st_size) + '.' + std::to_string(st.st_mtim.tv_sec) + '.' +
                    std::to_string(st.st_mtim.tv_nsec) + '.' + std::to_string(st.st_ctim.tv_sec) + '.' +
                    std::to_string(st.st_ctim.tv_nsec));
}

bool usable_version(const std::string& v) {
  if (v.empty() || v.size() > 64) return false;
  for (unsigned char c : v)
    if (c < 0x21 || c > 0x7e) return false;
  return true;
}

// The engine `name` at `bin` as it answered before: its version, kept under
// `key` ("" when it cannot be kept, see binary_key and docker_key).
bool known_engine(const std::string& name, const std::string& bin, const std::string& key, Engine& out) {
  if (key.empty()) return false;
  std::optional<std::string> kept = read_private_file(cache_area("engines"), key, 256);
  if (!kept) return false;
  std::string v = kept->substr(0, kept->find('\n'));
  if (!usable_version(v)) return false;
  out.name = name;
  out.binary = bin;
  out.version = v;
  return true;
}

void keep_version(const std::string& key, const Engine& e) {
  if (!key.empty() && usable_version(e.version)) write_private_file(cache_area("engines"), key, e.version + "\n");
}

const char* const kPodmanStorageProbe[] = {"image", "ls", "--quiet", "--filter", "reference=localhost/mplp-gate-probe"};

// A podman binary that answered once (its storage listed, its version read)
// is taken as usable without asking again: its version is kept under the
// binary's identity. A set-up that breaks later shows in the next engine
// call, and a missing base is told apart from a broken engine then
// (engine_answers).
bool known_podman(Engine& out) {
  std::string bin = find_in_path("podman");
  return known_engine("podman", bin, bin.empty() ? "" : binary_key(bin), out);
}

bool probe_podman(Engine& out, std::string& reason) {
  if (!probe("podman", {std::begin(kPodmanStorageProbe), std::end(kPodmanStorageProbe)}, out, reason) ||
      !probe("podman", {"version", "--format", "{{.Client.Version}}"}, out, reason))
    return false;
  keep_version(binary_key(out.binary), out);
  return true;
}

// The local socket the docker client will talk to, or "" when that is not
// known from the environment alone (a TCP host, a context chosen by
// DOCKER_CONTEXT or in the client's config.json).
std::string docker_socket() {
  if (const char* ctx = std::getenv("DOCKER_CONTEXT"); ctx != nullptr && *ctx != '\0') return "";
  std::string config_dir;
  if (const char* d = std::getenv("DOCKER_CONFIG"); d != nullptr && *d != '\0') config_dir = d;
  else if (const char* home = std::getenv("HOME"); home != nullptr && *home != '\0') config_dir = std::string(home) + "/.docker";
  std::string config, err;
  if (!config_dir.empty() && read_file(config_dir + "/config.json", 1 << 20, config, err) &&
      config.find("currentContext") != std::string::npos)
    return "";
  const char* host = std::getenv("DOCKER_HOST");
  std::string h = host != nullptr && *host != '\0' ? host : "unix:///var/run/docker.sock";
  return h.rfind("unix://", 0) == 0 ? h.substr(7) : "";
}

// docker's version is its daemon's. A daemon that restarts (an upgrade)
// makes its socket anew, so the version is kept under the identity of the
// client binary and of the socket file (device, inode, change time). Only
// the message uses it: whether the daemon answers shows in the next engine
// call (engine_answers tells a missing image from a daemon that is down).
std::string docker_key(const std::string& bin) {
  std::string socket = docker_socket();
  struct stat st {};
  if (socket.empty() || ::lstat(socket.c_str(), &st) != 0 || !S_ISSOCK(st.st_mode)) return "";
  std::string client = binary_key(bin);
  if (client.empty()) return "";
  return sha256_hex("docker\0" + client + '\0' + socket + '\0' + std::to_string(st.st_dev) + '.' +
                    std::to_string(st.st_ino) + '.' + std::to_string(st.st_ctim.tv_sec) + '.' +
                    std::to_string(st.st_ctim.tv_nsec));
}

bool known_docker(Engine& out) {
  std::string bin = find_in_path("docker");
  return known_engine("docker", bin, bin.empty() ? "" : docker_key(bin), out);
}

bool probe_docker(Engine& out, std::string& reason) {
  // The docker client alone is not an engine: the daemon must answer.
  if (!probe("docker", {"version", "--format", "{{.Server.Version}}"}, out, reason)) return false;
  keep_version(docker_key(out.binary), out);
  return true;
}

bool detect_uncached(const std::string& wanted, Engine& out, std::string& reason) {
  std::string podman_why, docker_why;
  if (wanted == "podman" || wanted == "auto") {
    // Listing images opens the storage, so a broken set-up shows here; it
    // costs a tenth of `podman info`, which also queries dpkg for runc and conmon.
    if (known_podman(out) || probe_podman(out, podman_why)) return true;
    if (wanted == "podman") return reason = "no container engine: " + podman_why, false;
  }
  if (wanted == "docker" || wanted == "auto") {
    if (known_docker(out) || probe_docker(out, docker_why)) return true;
    if (wanted == "docker") return reason = "no container engine: " + docker_why, false;
  }
  if (wanted != "auto") return reason = "unknown engine '" + wanted + "' (podman, docker or auto)", false;
  reason = "no container engine: " + podman_why + "; " + docker_why;
  return false;
}

}  // namespace

// One successful detection per process for one request and environment:
// `run` asks before its build and again inside the executor, and each probe
// starts the engine. A failure is never remembered (a daemon may come up).
bool detect_engine(const std::string& wanted, Engine& out, std::string& reason) {
  static std::mutex mutex;
  static std::map<std::string, Engine> known;
  std::string key = wanted;
  for (const char* var : {"PATH", "DOCKER_HOST", "CONTAINER_HOST"}) {
    const char* v = std::getenv(var);
    key += '\0' + std::string(v != nullptr ? v : "");
  }
  {
    std::lock_guard<std::mutex> lock(mutex);
    if (auto it = known.find(key); it != known.end()) {
      out = it->second;
      return true;
    }
  }
  if (!detect_uncached(wanted, out, reason)) return false;
  std::lock_guard<std::mutex> lock(mutex);
  known.emplace(key, out);
  return true;
}

bool engine_answers(const Engine& e, std::string& why) {
  Engine probed;
  if (e.name == "docker") return probe("docker", {"version", "--format", "{{.Server.Version}}"}, probed, why);
  return probe("podman", {std::begin(kPodmanStorageProbe), std::end(kPodmanStorageProbe)}, probed, why);
}

std::string describe(const Engine& e) {
  return e.name + (e.version.empty() ? "" : " " + e.version) + " (" + e.binary + ")";
}

std::vector<std::string> ulimit_args() {
  std::string nofile = std::to_string(hard_limit(RLIMIT_NOFILE, 1048576));
  std::string nproc = std::to_string(hard_limit(RLIMIT_NPROC, 32768));
  return {"--ulimit", "nofile=" + nofile + ":" + nofile, "--ulimit", "nproc=" + nproc + ":" + nproc};
}

UserNs container_userns(const Engine& e) {
  UserNs ns;
  if (e.name != "podman" || ::geteuid() != 0) return ns;
  ns.enabled = true;
  ns.host_base = kUserNsBase;
  ns.size = kUserNsSize;
  return ns;
}

std::vector<std::string> hardening_args(const Engine& e, const UserNs& ns, unsigned time_limit_seconds,
                                        const Limits& limits) {
  const std::string memory = std::to_string(limits.container_memory);
  std::vector<std::string> a = {"--cap-drop=all", "--security-opt", "no-new-privileges",
                                "--label", std::string(kOwnerLabel) + "=" + current_owner().str(),
                                "--memory", memory, "--memory-swap", memory,
                                "--pids-limit", std::to_string(limits.container_pids)};
  if (ns.enabled) {
    std::string map = "0:" + std::to_string(ns.host_base) + ":" + std::to_string(ns.size);
    a.insert(a.end(), {"--uidmap", map, "--gidmap", map});
  }
  if (e.name == "podman") a.insert(a.end(), {"--timeout", std::to_string(time_limit_seconds + kBackstopSeconds)});
  return a;
}

std::vector<std::string> build_network_args(const Engine&, bool network) {
  if (network) return {};
  return {"--network=none"};
}

std::vector<std::string> build_args(const Engine& e, std::int64_t source_date_epoch, bool local_base) {
  std::string epoch = std::to_string(source_date_epoch);
  std::vector<std::string> argv = ulimit_args();
  if (e.name == "docker") {
    argv.insert(argv.end(), {"--build-arg", "SOURCE_DATE_EPOCH=" + epoch});
  } else {
    argv.insert(argv.end(), {"--timestamp", epoch});
    if (local_base) argv.push_back("--pull=never");  // it exists only here: never ask a registry
  }
  return argv;
}

bool workspace_mount(const Engine& e, const std::string& repo, const std::string& upper, const std::string& work,
                     WorkspaceMount& out, std::string& error) {
  out = WorkspaceMount{};
  if (e.name != "docker") {
    std::string spec = repo + ":/workspace:O";
    if (!upper.empty()) spec += ",upperdir=" + upper + ",workdir=" + work;
    out.args = {"-v", spec};
    return true;
  }
  std::string up = upper, wk = work;
  if (up.empty()) {
    out.scratch = std::make_unique<ScopedTempDir>("mplp-workspace");
    const std::string& dir = out.scratch->path();
    if (dir.empty()) return error = out.scratch->error(), false;
    for (const char* sub : {"/upper", "/work"})
      if (::mkdir((dir + sub).c_str(), 0700) != 0)
        return error = "cannot create " + dir + sub + ": " + std::strerror(errno), false;
    up = dir + "/upper";
    wk = dir + "/work";
  }
  // The local driver mounts `overlay` with these options on the daemon's
  // host; an anonymous volume goes away with the container (--rm).
  out.args = {"--mount", "type=volume,dst=/workspace,volume-driver=local,volume-opt=type=overlay,"
                         "volume-opt=device=overlay," +
                             csv_field("volume-opt=o=lowerdir=" + repo + ",upperdir=" + up + ",workdir=" + wk)};
  return true;
}

ProcessResult run_container(const Engine& e, const ProcessSpec& spec, const std::string& name, bool& left) {
  // The engine runs in an empty directory of its own: podman's conmon writes
  // an empty `oom` file into its working directory when the kernel kills a
  // container for memory, and it landed, owned by root, in the caller's
  // (QA-53). Every path of a container's arguments is absolute; a relative
  // engine binary (a "." in PATH) keeps the caller's directory.
  std::optional<ScopedTempDir> scratch;
  ProcessSpec in_scratch = spec;
  if (in_scratch.cwd.empty() && !in_scratch.argv.empty() && in_scratch.argv[0].starts_with('/')) {
    scratch.emplace("mplp-engine-cwd");
    in_scratch.cwd = scratch->path();  // "" (the caller's) when it could not be made
  }
  ProcessResult r = run_process(in_scratch);
  if (!r.timed_out && !r.interrupted) return r;
  ProcessSpec rm;
  rm.argv = {e.binary, "rm", "-f", name};  // exits 0 for a container already gone (podman; docker since 20.10)
  // podman stops a container for 10 s before it kills it (docker kills at once).
  if (e.name == "podman") rm.argv.insert(rm.argv.begin() + 3, {"--time", "0"});
  rm.timeout_seconds = 120;
  rm.cleanup = true;
  ProcessResult x = run_process(rm);
  if (!x.started || x.exit_code != 0) left = true;
  return r;
}

bool remove_orphan_containers(const Engine& e, std::vector<std::string>& removed) {
  ProcessSpec s;
  std::string label = std::string(kOwnerLabel);
  // docker's ps template has no map of labels, only the Label function.
  std::string value = e.name == "docker" ? "{{.Label \"" + label + "\"}}" : "{{index .Labels \"" + label + "\"}}";
  s.argv = {e.binary, "ps", "-a", "--filter", "label=" + label, "--format", "{{.ID}} " + value};
  s.timeout_seconds = 120;
  ProcessResult r = run_process(s);
  if (!r.started || r.exit_code != 0) return false;
  std::size_t at = 0;
  while (at < r.out.size()) {
    std::size_t nl = r.out.find('\n', at);
    std::string line = r.out.substr(at, nl == std::string::npos ? std::string::npos : nl - at);
    at = nl == std::string::npos ? r.out.size() : nl + 1;
    std::size_t sp = line.find(' ');
    if (sp == std::string::npos) continue;
    std::string id = line.substr(0, sp);
    std::optional<OwnerId> owner = OwnerId::parse(line.substr(sp + 1));
    if (!owner || owner_alive(*owner)) continue;  // an unreadable label is not proof of death
    ProcessSpec rm;
    rm.argv = {e.binary, "rm", "-f", id};
    rm.timeout_seconds = 120;
    ProcessResult x = run_process(rm);
    if (x.started && x.exit_code == 0) removed.push_back(id);
  }
  return true;
}

namespace {

// Per image, `{{.Id}}` then the label's value, one per line.
std::vector<ImageLabel> inspect_images(const Engine& e, const std::vector<std::string>& refs, const std::string& label) {
  ProcessSpec s;
  s.argv = {e.binary, "image", "inspect", "--format", "{{.Id}}\n{{index .Config.Labels \"" + label + "\"}}"};
  s.argv.insert(s.argv.end(), refs.begin(), refs.end());
  s.timeout_seconds = 120;
  ProcessResult r = run_process(s);
  if (!r.started || r.exit_code != 0) return {};
  std::vector<std::string> lines;
  std::size_t at = 0;
  while (at < r.out.size()) {
    std::size_t nl = r.out.find('\n', at);
    if (nl == std::string::npos) nl = r.out.size();
    std::string l = r.out.substr(at, nl - at);
    if (!l.empty() && l.back() == '\r') l.pop_back();
    lines.push_back(l);
    at = nl + 1;
  }
  if (lines.size() != 2 * refs.size()) return {};
  std::vector<ImageLabel> out;
  for (std::size_t i = 0; i < refs.size(); ++i) {
    std::string id = lines[2 * i];
    if (id.rfind("sha256:", 0) != 0) id = "sha256:" + id;  // podman prints the bare hex
    if (!is_typed_sha256(id)) return {};
    const std::string& v = lines[2 * i + 1];
    out.push_back({id, v == "<no value>" ? "" : v});
  }
  return out;
}

}  // namespace

std::string image_id(const Engine& e, const std::string& ref) { return image_id_and_label(e, ref, "").id; }

ImageLabel image_id_and_label(const Engine& e, const std::string& ref, const std::string& label) {
  // Without a label of interest, one that is never set keeps the two-line shape.
  std::vector<ImageLabel> one = inspect_images(e, {ref}, label.empty() ? "org.mplp.none" : label);
  if (one.empty()) return {};
  if (label.empty()) one[0].label.clear();
  return one[0];
}

std::vector<ImageLabel> images_ids_and_labels(const Engine& e, const std::vector<std::string>& refs,
                                              const std::string& label) {
  return inspect_images(e, refs, label);
}

}  // namespace mplp::runner
