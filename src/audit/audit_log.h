// The audit_log table and appending to it.
//
// At start-up, before store::migrate:
//   KOBAN_TRY(audit::register_audit_migrations());      // module "audit"
//
// In every state change, inside the caller's write transaction, so that the record commits
// with the change or not at all:
//   db.write([&](store::Session& s) -> Result<void> {
//     KOBAN_TRY(s.exec("UPDATE article SET state = 'approved' WHERE id = ?", id));
//     KOBAN_ASSIGN(auto seq, audit::append(s, event, clock.now()));
//     return ok();
//   });
//
// Appends are serialised so the chain never forks: on PostgreSQL append() takes
// pg_advisory_xact_lock(kAuditLockKey) (held until the caller's transaction ends) before it
// reads the last hash; SQLite's single writer already serialises. Because that lock is held
// to commit, call append() late in a transaction that does slow work.
//
// seq is assigned here (last seq + 1 under the lock), not by a sequence: a PostgreSQL sequence
// would leave gaps on rollback, and verify() treats a gap as a deleted row.
#pragma once

#include <cstdint>
#include <vector>

#include "audit/event.h"
#include "core/result.h"
#include "store/database.h"
#include "store/migrations.h"

namespace koban::audit {

// Arbitrary but fixed: the same key in every koban process ("kobanAUD").
inline constexpr std::int64_t kAuditLockKey = 0x6b6f62616e415544;

std::vector<store::Migration> audit_migrations();
Result<void> register_audit_migrations();

// Cleans e (see sanitize_event) and appends it with time `now`; returns its seq.
// invalid_argument when e.action is not a valid action name.
Result<std::int64_t> append(store::Session& s, const Event& e, Instant now);

// What append() stores for e: every text made valid UTF-8 (bad bytes → U+FFFD), control
// characters other than newline/tab (summary only) turned into spaces, over-long text cut
// with "…". PostgreSQL refuses invalid UTF-8 and NUL, and a log must never refuse to record.
Result<Event> sanitize_event(const Event& e);

// For readers of the table (verify, search): the column list and the row → Record mapping.
// outcome_text receives the stored outcome as is (verify checks it is "ok" or "refused").
inline constexpr const char* kAuditColumns =
    "seq, at, actor_id, actor_name, unit_id, unit_name, action, object_type, object_id, "
    "summary, address, outcome, prev_hash, hash";
Record record_from_row(const store::Row& row, std::string* outcome_text = nullptr);

}  // namespace koban::audit
