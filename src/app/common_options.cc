#include "app/common_options.h"

namespace koban::app {

Result<Config> load_config(const Args& args) {
  KOBAN_ASSIGN(Config config, Config::load(args.option("config"), environment_map()));
  if (args.options.count("data")) config.set("data.dir", args.options.at("data"));
  return config;
}

}  // namespace koban::app
