// Report output shared by `check` and `merge` (outputs.h).
#include "cli/outputs.h"

#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <iostream>
#include <sstream>

#include "core/file_identity.h"
#include "core/safe_fs.h"
#include "core/suggest.h"
#include "core/text.h"
#include "report/render.h"

namespace mplp::cli {

namespace {

std::string format_list() {
  std::string out;
  for (const Renderer& r : all_renderers()) out += (out.empty() ? "" : ", ") + std::string(r.name);
  return out;
}

bool check_format(const std::string& v, std::string& e) {
  if (find_renderer(v) != nullptr) return true;
  std::vector<std::string_view> names;
  for (const Renderer& r : all_renderers()) names.push_back(r.name);
  std::string guess = did_you_mean(v, names);
  e = "unknown format '" + v + "'" + (guess.empty() ? "" : "; did you mean " + guess + "?") + " (one of: " +
      format_list() + ")";
  return false;
}

bool env_set(const char* name) {
  const char* v = std::getenv(name);
  return v != nullptr && *v != '\0';
}

// --color auto: only on a terminal, never when NO_COLOR is set (no-color.org)
// or TERM is "dumb". always/never are explicit and win over NO_COLOR.
bool want_color(const std::string& mode) {
  if (mode == "always") return true;
  if (mode == "never") return false;
  if (env_set("NO_COLOR")) return false;
  const char* term = std::getenv("TERM");
  if (term != nullptr && std::string_view(term) == "dumb") return false;
  return ::isatty(STDOUT_FILENO) == 1;
}

}  // namespace

void salvage_outputs(const Args& args, OutputRequest& out) {
  std::string& format = out.format;
  std::vector<ReportRequest>& reports = out.reports;
  for (std::size_t i = 0; i < args.size(); ++i) {
    const std::string& a = args[i];
    if (a == "--") return;
    std::string name = a, value;
    if (std::size_t eq = a.find('='); a.rfind("--", 0) == 0 && eq != std::string::npos) {
      name = a.substr(0, eq);
      value = a.substr(eq + 1);
    } else if ((a == "--format" || a == "--report") && i + 1 < args.size()) {
      value = args[++i];
    }
    if (name == "--format" && find_renderer(value) != nullptr) format = value;
    std::size_t eq = value.find('=');
    if (name == "--report" && eq != std::string::npos && eq + 1 < value.size() &&
        find_renderer(value.substr(0, eq)) != nullptr)
      reports.push_back({value.substr(0, eq), value.substr(eq + 1)});
  }
}

std::vector<std::string> outputs_naming_an_argument(const Args& args, const OutputRequest& out) {
  std::vector<std::string> words;  // every word but a --report's value, and what follows a '='
  for (std::size_t i = 0; i < args.size(); ++i) {
    const std::string& a = args[i];
    if (a == "--report") {
      ++i;
      continue;
    }
    if (a.rfind("--report=", 0) == 0) continue;
    words.push_back(a);
    if (std::size_t eq = a.find('='); eq != std::string::npos) words.push_back(a.substr(eq + 1));
  }
  std::vector<std::string> refused;
  for (const auto& [option, path] : report_paths(out))
    for (const std::string& w : words)
      if (!w.empty() && names_one_file(path, w)) {
        refused.push_back(path);
        break;
      }
  return refused;
}

int could_not_run(std::string_view command, const std::string& error, const OutputRequest& out,
                  const std::vector<std::string>& refused, std::string_view stderr_hint) {
  const std::string& format = out.format;
  const std::vector<ReportRequest>& reports = out.reports;
  // One line per line of the error; the stderr guard makes each inert in a CI log.
  for (std::size_t start = 0; start <= error.size();) {
    std::size_t nl = std::min(error.find('\n', start), error.size());
    std::cerr << (start == 0 ? "mplp-gate " + std::string(command) + ": " : std::string("  "))
              << printable_utf8(std::string_view(error).substr(start, nl - start)) << "\n";
    start = nl + 1;
  }
  std::cerr << stderr_hint;
  RenderOptions o;
  o.tool_version = tool_version();
  std::ostringstream summary;
  const std::string summary_path = step_summary_path(out);
  if (!summary_path.empty() && std::find(refused.begin(), refused.end(), summary_path) == refused.end())
    o.step_summary = &summary;
  if (format != "text") {
    find_renderer(format)->render_error(error, o, std::cout);
    std::cout.flush();
    o.step_summary = nullptr;
  }
  std::vector<std::string> written;
  for (const ReportRequest& r : reports) {
    if (std::find(refused.begin(), refused.end(), r.path) != refused.end()) continue;
    // Two reports naming one file (itself a reason to stop): the first is
    // written, not overwritten by the second.
    if (std::any_of(written.begin(), written.end(), [&](const std::string& w) { return names_one_file(w, r.path); }))
      continue;
    written.push_back(r.path);
    std::ostringstream bytes;
    find_renderer(r.format)->render_error(error, o, bytes);
    if (r.format == "github") o.step_summary = nullptr;
    std::string why;
    if (!write_output_file(r.path, bytes.str(), why))
      std::cerr << "mplp-gate " << command << ": cannot write " << r.format << " report to " << r.path << ": " << why << "\n";
  }
  if (!summary.str().empty()) {
    std::string why;
    if (!append_output_file(summary_path, summary.str(), why))
      std::cerr << "mplp-gate " << command << ": cannot append the step summary: " << why << "\n";
  }
  if (!out.receipt.empty() && std::find(refused.begin(), refused.end(), out.receipt) == refused.end()) {
    struct stat st {};
    if (::lstat(out.receipt.c_str(), &st) == 0 && S_ISREG(st.st_mode) && ::unlink(out.receipt.c_str()) == 0)
      std::cerr << "mplp-gate " << command << ": removed the receipt of an earlier run at " << out.receipt << "\n";
  }
  return kExitError;
}


std::vector<OptionSpec> leading_output_options(OutputRequest& out) {
  return {
      {"--format", true, [&out](const std::string& v, std::string& e) {
         if (!check_format(v, e)) return false;
         out.format = v;
         return true;
       }, "stdout format: " + format_list() + " (default text)", "FMT"},
      {"--report", true, [&out](const std::string& v, std::string& e) {
         std::size_t eq = v.find('=');
         if (eq == std::string::npos || eq + 1 == v.size()) return e = "expected FORMAT=FILE", false;
         if (!check_format(v.substr(0, eq), e)) return false;
         out.reports.push_back({v.substr(0, eq), v.substr(eq + 1)});
         return true;
       }, "also write a report in FORMAT to FILE (repeatable; written atomically)", "FORMAT=FILE", true},
      {"--color", true, [&out](const std::string& v, std::string& e) {
         if (v != "auto" && v != "always" && v != "never") return e = "expected auto, always or never", false;
         out.color_mode = v;
         return true;
       }, "colour the text output: auto (terminal, no NO_COLOR), always, never", "WHEN"},
      {"-q", false, [&out](const std::string&, std::string&) { out.quiet = true; return true; },
       "quiet: nothing on stdout when the run passes, only what failed when it fails (no progress line)", ""},
      {"--quiet", false, [&out](const std::string&, std::string&) { out.quiet = true; return true; }, "same as -q", ""},
  };
}

std::vector<OptionSpec> trailing_output_options(OutputRequest& out) {
  return {
      {"--max-annotations", true, [&out](const std::string& v, std::string& e) {
         unsigned n = 0;
         if (!parse_unsigned(v, 1000000, n)) return e = "expected 0..1000000", false;
         out.max_annotations = n;
         out.max_annotations_given = true;
         return true;
       }, "github: at most N error and N warning annotations (default 10, what GitHub shows per step)", "N"},
      {"--annotate-info", false, [&out](const std::string&, std::string&) { out.annotate_info = true; return true; },
       "github: annotate info findings too (as notices; at most --max-annotations)", ""},
      {"--statistics", false, [&out](const std::string&, std::string&) { out.statistics = true; return true; },
       "text and json: also count findings per code and severity", ""},
  };
}

namespace {
constexpr std::string_view kStepSummaryOption = "$GITHUB_STEP_SUMMARY";
}  // namespace

std::string missing_output_directory(const std::vector<std::pair<std::string, std::string>>& paths,
                                     std::vector<std::string>& refused) {
  std::string why;
  for (const auto& [option, path] : paths) {
    // The step summary is a courtesy: a place it cannot go is a warning when
    // it is appended, as in every format, not a run that could not happen.
    if (option.starts_with(kStepSummaryOption)) continue;
    const std::filesystem::path target(output_target(path));
    const std::filesystem::path dir = target.has_parent_path() ? target.parent_path() : std::filesystem::path(".");
    std::error_code ec;
    const auto type = std::filesystem::status(dir, ec).type();
    std::string problem;
    if (type == std::filesystem::file_type::not_found) problem = option + ": the directory " + dir.string() + " does not exist";
    else if (!ec && type != std::filesystem::file_type::directory) problem = option + ": " + dir.string() + " is not a directory";
    if (problem.empty()) continue;
    if (why.empty()) why = problem;
    refused.push_back(path);
  }
  return why;
}

std::string step_summary_path(const OutputRequest& out) {
  if (!env_set("GITHUB_STEP_SUMMARY")) return "";
  const bool github = out.format == "github" ||
                      std::any_of(out.reports.begin(), out.reports.end(), [](const ReportRequest& r) { return r.format == "github"; });
  return github ? std::getenv("GITHUB_STEP_SUMMARY") : "";
}

std::vector<std::pair<std::string, std::string>> report_paths(const OutputRequest& out) {
  std::vector<std::pair<std::string, std::string>> paths;
  for (const ReportRequest& r : out.reports) paths.emplace_back("--report " + r.format + "=" + r.path, r.path);
  if (const std::string summary = step_summary_path(out); !summary.empty())
    paths.emplace_back(std::string(kStepSummaryOption) + " " + summary, summary);
  return paths;
}

std::vector<std::string> report_files(const OutputRequest& out) {
  std::vector<std::string> files;
  for (const auto& [option, path] : report_paths(out)) files.push_back(path);
  return files;
}

std::string output_names_input(const std::vector<std::pair<std::string, std::string>>& outputs,
                               const std::vector<std::pair<std::string, std::string>>& inputs,
                               std::vector<std::string>& refused) {
  std::string why;
  for (const auto& [option, path] : outputs)
    for (const auto& [input, input_path] : inputs)
      if (!input_path.empty() && names_one_file(path, input_path)) {
        if (why.empty()) why = option + " would overwrite " + input + ", which this run reads";
        refused.push_back(path);
        break;
      }
  return why;
}

std::string option_without_effect(const OutputRequest& out) {
  auto writes = [&out](std::initializer_list<std::string_view> formats) {
    for (std::string_view f : formats)
      if (out.format == f || std::any_of(out.reports.begin(), out.reports.end(),
                                         [f](const ReportRequest& r) { return r.format == f; }))
        return true;
    return false;
  };
  if ((out.max_annotations_given || out.annotate_info) && !writes({"github"}))
    return std::string(out.max_annotations_given ? "--max-annotations" : "--annotate-info") +
           " shapes GitHub annotations, and this run writes none: add --format github or --report github=FILE, "
           "or leave it out";
  // Only the text on stdout is ever coloured; `never` and `auto` ask for
  // nothing a report in another format lacks.
  if (out.color_mode == "always" && out.format != "text")
    return "--color always colours the text on stdout, and this run prints " + out.format +
           " there: add --format text, or leave it out";
  if (out.statistics && !writes({"text", "json"}))
    return "--statistics counts findings in the text and JSON reports, and this run writes neither: add --format "
           "text|json or --report text=FILE|json=FILE, or leave it out";
  return "";
}

std::string same_output_file(const std::vector<std::pair<std::string, std::string>>& paths) {
  for (std::size_t i = 0; i < paths.size(); ++i)
    for (std::size_t j = 0; j < i; ++j)
      if (names_one_file(paths[j].second, paths[i].second))
        return paths[j].first + " and " + paths[i].first + " name one file: only the last would be left";
  return "";
}

int write_outputs(std::string_view command, const RunReport& report, const OutputRequest& out,
                  const std::function<bool(std::string&)>& also_write) {
  const std::string& format = out.format;
  const bool quiet = out.quiet;
  int code = exit_code(report);
  RenderOptions base;
  base.tool_version = tool_version();
  base.quiet = quiet;
  base.max_annotations = out.max_annotations;
  base.annotate_info = out.annotate_info;
  base.statistics = out.statistics;
  // $GITHUB_STEP_SUMMARY gets one summary per run, from the first github report.
  std::ostringstream step_summary;
  bool wants_summary = env_set("GITHUB_STEP_SUMMARY");
  auto options_for = [&](const std::string& fmt, bool color) {
    RenderOptions o = base;
    o.color = color;
    if (fmt == "github" && wants_summary) {
      o.step_summary = &step_summary;
      wants_summary = false;
    }
    return o;
  };

  // Report files first: when one cannot be written the run exits 2, and
  // every output then says so in its own shape (could_not_run), stdout
  // included, rather than "pass" beside exit 2 (QA-36). Then stdout, then
  // `also_write` (a receipt: made before, so only its write can fail here);
  // a failure after stdout has its report turns the files into the error.
  for (const ReportRequest& r : out.reports) {
    std::ostringstream bytes;
    RenderOptions o = options_for(r.format, false);
    o.quiet = false;  // a requested file always gets the full report
    find_renderer(r.format)->render(report, o, bytes);
    if (std::string why; !write_output_file(r.path, bytes.str(), why))
      return could_not_run(command, "cannot write the " + r.format + " report to " + r.path + ": " + why, out, {r.path});
  }
  auto failed_after_stdout = [&](const std::string& error) {
    OutputRequest files_only = out;
    files_only.format = "text";  // stdout holds its report already: stderr and the files say it
    return could_not_run(command, error, files_only, {});
  };
  if (!(quiet && code == 0)) {
    find_renderer(format)->render(report, options_for(format, format == "text" && want_color(out.color_mode)), std::cout);
    std::cout.flush();
    if (!std::cout) return failed_after_stdout("cannot write the report to stdout");
  } else if (format == "github") {
    std::ostringstream discard;
    find_renderer(format)->render(report, options_for(format, false), discard);  // still feed the summary
  }
  if (std::string why; also_write && !also_write(why)) return failed_after_stdout(why);
  // The step summary is a courtesy to the reader of the job's page, as in
  // every format: not writing it is said, and the verdict stands.
  if (!step_summary.str().empty()) {
    std::string why;
    if (!append_output_file(std::getenv("GITHUB_STEP_SUMMARY"), step_summary.str(), why))
      std::cerr << "mplp-gate " << command << ": warning: cannot append the step summary: " << why << "\n";
  }
  return code;
}

}  // namespace mplp::cli
