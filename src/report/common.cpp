#include "report/common.h"

#include <algorithm>
#include <cctype>
#include <filesystem>
#include <map>
#include <tuple>

#include "core/text.h"

namespace mplp::report {

std::string artifact_path(const std::string& pack_path, const std::string& file) {
  if (pack_path.empty() || pack_path == ".") return file.empty() ? "." : file;
  if (file.empty()) return pack_path;
  // A file beside the checked directory (the substrate registry of a runners
  // check, ../producers/...): named from the same root, without "runners/../".
  if (file.rfind("../", 0) == 0) {
    std::string joined = std::filesystem::path(pack_path + "/" + file).lexically_normal().generic_string();
    if (!joined.empty() && joined != ".") return joined;
  }
  if (pack_path.back() == '/') return pack_path + file;
  return pack_path + "/" + file;
}

namespace {

void sentence(std::string& out, std::string_view label, const std::string& value) {
  if (value.empty()) return;
  if (!out.empty()) out += ' ';
  out += label;
  out += printable_utf8(value);
  if (out.back() != '.') out += '.';
}

}  // namespace

std::string finding_sentence(const Finding& f, std::string_view compare) {
  std::string out = printable_utf8(f.message);
  if (!f.location.pointer.empty()) out += " (at JSON pointer " + printable_utf8(f.location.pointer) + ")";
  else if (f.location.line == 0 && f.location.has_offset)
    out += " (at byte offset " + std::to_string(f.location.offset) + ")";
  if (out.empty()) out = f.code.empty() ? "Finding" : printable_utf8(f.code);
  if (out.back() != '.') out += '.';
  sentence(out, "Expected: ", f.expected);
  sentence(out, "Found: ", f.actual);
  sentence(out, "Detail: ", f.detail);
  sentence(out, "Hint: ", f.hint);
  if (!compare.empty()) out += " See what differs: `" + printable_utf8(compare) + "`.";
  return out;
}

std::unordered_map<std::string, std::string> paths_by_name(const RunReport& report) {
  std::unordered_map<std::string, std::string> out;
  for (const PackResult& p : report.packs) out.emplace(p.name, p.path);
  return out;
}

std::string shell_word(std::string_view s) {
  bool plain = !s.empty() && s[0] != '-';
  for (char c : s)
    if (!(std::isalnum(static_cast<unsigned char>(c)) || std::string_view("_./+,:=@%-").find(c) != std::string_view::npos))
      plain = false;
  if (plain) return std::string(s);
  // A byte every renderer would escape (a control, a hidden character,
  // ill-formed UTF-8) cannot be pasted back from '...': the word is written
  // $'...' (bash, zsh, ksh, POSIX.1-2024 sh), every such byte as \xHH.
  if (printable_utf8(s) != s) {
    std::string out = "$'";
    for (char c : s) {
      const auto byte = static_cast<unsigned char>(c);
      if (c == '\'' || c == '\\') out += '\\', out += c;
      else if (byte < 0x20 || byte >= 0x7f) out += "\\x", append_hex_byte(out, byte);
      else out += c;
    }
    return out + "'";
  }
  std::string out = "'";
  for (char c : s) out += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return out + "'";
}

std::string diff_command(const std::unordered_map<std::string, std::string>& paths, const std::string& pack_path,
                         const Finding& f) {
  if (f.diff_with.empty()) return "";
  auto it = paths.find(f.diff_with);
  if (it == paths.end()) return "";
  auto arg = [](const std::string& path) { return shell_word(path.rfind('-', 0) == 0 ? "./" + path : path); };
  return "mplp-gate diff " + arg(pack_path) + " " + arg(it->second);
}

std::string plural(std::size_t n, std::string_view one, std::string_view many) {
  return std::to_string(n) + " " + std::string(n == 1 ? one : many);
}

std::vector<CodeCount> code_counts(const RunReport& report) {
  std::map<std::tuple<std::string, std::string, int>, std::size_t> n;
  for (const PackResult& p : report.packs)
    for (const GateResult& g : p.gates)
      for (const Finding& f : g.findings) ++n[{f.code, f.gate_id, static_cast<int>(f.severity)}];
  std::vector<CodeCount> out;
  for (const auto& [key, count] : n)
    out.push_back({std::get<0>(key), std::get<1>(key), static_cast<Severity>(std::get<2>(key)), count});
  std::stable_sort(out.begin(), out.end(), [](const CodeCount& a, const CodeCount& b) {
    if (a.count != b.count) return a.count > b.count;
    return static_cast<int>(a.severity) > static_cast<int>(b.severity);
  });
  return out;
}

}  // namespace mplp::report
