// Command-line parsing for `koban <command> [options]`: options are `--name value`,
// `--name=value` or boolean `--flag`; each command declares which it accepts so that a typo
// is an error, not a silently ignored word.
#pragma once

#include <map>
#include <set>
#include <string>
#include <vector>

#include "core/result.h"

namespace koban::app {

struct CommandSpec {
  std::set<std::string> value_options;  // e.g. {"data", "listen", "config"}
  std::set<std::string> flag_options;   // e.g. {"demo"}
};

struct Args {
  std::vector<std::string> positional;
  std::map<std::string, std::string> options;
  std::set<std::string> flags;
  bool help = false;

  bool has(const std::string& flag) const { return flags.count(flag) > 0; }
  std::string option(const std::string& name, std::string fallback = "") const {
    auto it = options.find(name);
    return it == options.end() ? fallback : it->second;
  }
};

Result<Args> parse_args(const std::vector<std::string>& argv, const CommandSpec& spec);

}  // namespace koban::app
