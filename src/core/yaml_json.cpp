#include "core/yaml_json.h"

#include <yaml-cpp/eventhandler.h>
#include <yaml-cpp/depthguard.h>
#include <yaml-cpp/yaml.h>

#include <cerrno>
#include <cmath>
#include <cstdlib>
#include <optional>
#include <set>
#include <sstream>

#include "core/json.h"
#include "core/text.h"

namespace mplp {

namespace {

struct Failure {
  std::string message;
};

std::string where(const std::string& source, const YAML::Mark& m) {
  if (m.line < 0) return source;
  return source + ":" + std::to_string(m.line + 1) + ":" + std::to_string(m.column + 1);
}

bool is_int(const std::string& s) {
  std::size_t i = (s[0] == '-' || s[0] == '+') ? 1 : 0;
  if (i >= s.size()) return false;
  for (; i < s.size(); ++i)
    if (s[i] < '0' || s[i] > '9') return false;
  return true;
}

bool is_float(const std::string& s) {
  // [-+]? ( \. [0-9]+ | [0-9]+ ( \. [0-9]* )? ) ( [eE] [-+]? [0-9]+ )?
  std::size_t i = (s[0] == '-' || s[0] == '+') ? 1 : 0;
  std::size_t digits = 0;
  while (i < s.size() && s[i] >= '0' && s[i] <= '9') ++i, ++digits;
  if (i < s.size() && s[i] == '.') {
    ++i;
    while (i < s.size() && s[i] >= '0' && s[i] <= '9') ++i, ++digits;
  }
  if (digits == 0) return false;
  if (i < s.size() && (s[i] == 'e' || s[i] == 'E')) {
    ++i;
    if (i < s.size() && (s[i] == '-' || s[i] == '+')) ++i;
    std::size_t exp = 0;
    while (i < s.size() && s[i] >= '0' && s[i] <= '9') ++i, ++exp;
    if (exp == 0) return false;
  }
  return i == s.size();
}

// What one node of the result costs besides its strings: a JSON value, a
// line-map entry and allocator overhead (a deliberate over-estimate).
constexpr std::size_t kNodeOverhead = 96;

class Converter {
 public:
  Converter(const std::string& source, YamlJson& out, unsigned max_depth, std::size_t max_nodes,
            std::size_t max_bytes)
      : source_(source), out_(out), max_depth_(max_depth), max_nodes_(max_nodes), max_bytes_(max_bytes) {}

  void convert(const YAML::Node& node, rapidjson::Value& v, const std::string& pointer, unsigned depth) {
    if (++nodes_ > max_nodes_) throw Failure{where(source_, node.Mark()) + ": document has too many nodes"};
    check_tag(node);
    charge(node, kNodeOverhead + pointer.size() + (node.IsScalar() ? node.Scalar().size() : 0));
    if (depth > max_depth_)
      throw Failure{where(source_, node.Mark()) + ": nesting deeper than " + std::to_string(max_depth_)};
    auto& alloc = out_.doc.GetAllocator();
    if (node.Mark().line >= 0) out_.lines.emplace(pointer, node.Mark().line + 1);
    switch (node.Type()) {
      case YAML::NodeType::Null:
      case YAML::NodeType::Undefined:
        v.SetNull();
        return;
      case YAML::NodeType::Scalar:
        scalar(node, v);
        return;
      case YAML::NodeType::Sequence: {
        v.SetArray();
        std::size_t i = 0;
        for (const YAML::Node& item : node) {
          rapidjson::Value child;
          convert(item, child, pointer + "/" + std::to_string(i++), depth + 1);
          v.PushBack(child, alloc);
        }
        return;
      }
      case YAML::NodeType::Map: {
        v.SetObject();
        std::set<std::string> seen;
        for (const auto& kv : node) {
          if (!kv.first.IsScalar())
            throw Failure{where(source_, kv.first.Mark()) + ": mapping keys must be plain scalars"};
          check_tag(kv.first);
          // Keys are nodes too, as the first pass counts them.
          if (++nodes_ > max_nodes_) throw Failure{where(source_, kv.first.Mark()) + ": document has too many nodes"};
          const std::string& key = kv.first.Scalar();
          charge(kv.first, key.size());
          utf8(kv.first, key);
          if (!seen.insert(key).second)
            throw Failure{where(source_, kv.first.Mark()) + ": duplicate key '" + key + "'"};
          rapidjson::Value child;
          convert(kv.second, child, pointer + "/" + json_pointer_token(key), depth + 1);
          if (kv.second.IsNull() && kv.first.Mark().line >= 0)
            out_.lines[pointer + "/" + json_pointer_token(key)] = kv.first.Mark().line + 1;
          v.AddMember(rapidjson::Value(key.c_str(), static_cast<rapidjson::SizeType>(key.size()), alloc), child,
                      alloc);
        }
        return;
      }
    }
  }

 private:
  // Counts bytes the result is about to hold; throws past the budget, before
  // they are allocated.
  void charge(const YAML::Node& node, std::size_t bytes) {
    bytes_ += bytes;
    if (bytes_ > max_bytes_)
      throw Failure{where(source_, node.Mark()) + ": document expands to more than " + std::to_string(max_bytes_) +
                    " bytes (YAML aliases repeat what they name); refusing to load it"};
  }

  // yaml-cpp passes ill-formed UTF-8 through; JSON strings must be
  // well-formed, and valijson's length checks read out of bounds on long runs
  // of continuation bytes (found by fuzz/fuzz_registry).
  void utf8(const YAML::Node& node, const std::string& s) {
    if (!is_valid_utf8(s)) throw Failure{where(source_, node.Mark()) + ": text is not valid UTF-8"};
  }

  // The core schema's name of an explicit tag ("int" for !!int), "" for another.
  static std::string_view core_tag(const std::string& tag) {
    constexpr std::string_view kCore = "tag:yaml.org,2002:";
    return std::string_view(tag).substr(0, kCore.size()) == kCore ? std::string_view(tag).substr(kCore.size()) : "";
  }
  static bool is_null_word(const std::string& s) { return s.empty() || s == "~" || s == "null" || s == "Null" || s == "NULL"; }
  // The core schema's booleans: the value of `s` if it spells one.
  static std::optional<bool> bool_word(const std::string& s) {
    if (s == "true" || s == "True" || s == "TRUE") return true;
    if (s == "false" || s == "False" || s == "FALSE") return false;
    return std::nullopt;
  }

  // A tag is read only where it says what the value already is (!!str, or
  // !!int on an integer, ...): any other (!!binary, !custom, !!int on "mcp")
  // would be dropped without a word, and the file read as something else.
  void check_tag(const YAML::Node& node) {
    const std::string& tag = node.Tag();
    if (tag.empty() || tag == "?" || tag == "!") return;
    const std::string_view name = core_tag(tag);
    bool fits = false;
    if (node.IsScalar()) {
      const std::string& s = node.Scalar();
      fits = name == "str" || (name == "int" && is_int(s)) || (name == "bool" && bool_word(s)) ||
             (name == "float" && (is_int(s) || is_float(s))) || (name == "null" && is_null_word(s));
    } else if (node.IsSequence()) {
      fits = name == "seq";
    } else if (node.IsMap()) {
      fits = name == "map";
    } else {
      fits = name == "null";
    }
    if (fits) return;
    const std::string shown = name.empty() ? tag : "!!" + std::string(name);
    throw Failure{where(source_, node.Mark()) + ": the tag " + printable_ascii(shown, 80) +
                  " is not read here (only !!str, and !!int, !!float, !!bool, !!null, !!seq, !!map on such values)"};
  }

  void scalar(const YAML::Node& node, rapidjson::Value& v) {
    auto& alloc = out_.doc.GetAllocator();
    const std::string& s = node.Scalar();
    utf8(node, s);
    const std::string_view typed = core_tag(node.Tag());
    if (node.Tag() == "?" || typed == "int" || typed == "float" || typed == "bool" || typed == "null") {
      // plain scalar (or one check_tag found to be what its tag says): resolve by the core schema
      if (is_null_word(s)) return v.SetNull(), void();
      if (const std::optional<bool> b = bool_word(s)) return v.SetBool(*b), void();
      if (is_int(s)) {
        errno = 0;
        char* end = nullptr;
        long long n = std::strtoll(s.c_str(), &end, 10);
        if (errno == 0 && end != nullptr && *end == '\0') return v.SetInt64(n), void();
      }
      if (is_float(s)) {
        double d = std::strtod(s.c_str(), nullptr);
        // 1e400 overflows to infinity, which JSON cannot hold.
        if (!std::isfinite(d)) throw Failure{where(source_, node.Mark()) + ": number out of range: " + s};
        return v.SetDouble(d), void();
      }
    }
    v.SetString(s.c_str(), static_cast<rapidjson::SizeType>(s.size()), alloc);
  }

  const std::string& source_;
  YamlJson& out_;
  unsigned max_depth_;
  std::size_t max_nodes_;
  std::size_t max_bytes_;
  std::size_t nodes_ = 0;
  std::size_t bytes_ = 0;
};

// The first pass over the events: counts documents (one file holds one) and
// nodes, so that a document over the node limit is refused before yaml-cpp
// builds its node graph (about 480 bytes a node: a 16 MB flow list took
// 4 GB and 30 s, QA-34).
class CountingEvents : public YAML::EventHandler {
 public:
  CountingEvents(const std::string& source, std::size_t max_nodes) : source_(source), max_nodes_(max_nodes) {}
  YAML::Mark document_start = YAML::Mark::null_mark();
  bool stalled = false;  // a document began where the last did: the reader made no progress
  void OnDocumentStart(const YAML::Mark& mark) override {
    stalled = started_ && mark.pos == document_start.pos;
    started_ = true;
    document_start = mark;
  }
  void OnDocumentEnd() override {}
  void OnNull(const YAML::Mark& m, YAML::anchor_t) override { count(m); }
  void OnAlias(const YAML::Mark& m, YAML::anchor_t) override { count(m); }
  void OnScalar(const YAML::Mark& m, const std::string&, YAML::anchor_t, const std::string&) override { count(m); }
  void OnSequenceStart(const YAML::Mark& m, const std::string&, YAML::anchor_t, YAML::EmitterStyle::value) override {
    count(m);
  }
  void OnSequenceEnd() override {}
  void OnMapStart(const YAML::Mark& m, const std::string&, YAML::anchor_t, YAML::EmitterStyle::value) override {
    count(m);
  }
  void OnMapEnd() override {}

 private:
  void count(const YAML::Mark& m) {
    if (++nodes_ > max_nodes_) throw Failure{where(source_, m) + ": document has too many nodes"};
  }
  const std::string& source_;
  std::size_t max_nodes_;
  std::size_t nodes_ = 0;
  bool started_ = false;
};

}  // namespace

int YamlJson::line_of(const std::string& pointer) const {
  std::string p = pointer;
  for (;;) {
    auto it = lines.find(p);
    if (it != lines.end()) return it->second;
    if (p.empty()) return 0;
    std::size_t slash = p.rfind('/');
    p = slash == std::string::npos ? "" : p.substr(0, slash);
  }
}

bool yaml_to_json(std::string_view yaml, const std::string& source, YamlJson& out, std::string& error,
                  unsigned max_depth, std::size_t max_nodes, std::size_t max_bytes) {
  if (max_bytes == 0) max_bytes = (std::size_t{64} << 20) + 4 * yaml.size();
  out.doc.SetNull();
  out.lines.clear();
  try {
    // Not YAML::LoadAll: yaml-cpp 0.7 returns endless empty documents for a
    // stray flow indicator (a file holding just ","), so LoadAll never
    // returns and eats memory (found by fuzz/fuzz_registry). Count at most
    // two documents first, then load the one.
    std::string text(yaml);
    std::istringstream in(text);
    YAML::Parser parser(in);
    CountingEvents events(source, max_nodes);
    int documents = 0;
    while (documents < 2 && parser.HandleNextDocument(events)) ++documents;
    if (documents > 1) {
      // yaml-cpp starts one empty document after another, all at one place,
      // at a stray flow indicator: that is no second document.
      error = where(source, events.document_start) +
              (events.stalled ? ": invalid YAML: a stray ',' outside a flow collection ([ ] or { })"
                              : ": a second YAML document (one file holds one)");
      return false;
    }
    if (documents == 0) return true;
    Converter c(source, out, max_depth, max_nodes, max_bytes);
    c.convert(YAML::Load(text), out.doc, "", 0);
  } catch (const Failure& f) {
    error = f.message;
    return false;
  } catch (const YAML::DeepRecursion& e) {
    // yaml-cpp's message for this is "bad file", which tells nobody what to fix.
    error = where(source, e.mark) + ": invalid YAML: nested deeper than the YAML reader allows (" +
            std::to_string(e.depth() - 1) + " levels)";
    return false;
  } catch (const YAML::Exception& e) {
    error = where(source, e.mark) + ": invalid YAML: " + e.msg;
    return false;
  }
  return true;
}

}  // namespace mplp
