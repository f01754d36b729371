// Online backup and restore of the SQLite database (`koban backup` / `koban restore`).
//
//   KOBAN_TRY(store::backup("DATA/koban.db", "/backups/koban-2026-01-01.db"));  // server running
//   KOBAN_TRY(store::restore("/backups/koban-2026-01-01.db", "DATA/koban.db")); // server stopped
//
// backup() uses the sqlite3 backup API in a single step inside one read transaction, so the
// copy is one consistent snapshot even while the server writes (WAL lets writers go on). It
// writes DEST.tmp and renames it, so a failed backup never leaves a half file at DEST.
// restore() checks that SRC is a sound koban database (PRAGMA integrity_check = ok and a
// schema_migrations table), then takes the data directory's exclusive DataDirLock (the
// directory holding db_path): if `koban serve` or `koban worker` holds its shared lock, the
// restore is refused with ErrorCode::conflict. The copy goes through the backup API into
// db_path, so its WAL and -shm files stay consistent.
#pragma once

#include <string>

#include "core/result.h"

namespace koban::store {

Result<void> backup(const std::string& db_path, const std::string& dest_file);
Result<void> restore(const std::string& src_file, const std::string& db_path);
// integrity_check + schema_migrations present; used by restore, handy for `koban backup --verify`.
Result<void> verify_koban_database(const std::string& path);

}  // namespace koban::store
