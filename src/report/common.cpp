#include "report/common.h"

#include "core/text.h"

namespace mplp::report {

std::string artifact_path(const std::string& pack_path, const std::string& file) {
  if (pack_path.empty() || pack_path == ".") return file.empty() ? "." : file;
  if (file.empty()) return pack_path;
  if (pack_path.back() == '/') return pack_path + file;
  return pack_path + "/" + file;
}

std::string printable(std::string_view s) {
  std::string valid = to_valid_utf8(s);
  std::string out;
  out.reserve(valid.size());
  static const char kHex[] = "0123456789abcdef";
  for (unsigned char c : valid) {
    if (c == '\n') out += "\\n";
    else if (c == '\r') out += "\\r";
    else if (c == '\t') out += "\\t";
    else if (c < 0x20 || c == 0x7f) {
      out += "\\x";
      out += kHex[c >> 4];
      out += kHex[c & 0xf];
    } else {
      out += static_cast<char>(c);
    }
  }
  return out;
}

namespace {

void sentence(std::string& out, std::string_view label, const std::string& value) {
  if (value.empty()) return;
  if (!out.empty()) out += ' ';
  out += label;
  out += printable(value);
  if (out.back() != '.') out += '.';
}

}  // namespace

std::string finding_sentence(const Finding& f) {
  std::string out = printable(f.message);
  if (!f.location.pointer.empty()) out += " (at JSON pointer " + printable(f.location.pointer) + ")";
  else if (f.location.line == 0 && f.location.has_offset)
    out += " (at byte offset " + std::to_string(f.location.offset) + ")";
  if (out.empty()) out = f.code.empty() ? "Finding" : printable(f.code);
  if (out.back() != '.') out += '.';
  sentence(out, "Expected: ", f.expected);
  sentence(out, "Found: ", f.actual);
  sentence(out, "Detail: ", f.detail);
  sentence(out, "Hint: ", f.hint);
  return out;
}

std::string plural(std::size_t n, std::string_view one, std::string_view many) {
  return std::to_string(n) + " " + std::string(n == 1 ? one : many);
}

}  // namespace mplp::report
