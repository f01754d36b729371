#include "store/migrations.h"

#include <algorithm>
#include <map>

namespace koban::store {
namespace {

// Arbitrary but fixed: every koban process uses the same advisory lock key for migrations.
constexpr std::int64_t kMigrationLockKey = 0x6b6f62616e4d4947;  // "kobanMIG"

constexpr const char* kCreateSchemaMigrations =
    "CREATE TABLE IF NOT EXISTS schema_migrations ("
    " module TEXT NOT NULL,"
    " version INTEGER NOT NULL,"
    " name TEXT NOT NULL,"
    " applied_at {{BIGINT}} NOT NULL,"
    " PRIMARY KEY (module, version))";

Result<void> lock_if_postgres(Session& s) {
  if (s.backend() != Backend::postgres) return ok();
  KOBAN_TRY(s.query("SELECT pg_advisory_xact_lock(?)", kMigrationLockKey));
  return ok();
}

}  // namespace

Result<void> MigrationRegistry::add(std::string module, std::vector<Migration> migrations) {
  if (module.empty()) return Error::invalid("migration module name is empty");
  auto it = std::find_if(modules_.begin(), modules_.end(),
                         [&](const Module& m) { return m.name == module; });
  std::vector<Migration> all = it != modules_.end() ? it->migrations : std::vector<Migration>{};
  for (auto& m : migrations) {
    if (m.version <= 0) return Error::invalid(module + ": migration version must be positive");
    all.push_back(std::move(m));
  }
  std::sort(all.begin(), all.end(),
            [](const Migration& a, const Migration& b) { return a.version < b.version; });
  for (std::size_t i = 1; i < all.size(); ++i)
    if (all[i].version == all[i - 1].version)
      return Error::invalid(module + ": migration version " + std::to_string(all[i].version) +
                            " registered twice");
  if (it != modules_.end()) it->migrations = std::move(all);
  else modules_.push_back({std::move(module), std::move(all)});
  return ok();
}

MigrationRegistry& migration_registry() {
  static MigrationRegistry* r = [] {
    auto* reg = new MigrationRegistry;
    (void)reg->add("store", store_migrations());
    return reg;
  }();
  return *r;
}

Result<void> register_migrations(std::string module, std::vector<Migration> migrations) {
  return migration_registry().add(std::move(module), std::move(migrations));
}

Result<std::string> translate_migration_sql(std::string_view sql, Backend b) {
  const bool pg = b == Backend::postgres;
  std::string out;
  out.reserve(sql.size() + 64);
  std::size_t i = 0;
  while (i < sql.size()) {
    std::size_t open = sql.find("{{", i);
    if (open == std::string_view::npos) {
      out.append(sql.substr(i));
      break;
    }
    out.append(sql.substr(i, open - i));
    std::size_t close = sql.find("}}", open);
    if (close == std::string_view::npos) return Error::invalid("migration: unterminated {{");
    std::string_view token = sql.substr(open + 2, close - open - 2);
    if (token == "ID") out += pg ? "BIGSERIAL PRIMARY KEY" : "INTEGER PRIMARY KEY AUTOINCREMENT";
    else if (token == "BLOB") out += pg ? "BYTEA" : "BLOB";
    else if (token == "BIGINT") out += pg ? "BIGINT" : "INTEGER";
    // Statements for one backend only (e.g. an FTS5 table on SQLite, pg_trgm on PostgreSQL).
    else if (token.starts_with("SQLITE:")) out += pg ? std::string_view() : token.substr(7);
    else if (token.starts_with("POSTGRES:")) out += pg ? token.substr(9) : std::string_view();
    else return Error::invalid("migration: unknown token {{" + std::string(token) + "}}");
    i = close + 2;
  }
  return out;
}

Result<MigrationReport> migrate(Database& db, const MigrationRegistry& registry, Instant now) {
  MigrationReport report;
  KOBAN_ASSIGN(std::string create, translate_migration_sql(kCreateSchemaMigrations, db.backend()));
  // Translate everything first: a bad token fails before anything is applied.
  std::map<std::pair<std::string, int>, std::string> translated;
  for (const auto& mod : registry.modules())
    for (const auto& m : mod.migrations) {
      KOBAN_ASSIGN(std::string sql, translate_migration_sql(m.sql, db.backend()));
      translated[{mod.name, m.version}] = std::move(sql);
    }

  KOBAN_TRY(db.write([&](Session& s) -> Result<void> {
    KOBAN_TRY(lock_if_postgres(s));
    return s.exec_script(create);
  }));

  // Refuse a database from the future before touching anything.
  std::map<std::string, std::int64_t> db_max;
  KOBAN_TRY(db.read([&](Session& s) -> Result<void> {
    KOBAN_ASSIGN(auto rows,
                 s.query("SELECT module, MAX(version) FROM schema_migrations GROUP BY module"));
    for (const auto& r : rows) db_max[r.text(0)] = r.int64(1);
    return ok();
  }));
  for (const auto& [module, version] : db_max) {
    auto it = std::find_if(registry.modules().begin(), registry.modules().end(),
                           [&](const auto& m) { return m.name == module; });
    const int known = (it == registry.modules().end() || it->migrations.empty())
                          ? 0
                          : it->migrations.back().version;
    if (version > known)
      return Error::conflict("データベースのスキーマ（" + module + " v" +
                             std::to_string(version) + "）がこのプログラムの知る版（v" +
                             std::to_string(known) +
                             "）より新しいため起動できません。新しい koban を使ってください。");
  }

  for (const auto& mod : registry.modules()) {
    for (const auto& m : mod.migrations) {
      bool applied_now = false;
      KOBAN_TRY(db.write([&](Session& s) -> Result<void> {
        applied_now = false;
        KOBAN_TRY(lock_if_postgres(s));
        // Checked under the lock: another process may have applied it meanwhile.
        KOBAN_ASSIGN(auto rows,
                     s.query("SELECT 1 FROM schema_migrations WHERE module = ? AND version = ?",
                             mod.name, m.version));
        if (!rows.empty()) return ok();
        auto r = s.exec_script(translated[{mod.name, m.version}]);
        if (!r)
          return Error{r.error().code, "migration " + mod.name + " v" +
                                           std::to_string(m.version) + " (" + m.name +
                                           ") failed: " + r.error().message};
        KOBAN_TRY(s.exec(
            "INSERT INTO schema_migrations (module, version, name, applied_at) VALUES (?, ?, ?, ?)",
            mod.name, m.version, m.name, to_unix(now)));
        applied_now = true;
        return ok();
      }));
      if (applied_now)
        report.applied.push_back(mod.name + " v" + std::to_string(m.version) + " " + m.name);
      else
        ++report.already_applied;
    }
  }
  return report;
}

Result<MigrationReport> migrate(Database& db) {
  return migrate(db, migration_registry(),
                 std::chrono::time_point_cast<std::chrono::seconds>(std::chrono::system_clock::now()));
}

std::vector<Migration> store_migrations() {
  return {
      {1, "jobs",
       "CREATE TABLE jobs ("
       " id {{ID}},"
       " kind TEXT NOT NULL,"
       " payload TEXT NOT NULL DEFAULT '{}',"
       " state TEXT NOT NULL DEFAULT 'queued'"
       "   CHECK (state IN ('queued', 'running', 'done', 'dead')),"
       " attempts INTEGER NOT NULL DEFAULT 0,"
       " max_attempts INTEGER NOT NULL DEFAULT 5,"
       " run_at {{BIGINT}} NOT NULL,"
       " locked_by TEXT,"
       " locked_until {{BIGINT}},"
       " last_error TEXT,"
       " dedupe_key TEXT UNIQUE,"
       " created_at {{BIGINT}} NOT NULL,"
       " finished_at {{BIGINT}});"
       "CREATE INDEX jobs_state_run_at ON jobs (state, run_at);"
       "CREATE INDEX jobs_state_locked_until ON jobs (state, locked_until);"},
      {2, "job_schedules",
       "CREATE TABLE job_schedules ("
       " name TEXT PRIMARY KEY,"
       " last_due {{BIGINT}} NOT NULL)"},
  };
}

}  // namespace koban::store
