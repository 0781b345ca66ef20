#include "core/pack_diff.h"

#include <algorithm>
#include <map>
#include <memory>
#include <unordered_map>

#include "core/file_identity.h"
#include "core/json.h"
#include "core/pack.h"
#include "core/pack_layout.h"
#include "core/pack_lines.h"
#include "core/thread_pool.h"

namespace mplp {

namespace {

using rapidjson::Value;

constexpr std::string_view kManifest = "manifest.json";
constexpr std::string_view kRunnerMeta = "reports/runner.meta.json";
constexpr std::string_view kTimeline = "timeline/events.ndjson";

std::unique_ptr<Pack> open_pack(const std::string& path, const DiffOptions& options, ThreadPool& pool,
                                std::string& error) {
  // As check reads a PATH: a link is not followed (QA-36).
  if (names_a_link(path))
    return error = path + ": a symbolic link; links are never followed (give the directory it points at)", nullptr;
  auto pack = Pack::open(path, path, options.limits, error);
  if (!pack) return error = path + ": " + error, nullptr;
  if (pack->truncated())
    return error = path + ": more than " + std::to_string(options.limits.max_files_per_pack) +
                   " entries (limits.max_files_per_pack); not compared",
           nullptr;
  if (!pack->walk_errors().empty()) {
    const auto& [dir, why] = pack->walk_errors().front();
    return error = path + "/" + dir + ": cannot be read: " + why, nullptr;
  }
  // A directory with none of a pack's parts is no pack: two such would be
  // "equal" without a word (an empty directory, a mistyped path).
  const bool pack_like = pack->find(std::string(kManifest)) != nullptr ||
                         std::any_of(kPackFolders.begin(), kPackFolders.end(),
                                     [&](std::string_view d) { return pack->find(std::string(d)) != nullptr; });
  if (!pack_like)
    return error = path + ": not an evidence pack (no manifest.json, artifacts/, integrity/ or timeline/)", nullptr;
  pack->load_files(pool);
  for (const Entry& e : pack->entries()) {
    const FileState* f = pack->file(e.path);
    if (f != nullptr && !f->hashed) return error = path + "/" + e.path + ": cannot be compared: " + f->error, nullptr;
  }
  return pack;
}

// What an entry is, as one string: the digest of a regular file, else its kind.
std::string state_of(const Pack& pack, const Entry& e) {
  if (e.type == EntryType::Regular) return "sha256:" + to_hex(*pack.digest(e.path));
  return std::string(to_string(e.type));
}

void diff_files(const Pack& a, const Pack& b, PackDiff& out) {
  const auto& ea = a.entries();
  const auto& eb = b.entries();
  std::size_t i = 0, j = 0;
  auto add = [&](const std::string& path, char op, std::string sa, std::string sb) {
    out.files.push_back({path, op, std::move(sa), std::move(sb)});
  };
  while (i < ea.size() || j < eb.size()) {
    const Entry* x = i < ea.size() ? &ea[i] : nullptr;
    const Entry* y = j < eb.size() ? &eb[j] : nullptr;
    if (y == nullptr || (x != nullptr && x->path < y->path)) {
      if (x->type != EntryType::Directory) add(x->path, '-', state_of(a, *x), "");
      ++i;
    } else if (x == nullptr || y->path < x->path) {
      if (y->type != EntryType::Directory) add(y->path, '+', "", state_of(b, *y));
      ++j;
    } else {
      std::string sa = state_of(a, *x), sb = state_of(b, *y);
      if (sa != sb) add(x->path, '~', std::move(sa), std::move(sb));
      ++i, ++j;
    }
  }
}

// Runner, image, digest and fingerprint fields: where environment drift shows.
bool is_environment(std::string_view file, const std::vector<std::string>& tokens) {
  auto telling = [](std::string_view key) {
    for (std::string_view word : {"runner", "image", "digest", "fingerprint"})
      if (key.find(word) != std::string_view::npos) return true;
    return false;
  };
  if (file == kManifest) return tokens.size() >= 2 && tokens[0] == "env_ref" && telling(tokens[1]);
  return !tokens.empty() && telling(tokens[0]);
}

class FieldDiffer {
 public:
  FieldDiffer(std::string_view file, std::size_t max, PackDiff& out) : file_(file), max_(max), out_(out) {}
  ~FieldDiffer() {
    if (dropped_ > 0)
      out_.notes.push_back(file_ + ": " + std::to_string(dropped_) + " more differing fields not listed");
  }
  FieldDiffer(const FieldDiffer&) = delete;
  FieldDiffer& operator=(const FieldDiffer&) = delete;
  bool found() const { return count_ > 0; }  // a differing field, listed or not

  void compare(const Value* a, const Value* b) {
    if (a != nullptr && b != nullptr && a->IsObject() && b->IsObject()) {
      std::vector<std::string_view> keys;
      for (const Value* v : {a, b})
        for (auto it = v->MemberBegin(); it != v->MemberEnd(); ++it) keys.push_back(as_view(it->name));
      std::sort(keys.begin(), keys.end());
      keys.erase(std::unique(keys.begin(), keys.end()), keys.end());
      for (std::string_view k : keys) {
        tokens_.emplace_back(k);
        compare(member(*a, k), member(*b, k));
        tokens_.pop_back();
      }
    } else if (a != nullptr && b != nullptr && a->IsArray() && b->IsArray()) {
      for (rapidjson::SizeType i = 0; i < std::max(a->Size(), b->Size()); ++i) {
        tokens_.push_back(std::to_string(i));
        compare(i < a->Size() ? &(*a)[i] : nullptr, i < b->Size() ? &(*b)[i] : nullptr);
        tokens_.pop_back();
      }
    } else if (a == nullptr || b == nullptr || *a != *b) {
      record(a, b);
    }
  }

 private:
  void record(const Value* a, const Value* b) {
    if (count_++ >= max_) {
      ++dropped_;
      return;
    }
    FieldDiff d;
    d.file = file_;
    for (const std::string& t : tokens_) d.pointer += "/" + json_pointer_token(t);
    if (a != nullptr) d.a = to_compact_json(*a, SIZE_MAX);
    if (b != nullptr) d.b = to_compact_json(*b, SIZE_MAX);
    d.environment = is_environment(file_, tokens_);
    out_.fields.push_back(std::move(d));
  }

  std::string file_;
  std::size_t max_, count_ = 0, dropped_ = 0;
  PackDiff& out_;
  std::vector<std::string> tokens_;
};

// Why a JSON file of one side cannot be compared ("" when it can).
std::string json_problem(const Pack& p, std::string_view rel, const JsonFile*& out) {
  out = nullptr;
  const Entry* e = p.find(rel);
  if (e == nullptr) return "missing";
  if (e->type != EntryType::Regular) return std::string("a ") + std::string(to_string(e->type));
  const JsonFile& jf = p.json(rel);
  if (!jf.readable) return "unreadable: " + jf.read_error;
  if (!jf.parsed)
    return "not JSON (" + jf.doc.error.where_and_why() + ")";
  out = &jf;
  return "";
}

void diff_json_file(const Pack& a, const Pack& b, std::string_view rel, const DiffOptions& options, PackDiff& out) {
  const Digest* da = a.digest(rel);
  const Digest* db = b.digest(rel);
  if (da != nullptr && db != nullptr && *da == *db) return;
  const JsonFile *ja = nullptr, *jb = nullptr;
  std::string pa = json_problem(a, rel, ja), pb = json_problem(b, rel, jb);
  if (pa == "missing" && pb == "missing") return;
  if (!pa.empty() || !pb.empty()) {
    std::string note = std::string(rel) + ": fields not compared:";
    if (!pa.empty()) note += " " + pa + " in A";
    if (!pb.empty()) note += std::string(pa.empty() ? " " : "; ") + pb + " in B";
    out.notes.push_back(std::move(note));
    return;
  }
  // Fields are read as member() reads them, the first of a repeated key;
  // other readers take the last, so a repeated key is said, not hidden.
  for (const auto& [side, jf] : {std::pair{"A", ja}, std::pair{"B", jb}})
    if (!jf->doc.duplicates.empty())
      out.notes.push_back(std::string(rel) + ": " + side + " repeats the key at " + jf->doc.duplicates[0].pointer +
                          " (line " + std::to_string(jf->doc.duplicates[0].line) +
                          "): its fields are compared by the first value, and readers differ on which counts");
  FieldDiffer differ(rel, options.max_fields, out);
  differ.compare(&ja->doc.value, &jb->doc.value);
  // Other bytes, equal fields: say so, rather than list the file with no
  // reason (QA-41: two integers past 2^53 read as one double compared equal).
  if (!differ.found())
    out.notes.push_back(std::string(rel) +
                        ": the bytes differ but every field reads the same (spacing, key order, escapes, or numbers "
                        "that differ past a double's precision)");
}

// The event names of a timeline, one per non-blank line, with line numbers.
// A line that is not an event object counts as "(not an event)", so that two
// timelines broken at the same place still align; its id is its own, so it
// never aligns with an event a stranger named "(not an event)".
bool timeline_events(const Pack& p, std::size_t max_events, std::unordered_map<std::string, std::uint32_t>& ids,
                     std::vector<std::string>& names, std::vector<std::uint32_t>& seq,
                     std::vector<std::uint64_t>& lines, std::string& problem) {
  const Entry* e = p.find(kTimeline);
  if (e == nullptr || e->type != EntryType::Regular) return problem = e == nullptr ? "missing" : "not a regular file", false;
  std::string error;
  bool over = false;
  const auto add = [&](const PackLine& l) {
    if (over || l.text.find_first_not_of(" \t\r") == std::string_view::npos) return;
    if (seq.size() == max_events) {
      over = true;
      return;
    }
    JsonDoc doc;
    std::string name = "(not an event)", key = "!";  // keys: "!" for no event, "=" + the name of one
    if (!l.cut && parse_json(l.text, {p.limits().max_json_depth}, doc))
      if (const Value* ev = string_member(&doc.value, "event")) name = std::string(as_view(*ev)), key = "=" + name;
    auto [it, fresh] = ids.emplace(key, static_cast<std::uint32_t>(names.size()));
    if (fresh) names.push_back(name);
    seq.push_back(it->second);
    lines.push_back(l.number);
  };
  if (!for_each_line(p, kTimeline, kMaxLineBytes, add, error)) return problem = "unreadable: " + error, false;
  if (over) return problem = "more than " + std::to_string(max_events) + " events (the limit of diff)", false;
  return true;
}

void diff_timeline(const Pack& a, const Pack& b, const DiffOptions& options, PackDiff& out) {
  std::unordered_map<std::string, std::uint32_t> ids;
  std::vector<std::string> names;
  std::vector<std::uint32_t> sa, sb;
  std::vector<std::uint64_t> la, lb;
  std::string pa, pb;
  bool ok_a = timeline_events(a, options.max_timeline_events, ids, names, sa, la, pa);
  bool ok_b = timeline_events(b, options.max_timeline_events, ids, names, sb, lb, pb);
  if (!ok_a || !ok_b) {
    if (pa != "missing" || pb != "missing")
      out.notes.push_back(std::string(kTimeline) + ": events not compared:" + (ok_a ? "" : " " + pa + " in A") +
                          (ok_b ? "" : std::string(ok_a ? " " : "; ") + pb + " in B"));
    return;
  }
  out.timeline_compared = true;
  // Beyond the budget only the common ends are aligned; the middle is shown replaced.
  std::size_t pre = 0, suf = 0;
  while (pre < sa.size() && pre < sb.size() && sa[pre] == sb[pre]) ++pre;
  while (suf < sa.size() - pre && suf < sb.size() - pre && sa[sa.size() - 1 - suf] == sb[sb.size() - 1 - suf]) ++suf;
  const std::uint64_t cells = static_cast<std::uint64_t>(sa.size() - pre - suf) * (sb.size() - pre - suf);
  std::vector<AlignStep> steps;
  if (cells <= options.max_alignment) {
    steps = align_sequences(sa, sb);
  } else {
    out.notes.push_back(std::string(kTimeline) + ": " + std::to_string(sa.size()) + " and " +
                        std::to_string(sb.size()) + " events are too many to align; the differing middle is shown "
                        "as removed, then added");
    for (std::size_t i = 0; i < pre; ++i) steps.push_back({'=', i, i});
    for (std::size_t i = pre; i < sa.size() - suf; ++i) steps.push_back({'-', i, 0});
    for (std::size_t j = pre; j < sb.size() - suf; ++j) steps.push_back({'+', 0, j});
    for (std::size_t k = suf; k > 0; --k) steps.push_back({'=', sa.size() - k, sb.size() - k});
  }
  for (const AlignStep& s : steps) {
    TimelineStep t;
    t.op = s.op;
    t.event = names[s.op == '+' ? sb[s.bi] : sa[s.ai]];
    if (s.op != '+') t.a_line = la[s.ai];
    if (s.op != '-') t.b_line = lb[s.bi];
    if (s.op != '=') ++out.timeline_changes;
    out.timeline.push_back(std::move(t));
  }
}

// ---- alignment (Hirschberg)

using Seq = std::vector<std::uint32_t>;

// LCS lengths of a[alo, ahi) against every prefix (forward) or suffix
// (backward) of b[blo, bhi): row[j] for b's first (last) j elements.
std::vector<std::size_t> lcs_row(const Seq& a, std::size_t alo, std::size_t ahi, const Seq& b, std::size_t blo,
                                 std::size_t bhi, bool backward) {
  const std::size_t m = bhi - blo;
  std::vector<std::size_t> prev(m + 1, 0), cur(m + 1, 0);
  for (std::size_t i = 0; i < ahi - alo; ++i) {
    const std::uint32_t x = backward ? a[ahi - 1 - i] : a[alo + i];
    for (std::size_t j = 1; j <= m; ++j) {
      const std::uint32_t y = backward ? b[bhi - j] : b[blo + j - 1];
      cur[j] = x == y ? prev[j - 1] + 1 : std::max(prev[j], cur[j - 1]);
    }
    std::swap(prev, cur);
  }
  return prev;
}

void hirschberg(const Seq& a, std::size_t alo, std::size_t ahi, const Seq& b, std::size_t blo, std::size_t bhi,
                std::vector<AlignStep>& out) {
  if (alo == ahi) {
    for (std::size_t j = blo; j < bhi; ++j) out.push_back({'+', 0, j});
    return;
  }
  if (blo == bhi) {
    for (std::size_t i = alo; i < ahi; ++i) out.push_back({'-', i, 0});
    return;
  }
  if (ahi - alo == 1) {
    std::size_t hit = blo;
    while (hit < bhi && b[hit] != a[alo]) ++hit;
    if (hit == bhi) out.push_back({'-', alo, 0});
    for (std::size_t j = blo; j < bhi; ++j) out.push_back(j == hit ? AlignStep{'=', alo, j} : AlignStep{'+', 0, j});
    return;
  }
  const std::size_t mid = alo + (ahi - alo) / 2;
  std::vector<std::size_t> front = lcs_row(a, alo, mid, b, blo, bhi, false);
  std::vector<std::size_t> back = lcs_row(a, mid, ahi, b, blo, bhi, true);
  const std::size_t m = bhi - blo;
  std::size_t split = 0, best = 0;
  for (std::size_t j = 0; j <= m; ++j)
    if (front[j] + back[m - j] > best || j == 0) best = front[j] + back[m - j], split = j;
  hirschberg(a, alo, mid, b, blo, blo + split, out);
  hirschberg(a, mid, ahi, b, blo + split, bhi, out);
}

}  // namespace

std::vector<AlignStep> align_sequences(const Seq& a, const Seq& b) {
  std::vector<AlignStep> out;
  std::size_t pre = 0, suf = 0;
  while (pre < a.size() && pre < b.size() && a[pre] == b[pre]) out.push_back({'=', pre, pre}), ++pre;
  while (suf < a.size() - pre && suf < b.size() - pre && a[a.size() - 1 - suf] == b[b.size() - 1 - suf]) ++suf;
  hirschberg(a, pre, a.size() - suf, b, pre, b.size() - suf, out);
  for (std::size_t k = suf; k > 0; --k) out.push_back({'=', a.size() - k, b.size() - k});
  return out;
}

bool diff_packs(const std::string& a, const std::string& b, const DiffOptions& options, PackDiff& out,
                std::string& error) {
  out = PackDiff{};
  ThreadPool pool(2);
  auto pa = open_pack(a, options, pool, error);
  if (!pa) return false;
  auto pb = open_pack(b, options, pool, error);
  if (!pb) return false;
  diff_files(*pa, *pb, out);
  diff_json_file(*pa, *pb, kManifest, options, out);
  diff_json_file(*pa, *pb, kRunnerMeta, options, out);
  std::stable_partition(out.fields.begin(), out.fields.end(), [](const FieldDiff& f) { return f.environment; });
  diff_timeline(*pa, *pb, options, out);
  return true;
}

}  // namespace mplp
