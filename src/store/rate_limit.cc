#include "store/rate_limit.h"

#include <string>

namespace koban::store {

Result<std::int64_t> count_hit(Session& s, std::string_view table, std::string_view key, Instant now,
                               std::chrono::seconds window) {
  // The table name is spliced into the SQL, so only a programmer's constant may reach here.
  if (table.empty()) return Error::internal("rate limit table name is empty");
  for (char c : table)
    if (!((c >= 'a' && c <= 'z') || c == '_')) return Error::internal("bad rate limit table name");
  const std::string t(table);
  const std::int64_t at = to_unix(now), window_over = at - window.count();
  KOBAN_ASSIGN(auto rows, s.query("INSERT INTO " + t + " (key, window_start, count) VALUES (?, ?, 1) "
                                  "ON CONFLICT (key) DO UPDATE SET "
                                  "count = CASE WHEN " + t + ".window_start <= ? THEN 1 ELSE " + t + ".count + 1 END, "
                                  "window_start = CASE WHEN " + t + ".window_start <= ? THEN ? ELSE " + t +
                                  ".window_start END RETURNING count",
                                  std::string(key), at, window_over, window_over, at));
  return rows.empty() ? std::int64_t{1} : rows[0].int64(0);
}

}  // namespace koban::store
