// A small option parser shared by the subcommands: `--name value`,
// `--name=value`, flags, and positional arguments; `--` ends options.
#pragma once

#include <functional>
#include <string>
#include <vector>

namespace mplp::cli {

struct OptionSpec {
  std::string name;        // "--format"
  bool takes_value;
  std::function<bool(const std::string& value, std::string& error)> apply;
  std::string help;        // one line, for --help
  std::string value_name;  // "FMT"
  // May be given more than once (--gate, --report). Any other option that
  // takes a value may not: "--policy a --policy b" would silently drop a.
  bool repeatable = false;
};

// Parses `args`; positionals are appended to `positional`. On error returns
// false with a message naming the option.
bool parse_options(const std::vector<std::string>& args, const std::vector<OptionSpec>& specs,
                   std::vector<std::string>& positional, std::string& error);

std::string options_help(const std::vector<OptionSpec>& specs);

// What an empty argument is called wherever a path or name was expected:
// most often a variable the shell left unset.
extern const char* const kEmptyArgument;

bool parse_unsigned(const std::string& text, unsigned max, unsigned& out);

}  // namespace mplp::cli
