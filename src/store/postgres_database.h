// The PostgreSQL backend (scale-out: several koban processes on several machines). Use it
// through Database::open(config) with config.backend = Backend::postgres.
//
// - A pool of up to postgres_pool_size connections, opened lazily; when all are busy a caller
//   waits up to pool_wait_timeout_ms and then gets ErrorCode::unavailable. A connection found
//   broken is dropped and replaced (reconnect) on the next use.
// - `?` placeholders are rewritten to $n (see sql_placeholders.h) and prepared once per
//   connection (PQprepare, generated names). Parameters go as text; Blob as binary bytea.
//   A bare `?` whose type PostgreSQL cannot infer (e.g. `? IS NULL`) needs CAST(? AS TEXT).
// - Results: smallint/integer/bigint/oid/boolean → int64, real/double → double, numeric →
//   int64 when integral else double (SUM() of integers is numeric), bytea → Blob, NULL → Null,
//   anything else → its text.
// - read(): REPEATABLE READ READ ONLY. write(): READ COMMITTED; fn is re-run up to 3 times in
//   all after a serialization failure (40001) or deadlock (40P01).
// Errors: class 23 (unique, foreign key, check) → conflict; 53xxx (disk full, too many
// connections), 08xxx, 57P0x, 25006 (read-only) and lost connections → unavailable;
// 57014 (statement timeout) → timeout; class 22 (bad value) → invalid_argument; else internal.
#pragma once

#include <memory>

#include "store/database.h"

namespace koban::store {

Result<std::unique_ptr<Database>> open_postgres(const DatabaseConfig& config);

}  // namespace koban::store
