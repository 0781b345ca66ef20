// `mplp-gate diff A B`: what differs between two packs (core/pack_diff.h),
// as text for people or JSON for scripts. Exit codes: 0 the packs hold the
// same files, 1 they differ, 2 could not compare (whatever the format).
#include <rapidjson/prettywriter.h>

#include <algorithm>
#include <iostream>

#include "core/json_write.h"
#include "cli/commands.h"
#include "cli/options.h"
#include "cli/stderr_guard.h"
#include "core/pack_diff.h"
#include "core/text.h"
#include "report/common.h"

namespace mplp::cli {

namespace {


constexpr std::string_view kUsage =
    "usage: mplp-gate diff [--format text|json] A B\n\n"
    "Compares two evidence packs, for instance two reruns that GATE-V2-DET-01 found\n"
    "disagreeing (its finding prints this command with the two paths). In order:\n"
    "  environment drift   fields of the manifest's env_ref and of\n"
    "                      reports/runner.meta.json naming the runner, image, digest\n"
    "                      or fingerprint: a different machine or image explains a\n"
    "                      lot, so these come first;\n"
    "  fields              every other differing field of manifest.json and\n"
    "                      reports/runner.meta.json, as a JSON pointer with both\n"
    "                      values ((absent) where a side lacks it);\n"
    "  files               added (+, only in B), removed (-, only in A) and changed\n"
    "                      (~) files, by SHA-256 recomputed from the bytes (a sums\n"
    "                      file may lie), or by kind for links and special files;\n"
    "  timeline            the event names of timeline/events.ndjson aligned like a\n"
    "                      diff (a longest common subsequence): events only in A\n"
    "                      (-) or only in B (+), with their line numbers; timestamps\n"
    "                      and event data are ignored; timelines of more than\n"
    "                      100000 events are not compared (a note says so).\n"
    "Packs are read as `check` reads them: no link is followed, the default\n"
    "policy's limits apply, and a pack that cannot be read in full is an error.\n\n"
    "Exit codes, whatever the format: 0 the packs hold the same files (same\n"
    "paths, same bytes), 1 they differ, 2 could not compare (not a directory,\n"
    "no part of a pack in it, unreadable file, over the limits).\n\n"
    "example:\n"
    "  mplp-gate diff runs/mcp-run-1 runs/mcp-run-2\n"
    "  mplp-gate diff --format json runs/mcp-run-1 runs/mcp-run-2 | jq .environment\n\n"
    "options:\n";

constexpr std::size_t kContext = 2;  // unchanged events shown around each change

std::string value(const std::optional<std::string>& v) { return v ? printable_utf8(shortened(*v)) : "(absent)"; }

// Two values as a line shows them: shortened, or, when they differ only past
// what shortened() keeps, each from a little before their first difference
// (two different values never read the same).
std::pair<std::string, std::string> shown(const std::optional<std::string>& a, const std::optional<std::string>& b) {
  std::string sa = value(a), sb = value(b);
  if (!a || !b || sa != sb || *a == *b) return {sa, sb};
  std::size_t from = static_cast<std::size_t>(std::mismatch(a->begin(), a->end(), b->begin(), b->end()).first - a->begin());
  from = from > 40 ? from - 40 : 0;
  while (from > 0 && (static_cast<unsigned char>((*a)[from]) & 0xC0) == 0x80) --from;  // not inside a character
  auto tail = [from](const std::string& v) {
    return "(from byte " + std::to_string(from) + ") ..." + printable_utf8(shortened(std::string_view(v).substr(from)));
  };
  return {tail(*a), tail(*b)};
}

void print_fields(std::ostream& out, const PackDiff& d, bool environment, std::string_view title) {
  std::size_t n = 0;
  for (const FieldDiff& f : d.fields) n += f.environment == environment ? 1 : 0;
  if (n == 0) return;
  out << title << " (" << n << "):\n";
  for (const FieldDiff& f : d.fields)
    if (f.environment == environment) {
      const auto [a, b] = shown(f.a, f.b);
      out << "  " << f.file << "#" << printable_utf8(f.pointer) << ": " << a << " -> " << b << "\n";
    }
}

void print_files(std::ostream& out, const PackDiff& d) {
  std::size_t added = 0, removed = 0, changed = 0;
  for (const FileDiff& f : d.files) (f.op == '+' ? added : f.op == '-' ? removed : changed) += 1;
  if (d.files.empty()) return;
  out << "files (" << changed << " changed, " << added << " added, " << removed << " removed):\n";
  for (const FileDiff& f : d.files) {
    // Reversible, as check's messages name files: two names that differ
    // only in ill-formed bytes must not read the same.
    out << "  " << f.op << " " << printable_utf8(escape_for_message(f.path)) << "  ";
    if (f.op == '~') out << f.a << " -> " << f.b;
    else out << (f.op == '+' ? f.b : f.a);
    out << "\n";
  }
}

void print_timeline(std::ostream& out, const PackDiff& d) {
  if (d.timeline.empty() && d.timeline_changes == 0) return;
  std::size_t na = 0, nb = 0, added = 0;
  for (const TimelineStep& s : d.timeline) {
    na += s.op != '+' ? 1 : 0;
    nb += s.op != '-' ? 1 : 0;
    added += s.op == '+' ? 1 : 0;
  }
  out << "timeline (event names; timestamps and data ignored): " << na << " events in A, " << nb << " in B";
  if (d.timeline_changes == 0) {
    out << ", the same sequence\n";
    return;
  }
  out << "; " << added << " only in B (+), " << d.timeline_changes - added << " only in A (-):\n";
  // Changes with kContext unchanged events around them; longer runs elided.
  std::vector<bool> shown(d.timeline.size(), false);
  for (std::size_t i = 0; i < d.timeline.size(); ++i) {
    if (d.timeline[i].op == '=') continue;
    for (std::size_t k = i >= kContext ? i - kContext : 0; k <= i + kContext && k < d.timeline.size(); ++k)
      shown[k] = true;
  }
  for (std::size_t i = 0; i < d.timeline.size();) {
    if (!shown[i]) {
      std::size_t j = i;
      while (j < d.timeline.size() && !shown[j]) ++j;
      out << "    ... " << (j - i) << " unchanged event" << (j - i == 1 ? "" : "s") << "\n";
      i = j;
      continue;
    }
    const TimelineStep& s = d.timeline[i++];
    out << "  " << (s.op == '=' ? ' ' : s.op) << " " << printable_utf8(s.event);
    if (s.op == '-') out << "  (A line " << s.a_line << ")";
    if (s.op == '+') out << "  (B line " << s.b_line << ")";
    out << "\n";
  }
}

void render_text(std::ostream& out, const std::string& a, const std::string& b, const PackDiff& d) {
  out << "A: " << printable_utf8(a) << "\nB: " << printable_utf8(b) << "\n";
  print_fields(out, d, true, "environment drift");
  print_fields(out, d, false, "fields");
  print_files(out, d);
  print_timeline(out, d);
  for (const std::string& n : d.notes) out << "note: " << printable_utf8(n) << "\n";
  out << (d.equal() ? "RESULT: EQUAL (the same files, byte for byte)"
                    : "RESULT: DIFFERENT (" + std::to_string(d.files.size()) + " file" +
                          (d.files.size() == 1 ? " differs)" : "s differ)"))
      << "\n";
}

using Writer = JsonWriter;

void str(Writer& w, std::string_view s) { write_json_string(w, s); }

void fields_json(Writer& w, const PackDiff& d, bool environment) {
  w.StartArray();
  for (const FieldDiff& f : d.fields) {
    if (f.environment != environment) continue;
    w.StartObject();
    str(w, "file");
    str(w, f.file);
    str(w, "pointer");
    str(w, f.pointer);
    for (auto [key, v] : {std::pair{"a", &f.a}, std::pair{"b", &f.b}}) {
      if (!*v) continue;  // absent on that side
      str(w, key);
      w.RawValue((*v)->data(), (*v)->size(), rapidjson::kObjectType);
    }
    w.EndObject();
  }
  w.EndArray();
}

void render_json(std::ostream& out, const std::string& a, const std::string& b, const PackDiff& d) {
  InertJsonStream os(out);
  Writer w(os);
  w.SetIndent(' ', 2);
  w.StartObject();
  str(w, "a");
  str(w, a);
  str(w, "b");
  str(w, b);
  str(w, "equal");
  w.Bool(d.equal());
  str(w, "environment");
  fields_json(w, d, true);
  str(w, "fields");
  fields_json(w, d, false);
  str(w, "files");
  w.StartArray();
  for (const FileDiff& f : d.files) {
    w.StartObject();
    str(w, "path");
    str(w, f.path);
    if (!is_valid_utf8(f.path)) write_exact(w, "path", f.path);  // "path_b64": the exact bytes
    str(w, "change");
    str(w, f.op == '+' ? "added" : f.op == '-' ? "removed" : "changed");
    if (!f.a.empty()) str(w, "a"), str(w, f.a);
    if (!f.b.empty()) str(w, "b"), str(w, f.b);
    w.EndObject();
  }
  w.EndArray();
  str(w, "timeline");
  w.StartObject();
  str(w, "compared");  // false: "changes" is no verdict (the notes say why)
  w.Bool(d.timeline_compared);
  str(w, "changes");
  w.Uint64(d.timeline_changes);
  str(w, "steps");  // the whole alignment, when it has a change
  w.StartArray();
  for (const TimelineStep& s : d.timeline_changes == 0 ? std::vector<TimelineStep>{} : d.timeline) {
    w.StartObject();
    str(w, "op");
    str(w, std::string(1, s.op));
    str(w, "event");
    str(w, s.event);
    if (s.a_line != 0) str(w, "a_line"), w.Uint64(s.a_line);
    if (s.b_line != 0) str(w, "b_line"), w.Uint64(s.b_line);
    w.EndObject();
  }
  w.EndArray();
  w.EndObject();
  str(w, "notes");
  w.StartArray();
  for (const std::string& n : d.notes) str(w, n);
  w.EndArray();
  w.EndObject();
  os.Flush();
  out << "\n";
}

}  // namespace

int cmd_diff(const Args& args) {
  std::string format = "text";
  bool help = false;
  std::vector<std::string> paths;
  std::vector<OptionSpec> specs = {
      {"--format", true, [&](const std::string& v, std::string& e) {
         if (v != "text" && v != "json") return e = "expected text or json", false;
         format = v;
         return true;
       }, "text (default) or json", "FMT"},
      {"--help", false, [&](const std::string&, std::string&) { help = true; return true; }, "this help", ""},
  };
  std::string error;
  if (!parse_options(args, specs, paths, error)) {
    std::cerr << "mplp-gate diff: " << error << "\ntry 'mplp-gate diff --help'\n";
    return kExitError;
  }
  if (help) {
    std::cout << kUsage << options_help(specs);
    return kExitPass;
  }
  if (paths.size() != 2) {
    std::cerr << "mplp-gate diff: expected two packs, A and B (got " << paths.size() << ")\n"
              << "try 'mplp-gate diff --help'\n";
    return kExitError;
  }
  PackDiff d;
  DiffOptions options;
  options.limits = default_policy().limits;
  if (!diff_packs(paths[0], paths[1], options, d, error)) {
    std::cerr << "mplp-gate diff: " << printable_utf8(error) << "\n";
    return kExitError;
  }
  if (format == "json") {
    render_json(std::cout, paths[0], paths[1], d);
  } else {
    GuardedStream guard(std::cout);  // file names, keys and events are a stranger's
    render_text(std::cout, paths[0], paths[1], d);
  }
  std::cout.flush();
  if (!std::cout) {
    std::cerr << "mplp-gate diff: cannot write to stdout\n";
    return kExitError;
  }
  return d.equal() ? kExitPass : kExitFail;
}

}  // namespace mplp::cli
