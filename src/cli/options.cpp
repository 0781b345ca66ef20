#include "cli/options.h"

#include <set>

#include "core/suggest.h"

namespace mplp::cli {

const char* const kEmptyArgument = "an empty argument (an unset variable?) where a path or name is expected";

bool parse_options(const std::vector<std::string>& args, const std::vector<OptionSpec>& specs,
                   std::vector<std::string>& positional, std::string& error) {
  std::set<std::string> given;
  for (std::size_t i = 0; i < args.size(); ++i) {
    const std::string& a = args[i];
    if (a == "--") {
      positional.insert(positional.end(), args.begin() + static_cast<long>(i) + 1, args.end());
      return true;
    }
    if (a.empty()) {
      error = kEmptyArgument;
      return false;
    }
    if (a.size() < 2 || a[0] != '-') {
      positional.push_back(a);
      continue;
    }
    std::string name = a, value;
    bool inline_value = false;
    if (std::size_t eq = a.find('='); a.rfind("--", 0) == 0 && eq != std::string::npos) {
      name = a.substr(0, eq);
      value = a.substr(eq + 1);
      inline_value = true;
    }
    const OptionSpec* spec = nullptr;
    for (const OptionSpec& s : specs)
      if (s.name == name) spec = &s;
    // -h is --help wherever no command gives it a meaning of its own.
    if (spec == nullptr && name == "-h")
      for (const OptionSpec& s : specs)
        if (s.name == "--help") spec = &s;
    if (spec == nullptr) {
      std::vector<std::string_view> names;
      for (const OptionSpec& s : specs) names.push_back(s.name);
      error = "unknown option '" + name + "'" + did_you_mean_note(name, names);
      return false;
    }
    if (spec->takes_value && !inline_value) {
      if (i + 1 >= args.size()) {
        error = "option '" + name + "' needs a value";
        return false;
      }
      value = args[++i];
    } else if (!spec->takes_value && inline_value) {
      error = "option '" + name + "' takes no value";
      return false;
    }
    // An empty path is an unset variable far more often than a choice, and
    // an empty --policy would otherwise mean "the built-in policy".
    static const std::set<std::string, std::less<>> kPathValues = {"DIR", "FILE", "KEY", "OLD.json", "PUB", "URI"};
    if (spec->takes_value && value.empty() && kPathValues.count(spec->value_name) != 0) {
      error = "option '" + name + "': an empty " + spec->value_name + " (an unset variable?): name one";
      return false;
    }
    if (spec->takes_value && !spec->repeatable && !given.insert(name).second) {
      error = "option '" + name + "' is given twice; it takes one value";
      return false;
    }
    std::string why;
    if (!spec->apply(value, why)) {
      error = "option '" + name + "': " + why;
      return false;
    }
  }
  return true;
}

std::string options_help(const std::vector<OptionSpec>& specs) {
  std::string out;
  for (const OptionSpec& s : specs) {
    std::string left = "  " + s.name + (s.takes_value ? " " + s.value_name : "");
    if (left.size() < 26) left.resize(26, ' ');
    else left += "  ";
    out += left + s.help + "\n";
  }
  return out;
}

bool parse_unsigned(const std::string& text, unsigned max, unsigned& out) {
  if (text.empty() || text.size() > 9) return false;
  unsigned v = 0;
  for (char c : text) {
    if (c < '0' || c > '9') return false;
    v = v * 10 + static_cast<unsigned>(c - '0');
  }
  if (v > max) return false;
  out = v;
  return true;
}

}  // namespace mplp::cli
