// The SQLite backend (the embedded default). Use it through Database::open(config) with
// config.backend = Backend::sqlite; this header only names the factory.
//
// Settings and why:
// - journal_mode=WAL: readers never block the writer and see a stable snapshot.
// - synchronous=NORMAL: in WAL mode a commit is in the WAL (OS page cache) when COMMIT
//   returns, so it survives a crash or kill -9 of the process — a queued alert is not lost.
//   Only a power loss / kernel crash can lose the last few commits (the database stays
//   consistent). FULL would fsync on every commit and cost write throughput; an operator who
//   needs power-loss durability should run on PostgreSQL or a battery-backed disk.
// - foreign_keys=ON, busy_timeout from config (another process — `koban worker` — may hold
//   the write lock for a moment).
// - One writer connection behind a mutex (BEGIN IMMEDIATE ... COMMIT); one reader connection
//   per thread (query_only), each read() in BEGIN ... COMMIT so it sees one snapshot.
// - Prepared statements are cached per connection (SQLITE_PREPARE_PERSISTENT).
// Errors: SQLITE_FULL/READONLY/CANTOPEN/IOERR and BUSY-after-timeout → unavailable;
// constraint violations → conflict; everything else → internal.
#pragma once

#include <memory>

#include "store/database.h"

namespace koban::store {

Result<std::unique_ptr<Database>> open_sqlite(const DatabaseConfig& config);

}  // namespace koban::store
