#include "gates/host_scan.h"

#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <unordered_map>

#include "core/fd_io.h"
#include "core/json_strings.h"
#include "core/pack_lines.h"
#include "core/text.h"

namespace mplp {

namespace {

constexpr std::size_t kMaxFindingsPerFile = 1000;
constexpr std::size_t kMaxCachedHosts = 4096;
constexpr std::size_t kMaxJsonHits = 200000;

std::string list_text(const HostList& l) {
  std::string out;
  for (const std::string& e : l.entries()) {
    if (out.size() > 300) return out + ", ...";
    out += (out.empty() ? "" : ", ") + e;
  }
  return out.empty() ? "(empty list)" : out;
}

int rank(const std::optional<Finding>& f) { return f ? static_cast<int>(f->severity) : -1; }

// One URL occurrence judged at one raw place of the file. Both scans see a
// URL's authority at the same raw offset even when JSON escapes spell its
// scheme differently ("\u0068ttps://x" is "u0068ttps://x" as bytes).
struct Judged {
  std::size_t offset;
  std::size_t authority_offset;
  std::string host;
  std::optional<Finding> finding;  // nullopt: allowed
  bool text_only = false;  // counts only if the file is valid UTF-8 (see FileScan::window)
};

// A file is scanned whole, or, when large, in windows that each end at a
// line end (or, in a line longer than a window, after a byte that ends a URL
// span, or at worst at a UTF-8 character boundary). No URL, scp reference or
// marker holds a newline, and none but a marker holds a byte that ends a URL
// span, so a cut there splits none of them; lines and columns continue
// across windows.
class FileScan {
 public:
  FileScan(const GateInfo& gate, const std::string& file, const HostRules& rules, FindingSink& sink)
      : gate_(gate), file_(file), rules_(rules), sink_(sink) {}

  // The next window of the file, which starts at `offset_` (line
  // `line_base_` + 1, column `col_base_` + 1). `kind`: what the whole file
  // is, when known; nullopt while streaming, where text-only occurrences are
  // kept and dropped at finish() if the file turned out not to be UTF-8.
  void window(std::string_view bytes, std::optional<ScanText> kind) {
    bytes_ = bytes;
    kind_ = kind;
    newlines_.clear();
    byte_scan(kind);
  }
  // After window(): moves the place past it.
  void advance() {
    std::size_t last = bytes_.rfind('\n');
    if (last == std::string_view::npos) {
      col_base_ += bytes_.size();
    } else {
      std::size_t n = 0;
      for (std::size_t i = bytes_.find('\n'); i != std::string_view::npos; i = bytes_.find('\n', i + 1)) ++n;
      line_base_ += n;
      col_base_ = bytes_.size() - (last + 1);
    }
    offset_ += bytes_.size();
  }

  void byte_scan(std::optional<ScanText> kind) {
    std::vector<ExemptMarker> markers = find_exempt_markers(bytes_);
    has_markers_ = has_markers_ || !markers.empty();
    // A marker covers its line; a CR alone breaks a line for a reader too,
    // so a file of CR line ends is not one line under one marker (QA-33).
    // The part of a line is the number of lone CRs before the place.
    std::vector<std::size_t> lone_crs;
    if (std::any_of(markers.begin(), markers.end(), [](const ExemptMarker& m) { return m.has_reason; }))
      for (std::size_t cr = bytes_.find('\r'); cr != std::string_view::npos; cr = bytes_.find('\r', cr + 1))
        if (cr + 1 >= bytes_.size() || bytes_[cr + 1] != '\n') lone_crs.push_back(cr);
    auto part_of = [&](std::size_t offset) {
      return static_cast<std::size_t>(std::lower_bound(lone_crs.begin(), lone_crs.end(), offset) - lone_crs.begin());
    };
    std::map<std::pair<std::uint64_t, std::size_t>, std::string> exempt;  // (line, part) -> reason
    for (ExemptMarker& m : markers) {
      place(m.line, m.column);
      if (m.has_reason) exempt.emplace(std::pair{m.line, part_of(m.offset)}, m.reason);
      else byte_bad_markers_.push_back(offset_ + m.offset), add(marker_finding(m.line, m.column, ""));
    }
    auto reason_for = [&](const UrlOccurrence& u) -> const std::string* {
      if (exempt.empty()) return nullptr;
      auto ex = exempt.find({u.line, part_of(u.offset)});
      return ex == exempt.end() ? nullptr : &ex->second;
    };
    scan_urls(
        bytes_,
        [&](UrlOccurrence& u) {
          place(u.line, u.column);
          const bool text_only = !kind && !(u.scheme != "scp" && u.error.empty() && is_plain_host(u.host));
          Judged j = judge(u, reason_for(u));
          j.offset += offset_;
          j.authority_offset += offset_;
          j.text_only = text_only;
          if (j.finding) {
            if (full()) return false;
            ++total_;
            j.finding->location.line = u.line;
            j.finding->location.column = u.column;
            byte_.push_back(std::move(j));
          }
          return true;
        },
        kind.value_or(ScanText::Text));
  }

  // Where a JSON string found in a document is: the line and column of the
  // file offset of its opening quote.
  using Placer = std::function<void(std::uint64_t, std::uint64_t&, std::uint64_t&)>;

  // Scans the decoded strings of one JSON document held whole, at file
  // offset `at`.
  void json_scan(std::string_view doc, std::uint64_t at, unsigned max_depth, const Placer& place) {
    if (stopped_) return;
    // Without a backslash no string is escaped, so without markers nothing
    // is worth scanning: the parse would find no hit.
    if (!has_markers_ && doc.find('\\') == std::string_view::npos) return;
    std::vector<JsonStringHit> hits;
    JsonError err;
    auto want = [this](std::string_view s, bool escaped) { return worth_scanning(s, escaped) && count_hit(); };
    if (!collect_json_strings(doc, max_depth, want, hits, err)) return;
    for (const JsonStringHit& h : hits) {
      if (stopped_) return;
      std::uint64_t line = 0, column = 0;
      place(at + h.raw_begin, line, column);
      json_string(h, doc.substr(h.raw_begin, h.raw_end - h.raw_begin), at + h.raw_begin, line, column);
    }
  }
  // The same for a document at `base` in the current window.
  void json_scan(std::string_view doc, std::size_t base, unsigned max_depth) {
    json_scan(doc, offset_ + base, max_depth, [this](std::uint64_t offset, std::uint64_t& line, std::uint64_t& column) {
      place_in_window(static_cast<std::size_t>(offset - offset_), line, column);
    });
  }

  // The JSON string scan of a streamed file, after its byte scan (and
  // settle()): the file read again from `fd`, a document at a time (the
  // file, or each line of an NDJSON file), so that memory does not grow with
  // it. False (with `error`) when a read fails.
  bool json_scan_fd(int fd, bool ndjson, unsigned max_depth, const HostScanSizes& sizes, bool backslash,
                    std::string& error) {
    if (stopped_ || (!has_markers_ && !backslash)) return true;  // nothing is worth scanning
    if (!ndjson) return json_document_fd(fd, 0, false, 0, max_depth, sizes, error);
    bool ok = true;
    const bool read = for_each_line_fd(fd, sizes.max_line, [&](const PackLine& l) {
      if (stopped_ || !ok) return;
      if (l.cut) {  // too long to hold: read from the file, as the whole file is
        ok = json_document_fd(fd, l.offset, true, l.number - 1, max_depth, sizes, error);
      } else if (l.text.find_first_not_of(" \t\r") != std::string_view::npos) {
        json_scan(l.text, l.offset, max_depth, [&](std::uint64_t offset, std::uint64_t& line, std::uint64_t& column) {
          line = l.number;
          column = offset - l.offset + 1;
        });
      }
    }, error);
    return read && ok;
  }

  // After a streamed byte scan: what the file is, known now; occurrences
  // that count only in text are dropped from a binary file, as the
  // whole-file scan never finds them.
  void settle(bool binary) {
    kind_ = binary ? ScanText::Binary : ScanText::Text;
    if (binary) std::erase_if(byte_, [](const Judged& j) { return j.text_only; });
  }

  // `binary`: the file was not valid UTF-8 (known only at its end when
  // streamed): occurrences that count only in text are dropped.
  void finish(bool binary) {
    for (Judged& j : byte_)
      if (j.finding && !(binary && j.text_only)) sink_.report(std::move(*j.finding));
    auto too_many = [this](std::string message, std::string hint) {
      Finding f = gate_.finding(kTooMany, file_, std::move(message));
      f.hint = std::move(hint);
      sink_.report(std::move(f));
    };
    if (json_truncated_ && !stopped_)
      too_many("more than " + std::to_string(kMaxJsonHits) +
                   " escaped strings may hold a URL: the JSON string scan stopped there",
               "write URLs without JSON escapes, or split the file");
    if (stopped_)
      too_many("more than " + std::to_string(kMaxFindingsPerFile) +
                   " URL findings in this file: the scan stopped there, the rest of the file is unchecked",
               "fix the listed URLs first; the file holds many more");
  }

 private:
  // Whether the JSON string scan looks at a string: one that may hold a URL
  // (core/urls.h may_hold_url) and reads differently decoded (escaped), or any such string when
  // the file has exemption markers (judged per line by the byte scan, per
  // string here). An unescaped string reads the same decoded as raw, so the
  // byte scan has judged its URLs already.
  bool worth_scanning(std::string_view s, bool escaped) const {
    if (!escaped && !has_markers_) return false;
    return may_hold_url(s);  // https:/x and https:x.io name hosts too, not only "://"
  }
  // Counts a string worth scanning; past kMaxJsonHits (which bounds time and
  // memory on hostile files: millions of escaped strings) it is not scanned.
  bool count_hit() {
    if (json_hits_ >= kMaxJsonHits) return json_truncated_ = true, false;
    return ++json_hits_, true;
  }

  // A document of a file too large to hold, at file offset `begin`, on line
  // `line_base` + 1. Its strings worth scanning count against kMaxJsonHits
  // as json_scan counts them (even when it does not parse), and are scanned
  // once it is known to parse: they are held meanwhile, up to
  // sizes.held_json bytes, past which the document is read a second time
  // for them.
  bool json_document_fd(int fd, std::uint64_t begin, bool one_line, std::uint64_t line_base, unsigned max_depth,
                        const HostScanSizes& sizes, std::string& error) {
    struct Held {
      JsonStringHit hit;
      std::string raw;
      std::uint64_t line, column;
    };
    std::vector<Held> held;
    std::size_t held_bytes = 0, seen = 0;
    bool spilled = false;  // too much to hold
    auto hold = [&](const JsonFileHit& at) {
      held_bytes += at.hit.text.size() + at.raw.size() + at.hit.pointer.size();
      if (spilled || held_bytes > sizes.held_json) return spilled = true, held.clear();
      held.push_back(Held{at.hit, std::string(at.raw), line_base + at.line, at.column});
    };
    // After the byte scan, whether the file is UTF-8 is known.
    const JsonFileText text{begin, one_line, kind_ == ScanText::Text, sizes.json_chunk};
    JsonFileParse first = scan_json_file_strings(
        fd, text, max_depth, [&](std::string_view s, bool escaped) { return worth_scanning(s, escaped) && ++seen; },
        hold);
    if (!first.read_error.empty()) return error = first.read_error, false;
    if (first.nul) return true;  // collect_json_strings refuses it before offering a string
    std::size_t counted = 0;
    while (counted < seen && count_hit()) ++counted;
    if (seen > counted) json_truncated_ = true;
    if (!first.parsed || counted == 0) return true;
    if (!spilled) {
      for (std::size_t i = 0; i < counted && !stopped_; ++i)
        json_string(held[i].hit, held[i].raw, held[i].hit.raw_begin, held[i].line, held[i].column);
      return true;
    }
    held = {};
    std::size_t k = 0;
    JsonFileParse second = scan_json_file_strings(
        fd, text, max_depth,
        [&](std::string_view s, bool escaped) { return worth_scanning(s, escaped) && k++ < counted; },
        [&](const JsonFileHit& at) {
          if (!stopped_) json_string(at.hit, at.raw, at.hit.raw_begin, line_base + at.line, at.column);
        });
    if (!second.read_error.empty()) return error = second.read_error, false;
    return true;
  }

  // One string the JSON scan selected: `raw` is its text from the opening
  // quote, which is at file offset `quote`, line `line`, column `column`.
  void json_string(const JsonStringHit& h, std::string_view raw, std::uint64_t quote, std::uint64_t line,
                   std::uint64_t column) {
    std::vector<UrlOccurrence> urls = find_urls(h.text, kind_.value_or(ScanText::Text));
    std::vector<ExemptMarker> markers = find_exempt_markers(h.text, true);
    if (urls.empty() && markers.empty()) return;
    // Map decoded offsets to raw ones (one ascending pass).
    std::vector<std::size_t> offs;
    for (const UrlOccurrence& u : urls) offs.push_back(u.offset), offs.push_back(u.authority_offset);
    for (const ExemptMarker& m : markers) offs.push_back(m.offset);
    std::vector<std::size_t> sorted = offs;
    std::sort(sorted.begin(), sorted.end());
    std::vector<std::size_t> raw_offsets = sorted;
    map_to_raw_offsets(raw, raw_offsets);
    auto file_offset = [&](std::size_t decoded) {
      auto i = std::lower_bound(sorted.begin(), sorted.end(), decoded) - sorted.begin();
      return static_cast<std::size_t>(quote) + raw_offsets[static_cast<std::size_t>(i)];
    };
    // A string holds no newline: a place in it is on the quote's line.
    auto locate = [&](Finding& f, std::size_t offset) {
      f.location.line = line;
      f.location.column = column + (offset - quote);
      f.location.pointer = h.pointer;
    };
    const std::string* reason = nullptr;
    for (const ExemptMarker& m : markers)
      if (m.has_reason) reason = &m.reason;
    for (UrlOccurrence& u : urls) {
      Judged j = judge(u, reason);
      j.offset = file_offset(u.offset);
      j.authority_offset = file_offset(u.authority_offset);
      if (j.finding) locate(*j.finding, j.offset);
      merge(std::move(j));
    }
    for (const ExemptMarker& m : markers) {
      const std::size_t at = file_offset(m.offset);
      if (m.has_reason || std::binary_search(byte_bad_markers_.begin(), byte_bad_markers_.end(), at)) continue;
      Finding f = marker_finding(0, 0, h.pointer);
      locate(f, at);
      add(std::move(f));
    }
  }

  // Judges one occurrence; allowed hosts (the common case) cost one cache
  // lookup and build nothing.
  Judged judge(UrlOccurrence& u, const std::string* exempt_reason) {
    HostJudgement local;
    const HostJudgement* hj = &local;
    if (u.error.empty()) {
      auto it = cache_.find(u.host);
      if (it != cache_.end()) {
        hj = &it->second;
      } else {
        local = judge_host(u.host, rules_.forbidden, rules_.allowed);
        if (cache_.size() < kMaxCachedHosts) hj = &cache_.emplace(u.host, std::move(local)).first->second;
      }
      if (hj->verdict == HostVerdict::Allowed) return Judged{u.offset, u.authority_offset, {}, std::nullopt};
    }
    std::optional<Finding> f = host_finding(gate_, file_, u.host, u.url, u.error, *hj, rules_.allowed, false);
    if (f && exempt_reason != nullptr) exempt_finding(gate_, *f, *exempt_reason);
    return Judged{u.offset, u.authority_offset, std::move(u.host), std::move(f)};
  }

  Finding marker_finding(std::uint64_t line, std::uint64_t column, const std::string& pointer) const {
    Finding f = gate_.finding(kExemptNoReason, file_, "'@v2-exempt HOST_ALLOW' marker without a reason");
    f.location.line = line;
    f.location.column = column;
    f.location.pointer = pointer;
    f.expected = "'@v2-exempt HOST_ALLOW <reason>' (a letter or digit after the marker)";
    f.actual = "no reason after the marker";
    f.hint = "say after the marker, on the same line, why the hosts here are acceptable";
    return f;
  }

  // A line and column found in the current window, made the file's.
  void place(std::uint64_t& line, std::uint64_t& column) const {
    if (line == 1) column += col_base_;
    line += line_base_;
  }

  // The line and column of `raw_offset` in the current window.
  void place_in_window(std::size_t raw_offset, std::uint64_t& line, std::uint64_t& column) {
    if (newlines_.empty()) {
      newlines_.push_back(0);  // sentinel: index 0 is "line 1 starts at 0"
      for (std::size_t i = bytes_.find('\n'); i != std::string_view::npos; i = bytes_.find('\n', i + 1))
        newlines_.push_back(i + 1);
    }
    auto it = std::upper_bound(newlines_.begin(), newlines_.end(), raw_offset);
    line = static_cast<std::uint64_t>(it - newlines_.begin());
    column = raw_offset - *(it - 1) + 1;
    place(line, column);
  }

  // A JSON-scan occurrence whose authority is at the place of a byte-scan
  // one's, with the same host, is the same URL: keep one, with the stricter
  // verdict, and on a tie the JSON scan's when escapes made the two
  // spellings differ (it shows the decoded URL and the JSON pointer).
  // Byte-scan occurrences come in authority order (each starts after the
  // previous one's authority), so the search is a binary one.
  void merge(Judged j) {
    auto it = std::lower_bound(byte_.begin(), byte_.end(), j.authority_offset,
                               [](const Judged& a, std::size_t off) { return a.authority_offset < off; });
    for (; it != byte_.end() && it->authority_offset == j.authority_offset; ++it) {
      if (it->host != j.host) continue;
      int a = rank(it->finding), b = rank(j.finding);
      if (b > a || (b == a && b >= 0 && it->finding->actual != j.finding->actual)) it->finding = std::move(j.finding);
      return;
    }
    // Allowed in the byte scan (not kept) and here: the same verdict.
    if (!j.finding) return;
    add(std::move(*j.finding));
  }

  // A hostile file can hold millions of failing URLs: past the limit the
  // scan stops (bounding time and memory) and one finding says so.
  bool full() {
    if (total_ >= kMaxFindingsPerFile) stopped_ = true;
    return stopped_;
  }
  void add(Finding f) {
    if (full()) return;
    ++total_;
    sink_.report(std::move(f));
  }

  const GateInfo& gate_;
  const std::string& file_;
  std::string_view bytes_;  // the current window
  std::size_t offset_ = 0;  // of the window in the file
  std::uint64_t line_base_ = 0, col_base_ = 0;
  std::optional<ScanText> kind_;  // what the file is, when known before its end
  const HostRules& rules_;
  FindingSink& sink_;
  std::vector<Judged> byte_;  // reportable byte-scan occurrences, by offset
  std::vector<std::size_t> byte_bad_markers_;
  std::unordered_map<std::string, HostJudgement> cache_;
  std::vector<std::size_t> newlines_;
  std::size_t total_ = 0;
  bool has_markers_ = false;
  std::size_t json_hits_ = 0;
  bool json_truncated_ = false;
  bool stopped_ = false;
};

}  // namespace

bool HostRules::from_policy(const Policy& policy, HostRules& out, std::string& error) {
  std::string e;
  if (!HostList::compile(policy.forbidden_hosts, out.forbidden, e)) return error = "hosts.forbidden: " + e, false;
  if (!HostList::compile(policy.allowed_hosts, out.allowed, e)) return error = "hosts.allowed: " + e, false;
  if (!HostList::compile(policy.allowed_registries, out.registries, e))
    return error = "hosts.registries: " + e, false;
  return true;
}

std::optional<Finding> host_finding(const GateInfo& gate, const std::string& file, const std::string& host,
                                   std::string_view url, const std::string& error, const HostJudgement& j,
                                   const HostList& allowed, bool registry) {
  const std::string what = registry ? "image registry" : "URL";
  const std::string shown = printable_ascii(url, 120);
  if (!error.empty()) {
    Finding f = gate.finding(kHostInvalid, file, what + " " + shown + " has no usable host: " + error);
    f.actual = printable_ascii(url, 300);
    f.expected = "a host name or IP literal";
    f.hint = "fix or remove the URL; a host must be spelled plainly";
    return f;
  }
  if (j.verdict == HostVerdict::Allowed) return std::nullopt;
  const std::string h = printable_ascii(host, 120);
  const bool forbidden = j.verdict == HostVerdict::Forbidden;
  Finding f = forbidden ? gate.finding(registry ? kRegistryForbidden : kHostForbidden, file,
                                       what + " " + shown + ": host " + h + " is forbidden (policy entry '" +
                                           j.entry + "')")
                        : gate.finding(registry ? kRegistryNotAllowed : kHostNotAllowed, file,
                                       what + " " + shown + ": host " + h + " is not on the allowed list");
  if (forbidden) {
    f.expected = "no host on the forbidden list";
    f.hint = "remove the reference: evidence must not point at local, private or tunnelled hosts";
  } else {
    f.expected = std::string(registry ? "a registry on hosts.registries: " : "a host on hosts.allowed: ") +
                 list_text(allowed);
    f.hint = "point at an allowed host, add the host to the policy, or exempt the line with "
             "'@v2-exempt HOST_ALLOW <reason>'";
  }
  f.actual = printable_ascii(url, 300);
  f.detail = j.note;
  return f;
}

void exempt_finding(const GateInfo& gate, Finding& f, const std::string& reason) {
  f.message = "exempted (" + (reason.empty() ? std::string("@v2-exempt HOST_ALLOW") : reason) + "): " + f.message;
  const FindingKind& exempt = gate.kind(kHostExempt);
  f.code = exempt.code;
  f.severity = exempt.severity;
  f.hint.clear();
}

namespace {

// JSON by its name: one document (.json, and HAR logs, which are JSON full of
// URLs) or one per line (.ndjson, and .jsonl as the pack's own provenance is
// named). QA-33: escaped URLs in .jsonl and .har files were never decoded.
bool is_json_lines(std::string_view file) {
  return ends_with_ignoring_ascii_case(file, ".ndjson") || ends_with_ignoring_ascii_case(file, ".jsonl");
}
bool is_json_document(std::string_view file) {
  return ends_with_ignoring_ascii_case(file, ".json") || ends_with_ignoring_ascii_case(file, ".har");
}

}  // namespace

bool has_json_string_scan(std::string_view file) { return is_json_document(file) || is_json_lines(file); }

void scan_file_hosts(const GateInfo& gate, const std::string& file, std::string_view bytes, const HostRules& rules,
                     unsigned max_json_depth, FindingSink& sink) {
  FileScan scan(gate, file, rules, sink);
  const bool binary = !is_valid_utf8(bytes);
  scan.window(bytes, binary ? ScanText::Binary : ScanText::Text);
  if (is_json_document(file)) {
    scan.json_scan(bytes, 0, max_json_depth);
  } else if (is_json_lines(file)) {
    for (std::size_t start = 0; start < bytes.size();) {
      std::size_t nl = bytes.find('\n', start);
      std::size_t end = nl == std::string_view::npos ? bytes.size() : nl;
      std::string_view line = bytes.substr(start, end - start);
      if (line.find_first_not_of(" \t\r") != std::string_view::npos) scan.json_scan(line, start, max_json_depth);
      start = end + 1;
    }
  }
  scan.finish(binary);
}

namespace {

// The windowed scan of a large file, fed chunk by chunk. A window ends at
// its last newline, else after its last byte that ends a URL span (a byte
// <= 0x20 or a quote: minified JSON has no blanks but many quotes), else
// before its last UTF-8 character: a URL is cut only in a window-long run
// of neither.
class StreamedScan {
 public:
  StreamedScan(const GateInfo& gate, const std::string& file, const HostRules& rules, FindingSink& sink,
               std::size_t window_bytes)
      : scan_(gate, file, rules, sink), window_(std::max<std::size_t>(window_bytes, 1)) {
    buf_.reserve(window_);
  }
  StreamedScan(const StreamedScan&) = delete;
  StreamedScan& operator=(const StreamedScan&) = delete;

  void feed(std::string_view chunk) {
    while (!chunk.empty()) {
      std::size_t take = std::min(window_ - buf_.size(), chunk.size());
      buf_.append(chunk.substr(0, take));
      chunk.remove_prefix(take);
      if (buf_.size() == window_) scan_window(false);
    }
  }

  void end() {
    end_bytes();
    finish();
  }
  // end() in two steps, with the JSON string scan between them.
  void end_bytes() {
    if (!buf_.empty()) scan_window(true);
    scan_.settle(binary_);
  }
  bool json_scan(int fd, bool ndjson, unsigned max_depth, const HostScanSizes& sizes, std::string& error) {
    return scan_.json_scan_fd(fd, ndjson, max_depth, sizes, backslash_, error);
  }
  void finish() { scan_.finish(binary_); }

 private:
  void scan_window(bool eof) {
    std::string_view all = buf_;
    std::size_t len = all.size(), cut = len;
    if (!eof) {
      if (std::size_t nl = all.rfind('\n'); nl != std::string_view::npos) {
        cut = nl + 1;
      } else {
        std::size_t i = len;
        while (i > 0 && !ends_url_span(all[i - 1])) --i;
        if (i > 0) {
          cut = i;
        } else {  // no such byte in a whole window: cut before the last UTF-8 character
          std::size_t j = len;
          while (j + 3 > len && j > 0 && (static_cast<unsigned char>(all[j - 1]) & 0xC0) == 0x80) --j;
          if (j > 1 && static_cast<unsigned char>(all[j - 1]) >= 0xC0) cut = j - 1;
        }
      }
    }
    std::string_view win = all.substr(0, cut);
    binary_ = binary_ || !is_valid_utf8(win);
    backslash_ = backslash_ || win.find('\\') != std::string_view::npos;
    scan_.window(win, std::nullopt);
    scan_.advance();
    buf_.erase(0, cut);
  }

  FileScan scan_;
  std::size_t window_;
  std::string buf_;
  bool binary_ = false;
  bool backslash_ = false;  // escapes are possible: the JSON string scan has work
};

}  // namespace

bool scan_file_hosts_streamed(const GateInfo& gate, const std::string& file, int fd, const HostRules& rules,
                              unsigned max_json_depth, FindingSink& sink, std::string& error,
                              const HostScanSizes& sizes) {
  StreamedScan scan(gate, file, rules, sink, sizes.window);
  // A read of at most a window: no larger buffer is of use (a small window
  // is a test's, which then allocates little).
  const std::size_t read_size = std::clamp<std::size_t>(sizes.window, 4096, std::size_t{1} << 20);
  const std::unique_ptr<char[]> buf(new char[read_size]);  // never cleared: every byte used is read first
  for (;;) {
    const ssize_t n = read_some(fd, buf.get(), read_size);
    if (n < 0) return error = std::strerror(errno), false;
    if (n == 0) break;
    scan.feed(std::string_view(buf.get(), static_cast<std::size_t>(n)));
  }
  scan.end_bytes();
  if (has_json_string_scan(file) &&
      !scan.json_scan(fd, is_json_lines(file), max_json_depth, sizes, error))
    return false;
  scan.finish();
  return true;
}

struct HostScanTap::State {
  State(const GateInfo& gate, std::string f, std::shared_ptr<const HostRules> r, std::size_t window)
      : file(std::move(f)), rules(std::move(r)), scan(gate, file, *rules, held, window) {}
  std::string file;
  std::shared_ptr<const HostRules> rules;
  HeldFindings held;
  StreamedScan scan;
  bool ended = false;
};

HostScanTap::HostScanTap(const GateInfo& gate, std::string file, std::shared_ptr<const HostRules> rules,
                         std::size_t window_bytes)
    : state_(std::make_unique<State>(gate, std::move(file), std::move(rules), window_bytes)) {}
HostScanTap::~HostScanTap() = default;
void HostScanTap::feed(std::string_view chunk) { state_->scan.feed(chunk); }
void HostScanTap::end() {
  state_->scan.end();
  state_->ended = true;
}
bool HostScanTap::ended() const { return state_->ended; }
void HostScanTap::pass_findings(FindingSink& sink) const { state_->held.copy_to(sink); }

}  // namespace mplp
