#include "core/dockerfile.h"

#include <algorithm>
#include <cctype>
#include <set>
#include <tuple>

#include "core/dockerfile_words.h"
#include "core/json.h"
#include "core/text.h"

namespace mplp {

namespace {

using dockerfile::Scope;
using dockerfile::Variable;

constexpr std::size_t kMaxArgBytes = 16 * 1024 * 1024;  // all ARG values together

// A flag word "--name=value" for `name` in any case: BuildKit wants it in
// lower case (and fails the build otherwise), other builders may not care.
bool has_flag(std::string_view word, std::string_view prefix) {
  return equals_ignoring_ascii_case(word.substr(0, prefix.size()), prefix);
}

// BuildKit's rule for stage names: ^[a-z][a-z0-9-_.]*$ (after lower-casing).
bool valid_stage_name(std::string_view n) {
  if (n.empty() || n[0] < 'a' || n[0] > 'z') return false;
  for (char c : n)
    if (!std::islower(static_cast<unsigned char>(c)) && !std::isdigit(static_cast<unsigned char>(c)) && c != '-' &&
        c != '_' && c != '.')
      return false;
  return true;
}

// An image reference with a containers-image transport ("oci-archive:/x.tar",
// "dir:x", "docker://x"): buildah then reads an image from a path of the
// build host, or from another store, instead of pulling it (QA-40: a
// `COPY --from=oci-archive:/host/file.tar` put a host file in the image).
// A bare "docker:24" is Docker Hub's image "docker", tag 24: only
// "docker://" is the transport.
bool names_a_transport(std::string_view ref) {
  static constexpr std::string_view kTransports[] = {"atomic",        "containers-storage", "dir",
                                                     "docker-archive", "docker-daemon",     "oci",
                                                     "oci-archive",   "ostree",            "sif",
                                                     "tarball"};
  const std::size_t colon = ref.find(':');
  if (colon == std::string_view::npos) return false;
  const std::string prefix = ascii_lower(ref.substr(0, colon));
  if (prefix == "docker") return ref.substr(colon + 1, 2) == "//";
  return std::find(std::begin(kTransports), std::end(kTransports), prefix) != std::end(kTransports);
}

// Physical lines without their "\n" (bufio's scanLines), the BOM dropped.
std::vector<std::string_view> split_lines(std::string_view text) {
  if (text.substr(0, 3) == "\xEF\xBB\xBF") text.remove_prefix(3);
  std::vector<std::string_view> lines;
  for (std::size_t start = 0; start < text.size();) {
    std::size_t nl = text.find('\n', start);
    std::size_t end = nl == std::string_view::npos ? text.size() : nl;
    lines.push_back(text.substr(start, end - start));
    start = end + 1;
  }
  return lines;
}

// bytes.TrimRight(line, "\r\n").
std::string_view trim_newline(std::string_view s) {
  while (!s.empty() && (s.back() == '\r' || s.back() == '\n')) s.remove_suffix(1);
  return s;
}

bool is_comment(std::string_view raw) {
  std::string_view s = dockerfile::trim_left_space(raw);
  return !s.empty() && s.front() == '#';
}

// The two parsers a runner's file meets: BuildKit's (docker build, and
// Docker's classic builder, which vendors it) and openshift/imagebuilder's
// fork of an older one (podman build, through buildah). They differ on
// parser directives and on continuation lines, so the file is read once as
// each reads it, and the images of both readings are reported.
enum class Dialect { BuildKit, Buildah };

// RE2's (and Go's) \s: what BuildKit's directive pattern skips. Not \v, nor
// Unicode spaces.
bool is_re_space(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\f' || c == '\r'; }

// Whether the line continues, and the line without its escape when it does:
// the escape character is the last byte but blanks; BuildKit does not count
// it when it is itself escaped ("\\" ends the line), imagebuilder does.
bool continues(std::string_view& line, char escape, Dialect dialect) {
  std::size_t end = line.size();
  while (end > 0 && (line[end - 1] == ' ' || line[end - 1] == '\t')) --end;
  if (end == 0 || line[end - 1] != escape) return false;
  if (dialect == Dialect::BuildKit && end >= 2 && line[end - 2] == escape) return false;
  line = line.substr(0, end - 1);
  return true;
}

// One `# name=value` parser directive (after `prefix`), as BuildKit's
// directive parser reads it; false when the line is not one.
bool directive(std::string_view line, std::string_view prefix, std::string& name, std::string& value) {
  if (line.substr(0, prefix.size()) != prefix) return false;
  line = line.substr(prefix.size());
  std::size_t i = 0;
  while (i < line.size() && is_re_space(line[i])) ++i;
  line = line.substr(i);
  i = 0;
  if (i >= line.size() || !std::isalpha(static_cast<unsigned char>(line[i]))) return false;
  while (i < line.size() && std::isalnum(static_cast<unsigned char>(line[i]))) ++i;
  name = ascii_lower(line.substr(0, i));
  while (i < line.size() && is_re_space(line[i])) ++i;
  if (i >= line.size() || line[i] != '=') return false;
  ++i;
  while (i < line.size() && is_re_space(line[i])) ++i;
  std::size_t end = line.size();
  while (end > i && is_re_space(line[end - 1])) --end;
  if (end == i) return false;
  value = std::string(line.substr(i, end - i));
  return name == "syntax" || name == "escape" || name == "check";
}

// The escape character from the directives at the top of the file.
// BuildKit: lines left-trimmed, `#\s*name\s*=\s*value` directives until the
// first other line; the value must be ` or \ exactly. imagebuilder: lines
// matching `(?i)^#[ \t]*escape[ \t]*=[ \t]*(.).*$` until the first line that
// does not (so an escape after `# syntax=` is not one); the first byte after
// '=' is the value, the rest of the line ignored. Both left-trim lines first.
char escape_of(const std::vector<std::string_view>& lines, Dialect dialect) {
  char escape = '\\';
  std::set<std::string> seen;
  for (std::string_view raw : lines) {
    if (dialect == Dialect::Buildah) {
      std::string l = ascii_lower(dockerfile::trim_left_space(trim_newline(raw)));  // left-trimmed too
      std::size_t i = 0;
      auto blanks = [&] {
        while (i < l.size() && (l[i] == ' ' || l[i] == '\t')) ++i;
      };
      if (l.empty() || l[i++] != '#') break;
      blanks();
      if (l.compare(i, 6, "escape") != 0) break;
      i += 6;
      blanks();
      if (i >= l.size() || l[i++] != '=') break;
      blanks();
      if (i >= l.size() || !seen.insert("escape").second) break;  // a second one fails the build
      if (l[i] == '`' || l[i] == '\\') escape = l[i];
      continue;
    }
    std::string name, value;
    if (!directive(dockerfile::trim_left_space(trim_newline(raw)), "#", name, value)) break;
    if (!seen.insert(name).second) break;  // a repeated directive fails the build
    if (name == "escape" && (value == "`" || value == "\\")) escape = value[0];
  }
  return escape;
}

// The frontend image of `# syntax=` (BuildKit DetectSyntax: BOM and a
// shebang line skipped, "#" then "//" directives, then a JSON document).
void syntax_image(std::string_view text, DockerfileImages& out) {
  if (text.substr(0, 3) == "\xEF\xBB\xBF") text.remove_prefix(3);
  std::uint64_t first = 1;
  if (text.substr(0, 2) == "#!") {
    std::size_t nl = text.find('\n');
    text = nl == std::string_view::npos ? std::string_view() : text.substr(nl + 1);
    first = 2;
  }
  for (std::string_view prefix : {"#", "//"}) {
    std::set<std::string> seen;
    std::uint64_t line = first;
    for (std::size_t start = 0; start < text.size(); ++line) {
      std::size_t nl = text.find('\n', start);
      std::string_view l = text.substr(start, (nl == std::string_view::npos ? text.size() : nl) - start);
      start = nl == std::string_view::npos ? text.size() : nl + 1;
      if (!l.empty() && l.back() == '\r') l.remove_suffix(1);
      std::string name, value;
      if (!directive(l, prefix, name, value) || !seen.insert(name).second) break;
      if (name != "syntax") continue;
      std::string image = value.substr(0, value.find(' '));
      if (!image.empty()) out.images.push_back({line, std::string(prefix) + " syntax", value, image, ""});
      return;
    }
  }
  JsonDoc doc;
  if (text.find_first_not_of(" \t\r\n") != std::string_view::npos && text[text.find_first_not_of(" \t\r\n")] == '{' &&
      parse_json(text, {}, doc))
    if (const rapidjson::Value* v = string_member(&doc.value, "syntax"); v != nullptr && v->GetStringLength() > 0)
      out.images.push_back({first, "JSON syntax", std::string(as_view(*v)), std::string(as_view(*v)), ""});
}

bool is_json_string_array(std::string_view rest) {
  if (rest.empty() || rest.front() != '[') return false;
  JsonDoc doc;
  if (!parse_json(rest, {}, doc) || !doc.value.IsArray()) return false;
  for (const auto& v : doc.value.GetArray())
    if (!v.IsString()) return false;
  return true;
}

// Heredoc delimiters the gate reads: a plain word, or one wholly in quotes.
bool simple_delimiter(std::string_view d, std::string& name) {
  if (d.size() >= 2 && (d.front() == '\'' || d.front() == '"') && d.back() == d.front()) d = d.substr(1, d.size() - 2);
  if (d.empty()) return false;
  for (char c : d)
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '_' && c != '-' && c != '.') return false;
  name = std::string(d);
  return true;
}

struct Heredoc {
  std::string name;
  bool chomp = false;
};

// One reading of the file (with or without heredocs).
class Reader {
 public:
  Reader(const std::vector<std::string_view>& lines, Dialect dialect, bool heredocs, DockerfileImages& out)
      : lines_(lines), dialect_(dialect), escape_(escape_of(lines, dialect)), heredocs_(heredocs), out_(out) {}

  void read() {
    while (next_ < lines_.size()) {
      std::size_t first = next_;
      std::string_view l = dockerfile::trim_left_space(trim_newline(lines_[next_++]));
      if (is_comment(l)) continue;
      bool more = continues(l, escape_, dialect_);
      if (!more && l.empty()) continue;
      std::string logical(l);
      while (more && next_ < lines_.size()) {
        std::string_view raw = lines_[next_++];
        if (is_comment(raw)) continue;
        std::string_view c = trim_newline(raw);
        if (dockerfile::trim_left_space(c).empty()) continue;
        more = continues(c, escape_, dialect_);
        logical += c;
      }
      instruction(logical, first + 1, "", false);
      if (full()) return;
    }
  }

 private:
  bool full() {
    if (out_.images.size() < 4 * kMaxDockerfileImages) return false;  // four readings, merged after
    out_.truncated = true;
    next_ = lines_.size();
    return true;
  }

  void add(std::uint64_t line, std::string source, std::string written, dockerfile::Word w) {
    const bool transport = names_a_transport(written) || names_a_transport(w.value);
    if (transport && out_.host_reach.size() < kMaxDockerfileImages)
      out_.host_reach.push_back({line, source + " " + printable_ascii(written, kShownStep)});
    out_.images.push_back(
        {line, std::move(source), std::move(written), std::move(w.value), std::move(w.unresolved), transport});
  }

  void instruction(std::string_view logical, std::uint64_t line, const std::string& prefix, bool onbuild) {
    std::string_view t = dockerfile::trim_space(logical);
    std::size_t cut = t.find_first_of(" \t\v\f\r");
    std::string cmd = ascii_lower(t.substr(0, cut));
    std::string_view rest = cut == std::string_view::npos ? std::string_view() : t.substr(cut);
    rest = rest.substr(std::min(rest.size(), rest.find_first_not_of(" \t\v\f\r")));
    dockerfile::Flags flags = dockerfile::extract_flags(rest, escape_);
    std::string_view args = dockerfile::trim_space(flags.rest);
    if (cmd == "arg" && !onbuild) arg(args);
    else if (cmd == "from" && !onbuild) from(args, line);
    else if (cmd == "copy" || cmd == "add")
      from_flags(flags.flags, line, prefix + (cmd == "copy" ? "COPY" : "ADD"), onbuild, cmd == "copy");
    else if (cmd == "run") mounts(flags.flags, line, prefix + "RUN", onbuild);
    else if (cmd == "onbuild" && !onbuild) instruction(args, line, "ONBUILD ", true);
    if (out_.host_reach.size() < kMaxDockerfileImages) {  // the first ones are enough to refuse the file
      if (cmd == "run") run_options(flags.flags, line, prefix);
      if (cmd == "add") add_sources(args, line, prefix);
    }
    if (!onbuild && heredocs_ && logical.find("<<") != std::string_view::npos) {
      std::string inner = cmd;
      std::string_view inner_args = args;
      if (cmd == "onbuild") {
        std::string_view a = dockerfile::trim_space(args);
        std::size_t c2 = a.find_first_of(" \t\v\f\r");
        inner = ascii_lower(a.substr(0, c2));
        inner_args = c2 == std::string_view::npos ? std::string_view() : dockerfile::trim_space(a.substr(c2));
        inner_args = dockerfile::trim_space(dockerfile::extract_flags(inner_args, escape_).rest);
      }
      if ((inner == "run" || inner == "copy" || inner == "add") && !is_json_string_array(inner_args))
        skip_heredoc_bodies(logical, line);
    }
  }

  void arg(std::string_view args) {
    if (seen_from_) return;  // only ARGs before the first FROM reach FROM lines
    for (const std::string& w : dockerfile::parse_words(args, escape_)) {
      std::size_t eq = w.find('=');
      std::string name = w.substr(0, eq);
      if (eq == std::string::npos) {
        // Declared again without a default: BuildKit since 1.11 and
        // imagebuilder keep the earlier value, Docker's classic builder and
        // older BuildKit empty it, so the file does not fix it.
        scope_[name] = scope_.count(name) == 0
                           ? Variable{false, "", "ARG " + name + " has no default"}
                           : Variable{false, "", "ARG " + name + " is declared again without a default (older "
                                                 "builders empty it, newer ones keep the earlier value)"};
        continue;
      }
      // mplp-gate's own builds pass --build-arg SOURCE_DATE_EPOCH=<epoch>,
      // which overrides this default: FROM ${SOURCE_DATE_EPOCH:+evil/}node
      // would read as node here and pull from evil/ in the build.
      if (name == "SOURCE_DATE_EPOCH") {
        scope_[name] = Variable{false, "", "set by the build (--build-arg SOURCE_DATE_EPOCH), not by this default"};
        continue;
      }
      // Past the budget nothing more is expanded or kept: each ARG B=$A
      // line copied A's value (up to 64 KiB) and kept it, so 40,000 short
      // lines took 2.5 GB.
      if (arg_budget_spent_) {
        scope_[name] = Variable{false, "", "ARG values too large"};
        continue;
      }
      // The budget counts the reasons kept too: ARG A1=$A0, ARG A2=$A1, ...
      // after an A0 without a default gave each a reason one name longer
      // than the last (20,000 lines: 2.5 GB, a minute; QA-49).
      dockerfile::Word v = dockerfile::expand_word(std::string_view(w).substr(eq + 1), escape_, scope_);
      const std::size_t kept = v.value.size() + v.unresolved.size();
      if (arg_bytes_ + kept > kMaxArgBytes) {
        arg_budget_spent_ = true;
        scope_[name] = Variable{false, "", "ARG values too large"};
        continue;
      }
      arg_bytes_ += kept;
      scope_[name] = Variable{v.unresolved.empty(), std::move(v.value), std::move(v.unresolved)};
    }
  }

  void from(std::string_view args, std::uint64_t line) {
    if (!seen_from_) {
      seen_from_ = true;
      // Set by the builder for the platform of the build, not by the file.
      for (const char* p : {"BUILDPLATFORM", "BUILDOS", "BUILDARCH", "BUILDVARIANT", "TARGETPLATFORM", "TARGETOS",
                            "TARGETARCH", "TARGETVARIANT", "TARGETSTAGE"})
        if (scope_.count(p) == 0) scope_[p] = Variable{false, "", "set by the builder for the build's platform"};
    }
    std::vector<std::string_view> words;
    for (std::size_t i = 0; i < args.size();) {
      std::size_t b = args.find_first_not_of(" \t\v\f\r", i);
      if (b == std::string_view::npos) break;
      std::size_t e = args.find_first_of(" \t\v\f\r", b);
      words.push_back(args.substr(b, e == std::string_view::npos ? std::string_view::npos : e - b));
      i = e == std::string_view::npos ? args.size() : e;
    }
    if (words.empty()) return;
    dockerfile::Word w = dockerfile::expand_word(words[0], escape_, scope_);
    std::string image = ascii_lower(w.value);
    // An empty name fails the build; scratch and earlier stages are not pulled.
    bool stage = w.unresolved.empty() && (image.empty() || image == "scratch" || stages_.count(image) > 0);
    if (!stage) add(line, "FROM", std::string(words[0]), std::move(w));
    // The stage's name counts from the next instruction on ("FROM node AS node" pulls node).
    // Only names BuildKit accepts; any other word stays an image reference.
    if (words.size() == 3 && equals_ignoring_ascii_case(words[1], "as") && valid_stage_name(ascii_lower(words[2])))
      stages_.insert(ascii_lower(words[2]));
  }

  // `--from=` of COPY and ADD: a stage (by name, or for COPY by index) or an image.
  void from_flags(const std::vector<std::string>& flags, std::uint64_t line, const std::string& instr, bool onbuild,
                  bool index_ok) {
    for (const std::string& f : flags) {
      if (!has_flag(f, "--from=")) continue;
      reference(f.substr(7), line, instr + " --from", onbuild, index_ok);
    }
  }

  // `--mount=type=...,from=X` of RUN (CSV fields, keys in any case).
  void mounts(const std::vector<std::string>& flags, std::uint64_t line, const std::string& instr, bool onbuild) {
    for (const std::string& f : flags) {
      if (!has_flag(f, "--mount=")) continue;
      for (const std::string& field : csv_fields(std::string_view(f).substr(8))) {
        std::size_t eq = field.find('=');
        if (eq == std::string::npos || ascii_lower(field.substr(0, eq)) != "from") continue;
        reference(field.substr(eq + 1), line, instr + " --mount from", onbuild, false);
      }
    }
  }

  // Every RUN option but `--network=none` reaches past the build's walls.
  void run_options(const std::vector<std::string>& flags, std::uint64_t line, const std::string& prefix) {
    for (const std::string& f : flags)
      if (!equals_ignoring_ascii_case(f, "--network=none"))
        out_.host_reach.push_back({line, prefix + "RUN " + printable_ascii(f, kShownStep)});
  }

  // An ADD source the builder may fetch itself (a URL, a git repository in
  // any of the forms BuildKit knows, or what a variable, quote or escape
  // would turn into one) reaches the host's network. Only plain local paths
  // pass: letters, digits and . _ - + / , = (QA-35: "https:\/\/x", $U,
  // 'git@x:r' and x/r.git passed a look for "://").
  void add_sources(std::string_view args, std::uint64_t line, const std::string& prefix) {
    std::vector<std::string> words;
    if (is_json_string_array(args)) {
      JsonDoc doc;
      parse_json(args, {}, doc);
      for (const auto& v : doc.value.GetArray()) words.emplace_back(v.GetString(), v.GetStringLength());
    } else {
      words = dockerfile::raw_shell_words(args);
    }
    if (!words.empty()) words.pop_back();  // the destination
    auto plain = [](std::string_view w) {
      if (w.empty()) return false;
      for (char c : w)
        if (!std::isalnum(static_cast<unsigned char>(c)) && std::string_view("._-+/,=").find(c) == std::string_view::npos)
          return false;
      const std::string lower = ascii_lower(w);
      return !(lower.size() >= 4 && lower.compare(lower.size() - 4, 4, ".git") == 0);
    };
    for (const std::string& w : words)
      if (!plain(w)) {
        out_.host_reach.push_back({line, prefix + "ADD " + printable_ascii(args, kShownStep)});
        return;
      }
  }

  static constexpr std::size_t kShownStep = 200;

  void reference(const std::string& value, std::uint64_t line, std::string source, bool onbuild, bool index_ok) {
    if (value.empty()) return;
    if (value.find('$') != std::string::npos) {
      // BuildKit refuses variables here (the build fails); other builders
      // expand them with values the file need not fix.
      add(line, std::move(source), value, {"", "a variable in --from (BuildKit refuses it; other builders expand it)"});
      return;
    }
    std::string_view digits = std::string_view(value).substr(value[0] == '+' || value[0] == '-' ? 1 : 0);
    bool number =
        !digits.empty() && std::all_of(digits.begin(), digits.end(), [](char c) { return c >= '0' && c <= '9'; });
    if (index_ok && number) return;                           // a stage index
    if (!onbuild && stages_.count(ascii_lower(value)) > 0) return;  // a stage of this file
    add(line, std::move(source), value, {value, ""});
  }

  static std::vector<std::string> csv_fields(std::string_view s) {
    std::vector<std::string> out;
    std::string field;
    for (std::size_t i = 0; i <= s.size();) {
      if (i < s.size() && s[i] == '"' && field.empty()) {
        for (++i; i < s.size(); ++i) {
          if (s[i] == '"' && i + 1 < s.size() && s[i + 1] == '"') field += '"', ++i;
          else if (s[i] == '"') break;
          else field += s[i];
        }
        ++i;
        continue;
      }
      if (i == s.size() || s[i] == ',') {
        out.push_back(std::move(field));
        field.clear();
        ++i;
        continue;
      }
      field += s[i++];
    }
    return out;
  }

  // BuildKit reads heredoc bodies after the instruction; they are not
  // instructions. A delimiter the gate cannot read is unresolved: it cannot
  // tell where instructions resume.
  void skip_heredoc_bodies(std::string_view logical, std::uint64_t line) {
    std::vector<Heredoc> docs;
    for (const std::string& w : dockerfile::raw_shell_words(logical)) {
      std::size_t i = 0;
      while (i < w.size() && w[i] >= '0' && w[i] <= '9') ++i;
      if (w.compare(i, 2, "<<") != 0) continue;
      i += 2;
      Heredoc h;
      if (i < w.size() && w[i] == '-') h.chomp = true, ++i;
      while (i < w.size() && (w[i] == ' ' || w[i] == '\t' || w[i] == '\n' || w[i] == '\f' || w[i] == '\r')) ++i;
      std::string_view rest = std::string_view(w).substr(i);
      if (rest.empty() || rest.find('<') != std::string_view::npos) continue;
      if (!simple_delimiter(rest, h.name)) {
        add(line, "heredoc", std::string(rest),
            {"", "a heredoc delimiter the gate does not read, so it cannot tell where instructions resume"});
        return;
      }
      docs.push_back(std::move(h));
    }
    for (const Heredoc& h : docs) {
      while (next_ < lines_.size()) {
        std::string_view l = trim_newline(lines_[next_++]);
        if (h.chomp) l.remove_prefix(std::min(l.size(), l.find_first_not_of('\t')));
        if (l == h.name) break;
      }
    }
  }

  const std::vector<std::string_view>& lines_;
  Dialect dialect_;
  char escape_;
  bool heredocs_;
  DockerfileImages& out_;
  std::size_t next_ = 0;
  Scope scope_;
  std::size_t arg_bytes_ = 0;      // of the ARG values kept
  bool arg_budget_spent_ = false;  // one value would have passed kMaxArgBytes
  bool seen_from_ = false;
  std::set<std::string> stages_;
};

}  // namespace

DockerfileImages dockerfile_images(std::string_view text) {
  DockerfileImages out;
  syntax_image(text, out);
  std::vector<std::string_view> lines = split_lines(text);
  // Each parser, with heredoc support and without (whose "body" lines are
  // then instructions).
  for (Dialect dialect : {Dialect::BuildKit, Dialect::Buildah})
    for (bool heredocs : {true, false}) Reader(lines, dialect, heredocs, out).read();
  auto key = [](const DockerfileImage& i) { return std::tie(i.line, i.source, i.written, i.image, i.unresolved); };
  std::sort(out.images.begin(), out.images.end(), [&](const auto& a, const auto& b) { return key(a) < key(b); });
  out.images.erase(std::unique(out.images.begin(), out.images.end(),
                               [&](const auto& a, const auto& b) { return key(a) == key(b); }),
                   out.images.end());
  std::sort(out.host_reach.begin(), out.host_reach.end());
  out.host_reach.erase(std::unique(out.host_reach.begin(), out.host_reach.end()), out.host_reach.end());
  if (out.images.size() > kMaxDockerfileImages) {
    out.images.resize(kMaxDockerfileImages);
    out.truncated = true;
  }
  return out;
}

}  // namespace mplp
