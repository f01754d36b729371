// Versioned schema migrations for both backends.
//
// Each module registers its migrations once at start-up (before migrate() runs), in
// dependency order between modules (a module whose tables are referenced registers first):
//
//   store::register_migrations("mail", {
//       {1, "outbox", "CREATE TABLE mail_outbox (id {{ID}}, body {{BLOB}} NOT NULL,"
//                     " queued_at {{BIGINT}} NOT NULL);"},
//   });
//   KOBAN_ASSIGN(auto report, store::migrate(db));   // `koban migrate`, `koban serve`
//
// SQL is portable; the runner replaces these tokens per backend:
//   {{ID}}     → INTEGER PRIMARY KEY AUTOINCREMENT (SQLite) / BIGSERIAL PRIMARY KEY (PostgreSQL)
//   {{BLOB}}   → BLOB / BYTEA
//   {{BIGINT}} → INTEGER / BIGINT  (SQLite's INTEGER is already 64-bit)
//   {{SQLITE:sql}} / {{POSTGRES:sql}} → sql on that backend only, nothing on the other (no
//              tokens inside; e.g. an FTS5 table on SQLite, a pg_trgm index on PostgreSQL)
// An unknown {{TOKEN}} is an error. Several statements separated by `;` are allowed.
//
// migrate() applies each pending migration in its own transaction and records (module,
// version, name, applied_at) in schema_migrations. On PostgreSQL every step takes
// pg_advisory_xact_lock so that two processes migrating at once apply each step once; on
// SQLite the single-writer lock does the same. It refuses (ErrorCode::conflict) when the
// database holds a version, or a module, newer than this program knows: run the newer koban.
// The store's own migrations (module "store": jobs, job_schedules) are always registered.
#pragma once

#include <string>
#include <vector>

#include "core/time.h"
#include "store/database.h"

namespace koban::store {

struct Migration {
  int version = 0;  // 1, 2, 3 ... per module; never change or renumber a released one
  std::string name;
  std::string sql;
};

struct MigrationReport {
  std::vector<std::string> applied;  // "module v3 name", in the order applied
  int already_applied = 0;
};

// A set of modules' migrations. The process-wide one is migration_registry().
class MigrationRegistry {
 public:
  // Versions must be positive and distinct; they are sorted. Adding the same module twice
  // merges, rejecting a version registered twice (invalid_argument).
  Result<void> add(std::string module, std::vector<Migration> migrations);
  struct Module {
    std::string name;
    std::vector<Migration> migrations;  // ascending version
  };
  const std::vector<Module>& modules() const { return modules_; }

 private:
  std::vector<Module> modules_;  // in registration order
};

// The process-wide registry, pre-filled with the store's own migrations. Not thread-safe:
// register at start-up, before any migrate().
MigrationRegistry& migration_registry();
Result<void> register_migrations(std::string module, std::vector<Migration> migrations);

// Replaces the {{...}} tokens for backend b.
Result<std::string> translate_migration_sql(std::string_view sql, Backend b);

Result<MigrationReport> migrate(Database& db, const MigrationRegistry& registry, Instant now);
// With the process-wide registry and the system clock.
Result<MigrationReport> migrate(Database& db);

// The store module's own migrations (jobs, job_schedules); part of every registry made by
// migration_registry(), add them yourself to a test registry.
std::vector<Migration> store_migrations();

}  // namespace koban::store
