#include "core/finding.h"

#include "core/digest.h"

#include <tuple>

namespace mplp {

std::string_view to_string(Severity s) {
  switch (s) {
    case Severity::Info: return "info";
    case Severity::Warning: return "warning";
    case Severity::Error: return "error";
  }
  return "error";
}

bool parse_severity(std::string_view text, Severity& out) {
  if (text == "error") { out = Severity::Error; return true; }
  if (text == "warning") { out = Severity::Warning; return true; }
  if (text == "info") { out = Severity::Info; return true; }
  return false;
}

Finding make_finding(Severity severity, std::string code, std::string file, std::string message) {
  Finding f;
  f.severity = severity;
  f.code = std::move(code);
  f.file = std::move(file);
  f.message = std::move(message);
  return f;
}

bool finding_less(const Finding& a, const Finding& b) {
  auto key = [](const Finding& f) {
    return std::tie(f.gate_id, f.file, f.location.line, f.location.column, f.location.pointer,
                    f.location.offset, f.code, f.message, f.actual, f.expected);
  };
  if (key(a) != key(b)) return key(a) < key(b);
  // Errors before warnings before info at the same place.
  return static_cast<int>(a.severity) > static_cast<int>(b.severity);
}

std::string format_location(const Finding& f) {
  std::string out = f.file;
  const Location& loc = f.location;
  if (loc.line > 0) {
    out += ":" + std::to_string(loc.line);
    if (loc.column > 0) out += ":" + std::to_string(loc.column);
  }
  if (!loc.pointer.empty()) out += "#" + loc.pointer;
  if (loc.line == 0 && loc.pointer.empty() && loc.has_offset) out += "@" + std::to_string(loc.offset);
  return out;
}

std::string finding_fingerprint(std::string_view pack, const Finding& f, std::size_t occurrence) {
  Sha256 h;
  const bool json_file = f.file.size() >= 5 && f.file.compare(f.file.size() - 5, 5, ".json") == 0;
  const std::string where =
      f.location.pointer.empty() || !json_file ? format_location(f) : f.file + "#" + f.location.pointer;
  const std::string pack_name(pack);
  for (const std::string* part : {&f.gate_id, &f.code, &pack_name, &f.file, &where, &f.message, &f.expected, &f.actual}) {
    h.update(*part);
    h.update(std::string_view("\0", 1));
  }
  h.update(std::to_string(occurrence));
  return to_hex(h.finish());
}

}  // namespace mplp
