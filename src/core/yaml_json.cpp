#include "core/yaml_json.h"

#include <yaml-cpp/yaml.h>

#include <cerrno>
#include <cstdlib>
#include <set>

#include "core/json.h"

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

class Converter {
 public:
  Converter(const std::string& source, YamlJson& out, unsigned max_depth, std::size_t max_nodes)
      : source_(source), out_(out), max_depth_(max_depth), max_nodes_(max_nodes) {}

  void convert(const YAML::Node& node, rapidjson::Value& v, const std::string& pointer, unsigned depth) {
    if (++nodes_ > max_nodes_) throw Failure{where(source_, node.Mark()) + ": document has too many nodes"};
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
          const std::string& key = kv.first.Scalar();
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
  void scalar(const YAML::Node& node, rapidjson::Value& v) {
    auto& alloc = out_.doc.GetAllocator();
    const std::string& s = node.Scalar();
    if (node.Tag() == "?") {  // plain scalar: resolve by the core schema
      if (s.empty() || s == "~" || s == "null" || s == "Null" || s == "NULL") return v.SetNull(), void();
      if (s == "true" || s == "True" || s == "TRUE") return v.SetBool(true), void();
      if (s == "false" || s == "False" || s == "FALSE") return v.SetBool(false), void();
      if (is_int(s)) {
        errno = 0;
        char* end = nullptr;
        long long n = std::strtoll(s.c_str(), &end, 10);
        if (errno == 0 && end != nullptr && *end == '\0') return v.SetInt64(n), void();
      }
      if (is_float(s)) return v.SetDouble(std::strtod(s.c_str(), nullptr)), void();
    }
    v.SetString(s.c_str(), static_cast<rapidjson::SizeType>(s.size()), alloc);
  }

  const std::string& source_;
  YamlJson& out_;
  unsigned max_depth_;
  std::size_t max_nodes_;
  std::size_t nodes_ = 0;
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
                  unsigned max_depth, std::size_t max_nodes) {
  out.doc.SetNull();
  out.lines.clear();
  try {
    std::vector<YAML::Node> docs = YAML::LoadAll(std::string(yaml));
    if (docs.size() > 1) {
      error = source + ": expected one YAML document, found " + std::to_string(docs.size());
      return false;
    }
    if (docs.empty()) return true;
    Converter c(source, out, max_depth, max_nodes);
    c.convert(docs[0], out.doc, "", 0);
  } catch (const Failure& f) {
    error = f.message;
    return false;
  } catch (const YAML::Exception& e) {
    error = where(source, e.mark) + ": invalid YAML: " + e.msg;
    return false;
  }
  return true;
}

}  // namespace mplp
