// Long help text (`mplp-gate explain`) through a pager, as git and man do:
// only when stdout is a terminal; $PAGER when set (empty or "cat": none),
// else `less` with LESS=FRX (quits when the text fits one screen, keeps
// colours, leaves the text on the screen). When the pager cannot be started
// the text is printed directly.
#pragma once

#include <string>

namespace mplp::cli {

// Shows `text`; returns the exit code for the command (0, or 2 when stdout
// cannot be written).
int page(const std::string& text);

}  // namespace mplp::cli
