// Each selected gate's prepare() (core/gate.h), run once per check, and the
// context every later call of that gate gets: the run's, with the gate's own
// prepared state.
//
//   Preparations prep(gates, ctx);
//   guarded(sinks, [&] { g->check_pack(pack, prep.context(g, pack_ctx), sink); });
#pragma once

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/gate.h"

namespace mplp {

class Preparations {
 public:
  Preparations(const std::vector<const Gate*>& gates, const GateContext& ctx);
  // `base` with `g`'s prepared state. Throws std::runtime_error when `g`'s
  // prepare() failed, so that the guarded call of the gate reports it as an
  // internal error wherever the gate would have reported.
  GateContext context(const Gate* g, const GateContext& base) const;
  // Every gate's PreparedRun::shared_inputs, each name prefixed "<gate id>: ".
  std::map<std::string, std::string> shared_inputs() const;
  // Every gate's PreparedRun::files_read.
  std::vector<std::string> files_read() const;

 private:
  struct Prepared {
    std::unique_ptr<PreparedRun> state;
    std::optional<std::string> error;
  };
  std::map<const Gate*, Prepared> by_gate_;
};

}  // namespace mplp
