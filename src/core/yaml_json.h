// YAML documents as JSON values, so YAML inputs (registry, runner.yaml) are
// validated by the same JSON Schema machinery as JSON ones.
//
// Plain scalars follow the YAML 1.2 core schema (null, true/false, integers,
// floats, else strings); quoted scalars are always strings. Mapping keys
// must be scalars. Every value's 1-based line is recorded by JSON pointer,
// so schema errors can name a line.
//
//   YamlJson y;
//   if (!yaml_to_json(text, "registry.yaml", y, err)) ...   // err: "registry.yaml:3:1: ..."
//   int line = y.line_of("/runners/0/runner_id");
#pragma once

#include <rapidjson/document.h>

#include <map>
#include <string>
#include <string_view>

namespace mplp {

struct YamlJson {
  rapidjson::Document doc;
  std::map<std::string, int> lines;  // JSON pointer -> 1-based line
  // Line of `pointer`, or of its nearest ancestor that has one (0 = unknown).
  int line_of(const std::string& pointer) const;
};

// Fails on YAML syntax errors, non-scalar keys, duplicate keys, aliases
// nested deeper than `max_depth`, more than `max_nodes` nodes (mapping keys
// count, aliases count as expanded), or a result
// larger than `max_bytes` (0: 64 MiB plus four times the input's size).
//
// Aliases repeat what they name without repeating its text, so a few
// kilobytes of YAML can stand for gigabytes ("billion laughs"): the node
// limit alone does not bound memory when the repeated node is a long string.
// The size counts every string the result holds (keys, scalars, the JSON
// pointer of each node's line) plus a fixed cost per node, as each alias is
// expanded, so the conversion stops before it allocates much more than
// `max_bytes`; the error names the file and the place it stopped.
//
// The nodes are counted while the text is first read, before yaml-cpp builds
// its node graph (hundreds of bytes a node): policies, registries and runner
// definitions hold hundreds of nodes, and the default limit keeps a hostile
// file under about 100 MB.
bool yaml_to_json(std::string_view yaml, const std::string& source, YamlJson& out, std::string& error,
                  unsigned max_depth = 64, std::size_t max_nodes = 200000, std::size_t max_bytes = 0);

}  // namespace mplp
