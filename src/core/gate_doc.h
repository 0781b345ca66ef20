// A gate's page, gates/docs/<ID>.md: the one home of its prose. The page is
// compiled into the binary (core/embedded.h); `explain`, the reports' rule
// texts (SARIF) and the README's gate table are made from it.
//
// The layout the parser reads (everything else on the page is free prose):
//
//   # GATE-V2-EXAMPLE-01
//
//   **One-line title**                       <- GateInfo::title
//
//   Why the gate exists, one paragraph.      <- GateInfo::rationale (lines joined by spaces)
//
//   More paragraphs of why (optional).       <- with the rationale: GateDoc::why
//
//   ## What it checks
//
//   The rules in short; line breaks kept.    <- GateInfo::checks
//
//   Details...
//
//   ## Findings
//
//   | code | meaning |
//   |---|---|
//   | `example.bad` | what the finding says is wrong |   <- FindingKind::summary
//
// Any other "## " section is shown by `explain` under its heading.
#pragma once

#include <map>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace mplp {

struct GateDoc {
  std::string id;         // from "# ID"
  std::string title;
  std::string rationale;  // the first paragraph after the title
  std::string why;        // every paragraph before the first section, as written
  std::string checks;     // the first paragraph of "What it checks", line breaks kept
  std::vector<std::pair<std::string, std::string>> sections;  // heading, body (as written), in order
  std::map<std::string, std::string, std::less<>> meanings;   // finding code -> meaning
};

// Reads a page. On a page that does not follow the layout above, returns
// false with `error` naming the line and what is missing.
bool parse_gate_doc(std::string_view page, GateDoc& out, std::string& error);

}  // namespace mplp
