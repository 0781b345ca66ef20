// Walks a JSON value depth first without recursion, calling a RapidJSON
// handler (a Writer, a PrettyWriter) as Value::Accept does, event for event:
// Accept recurses once per level, and a document nested as deep as the
// policy allows overflowed the stack while a finding quoted it.
//
//   rapidjson::Writer<rapidjson::StringBuffer> w(buf);
//   visit_json(value, w, [&] { return buf.GetSize() > limit; });  // true: stop here
#pragma once

#include <rapidjson/document.h>
#include <rapidjson/reader.h>

#include <algorithm>
#include <cstdint>
#include <vector>

namespace mplp {

// Calls `h` for `root` and everything in it, in Accept's order and with its
// number types; `stop()` is asked after each value and may end the walk
// early. False when the handler refused an event or the walk stopped.
template <class Handler, class Stop>
bool visit_json(const rapidjson::Value& root, Handler& h, Stop stop) {
  struct Open {
    const rapidjson::Value* container;
    rapidjson::SizeType next;  // the next member or element
  };
  std::vector<Open> open;
  const rapidjson::Value* v = &root;
  for (;;) {
    if (v != nullptr) {
      bool ok = true;
      switch (v->GetType()) {
        case rapidjson::kNullType: ok = h.Null(); break;
        case rapidjson::kFalseType: ok = h.Bool(false); break;
        case rapidjson::kTrueType: ok = h.Bool(true); break;
        case rapidjson::kStringType: ok = h.String(v->GetString(), v->GetStringLength(), false); break;
        case rapidjson::kNumberType:
          ok = v->IsDouble() ? h.Double(v->GetDouble())
               : v->IsInt()  ? h.Int(v->GetInt())
               : v->IsUint() ? h.Uint(v->GetUint())
               : v->IsInt64() ? h.Int64(v->GetInt64())
                              : h.Uint64(v->GetUint64());
          break;
        case rapidjson::kObjectType:
          ok = h.StartObject();
          open.push_back({v, 0});
          break;
        case rapidjson::kArrayType:
          ok = h.StartArray();
          open.push_back({v, 0});
          break;
      }
      if (!ok) return false;
      v = nullptr;
    }
    if (stop()) return false;
    if (open.empty()) return true;
    Open& o = open.back();
    if (o.container->IsObject()) {
      if (o.next == o.container->MemberCount()) {
        if (!h.EndObject(o.next)) return false;
        open.pop_back();
        continue;
      }
      const auto& m = o.container->MemberBegin()[o.next++];
      if (!h.Key(m.name.GetString(), m.name.GetStringLength(), false)) return false;
      v = &m.value;
    } else {
      if (o.next == o.container->Size()) {
        if (!h.EndArray(o.next)) return false;
        open.pop_back();
        continue;
      }
      v = &(*o.container)[o.next++];
    }
  }
}

// How deep `v` nests: 0 for a scalar, 1 for [] or {}, 2 for [[]], ...
inline std::size_t json_nesting(const rapidjson::Value& v) {
  std::size_t depth = 0, deepest = 0;
  // Every other event is a scalar or a key: BaseReaderHandler's Default().
  struct Count : rapidjson::BaseReaderHandler<rapidjson::UTF8<>, Count> {
    Count(std::size_t& d, std::size_t& most) : depth(d), deepest(most) {}
    std::size_t& depth;
    std::size_t& deepest;
    bool StartObject() { return deepest = std::max(deepest, ++depth), true; }
    bool StartArray() { return StartObject(); }
    bool EndObject(rapidjson::SizeType) { return --depth, true; }
    bool EndArray(rapidjson::SizeType) { return --depth, true; }
  } count{depth, deepest};
  visit_json(v, count, [] { return false; });
  return deepest;
}

}  // namespace mplp
