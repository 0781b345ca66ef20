#include "runner/image.h"

#include <dirent.h>
#include <sys/stat.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>

#include "core/digest.h"
#include "core/values.h"
#include "runner/child_groups.h"
#include "runner/private_cache.h"
#include "core/safe_fs.h"
#include "core/scoped_temp_dir.h"

namespace mplp::runner {

namespace fs = std::filesystem;

namespace {

constexpr const char* kDefinitionLabel = "org.mplp.definition";

bool write_tree_file(const std::string& root, const std::string& rel, const std::string& bytes, std::string& error) {
  std::error_code ec;
  fs::create_directories(fs::path(root + "/" + rel).parent_path(), ec);
  if (ec) return error = root + "/" + rel + ": " + ec.message(), false;
  return write_file_atomic(root + "/" + rel, bytes, error);
}

ProcessResult run_tool(const std::vector<std::string>& argv, const std::vector<std::string>& env,
                       const std::string& cwd, OutputMode mode, std::string& log, unsigned timeout_seconds = 0) {
  ProcessSpec s;
  s.argv = argv;
  s.env = env;
  s.cwd = cwd;
  s.output = mode;
  s.timeout_seconds = timeout_seconds;
  ProcessResult r = run_process(s);
  log += r.out + r.err;
  return r;
}

std::string failure(const ProcessResult& r, unsigned timeout_seconds = 0) {
  if (!r.started) return r.error;
  if (r.timed_out) return "timed out after " + std::to_string(timeout_seconds) + " s (stopped)";
  if (std::string why = interrupted_by(); !why.empty()) return why;
  std::string t = tail_text(r.err.empty() ? r.out : r.err, 1500);
  return "exit " + std::to_string(r.exit_code) + (t.empty() ? "" : ": " + t);
}

// A note when the base was built from another version of its script.
void note_outdated_base(const RunnerDef& def, const std::string& label, std::vector<std::string>& notes) {
  std::string script, why;
  auto root = Dir::open(def.runners_dir, why);
  if (root && read_beneath(*root, def.base_build, 1 << 20, script, why) && label != "manual" &&
      label != base_definition_hash(script))
    notes.push_back("base image " + def.base_image + " was built from another version of " + def.base_build +
                    " or other apt sources; it is used as it is; rebuild it with " +
                    base_build_hint(def.base_id, def.base_image));
}

// The base id seen last for this engine and base reference (private_cache.h):
// only a guess, which the inspect of both images confirms or refutes.
std::string base_memo_key(const Engine& engine, const std::string& base_ref) {
  std::string where;
  for (const char* var : {"DOCKER_HOST", "CONTAINER_HOST"})
    if (const char* v = std::getenv(var)) where += std::string(var) + "=" + v + '\0';
  return sha256_hex(engine.name + '\0' + engine.binary + '\0' + where + base_ref);
}

// The base image must exist; it is never built here (see image.h).
bool require_base(const Engine& engine, const RunnerDef& def, std::string& base_id, std::vector<std::string>& notes,
                  std::string& error) {
  ImageLabel base = image_id_and_label(engine, def.base_image, kDefinitionLabel);
  base_id = base.id;
  std::string why;
  if (base_id.empty() && !engine_answers(engine, why)) return error = "engine: " + why, false;
  if (base_id.empty()) {
    error = "base: base image " + def.base_image + " of runner '" + def.id + "' is missing (never built by `run` "
            "or `check`); build it with " + base_build_hint(def.base_id, def.base_image);
    return false;
  }
  write_private_file(cache_area("bases"), base_memo_key(engine, def.base_image), base_id + "\n");
  note_outdated_base(def, base.label, notes);
  return true;
}

// The reference of the runner's image: a hash of the engine, the base id and
// every file of the definition.
std::string runner_ref(const Engine& engine, const RunnerDef& def, const std::string& base_id) {
  Sha256 h;
  h.update("mplp-runner-v1\n" + engine.name + "\n" + base_id + "\n");
  for (const auto& [rel, bytes] : def.files) {
    h.update(rel + '\0' + std::to_string(bytes.size()) + '\0');
    h.update(bytes);
  }
  return "localhost/mplp-runner-" + def.id + ":" + to_hex(h.finish()).substr(0, 16);
}

// The common case in one engine call: the base has the id it had last time
// and the runner's image built on it exists. Both are read by one inspect;
// the base's id must be the one the reference was computed from, else the
// caller takes the long way (base first, then the runner's reference).
bool reuse_in_one_inspect(const Engine& engine, const RunnerDef& def, ImageResult& out) {
  std::optional<std::string> kept =
      read_private_file(cache_area("bases"), base_memo_key(engine, def.base_image), 128);
  if (!kept) return false;
  std::string guess = kept->substr(0, kept->find('\n'));
  if (!is_typed_sha256(guess)) return false;
  std::string ref = runner_ref(engine, def, guess);
  std::vector<ImageLabel> both = images_ids_and_labels(engine, {def.base_image, ref}, kDefinitionLabel);
  if (both.size() != 2 || both[0].id != guess) return false;
  note_outdated_base(def, both[0].label, out.notes);
  out.ref = ref;
  out.id = both[1].id;
  return true;
}

bool fetch_npm(const NpmFetch& f, const std::string& ctx, unsigned timeout_seconds, std::string& log,
               std::string& error) {
  std::string where = "build: fetch npm " + f.package + "@" + f.version;
  ScopedTempDir tmp("mplp-npm");
  if (tmp.path().empty()) return error = where + ": " + tmp.error(), false;
  // --prefer-offline: npm's cache answers repeated builds without the network.
  ProcessResult r = run_tool({"npm", "pack", "--silent", "--prefer-offline", "--pack-destination", tmp.path(),
                              f.package + "@" + f.version},
                             {}, tmp.path(), OutputMode::Capture, log, timeout_seconds);
  if (!r.started || r.exit_code != 0) return error = where + " failed: " + failure(r, timeout_seconds), false;
  std::string tgz = tmp.path() + "/" + f.package + "-" + f.version + ".tgz";
  std::string bytes;
  if (!read_file(tgz, 1ull << 32, bytes, error)) return error = where + ": " + error, false;
  std::string got = sha256_hex(bytes);
  if (got != f.sha256) {
    error = where + ": SHA-256 mismatch (runner.yaml pins " + f.sha256 + ", the registry served " + got + ")";
    return false;
  }
  if (!write_tree_file(ctx, f.file, bytes, error)) return error = where + ": " + error, false;
  return true;
}

}  // namespace

std::string base_definition_hash(const std::string& script_bytes) {
  Sha256 h;
  h.update("mplp-base-v1\n");
  h.update(script_bytes);
  // The machine's apt sources decide what the base contains: a change rebuilds.
  std::vector<std::string> files = {"/etc/apt/sources.list"};
  if (DIR* d = ::opendir("/etc/apt/sources.list.d")) {
    while (dirent* e = ::readdir(d)) {
      std::string n = e->d_name;
      auto ends = [&](const std::string& s) { return n.size() > s.size() && n.compare(n.size() - s.size(), s.size(), s) == 0; };
      if (ends(".list") || ends(".sources")) files.push_back("/etc/apt/sources.list.d/" + n);
    }
    ::closedir(d);
  }
  std::sort(files.begin() + 1, files.end());
  for (const std::string& f : files) {
    std::string bytes, err;
    if (!read_file(f, 1 << 20, bytes, err)) continue;
    h.update("\nfile " + f + "\n");
    h.update(sha256_hex(bytes));
  }
  return to_hex(h.finish());
}

std::string base_build_hint(const std::string& base_id, const std::string& image_ref) {
  return "`mplp-gate base build " + base_id + "` (it runs runners/_base/" + base_id + "/build.sh on this host), or `sh runners/_base/" +
         base_id + "/build.sh " + image_ref + "`";
}

bool build_base(const Engine& engine, const std::string& runners_dir, const std::string& base_id,
                const std::string& image_ref, std::int64_t source_date_epoch, OutputMode output, std::string& log,
                std::string& error) {
  std::string rel = "_base/" + base_id + "/build.sh";
  std::string script;
  auto root = Dir::open(runners_dir, error);
  if (!root || !read_beneath(*root, rel, 1 << 20, script, error)) {
    error = "base " + base_id + ": cannot read " + runners_dir + "/" + rel + ": " + error;
    return false;
  }
  ScopedTempDir tmp("mplp-build");
  if (tmp.path().empty()) return error = "base " + base_id + ": " + tmp.error(), false;
  if (!write_tree_file(tmp.path(), "build.sh", script, error)) return false;
  ProcessResult r = run_tool({"sh", tmp.path() + "/build.sh", image_ref},
                             {"ENGINE=" + engine.binary, "SOURCE_DATE_EPOCH=" + std::to_string(source_date_epoch),
                              "MPLP_BASE_LABEL=" + base_definition_hash(script)},
                             tmp.path(), output, log);
  if (!r.started || r.exit_code != 0) {
    error = "base " + base_id + ": " + rel + " failed: " + failure(r);
    return false;
  }
  if (image_id(engine, image_ref).empty()) {
    error = "base " + base_id + ": image " + image_ref + " is missing after " + rel + " ran";
    return false;
  }
  return true;
}

bool ensure_image(const Engine& engine, const RunnerDef& def, const BuildOptions& options, ImageResult& out,
                  std::string& error) {
  out = ImageResult{};
  if (def.build_network && !options.policy_allows_network) {
    error = "build: runner '" + def.id + "' declares build_network: true, which the policy does not allow (list it "
            "under runners.build_network in a policy passed with --policy); builds have no network otherwise";
    return false;
  }
  if (!def.base_image.empty() && !options.rebuild && reuse_in_one_inspect(engine, def, out)) return true;
  out.notes.clear();
  std::string base_id;
  if (!def.base_image.empty() && !require_base(engine, def, base_id, out.notes, error)) return false;

  out.ref = runner_ref(engine, def, base_id);
  if (!options.rebuild) {
    out.id = image_id(engine, out.ref);
    if (!out.id.empty()) return true;
  }

  ScopedTempDir ctx("mplp-build");
  if (ctx.path().empty()) return error = "build: " + ctx.error(), false;
  for (const auto& [rel, bytes] : def.files)
    if (!write_tree_file(ctx.path(), rel, bytes, error)) return error = "build: " + error, false;
  for (const NpmFetch& f : def.fetch)
    if (!fetch_npm(f, ctx.path(), options.timeout_seconds, out.log, error)) return false;

  std::vector<std::string> argv = {engine.binary, "build", "-f", ctx.path() + "/" + def.containerfile, "-t", out.ref};
  for (std::string& a : build_args(engine, def.source_date_epoch, !def.base_image.empty())) argv.push_back(std::move(a));
  for (const std::string& a : build_network_args(engine, def.build_network && options.policy_allows_network))
    argv.push_back(a);
  if (options.rebuild) argv.push_back("--no-cache");
  argv.push_back(ctx.path());
  std::string epoch = std::to_string(def.source_date_epoch);
  ProcessResult r =
      run_tool(argv, {"SOURCE_DATE_EPOCH=" + epoch}, ctx.path(), options.output, out.log, options.timeout_seconds);
  if (!r.started || r.exit_code != 0) {
    error = "build: " + engine.name + " build of runner '" + def.id + "' failed: " + failure(r, options.timeout_seconds);
    return false;
  }
  out.id = image_id(engine, out.ref);
  if (out.id.empty()) return error = "build: image " + out.ref + " is missing after its build", false;
  out.built = true;
  return true;
}

}  // namespace mplp::runner
