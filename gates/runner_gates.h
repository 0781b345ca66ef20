// The runner-scope gates that run containers, kept apart from gates/'s
// library because they link the container executor (src/runner's
// mplp_executor): the engine, the report library and the unit tests link
// neither. A program that runs them (the CLI, the runner tests) calls
// register_runner_gates() once in its main, before the gate list is read
// (gate_list.h); they are then in all_gates() at their place by id.
#pragma once

namespace mplp {

void register_runner_gates();

}  // namespace mplp
