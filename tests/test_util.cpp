#include "test_util.h"

#include <gtest/gtest.h>

#include <fcntl.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <cctype>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>
#include <stdexcept>
#include <thread>

#include "core/base64.h"
#include "core/digest.h"
#include "core/json.h"
#include "core/text.h"

#include <rapidjson/pointer.h>

namespace fs = std::filesystem;

extern char** environ;

namespace mplp::test {

TempDir::TempDir() {
  std::string tmpl = (fs::temp_directory_path() / "mplp-test-XXXXXX").string();
  if (::mkdtemp(tmpl.data()) == nullptr) throw std::runtime_error("mkdtemp failed");
  path_ = tmpl;
}

TempDir::~TempDir() {
  std::error_code ec;
  // Make everything removable first (tests create read-only dirs).
  for (auto it = fs::recursive_directory_iterator(path_, ec); !ec && it != fs::recursive_directory_iterator(); ++it) {
    std::error_code ec2;
    if (!it->is_symlink(ec2)) fs::permissions(it->path(), fs::perms::owner_all, fs::perm_options::add, ec2);
  }
  fs::remove_all(path_, ec);
}

SwapLoop::SwapLoop(std::string a, std::string b) : a_(std::move(a)), b_(std::move(b)) {
  thread_ = std::thread([this] {
    while (!stop_.load()) {
      if (::renameat2(AT_FDCWD, a_.c_str(), AT_FDCWD, b_.c_str(), RENAME_EXCHANGE) == 0) ++swaps_;
    }
  });
}

long SwapLoop::stop() {
  stop_ = true;
  if (thread_.joinable()) thread_.join();
  return swaps_;
}

ScopedEnv::ScopedEnv(const char* name, const char* value) : name_(name) {
  if (const char* old = std::getenv(name)) old_ = old, had_ = true;
  if (value != nullptr) ::setenv(name, value, 1);
  else ::unsetenv(name);
}

ScopedEnv::~ScopedEnv() {
  if (had_) ::setenv(name_.c_str(), old_.c_str(), 1);
  else ::unsetenv(name_.c_str());
}

void write_file(const std::string& path, const std::string& bytes) {
  fs::create_directories(fs::path(path).parent_path());
  std::ofstream f(path, std::ios::binary | std::ios::trunc);
  f << bytes;
  if (!f) throw std::runtime_error("cannot write " + path);
}

std::string read_file(const std::string& path) {
  std::ifstream f(path, std::ios::binary);
  if (!f) throw std::runtime_error("cannot read " + path);
  std::stringstream ss;
  ss << f.rdbuf();
  return ss.str();
}

void copy_tree(const std::string& from, const std::string& to) {
  fs::create_directories(to);
  fs::copy(from, to, fs::copy_options::recursive | fs::copy_options::overwrite_existing);
  for (auto& e : fs::recursive_directory_iterator(to))
    fs::permissions(e.path(), fs::perms::owner_read | fs::perms::owner_write | fs::perms::owner_exec,
                    fs::perm_options::add);
  fs::permissions(to, fs::perms::owner_all, fs::perm_options::add);
}

static std::string env_or(const char* name, const std::string& fallback) {
  const char* v = std::getenv(name);
  return v != nullptr ? v : fallback;
}

std::string source_root() { return env_or("MPLP_SOURCE_ROOT", "."); }
std::string fixture(const std::string& rel) { return source_root() + "/fixtures/" + rel; }
std::string corpus(const std::string& rel) { return fixture(rel); }
std::string fixture_group(std::string_view gate_id) {
  std::string s(gate_id.substr(std::string_view("GATE-V2-").size()));
  s.resize(s.size() - std::string_view("-01").size());
  return ascii_lower(s);
}
std::string gate_binary() { return env_or("MPLP_GATE_BIN", "mplp-gate"); }

int run_shell(const std::string& command, std::string& output) {
  output.clear();
  FILE* p = ::popen((command + " 2>&1").c_str(), "r");
  if (p == nullptr) return -1;
  std::array<char, 4096> buf{};
  std::size_t n;
  while ((n = std::fread(buf.data(), 1, buf.size(), p)) > 0) output.append(buf.data(), n);
  int status = ::pclose(p);
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

std::string shell_quote(const std::string& s) {
  std::string out = "'";
  for (char c : s) {
    if (c == '\'') out += "'\\''";
    else out += c;
  }
  return out + "'";
}

bool built_with_asan() {
#if defined(__SANITIZE_ADDRESS__)
  return true;
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
  return true;
#else
  return false;
#endif
#else
  return false;
#endif
}

RunResult run_tool(const std::vector<std::string>& args, const std::string& stdin_text) {
  RunOptions o;
  o.stdin_text = stdin_text;
  return run_tool_with(args, o);
}

RunResult run_tool_with(const std::vector<std::string>& args, const RunOptions& options) {
  TempDir tmp;
  std::string out_path = tmp / "out", err_path = tmp / "err", in_path = tmp / "in";
  write_file(in_path, options.stdin_text);
  // Built before fork: the child only calls async-signal-safe functions.
  std::vector<std::string> argv_s{gate_binary()};
  argv_s.insert(argv_s.end(), args.begin(), args.end());
  std::vector<char*> argv;
  for (std::string& s : argv_s) argv.push_back(s.data());
  argv.push_back(nullptr);
  bool asan_limit = options.memory_mib > 0 && built_with_asan();
  std::vector<std::string> env_s;
  std::string asan_options;
  for (char** e = environ; *e != nullptr; ++e) {
    std::string kv = *e;
    if (kv.rfind("ASAN_OPTIONS=", 0) == 0) asan_options = kv.substr(13);
    else env_s.push_back(kv);
  }
  if (asan_limit) asan_options += ":hard_rss_limit_mb=" + std::to_string(options.memory_mib) + ":exitcode=86";
  if (!asan_options.empty()) env_s.push_back("ASAN_OPTIONS=" + asan_options);
  std::vector<char*> envp;
  for (std::string& s : env_s) envp.push_back(s.data());
  envp.push_back(nullptr);
  pid_t pid = ::fork();
  if (pid == 0) {
    int in = ::open(in_path.c_str(), O_RDONLY);
    int out = ::open(out_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
    int err = ::open(err_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
    ::dup2(in, 0);
    ::dup2(out, 1);
    ::dup2(err, 2);
    for (int fd : {in, out, err})  // the tool inherits 0, 1 and 2 only
      if (fd > 2) ::close(fd);
    if (!options.cwd.empty() && ::chdir(options.cwd.c_str()) != 0) ::_exit(125);
    if (options.memory_mib > 0 && !asan_limit) {
      rlimit lim{};
      lim.rlim_cur = lim.rlim_max = static_cast<rlim_t>(options.memory_mib) << 20;
      if (::setrlimit(RLIMIT_AS, &lim) != 0) ::_exit(124);
    }
    ::execve(argv[0], argv.data(), envp.data());
    ::_exit(127);
  }
  int status = 0;
  rusage usage{};
  ::wait4(pid, &status, 0, &usage);
  RunResult r;
  r.max_rss_kib = usage.ru_maxrss;
  r.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  r.out = read_file(out_path);
  r.err = read_file(err_path);
  return r;
}

RunReport check(const std::vector<std::string>& paths, const std::vector<std::string>& gates, CheckRequest base) {
  base.paths = paths;
  if (!gates.empty()) base.only_gates = gates;
  RunReport report;
  std::string error;
  if (!run_check(base, report, error)) throw std::runtime_error("check could not run: " + error);
  return report;
}

static PackResult pack_of(const RunReport& r, const std::string& pack_path) {
  if (pack_path.empty()) {
    if (r.packs.size() != 1) throw std::runtime_error("expected exactly one pack");
    return r.packs[0];
  }
  for (const PackResult& p : r.packs)
    if (p.path == pack_path || (p.path.size() > pack_path.size() &&
                                p.path.compare(p.path.size() - pack_path.size(), pack_path.size(), pack_path) == 0))
      return p;
  throw std::runtime_error("no pack " + pack_path);
}

GateResult result_of(const RunReport& r, const std::string& gate_id, const std::string& pack_path) {
  for (const GateResult& g : pack_of(r, pack_path).gates)
    if (g.gate_id == gate_id) return g;
  throw std::runtime_error("gate did not run: " + gate_id);
}

GateStatus status_of(const RunReport& r, const std::string& gate_id, const std::string& pack_path) {
  return result_of(r, gate_id, pack_path).status;
}

std::vector<std::string> codes_of(const RunReport& r, const std::string& gate_id, Severity min,
                                  const std::string& pack_path) {
  std::vector<std::string> out;
  for (const Finding& f : result_of(r, gate_id, pack_path).findings)
    if (static_cast<int>(f.severity) >= static_cast<int>(min)) out.push_back(f.code);
  std::sort(out.begin(), out.end());
  return out;
}

bool has_code(const RunReport& r, const std::string& gate_id, const std::string& code,
              const std::string& pack_path) {
  for (const std::string& c : codes_of(r, gate_id, Severity::Info, pack_path))
    if (c == code) return true;
  return false;
}

std::vector<Finding> findings_of(const RunReport& r, const std::string& gate_id, const std::string& code,
                                 const std::string& pack_path) {
  std::vector<Finding> out;
  for (const Finding& f : result_of(r, gate_id, pack_path).findings)
    if (code.empty() || f.code == code) out.push_back(f);
  return out;
}

std::string dump(const RunReport& r, const std::string& gate_id, const std::string& pack_path) {
  std::string s;
  for (const Finding& f : result_of(r, gate_id, pack_path).findings)
    s += std::string(to_string(f.severity)) + " " + f.code + " " + format_location(f) + ": " + f.message + "\n";
  return s;
}

void set_json(const std::string& file, const std::string& pointer, const std::string& value_json) {
  JsonDoc doc;
  if (!parse_json(read_file(file), {}, doc)) throw std::runtime_error("set_json: cannot parse " + file);
  if (value_json.empty()) {
    rapidjson::Pointer(pointer.c_str()).Erase(doc.value);
  } else {
    JsonDoc v;
    if (!parse_json(value_json, {}, v)) throw std::runtime_error("set_json: bad value " + value_json);
    // A deep copy: v's strings live in v's allocator, which dies with v.
    rapidjson::Value copy(v.value, doc.value.GetAllocator());
    rapidjson::Pointer(pointer.c_str()).Set(doc.value, copy, doc.value.GetAllocator());
  }
  write_file(file, to_compact_json(doc.value, SIZE_MAX) + "\n");
}

std::string registry_yaml(const std::vector<RegistrySubstrateSpec>& substrates, const std::vector<std::string>& runners) {
  std::string y = "version: \"2.0.0\"\nsubstrates:";
  if (substrates.empty()) y += " []";
  // The names the fixture packs give their substrates (SSOT-01 binds them).
  const std::map<std::string, std::string> names = {
      {"mcp", "Model Context Protocol"}, {"langchain", "LangChain"}, {"crewai", "CrewAI"}, {"example", "Example producer"}};
  for (const RegistrySubstrateSpec& s : substrates)
    y += "\n  - substrate_id: \"" + s.substrate_id + "\"\n    type: \"protocol\"\n    display_name: \"" +
         (names.count(s.substrate_id) > 0 ? names.at(s.substrate_id) : s.substrate_id) +
         "\"\n    upstream_repo: \"https://github.com/example/" + s.substrate_id +
         "\"\n    upstream_tag: \"v1.0.0\"\n    lock_kind: \"" + s.lock_kind + "\"\n    runner_id: \"" + s.runner_id +
         "\"\n    producer_entry: \"producers/" + s.substrate_id + "/produce.sh\"";
  y += "\nrunners:";
  if (runners.empty()) y += " []";
  for (const std::string& r : runners) y += "\n  - runner_id: \"" + r + "\"";
  return y + "\n";
}

void split_dsse_envelope(const std::string& envelope_file, const std::string& pae_path, const std::string& sig_path) {
  JsonDoc doc;
  ASSERT_TRUE(parse_json(read_file(envelope_file), {}, doc)) << envelope_file;
  std::string payload, sig;
  ASSERT_TRUE(base64_decode(as_view(doc.value["payload"]), payload));
  ASSERT_TRUE(base64_decode(as_view(doc.value["signatures"][0]["sig"]), sig));
  std::string type(as_view(doc.value["payloadType"]));
  write_file(pae_path, "DSSEv1 " + std::to_string(type.size()) + " " + type + " " + std::to_string(payload.size()) +
                           " " + payload);
  write_file(sig_path, sig);
}

int openssl_verify(const std::string& pub, bool ecdsa, const std::string& pae_path, const std::string& sig_path,
                   std::string& out) {
  return run_shell("openssl pkeyutl -verify -pubin -inkey " + shell_quote(pub) + " -rawin" +
                       (ecdsa ? " -digest sha256" : "") + " -in " + shell_quote(pae_path) + " -sigfile " +
                       shell_quote(sig_path),
                   out);
}

std::string copy_good_pack(const TempDir& dir, const std::string& name) {
  std::string to = dir / name;
  copy_tree(fixture("packs/good-real"), to);
  return to;
}

void reseal(const std::string& pack_dir) {
  // v2-producer pack_root_hash over the five files that exist.
  const char* five[] = {"artifacts/context.json", "artifacts/plan.json", "artifacts/confirm.json",
                        "artifacts/trace.json", "timeline/events.ndjson"};
  std::string text;
  for (const char* f : five) {
    std::string p = pack_dir + "/" + f;
    if (fs::is_regular_file(fs::symlink_status(p))) text += sha256_hex(read_file(p)) + "  " + f + "\n";
  }
  std::string manifest_path = pack_dir + "/manifest.json";
  if (fs::is_regular_file(fs::symlink_status(manifest_path))) {
    JsonDoc doc;
    if (parse_json(read_file(manifest_path), {}, doc) && doc.value.IsObject()) {
      rapidjson::Value* hashes = nullptr;
      auto it = doc.value.FindMember("hashes");
      if (it != doc.value.MemberEnd() && it->value.IsObject()) hashes = &it->value;
      if (hashes != nullptr) {
        std::string root = sha256_hex(text);
        auto h = hashes->FindMember("pack_root_hash");
        if (h != hashes->MemberEnd())
          h->value.SetString(root.c_str(), static_cast<rapidjson::SizeType>(root.size()), doc.value.GetAllocator());
        std::string vr = pack_dir + "/reports/verify.report.json";
        auto v = hashes->FindMember("verify_report_hash");
        if (v != hashes->MemberEnd() && fs::is_regular_file(fs::symlink_status(vr))) {
          std::string d = sha256_hex(read_file(vr));
          v->value.SetString(d.c_str(), static_cast<rapidjson::SizeType>(d.size()), doc.value.GetAllocator());
        }
        write_file(manifest_path, to_compact_json(doc.value, SIZE_MAX) + "\n");
      }
    }
  }
  std::vector<std::string> files;
  for (auto& e : fs::recursive_directory_iterator(pack_dir)) {
    if (!e.is_regular_file() || e.is_symlink()) continue;
    std::string rel = fs::relative(e.path(), pack_dir).string();
    if (rel.rfind("integrity/", 0) == 0) continue;
    files.push_back(rel);
  }
  std::sort(files.begin(), files.end());
  std::string sums;
  for (const std::string& f : files) sums += sha256_hex(read_file(pack_dir + "/" + f)) + "  " + f + "\n";
  write_file(pack_dir + "/integrity/sha256sums.txt", sums);
}

std::size_t count_of(const std::string& text, const std::string& part) {
  std::size_t n = 0;
  for (std::size_t at = text.find(part); at != std::string::npos; at = text.find(part, at + 1)) ++n;
  return n;
}

}  // namespace mplp::test
