// Options shared by the commands that open the data directory: --data, --config.
#pragma once

#include "app/cli.h"
#include "core/config.h"

namespace koban::app {

// Loads --config FILE (or defaults), applies the environment, then --data.
Result<Config> load_config(const Args& args);

}  // namespace koban::app
