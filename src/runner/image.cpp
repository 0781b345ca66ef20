#include "runner/image.h"

#include <dirent.h>
#include <sys/stat.h>

#include <algorithm>
#include <filesystem>

#include "core/digest.h"
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
                       const std::string& cwd, OutputMode mode, std::string& log) {
  ProcessSpec s;
  s.argv = argv;
  s.env = env;
  s.cwd = cwd;
  s.output = mode;
  ProcessResult r = run_process(s);
  log += r.out + r.err;
  return r;
}

std::string failure(const ProcessResult& r) {
  if (!r.started) return r.error;
  std::string t = tail_text(r.err.empty() ? r.out : r.err, 1500);
  return "exit " + std::to_string(r.exit_code) + (t.empty() ? "" : ": " + t);
}

bool ensure_base(const Engine& engine, const RunnerDef& def, const BuildOptions& options, std::string& base_id,
                 std::string& log, std::string& error) {
  std::string script;
  auto root = Dir::open(def.runners_dir, error);
  if (!root || !read_beneath(*root, def.base_build, 1 << 20, script, error)) {
    error = "build: base image " + def.base_image + ": cannot read " + def.base_build + ": " + error;
    return false;
  }
  std::string want = base_definition_hash(script);
  if (image_label(engine, def.base_image, kDefinitionLabel) != want) {
    ScopedTempDir tmp("mplp-build");
    if (tmp.path().empty()) return error = "build: base image " + def.base_image + ": " + tmp.error(), false;
    if (!write_tree_file(tmp.path(), "build.sh", script, error)) return false;
    ProcessResult r = run_tool({"sh", tmp.path() + "/build.sh", def.base_image},
                               {"ENGINE=" + engine.binary, "SOURCE_DATE_EPOCH=" + std::to_string(def.source_date_epoch),
                                "MPLP_BASE_LABEL=" + want},
                               tmp.path(), options.output, log);
    if (!r.started || r.exit_code != 0) {
      error = "build: base image " + def.base_image + " (" + def.base_build + ") failed: " + failure(r);
      return false;
    }
  }
  base_id = image_id(engine, def.base_image);
  if (base_id.empty()) {
    error = "build: base image " + def.base_image + " is missing after its build";
    return false;
  }
  return true;
}

bool fetch_npm(const NpmFetch& f, const std::string& ctx, std::string& log,
               std::string& error) {
  std::string where = "build: fetch npm " + f.package + "@" + f.version;
  ScopedTempDir tmp("mplp-npm");
  if (tmp.path().empty()) return error = where + ": " + tmp.error(), false;
  // --prefer-offline: npm's cache answers repeated builds without the network.
  ProcessResult r = run_tool({"npm", "pack", "--silent", "--prefer-offline", "--pack-destination", tmp.path(),
                              f.package + "@" + f.version},
                             {}, tmp.path(), OutputMode::Capture, log);
  if (!r.started || r.exit_code != 0) return error = where + " failed: " + failure(r), false;
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

bool ensure_image(const Engine& engine, const RunnerDef& def, const BuildOptions& options, ImageResult& out,
                  std::string& error) {
  out = ImageResult{};
  std::string base_id;
  if (!def.base_image.empty() && !ensure_base(engine, def, options, base_id, out.log, error)) return false;

  Sha256 h;
  h.update("mplp-runner-v1\n" + engine.name + "\n" + base_id + "\n");
  for (const auto& [rel, bytes] : def.files) {
    h.update(rel + '\0' + std::to_string(bytes.size()) + '\0');
    h.update(bytes);
  }
  out.ref = "localhost/mplp-runner-" + def.id + ":" + to_hex(h.finish()).substr(0, 16);
  if (!options.rebuild) {
    out.id = image_id(engine, out.ref);
    if (!out.id.empty()) return true;
  }

  ScopedTempDir ctx("mplp-build");
  if (ctx.path().empty()) return error = "build: " + ctx.error(), false;
  for (const auto& [rel, bytes] : def.files)
    if (!write_tree_file(ctx.path(), rel, bytes, error)) return error = "build: " + error, false;
  for (const NpmFetch& f : def.fetch)
    if (!fetch_npm(f, ctx.path(), out.log, error)) return false;

  std::vector<std::string> argv = {engine.binary, "build", "-f", ctx.path() + "/" + def.containerfile, "-t", out.ref};
  for (std::string& a : build_args(engine, def.source_date_epoch, !def.base_image.empty())) argv.push_back(std::move(a));
  if (options.rebuild) argv.push_back("--no-cache");
  argv.push_back(ctx.path());
  std::string epoch = std::to_string(def.source_date_epoch);
  ProcessResult r = run_tool(argv, {"SOURCE_DATE_EPOCH=" + epoch}, ctx.path(), options.output, out.log);
  if (!r.started || r.exit_code != 0) {
    error = "build: " + engine.name + " build of runner '" + def.id + "' failed: " + failure(r);
    return false;
  }
  out.id = image_id(engine, out.ref);
  if (out.id.empty()) return error = "build: image " + out.ref + " is missing after its build", false;
  out.built = true;
  return true;
}

}  // namespace mplp::runner
