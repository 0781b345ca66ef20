#include "gate_doc_checks.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <regex>

#include "core/embedded.h"
#include "test_util.h"

namespace mplp::test {

namespace fs = std::filesystem;

namespace {

// Basenames and relative paths of the project's own files (fixtures/ and
// build directories left out), and of a pack's layout.
struct KnownFiles {
  std::set<std::string> paths, names;
  KnownFiles() {
    const fs::path root = source_root();
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
    const fs::path pack = fixture("packs/good-real");
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

}  // namespace

// The commands of the built binary, from its own help.
const std::set<std::string>& known_commands() {
  static const std::set<std::string> names = [] {
    std::set<std::string> out;
    RunResult help = run_tool({"--help"});
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

void expect_gate_documented(const Gate& g) {
  const GateInfo& info = g.info();
  SCOPED_TRACE(std::string(info.id));
  EXPECT_FALSE(info.title.empty());
  EXPECT_EQ(info.title.find("not yet implemented"), std::string_view::npos);
  EXPECT_FALSE(info.rationale.empty());
  EXPECT_FALSE(info.checks.empty());
  EXPECT_FALSE(info.kinds.empty());
  std::set<std::string_view> codes;
  for (const FindingKind& k : info.kinds) {
    EXPECT_TRUE(codes.insert(k.code).second) << "duplicate finding code " << k.code;
    EXPECT_FALSE(k.summary.empty()) << k.code;
    EXPECT_FALSE(k.fix.empty()) << k.code;
  }
  std::string_view doc = embedded::get("gates/docs/" + std::string(info.id) + ".md");
  EXPECT_GT(doc.size(), 200u) << "gates/docs/" << info.id << ".md is missing or a stub";
  for (const FindingKind& k : info.kinds)
    EXPECT_NE(doc.find(k.code), std::string_view::npos) << "doc page does not explain " << k.code;
}

}  // namespace mplp::test
