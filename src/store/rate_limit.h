// Fixed-window rate limits kept in a table of the caller's module, for public forms (alert
// sign-ups, the mailbox): one row per key (e.g. a keyed hash of the client address).
//
//   KOBAN_ASSIGN(auto n, store::count_hit(s, "mailbox_rate_limits", key, now, std::chrono::hours(1)));
//   if (n > limit) return Error{ErrorCode::rate_limited, "…"};
//
// The table must be (key TEXT PRIMARY KEY, window_start BIGINT, count BIGINT). A refused
// request usually rolls back with the caller's transaction, so the count stops at limit + 1
// and the window still ends on time.
#pragma once

#include <chrono>
#include <cstdint>
#include <string_view>

#include "core/result.h"
#include "core/time.h"
#include "store/database.h"

namespace koban::store {

// Counts one hit for key and returns the hits in the current window (this one included); a
// window older than `window` starts again at 1. table: a constant name (letters and '_').
Result<std::int64_t> count_hit(Session& s, std::string_view table, std::string_view key, Instant now,
                               std::chrono::seconds window);

}  // namespace koban::store
