#include "gates/pack_structure_files.h"

#include <memory>
#include <string>
#include <vector>

#include "core/json.h"
#include "core/pack_lines.h"
#include "core/text.h"

namespace mplp::pack_structure {

namespace {

constexpr std::string_view kTimeline = "timeline/events.ndjson";
// A timeline of a million bad lines would otherwise make a million findings;
// past this many, one summary finding carries the count.
constexpr std::uint64_t kMaxLineFindings = 1000;

// Spaces and tabs only (the line's final CR of a CRLF is gone already): a CR
// elsewhere is no line break, and a line of CRs is not blank (QA-39).
bool is_blank(std::string_view line) {
  return line.find_first_not_of(" \t") == std::string_view::npos;
}

// Why one timeline line is bad (empty when it is fine), and the finding's code.
struct LineVerdict {
  std::string code;
  std::vector<std::string> problems;
  std::uint64_t column = 0;  // 1-based within the line, 0 = unknown
  std::uint64_t offset = 0;  // within the line
  bool has_offset = false;
};

LineVerdict judge_line(std::string_view line, unsigned max_depth) {
  LineVerdict v;
  JsonDoc doc;
  if (!parse_json(line, JsonOptions{max_depth}, doc)) {
    v.code = "timeline.invalid_json";
    v.problems.push_back("not valid JSON: " + doc.error.message);
    v.column = doc.error.column;
    v.offset = doc.error.offset;
    v.has_offset = true;
    return v;
  }
  if (!doc.value.IsObject()) {
    v.code = "timeline.not_object";
    v.problems.push_back("not a JSON object but " + to_compact_json(doc.value, 60));
    return v;
  }
  for (std::string_view key : {"timestamp", "event"}) {
    const rapidjson::Value* m = member(doc.value, key);
    if (m == nullptr) v.problems.push_back("`" + std::string(key) + "` is missing");
    else if (!m->IsString()) v.problems.push_back("`" + std::string(key) + "` is not a string but " + to_compact_json(*m, 60));
  }
  if (!v.problems.empty()) v.code = "timeline.bad_event";
  for (const DuplicateKey& d : doc.duplicates) {
    if (v.code.empty()) {
      v.code = "timeline.duplicate_key";
      v.column = d.column;
    }
    v.problems.push_back("duplicate key at " + d.pointer);
  }
  return v;
}

}  // namespace

void check_json_files(const GateInfo& gate, const Pack& pack, FindingSink& sink) {
  for (const Entry& e : pack.entries()) {
    if (e.type != EntryType::Regular || !ends_with_ignoring_ascii_case(e.path, ".json")) continue;
    const JsonCheck jf = pack.check_json(e.path);
    if (!jf.readable) {
      Finding f = gate.finding("json.unreadable", e.path, "JSON file could not be read: " + jf.read_error);
      f.hint = "make the file readable and within limits.max_file_size";
      sink.report(std::move(f));
      continue;
    }
    if (!jf.parsed()) {
      const JsonError& je = jf.error;
      Finding f = gate.finding("json.invalid", e.path, "not valid JSON: " + je.message);
      f.location.line = je.line;
      f.location.column = je.column;
      f.location.has_offset = true;
      f.location.offset = je.offset;
      f.detail = "at byte offset " + std::to_string(je.offset);
      f.expected = "strict RFC 8259 JSON, nested at most " + std::to_string(pack.limits().max_json_depth) + " deep";
      f.hint = "fix the file at the place shown (NaN, comments, trailing commas and invalid UTF-8 are not JSON)";
      sink.report(std::move(f));
      continue;
    }
    for (const DuplicateKey& d : jf.duplicates) {
      Finding f = gate.finding("json.duplicate_key", e.path, "duplicate key " + d.pointer);
      f.location.pointer = d.pointer;
      f.location.line = d.line;
      f.location.column = d.column;
      f.location.has_offset = true;
      f.location.offset = d.offset;
      f.hint = "keep one member per key: readers disagree on which duplicate wins";
      sink.report(std::move(f));
    }
  }
}

void check_timeline(const GateInfo& gate, const Pack& pack, FindingSink& sink) {
  const Entry* e = pack.find(kTimeline);
  if (e == nullptr || e->type != EntryType::Regular) return;  // check_required reports it
  // Findings wait until the whole file was read as it was hashed: a file
  // that changed meanwhile is reported as that, not by what its lines said.
  std::vector<Finding> held;
  std::uint64_t bad = 0;
  const auto judge = [&](const PackLine& l) {
    std::string_view line = l.text;
    if (!l.cut && !line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (!l.cut && is_blank(line)) return;
    LineVerdict v;
    if (l.cut) {
      v.code = "timeline.line_too_long";
      v.problems.push_back("longer than " + std::to_string(kMaxLineBytes >> 20) + " MiB, not read as an event");
    } else {
      v = judge_line(line, pack.limits().max_json_depth);
    }
    if (v.code.empty() || ++bad > kMaxLineFindings) return;
    std::string message = "event line " + std::to_string(l.number) + ": ";
    for (std::size_t i = 0; i < v.problems.size(); ++i) message += (i ? "; " : "") + v.problems[i];
    Finding f = gate.finding(v.code, std::string(kTimeline), std::move(message));
    f.location.line = l.number;
    f.location.column = v.column;
    f.location.has_offset = v.has_offset;
    f.location.offset = l.offset + v.offset;
    f.expected = "{\"timestamp\": \"...\", \"event\": \"...\", ...} on one line";
    f.hint = "each non-empty line must be one JSON object with string timestamp and event";
    held.push_back(std::move(f));
  };
  std::string err;
  if (!for_each_line(pack, kTimeline, kMaxLineBytes, judge, err)) {
    Finding f = gate.finding("timeline.unreadable", std::string(kTimeline), "timeline could not be read: " + err);
    f.hint = "make the file readable and within limits.max_file_size";
    sink.report(std::move(f));
    return;
  }
  for (Finding& f : held) sink.report(std::move(f));
  if (bad > kMaxLineFindings) {
    Finding f = gate.finding("timeline.too_many_errors", std::string(kTimeline),
                             std::to_string(bad) + " bad event lines; only the first " +
                                 std::to_string(kMaxLineFindings) + " are reported one by one");
    f.actual = std::to_string(bad) + " bad lines";
    f.hint = "fix the producer that wrote the timeline";
    sink.report(std::move(f));
  }
}

}  // namespace mplp::pack_structure
