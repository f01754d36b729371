#include "app/commands.h"

#include <cstdio>

#include "app/cli.h"
#include "core/config.h"

namespace koban::app {
namespace {

constexpr const char* kUsage =
    "koban " KOBAN_VERSION " — website, safety-alert mail, procedures and mailbox of a police force\n"
    "\n"
    "usage: koban <command> [options]\n"
    "\n"
    "commands:\n"
    "  serve      run the HTTP server and the background workers\n"
    "  worker     run the background workers only (for scale-out)\n"
    "  migrate    bring the database schema up to date and exit\n"
    "  calendar   Japanese holidays and office / duty / alert-sending hours\n"
    "  backup     copy the SQLite database consistently while koban runs\n"
    "  restore    put a backup back in place (koban must be stopped)\n"
    "  audit      verify the audit trail's hash chain (audit verify)\n"
    "  site       build the public site into DATA/public, or verify it against its signed manifest\n"
    "  config     print the configuration reference (config defaults | config markdown)\n"
    "\n"
    "options for every command: --help\n"
    "`koban <command> --help` tells more.\n";

}  // namespace

int run_command(const std::vector<std::string>& args) {
  if (args.empty() || args[0] == "--help" || args[0] == "-h" || args[0] == "help") {
    std::fputs(kUsage, args.empty() ? stderr : stdout);
    return args.empty() ? 2 : 0;
  }
  if (args[0] == "--version" || args[0] == "version") {
    std::puts("koban " KOBAN_VERSION);
    return 0;
  }
  const std::string& cmd = args[0];
  const std::vector<std::string> rest(args.begin() + 1, args.end());
  if (cmd == "serve") return cmd_serve(rest, false);
  if (cmd == "worker") return cmd_serve(rest, true);
  if (cmd == "migrate") return cmd_migrate(rest);
  if (cmd == "calendar") return cmd_calendar(rest);
  if (cmd == "backup") return cmd_backup(rest);
  if (cmd == "restore") return cmd_restore(rest);
  if (cmd == "config") return cmd_config(rest);
  if (cmd == "audit") return cmd_audit(rest);
  if (cmd == "site") return cmd_site(rest);
  std::fprintf(stderr, "koban: unknown command '%s'\n\n%s", cmd.c_str(), kUsage);
  return 2;
}

int cmd_config(const std::vector<std::string>& args) {
  auto parsed = parse_args(args, {});
  if (!parsed || parsed->help || parsed->positional.size() != 1) {
    std::fputs("usage: koban config defaults   print a configuration file with every setting\n"
               "       koban config markdown   print the settings as a Markdown table\n",
               parsed && parsed->help ? stdout : stderr);
    return parsed && parsed->help ? 0 : 2;
  }
  if (parsed->positional[0] == "defaults") {
    std::fputs(Config::defaults_file().c_str(), stdout);
  } else if (parsed->positional[0] == "markdown") {
    std::fputs(Config::markdown_reference().c_str(), stdout);
  } else {
    std::fprintf(stderr, "koban config: unknown subcommand '%s'\n", parsed->positional[0].c_str());
    return 2;
  }
  return 0;
}

}  // namespace koban::app
