#include "fixture_expectations.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cctype>
#include <cstdlib>
#include <sstream>

#include "test_util.h"

namespace mplp::test {

namespace fs = std::filesystem;

namespace {

constexpr std::string_view kSuffix = ".expected-findings.txt";
constexpr std::string_view kArgs = "# args:";

}  // namespace

std::filesystem::path Expectation::dir() const { return fixture(group + "/" + name); }
std::filesystem::path Expectation::file() const { return fixture(group + "/" + name + std::string(kSuffix)); }
void PrintTo(const Expectation& e, std::ostream* os) { *os << "fixtures/" << e.group << "/" << e.name; }

bool needs_container_engine(const std::string& group) { return group == "runner-smoke"; }

std::vector<Expectation> discover_expectations(bool engine_groups) {
  std::vector<Expectation> out;
  std::error_code ec;
  for (const auto& g : fs::directory_iterator(fixture(""), ec)) {
    if (!g.is_directory() || needs_container_engine(g.path().filename()) != engine_groups) continue;
    for (const auto& e : fs::directory_iterator(g.path(), ec)) {
      std::string file = e.path().filename();
      if (file.size() > kSuffix.size() && file.ends_with(kSuffix))
        out.push_back({g.path().filename(), file.substr(0, file.size() - kSuffix.size())});
    }
  }
  std::sort(out.begin(), out.end(),
            [](const Expectation& a, const Expectation& b) { return a.file() < b.file(); });
  return out;
}

namespace {

std::vector<std::string> split_lines(const std::string& text) {
  std::vector<std::string> lines;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  return lines;
}

// The lines of a text report an expectations file holds: pack headers, gate
// verdicts, findings, NOT VERIFIED, run warnings, the counts and RESULT. Not
// the lines under a finding (detail, expected, actual, hint, compare: indented
// 13 columns), blank lines, or the policy line (its sha256 changes with
// policy/default.yaml, which is not what a fixture is about), nor the
// findings whose code `ignored` lists (they say what differs by machine), and
// then not the counts line either.
std::vector<std::string> verdict_lines(const std::string& report, const std::vector<std::string>& ignored) {
  std::vector<std::string> out;
  for (std::string& line : split_lines(report)) {
    if (line.empty() || line.starts_with("             ") || line.starts_with("policy: ")) continue;
    if (std::any_of(ignored.begin(), ignored.end(),
                    [&](const std::string& code) { return line.ends_with(" [" + code + "]"); }))
      continue;
    // The counts line counts the ignored findings too.
    if (!ignored.empty() && line.find(" checked; ") != std::string::npos && line.ends_with(" info")) continue;
    out.push_back(std::move(line));
  }
  return out;
}

// The codes of the file's `# ignore: CODE...` lines, among its first `header`
// lines: findings that name this machine (an engine's version, a time, a
// temporary directory), left out of both sides of the comparison.
std::vector<std::string> ignored_codes(const std::vector<std::string>& lines, std::size_t header) {
  constexpr std::string_view kIgnore = "# ignore:";
  std::vector<std::string> codes;
  for (std::size_t k = 0; k < header; ++k) {
    if (!lines[k].starts_with(kIgnore)) continue;
    std::istringstream words(lines[k].substr(kIgnore.size()));
    for (std::string w; words >> w;) codes.push_back(w);
  }
  return codes;
}

// A line diff (longest common subsequence): "  " kept, "- " expected only,
// "+ " reported only; runs of more than 6 kept lines shortened.
std::string line_diff(const std::vector<std::string>& want, const std::vector<std::string>& got) {
  const std::size_t n = want.size(), m = got.size();
  std::vector<std::vector<std::size_t>> lcs(n + 1, std::vector<std::size_t>(m + 1, 0));
  for (std::size_t i = n; i-- > 0;)
    for (std::size_t j = m; j-- > 0;)
      lcs[i][j] = want[i] == got[j] ? lcs[i + 1][j + 1] + 1 : std::max(lcs[i + 1][j], lcs[i][j + 1]);
  std::vector<std::string> rows;
  std::size_t i = 0, j = 0;
  while (i < n || j < m) {
    if (i < n && j < m && want[i] == got[j]) rows.push_back("  " + want[i++]), ++j;
    else if (j < m && (i == n || lcs[i][j + 1] >= lcs[i + 1][j])) rows.push_back("+ " + got[j++]);
    else rows.push_back("- " + want[i++]);
  }
  std::string out;
  for (std::size_t k = 0; k < rows.size();) {
    std::size_t run = k;
    while (run < rows.size() && rows[run].starts_with("  ")) ++run;
    if (run - k > 6) {
      for (std::size_t x = k; x < k + 2; ++x) out += rows[x] + "\n";
      out += "  ... (" + std::to_string(run - k - 4) + " unchanged lines)\n";
      for (std::size_t x = run - 2; x < run; ++x) out += rows[x] + "\n";
      k = run;
    } else {
      out += rows[k++] + "\n";
    }
  }
  return out;
}

// Writes `bytes` to `path` through a temporary file and a rename.
void replace_file(const fs::path& path, const std::string& bytes) {
  fs::path tmp = path;
  tmp += ".tmp";
  write_file(tmp.string(), bytes);
  fs::rename(tmp, path);
}

}  // namespace

void check_expectation(const Expectation& e, const std::string& cwd, const std::vector<std::string>& extra) {
  ASSERT_TRUE(fs::is_directory(e.dir())) << e.file() << " names no fixture directory " << e.dir();
  std::vector<std::string> lines = split_lines(read_file(e.file().string()));
  ASSERT_FALSE(lines.empty() || !lines[0].starts_with(kArgs))
      << e.file() << ": the first line must be `" << kArgs << " ...` (the arguments after `mplp-gate check`)";
  std::vector<std::string> args{"check", "--color", "never"};
  std::istringstream words(lines[0].substr(kArgs.size()));
  for (std::string w; words >> w;) args.push_back(w);
  args.insert(args.end(), extra.begin(), extra.end());
  std::size_t header = 0;
  while (header < lines.size() && lines[header].starts_with("#")) ++header;

  RunOptions o;
  o.cwd = cwd.empty() ? e.dir().string() : cwd;
  RunResult r = run_tool_with(args, o);
  ASSERT_TRUE(r.exit_code == 0 || r.exit_code == 1)
      << e.dir() << ": mplp-gate exited " << r.exit_code << "\nstderr:\n" << r.err << "stdout:\n" << r.out;
  std::vector<std::string> got = verdict_lines(r.out, ignored_codes(lines, header));
  ASSERT_FALSE(got.empty());
  // The exit code agrees with the RESULT line the file holds.
  EXPECT_EQ(got.back(), r.exit_code == 0 ? "RESULT: PASS" : "RESULT: FAIL") << e.dir();

  if (const char* update = std::getenv("MPLP_UPDATE_FIXTURE_EXPECTATIONS"); update && std::string(update) == "1") {
    std::string text;
    for (std::size_t k = 0; k < header; ++k) text += lines[k] + "\n";
    for (const std::string& line : got) text += line + "\n";
    replace_file(e.file(), text);
    return;
  }
  std::vector<std::string> want(lines.begin() + static_cast<std::ptrdiff_t>(header), lines.end());
  if (want != got)
    ADD_FAILURE() << "the report on " << e.dir() << " differs from " << e.file()
                  << " (- expected, + reported):\n"
                  << line_diff(want, got)
                  << "if the change is intended, run scripts/update-fixture-expectations and review the diff";
}

std::string expectation_test_name(const Expectation& e) {
  std::string name = e.group + "_" + e.name;
  for (char& c : name)
    if (!std::isalnum(static_cast<unsigned char>(c))) c = '_';
  return name;
}

}  // namespace mplp::test
