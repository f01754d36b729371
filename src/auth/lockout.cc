#include "auth/lockout.h"

#include <algorithm>

namespace koban::auth {

std::string account_key(std::int64_t person_id) { return "person:" + std::to_string(person_id); }
std::string address_key(std::string_view address) {
  return "addr:" + std::string(address.substr(0, 64));
}
std::string totp_key(std::int64_t person_id) { return "totp:" + std::to_string(person_id); }

std::chrono::seconds Lockout::delay_for(int failures) const {
  if (failures < policy_.threshold) return std::chrono::seconds{0};
  auto d = policy_.base_delay;
  for (int i = policy_.threshold; i < failures && d < policy_.max_delay; ++i) d *= 2;
  return std::min(d, policy_.max_delay);
}

Result<std::optional<Instant>> Lockout::locked_until(store::Session& s, std::string_view key,
                                                     Instant now) const {
  KOBAN_ASSIGN(auto rows, s.query("SELECT locked_until FROM login_failures WHERE failure_key = ?", key));
  if (rows.empty() || rows[0].is_null(0)) return std::optional<Instant>{};
  Instant until = from_unix(rows[0].int64(0));
  if (until <= now) return std::optional<Instant>{};
  return std::optional<Instant>{until};
}

Result<std::optional<Instant>> Lockout::record_failure(store::Session& s, std::string_view key,
                                                       Instant now) const {
  // Lock the row first (creating it if needed): on PostgreSQL (READ COMMITTED) a concurrent
  // failure for the same key waits here and then reads the committed count, so parallel
  // guesses cannot overwrite each other's count. SQLite has a single writer anyway.
  KOBAN_TRY(s.exec("INSERT INTO login_failures (failure_key, failures, last_failure_at, locked_until)"
                   " VALUES (?, 0, ?, NULL) ON CONFLICT (failure_key) DO UPDATE SET"
                   " failures = login_failures.failures",
                   key, to_unix(now)));
  KOBAN_ASSIGN(auto rows, s.query("SELECT failures, last_failure_at, locked_until FROM login_failures"
                                  " WHERE failure_key = ?", key));
  int failures = 0;
  if (!rows.empty()) {
    Instant last = from_unix(rows[0].int64(1));
    if (auto lu = rows[0].opt_int64(2)) {
      if (from_unix(*lu) > now) return std::optional<Instant>{from_unix(*lu)};  // not counted
      last = std::max(last, from_unix(*lu));
    }
    failures = now - last > policy_.window ? 0 : static_cast<int>(rows[0].int64(0));
  }
  ++failures;
  std::optional<Instant> until;
  if (policy_.threshold > 0 && failures >= policy_.threshold) until = now + delay_for(failures);
  KOBAN_TRY(s.exec("INSERT INTO login_failures (failure_key, failures, last_failure_at, locked_until)"
                   " VALUES (?, ?, ?, ?) ON CONFLICT (failure_key) DO UPDATE SET"
                   " failures = excluded.failures, last_failure_at = excluded.last_failure_at,"
                   " locked_until = excluded.locked_until",
                   key, failures, to_unix(now),
                   until ? std::optional<std::int64_t>{to_unix(*until)} : std::nullopt));
  return until;
}

Result<void> Lockout::reset(store::Session& s, std::string_view key) const {
  KOBAN_TRY(s.exec("DELETE FROM login_failures WHERE failure_key = ?", key));
  return ok();
}

Result<std::int64_t> Lockout::purge(store::Session& s, Instant now) const {
  const std::int64_t cutoff = to_unix(now - policy_.window);
  return s.exec("DELETE FROM login_failures WHERE last_failure_at < ?"
                " AND (locked_until IS NULL OR locked_until < ?)",
                cutoff, cutoff);
}

}  // namespace koban::auth
