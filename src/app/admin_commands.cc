// koban calendar | migrate | backup | restore.
#include <cstdio>
#include <filesystem>

#include "app/calendar_from_config.h"
#include "app/cli.h"
#include "app/commands.h"
#include "app/common_options.h"
#include "app/database_setup.h"
#include "audit/verify.h"
#include "core/calendar/holidays.h"
#include "store/backup.h"
#include "store/migrations.h"

namespace koban::app {
namespace {

int usage_error(const std::string& message, const char* help) {
  std::fprintf(stderr, "koban: %s\n\n%s", message.c_str(), help);
  return 2;
}

int fail(const Error& e) {
  std::fprintf(stderr, "koban: %s\n", e.message.c_str());
  return 1;
}

constexpr const char* kCalendarHelp =
    "usage: koban calendar holidays YEAR [--config FILE]\n"
    "       koban calendar check \"YYYY-MM-DDTHH:MM\" [--config FILE]\n"
    "\n"
    "holidays  one line per national holiday of YEAR (1980-2099): YYYY-MM-DD<TAB>name\n"
    "check     for that moment in Japan time: business day or not, office hours or duty\n"
    "          hours, alert-sending hours or not (calendar.* settings apply)\n";

constexpr const char* kMigrateHelp =
    "usage: koban migrate [--data DIR] [--config FILE]\n"
    "\nApplies pending schema migrations to the database (SQLite in DATA, or database.url).\n";

constexpr const char* kBackupHelp =
    "usage: koban backup DEST_FILE [--data DIR] [--config FILE]\n"
    "\nCopies DATA/koban.db to DEST_FILE consistently, while koban keeps running.\n";

constexpr const char* kRestoreHelp =
    "usage: koban restore SRC_FILE [--data DIR] [--config FILE]\n"
    "\nChecks SRC_FILE is a sound koban database and puts it in place of DATA/koban.db.\n"
    "koban serve and workers must be stopped first (the data directory lock is checked).\n";

}  // namespace

int cmd_calendar(const std::vector<std::string>& argv) {
  auto args = parse_args(argv, {{"config"}, {}});
  if (!args) return usage_error(args.error().message, kCalendarHelp);
  if (args->help) {
    std::fputs(kCalendarHelp, stdout);
    return 0;
  }
  if (args->positional.size() != 2) return usage_error("expected a subcommand and its argument", kCalendarHelp);
  const std::string& sub = args->positional[0];
  const std::string& arg = args->positional[1];
  if (sub == "holidays") {
    int year = 0;
    for (char c : arg) {
      if (c < '0' || c > '9' || year > 100000) return usage_error("YEAR must be a number like 2026", kCalendarHelp);
      year = year * 10 + (c - '0');
    }
    if (arg.empty()) return usage_error("YEAR must be a number like 2026", kCalendarHelp);
    auto list = calendar::holidays_checked(year);
    if (!list) return fail(list.error());
    for (const auto& h : *list) std::printf("%s\t%s\n", h.date.iso().c_str(), h.name.c_str());
    return 0;
  }
  if (sub == "check") {
    auto moment = JstDateTime::parse(arg);
    if (!moment) return usage_error("the moment must look like 2026-05-03T21:59 (Japan time)", kCalendarHelp);
    auto config = load_config(*args);
    if (!config) return fail(config.error());
    auto cal = calendar_from_config(*config);
    if (!cal) return fail(cal.error());
    std::fputs(calendar::format_moment(cal->describe(from_jst(*moment))).c_str(), stdout);
    return 0;
  }
  return usage_error("unknown subcommand '" + sub + "'", kCalendarHelp);
}

int cmd_migrate(const std::vector<std::string>& argv) {
  auto args = parse_args(argv, {{"data", "config"}, {}});
  if (!args) return usage_error(args.error().message, kMigrateHelp);
  if (args->help) {
    std::fputs(kMigrateHelp, stdout);
    return 0;
  }
  if (!args->positional.empty()) return usage_error("unexpected argument " + args->positional[0], kMigrateHelp);
  auto config = load_config(*args);
  if (!config) return fail(config.error());
  auto opened = open_database(*config);
  if (!opened) return fail(opened.error());
  auto report = migrate_database(*opened->db);
  if (!report) return fail(report.error());
  for (const auto& step : report->applied) std::printf("applied %s\n", step.c_str());
  std::printf("%zu migration(s) applied, %d already in place\n", report->applied.size(), report->already_applied);
  return 0;
}

int cmd_backup(const std::vector<std::string>& argv) {
  auto args = parse_args(argv, {{"data", "config"}, {}});
  if (!args) return usage_error(args.error().message, kBackupHelp);
  if (args->help) {
    std::fputs(kBackupHelp, stdout);
    return 0;
  }
  if (args->positional.size() != 1) return usage_error("expected DEST_FILE", kBackupHelp);
  auto config = load_config(*args);
  if (!config) return fail(config.error());
  auto path = sqlite_path(*config);
  if (!path) return fail(path.error());
  if (auto r = store::backup(*path, args->positional[0]); !r) return fail(r.error());
  std::printf("backup written to %s\n", args->positional[0].c_str());
  return 0;
}

int cmd_restore(const std::vector<std::string>& argv) {
  auto args = parse_args(argv, {{"data", "config"}, {}});
  if (!args) return usage_error(args.error().message, kRestoreHelp);
  if (args->help) {
    std::fputs(kRestoreHelp, stdout);
    return 0;
  }
  if (args->positional.size() != 1) return usage_error("expected SRC_FILE", kRestoreHelp);
  auto config = load_config(*args);
  if (!config) return fail(config.error());
  auto path = sqlite_path(*config);
  if (!path) return fail(path.error());
  // store::restore takes the data directory's exclusive lock itself.
  if (auto r = store::restore(args->positional[0], *path); !r) return fail(r.error());
  std::printf("restored %s from %s\n", path->c_str(), args->positional[0].c_str());
  return 0;
}

int cmd_audit(const std::vector<std::string>& argv) {
  static constexpr const char* kAuditHelp =
      "usage: koban audit verify [--data DIR] [--config FILE]\n"
      "\nRecomputes the hash chain of the audit trail. Exit status 0: intact; 1: a row was\n"
      "edited, deleted or reordered (the first bad row is named); 2: it could not be read.\n";
  auto args = parse_args(argv, {{"data", "config"}, {}});
  if (!args) return usage_error(args.error().message, kAuditHelp);
  if (args->help) {
    std::fputs(kAuditHelp, stdout);
    return 0;
  }
  if (args->positional.size() != 1 || args->positional[0] != "verify") return usage_error("expected: verify", kAuditHelp);
  auto config = load_config(*args);
  if (!config) return fail(config.error());
  auto opened = open_database(*config);
  if (!opened) return fail(opened.error());
  if (auto report = migrate_database(*opened->db); !report) return fail(report.error());
  return audit::run_verify_command(*opened->db, stdout);
}

}  // namespace koban::app
