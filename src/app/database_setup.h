// Opening the database as the configuration says, and registering every module's migrations.
#pragma once

#include <memory>
#include <optional>
#include <string>

#include "core/config.h"
#include "store/data_dir_lock.h"
#include "store/database.h"
#include "store/migrations.h"

namespace koban::app {

struct OpenedDatabase {
  std::optional<store::DataDirLock> lock;  // held while the process uses DATA (SQLite)
  std::unique_ptr<store::Database> db;
};

// The SQLite file path when database.url is empty or sqlite:..., an error for PostgreSQL.
Result<std::string> sqlite_path(const Config& config);
// Creates DATA, takes the shared data-directory lock, opens the database.
Result<OpenedDatabase> open_database(const Config& config);
// Registers every module's migrations (once per process) and applies the pending ones.
Result<store::MigrationReport> migrate_database(store::Database& db);

}  // namespace koban::app
