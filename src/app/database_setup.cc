#include "app/database_setup.h"

#include <filesystem>
#include <mutex>

#include "alerts/alerts_migrations.h"
#include "alerts/subscriber_migrations.h"
#include "audit/audit_log.h"
#include "auth/migrations.h"
#include "auth/webauthn/migrations.h"
#include "mail/bulk/bulk.h"
#include "mail/outbox.h"
#include "mailbox/mailbox_migrations.h"
#include "org/org_migrations.h"
#include "workflow/workflow_migrations.h"
#include "incidents/incidents_migrations.h"
#include "ledger/ledger_migrations.h"
#include "requests/requests_migrations.h"
#include "site/site_migrations.h"
#include "site/emergency/emergency.h"
#include "site/integrity/integrity_migrations.h"
#include "site/search/search_migrations.h"

namespace koban::app {
namespace fs = std::filesystem;

Result<std::string> sqlite_path(const Config& config) {
  const auto& url = config.text("database.url");
  if (url.empty()) return (fs::path(config.text("data.dir")) / "koban.db").string();
  KOBAN_ASSIGN(auto dbc, store::parse_database_url(url));
  if (dbc.backend != store::Backend::sqlite)
    return Error::invalid("backup and restore work on SQLite; for PostgreSQL use pg_dump / pg_restore");
  return dbc.sqlite_path;
}

Result<OpenedDatabase> open_database(const Config& config) {
  OpenedDatabase out;
  const std::string data_dir = config.text("data.dir");
  std::error_code ec;
  fs::create_directories(data_dir, ec);
  if (ec) return Error::unavailable("cannot create data directory " + data_dir + ": " + ec.message());
  KOBAN_ASSIGN(auto lock, store::DataDirLock::shared(data_dir));
  out.lock.emplace(std::move(lock));
  store::DatabaseConfig dbc;
  const auto& url = config.text("database.url");
  if (url.empty()) {
    dbc.backend = store::Backend::sqlite;
    dbc.sqlite_path = (fs::path(data_dir) / "koban.db").string();
  } else {
    KOBAN_ASSIGN(dbc, store::parse_database_url(url));
  }
  dbc.postgres_pool_size = static_cast<int>(std::max<std::int64_t>(1, config.integer("database.pool_size")));
  KOBAN_ASSIGN(out.db, store::Database::open(dbc));
  return out;
}

Result<store::MigrationReport> migrate_database(store::Database& db) {
  // Feature modules register their migrations here, in dependency order.
  static std::once_flag once;
  static Result<void> registered = ok();
  std::call_once(once, [] {
    registered = [] () -> Result<void> {
      KOBAN_TRY(org::register_org_migrations());
      KOBAN_TRY(auth::register_auth_migrations());
      KOBAN_TRY(auth::webauthn::register_webauthn_migrations());
      KOBAN_TRY(audit::register_audit_migrations());
      KOBAN_TRY(workflow::register_workflow_migrations());
      KOBAN_TRY(ledger::register_ledger_migrations());
      KOBAN_TRY(requests::register_requests_migrations());
      KOBAN_TRY(incidents::register_incidents_migrations());
      KOBAN_TRY(mail::register_outbox_migrations());
      KOBAN_TRY(alerts::register_subscriber_migrations());
      KOBAN_TRY(alerts::register_alerts_migrations());
      KOBAN_TRY(mail::bulk::register_bulk_migrations());
      KOBAN_TRY(mailbox::register_mailbox_migrations());
      KOBAN_TRY(site::register_site_migrations());
      KOBAN_TRY(site::search::register_search_migrations());
      KOBAN_TRY(site::emergency::register_emergency_migrations());
      KOBAN_TRY(site::integrity::register_integrity_migrations());
      return ok();
    }();
  });
  KOBAN_TRY(registered);
  return store::migrate(db);
}

}  // namespace koban::app
