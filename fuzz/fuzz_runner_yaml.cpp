// Fuzzes the runner.yaml loader (src/runner/runner_def.h load_runner_def):
// the input becomes runners/fz/runner.yaml (beside an empty Containerfile) in
// a temp directory. Invariants on success (what runners/ schema promises the
// executor): the four commands are non-empty, smoke_output is a safe relative
// path, base.build is exactly _base/<base_id>/build.sh with a plain id (the
// only script `mplp-gate base build` may run), source_date_epoch is in range, and every fetch entry is
// pinned by 64 lowercase hex with a plain file name. On failure the error
// names the file.
#include <stdlib.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>

#include "core/safe_fs.h"
#include "core/values.h"
#include "fuzz_util.h"
#include "runner/runner_def.h"

namespace fs = std::filesystem;
using mplp::fuzz::as_text;

namespace {

// A temp directory for the whole process, removed at exit. Never destroyed
// (the exit handler still needs it after static destructors ran).
const std::string& runners_dir() {
  static const std::string* dir = [] {
    const char* t = std::getenv("TMPDIR");
    std::string tmpl = std::string(t != nullptr && *t != '\0' ? t : "/tmp") + "/mplp-fuzz-runner-XXXXXX";
    if (::mkdtemp(tmpl.data()) == nullptr) std::abort();
    fs::create_directories(tmpl + "/fz");
    std::ofstream(tmpl + "/fz/Containerfile") << "FROM scratch\n";
    std::atexit([] {
      std::error_code ec;
      fs::remove_all(runners_dir(), ec);
    });
    return new std::string(tmpl);
  }();
  return *dir;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string& dir = runners_dir();
  {
    std::ofstream out(dir + "/fz/runner.yaml", std::ios::binary | std::ios::trunc);
    std::string_view in = as_text(data, size);
    out.write(in.data(), static_cast<std::streamsize>(in.size()));
  }
  mplp::runner::RunnerDef def;
  std::string error;
  if (!mplp::runner::load_runner_def(dir, "fz", def, error)) {
    FUZZ_CHECK(error.find(dir + "/fz") != std::string::npos, error);
    return 0;
  }
  FUZZ_CHECK(!def.runtime_type.empty() && !def.version_command.empty(), "missing command");
  FUZZ_CHECK(!def.version_prefix.empty() && !def.smoke_command.empty(), "missing command");
  FUZZ_CHECK(mplp::is_safe_relative_path(def.smoke_output), def.smoke_output);
  FUZZ_CHECK(def.base_build.empty() ||
                 (mplp::is_runner_id(def.base_id) && def.base_build == "_base/" + def.base_id + "/build.sh"),
             def.base_build);
  FUZZ_CHECK(def.source_date_epoch >= 0 && def.source_date_epoch <= 4102444800, "source_date_epoch");
  for (const mplp::runner::NpmFetch& f : def.fetch) {
    FUZZ_CHECK(f.sha256.size() == 64 && mplp::fuzz::is_lower_hex(f.sha256), f.sha256);
    FUZZ_CHECK(mplp::is_safe_relative_path(f.file) && f.file.find('/') == std::string::npos, f.file);
    FUZZ_CHECK(!f.package.empty() && !f.version.empty(), f.package);
  }
  return 0;
}
