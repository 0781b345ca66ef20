#include "core/gate.h"

#include <algorithm>

namespace mplp {

std::string_view to_string(GateScope s) {
  switch (s) {
    case GateScope::Pack: return "pack";
    case GateScope::Collection: return "collection";
    case GateScope::Runners: return "runners";
  }
  return "pack";
}

CappedSink::~CappedSink() {
  for (const Count& c : counts_)
    if (c.n > max_)
      sink_.report(make_finding(c.severity, c.code, file_,
                                std::to_string(c.n - max_) + " more findings of this kind are not listed"));
}

void CappedSink::report(Finding f) {
  auto it = std::find_if(counts_.begin(), counts_.end(), [&](const Count& c) { return c.code == f.code; });
  if (it == counts_.end()) it = counts_.insert(counts_.end(), {f.code, f.severity, 0});
  if (++it->n <= max_) sink_.report(std::move(f));
}

}  // namespace mplp
