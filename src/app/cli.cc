#include "app/cli.h"

namespace koban::app {

Result<Args> parse_args(const std::vector<std::string>& argv, const CommandSpec& spec) {
  Args args;
  for (std::size_t i = 0; i < argv.size(); ++i) {
    const std::string& a = argv[i];
    if (a == "--help" || a == "-h") {
      args.help = true;
      continue;
    }
    if (a == "--") {
      for (++i; i < argv.size(); ++i) args.positional.push_back(argv[i]);
      break;
    }
    if (a.size() > 2 && a.starts_with("--")) {
      std::string name = a.substr(2), value;
      const auto eq = name.find('=');
      const bool inline_value = eq != std::string::npos;
      if (inline_value) {
        value = name.substr(eq + 1);
        name = name.substr(0, eq);
      }
      if (spec.flag_options.count(name)) {
        if (inline_value) return Error::invalid("--" + name + " takes no value");
        args.flags.insert(name);
      } else if (spec.value_options.count(name)) {
        if (!inline_value) {
          if (i + 1 >= argv.size()) return Error::invalid("--" + name + " needs a value");
          value = argv[++i];
        }
        args.options[name] = value;
      } else {
        return Error::invalid("unknown option --" + name);
      }
      continue;
    }
    args.positional.push_back(a);
  }
  return args;
}

}  // namespace koban::app
