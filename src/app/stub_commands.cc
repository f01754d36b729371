// Commands whose modules are being built; each says so plainly instead of pretending.
#include <cstdio>

#include "app/commands.h"

namespace koban::app {

static int not_yet(const char* name) {
  std::fprintf(stderr, "koban %s: not available in this build yet\n", name);
  return 1;
}

int cmd_migrate(const std::vector<std::string>&) { return not_yet("migrate"); }
int cmd_calendar(const std::vector<std::string>&) { return not_yet("calendar"); }
int cmd_backup(const std::vector<std::string>&) { return not_yet("backup"); }
int cmd_restore(const std::vector<std::string>&) { return not_yet("restore"); }

}  // namespace koban::app
