// The CLI commands. Each is a function taking the words after the command name and returning
// the process exit code (0 ok, 1 failure, 2 usage error).
#pragma once

#include <string>
#include <vector>

namespace koban::app {

int run_command(const std::vector<std::string>& args);

int cmd_serve(const std::vector<std::string>& args, bool worker_only);
int cmd_migrate(const std::vector<std::string>& args);
int cmd_calendar(const std::vector<std::string>& args);
int cmd_backup(const std::vector<std::string>& args);
int cmd_restore(const std::vector<std::string>& args);
int cmd_config(const std::vector<std::string>& args);
int cmd_audit(const std::vector<std::string>& args);
int cmd_site(const std::vector<std::string>& args);  // site build | site verify

}  // namespace koban::app
