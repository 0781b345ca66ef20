// Issue 14, point 2: every finding code has a hint a user of this project can
// follow. The test walks every code every gate (and the engine) documents and
// every error and warning the fixtures and upstream's packs produce: each has
// a fix, and every file or command it names is one this project has: a file
// of the repository (not of fixtures/, which users do not get), a file of a
// pack's layout, or an mplp-gate command.
#include <gtest/gtest.h>

#include <filesystem>
#include <regex>
#include <set>

#include "core/text.h"
#include "engine/check.h"
#include "gates/gate_list.h"
#include "test_util.h"

namespace mplp {
namespace {

namespace fs = std::filesystem;

// Basenames and relative paths of the project's own files (fixtures/ and
// build directories left out), and of a pack's layout.
struct KnownFiles {
  std::set<std::string> paths, names;
  KnownFiles() {
    const fs::path root = test::source_root();
    for (auto it = fs::recursive_directory_iterator(root); it != fs::recursive_directory_iterator(); ++it) {
      std::string rel = fs::relative(it->path(), root).generic_string();
      if (it->is_directory() && (rel == "fixtures" || rel == ".git" || rel.rfind("build", 0) == 0 ||
                                 rel.rfind("subprojects", 0) == 0)) {
        it.disable_recursion_pending();
        continue;
      }
      paths.insert(rel);
      names.insert(it->path().filename());
    }
    const fs::path pack = test::fixture("packs/good-real");
    for (auto& e : fs::recursive_directory_iterator(pack)) {
      paths.insert(fs::relative(e.path(), pack).generic_string());
      names.insert(e.path().filename());
    }
  }
  // "runners/_base/ID/build.sh": upper-case words stand for any name.
  bool has(const std::string& token) const {
    if (paths.count(token) || names.count(token)) return true;
    std::regex placeholder("(^|/)[A-Z][A-Z_]*(/|$)");
    if (!std::regex_search(token, placeholder)) return false;
    std::string pattern;
    for (char c : token) pattern += std::string("\\^$.|?*+()[]{}").find(c) != std::string::npos ? std::string("\\") + c : std::string(1, c);
    pattern = std::regex_replace(pattern, std::regex("(^|/)[A-Z][A-Z_]*(?=/|$)"), "$1[^/]+");
    std::regex re(pattern);
    for (const std::string& p : paths)
      if (std::regex_match(p, re)) return true;
    return false;
  }
};

const KnownFiles& known_files() {
  static const KnownFiles k;
  return k;
}

// The commands of the built binary, from its own help.
const std::set<std::string>& known_commands() {
  static const std::set<std::string> names = [] {
    std::set<std::string> out;
    test::RunResult help = test::run_tool({"--help"});
    std::size_t at = help.out.find("commands:\n");
    for (std::size_t pos = at == std::string::npos ? help.out.size() : at + 10;
         pos + 2 < help.out.size() && help.out.compare(pos, 2, "  ") == 0; pos = help.out.find('\n', pos) + 1)
      out.insert(help.out.substr(pos + 2, help.out.find(' ', pos + 2) - pos - 2));
    return out;
  }();
  return names;
}

// Problems with one hint: names of files or commands this project lacks.
std::vector<std::string> foreign_references(const std::string& hint) {
  std::vector<std::string> out;
  static const std::regex file(R"(([A-Za-z0-9_.*/-]+)\.(jsonl|json|ndjson|yaml|yml|txt|sh|md|py|js)\b)");
  for (auto it = std::sregex_iterator(hint.begin(), hint.end(), file); it != std::sregex_iterator(); ++it) {
    std::string token = it->str();
    while (!token.empty() && (token.front() == '.' || token.front() == '/')) token.erase(0, 1);
    if (token.find('*') != std::string::npos) continue;  // a pattern, not a file
    if (!known_files().has(token)) out.push_back("file " + token);
  }
  static const std::regex command(R"(mplp-gate ([a-z][a-z-]*))");
  for (auto it = std::sregex_iterator(hint.begin(), hint.end(), command); it != std::sregex_iterator(); ++it)
    if (!known_commands().count((*it)[1])) out.push_back("command mplp-gate " + (*it)[1].str());
  return out;
}

TEST(FindingHints, TheCheckerItselfCatchesForeignNames) {
  EXPECT_FALSE(foreign_references("let the runner's env-fingerprint.py write it").empty());
  EXPECT_FALSE(foreign_references("see the runner contract (runner-framework-v2.md)").empty());
  EXPECT_FALSE(foreign_references("run `mplp-gate frobnicate`").empty());
  EXPECT_TRUE(foreign_references("seal it with `mplp-gate seal PACK`; see integrity/sha256sums.txt").empty());
  EXPECT_TRUE(foreign_references("see schemas/runner-meta.v2.schema.json and runners/_base/ID/build.sh").empty());
}

TEST(FindingHints, EveryDocumentedCodeHasAFixNamingOnlyThisProject) {
  std::size_t codes = 0;
  auto walk = [&](std::string_view owner, const FindingKind& k) {
    SCOPED_TRACE(std::string(owner) + " " + std::string(k.code));
    ++codes;
    EXPECT_FALSE(k.fix.empty());
    for (const std::string& bad : foreign_references(std::string(k.fix))) ADD_FAILURE() << "fix names " << bad;
  };
  for (const Gate* g : all_gates())
    for (const FindingKind& k : g->info().kinds) walk(g->info().id, k);
  for (const FindingKind& k : engine_finding_kinds()) walk("engine", k);
  EXPECT_GT(codes, 100u);
  EXPECT_TRUE(known_commands().count("check")) << "the binary's help lists its commands";
  // The codes the issue names, by name.
  for (const char* code : {"root_hash.mismatch", "root_hash.placeholder", "verify_hash.unchecked"}) {
    bool found = false;
    for (const Gate* g : all_gates())
      for (const FindingKind& k : g->info().kinds) found = found || k.code == code;
    EXPECT_TRUE(found) << code;
  }
}

// Every error and warning actually reported on the fixtures and on upstream's
// packs carries a hint (the gate's own words, or its code's documented fix),
// naming only this project's files and commands.
TEST(FindingHints, EveryReportedErrorAndWarningCarriesAHint) {
  std::vector<std::string> roots;
  for (const Gate* g : all_gates()) {
    if (g->info().scope == GateScope::Runners) continue;
    std::string id(g->info().id);
    const std::string dir = ascii_lower(id.substr(8, id.size() - 11));
    if (fs::is_directory(test::fixture(dir))) roots.push_back(test::fixture(dir));
  }
  roots.push_back(test::corpus("upstream"));
  std::sort(roots.begin(), roots.end());
  std::size_t seen = 0;
  std::set<std::string> codes;
  for (const std::string& root : roots) {
    RunReport r = test::check({root});
    for (const PackResult& p : r.packs)
      for (const GateResult& gr : p.gates)
        for (const Finding& f : gr.findings) {
          if (f.severity == Severity::Info) continue;
          ++seen;
          codes.insert(f.code);
          EXPECT_FALSE(f.hint.empty()) << gr.gate_id << " " << f.code << " on " << p.path << ": " << f.message;
          for (const std::string& bad : foreign_references(f.hint))
            ADD_FAILURE() << f.code << " hint names " << bad << ": " << f.hint;
        }
  }
  EXPECT_GT(seen, 50u);
  EXPECT_GT(codes.size(), 30u) << "the walk should meet many codes";
}

}  // namespace
}  // namespace mplp
