#include "core/gate_doc.h"

namespace mplp {

namespace {

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r')) s.remove_suffix(1);
  return s;
}

bool blank(std::string_view line) { return trim(line).empty(); }

std::vector<std::string_view> split_lines(std::string_view page) {
  std::vector<std::string_view> lines;
  std::size_t pos = 0;
  while (pos <= page.size()) {
    std::size_t nl = page.find('\n', pos);
    if (nl == std::string_view::npos) nl = page.size();
    lines.push_back(page.substr(pos, nl - pos));
    pos = nl + 1;
  }
  return lines;
}

// The paragraph starting at line `i` (blank lines before it skipped), its
// lines joined by `sep`; `i` moves past it.
std::string paragraph(const std::vector<std::string_view>& lines, std::size_t& i, std::string_view sep) {
  while (i < lines.size() && blank(lines[i])) ++i;
  std::string out;
  for (; i < lines.size() && !blank(lines[i]) && lines[i].rfind("## ", 0) != 0; ++i) {
    if (!out.empty()) out += sep;
    out += trim(lines[i]);
  }
  return out;
}

// Lines [from, to) as written, without blank lines at either end.
std::string block(const std::vector<std::string_view>& lines, std::size_t from, std::size_t to) {
  while (from < to && blank(lines[from])) ++from;
  while (to > from && blank(lines[to - 1])) --to;
  std::string out;
  for (std::size_t k = from; k < to; ++k) out += std::string(lines[k]) + (k + 1 < to ? "\n" : "");
  return out;
}

// The cells of a table row "| a | b \| c |", `\|` unescaped.
std::vector<std::string> cells(std::string_view row) {
  std::vector<std::string> out;
  std::string cur;
  row = trim(row);
  if (!row.empty() && row.front() == '|') row.remove_prefix(1);
  for (std::size_t k = 0; k < row.size(); ++k) {
    if (row[k] == '\\' && k + 1 < row.size() && row[k + 1] == '|') {
      cur += '|';
      ++k;
    } else if (row[k] == '|') {
      out.emplace_back(trim(cur));
      cur.clear();
    } else {
      cur += row[k];
    }
  }
  if (!trim(cur).empty()) out.emplace_back(trim(cur));
  return out;
}

bool findings_table(const std::vector<std::string_view>& lines, std::size_t from, std::size_t to, GateDoc& out,
                    std::string& error) {
  bool header = true;
  for (std::size_t k = from; k < to; ++k) {
    if (trim(lines[k]).rfind('|', 0) != 0) continue;
    if (header) {  // the header row, then the |---| row
      header = false;
      ++k;
      continue;
    }
    std::vector<std::string> row = cells(lines[k]);
    std::string code = row.empty() ? std::string() : row[0];
    if (code.size() > 2 && code.front() == '`' && code.back() == '`') code = code.substr(1, code.size() - 2);
    if (row.size() < 2 || code.empty() || row[1].empty()) {
      error = "line " + std::to_string(k + 1) + ": a findings row is `| `code` | meaning |`";
      return false;
    }
    if (!out.meanings.emplace(code, row[1]).second) {
      error = "line " + std::to_string(k + 1) + ": finding code " + code + " is listed twice";
      return false;
    }
  }
  return true;
}

}  // namespace

bool parse_gate_doc(std::string_view page, GateDoc& out, std::string& error) {
  out = GateDoc{};
  const std::vector<std::string_view> lines = split_lines(page);
  if (lines.empty() || lines[0].rfind("# ", 0) != 0) {
    error = "line 1: the page starts with `# GATE-ID`";
    return false;
  }
  out.id = std::string(trim(lines[0].substr(2)));
  std::size_t i = 1;
  std::string title = paragraph(lines, i, " ");
  if (title.size() < 5 || title.rfind("**", 0) != 0 || title.substr(title.size() - 2) != "**") {
    error = "line " + std::to_string(i) + ": the title follows the id, in bold (**title**)";
    return false;
  }
  out.title = title.substr(2, title.size() - 4);
  const std::size_t why_from = i;
  out.rationale = paragraph(lines, i, " ");
  std::size_t first_section = i;
  while (first_section < lines.size() && lines[first_section].rfind("## ", 0) != 0) ++first_section;
  if (out.rationale.empty()) {
    error = "line " + std::to_string(why_from + 1) + ": a paragraph saying why the gate exists follows the title";
    return false;
  }
  out.why = block(lines, why_from, first_section);

  for (std::size_t s = first_section; s < lines.size();) {
    std::size_t end = s + 1;
    while (end < lines.size() && lines[end].rfind("## ", 0) != 0) ++end;
    std::string heading(trim(lines[s].substr(3)));
    if (heading == "What it checks") {
      std::size_t p = s + 1;
      out.checks = paragraph(lines, p, "\n");
    }
    if (heading == "Findings" && !findings_table(lines, s + 1, end, out, error)) return false;
    out.sections.emplace_back(heading, block(lines, s + 1, end));
    s = end;
  }
  if (out.checks.empty()) {
    error = "no `## What it checks` section starting with a paragraph of the rules in short";
    return false;
  }
  return true;
}

}  // namespace mplp
