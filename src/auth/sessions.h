// Server-side login sessions. The cookie holds a random token (32 bytes, base64url); the table
// `sessions` keeps only its SHA-256, so a copy of the database cannot be replayed as cookies.
//
//   SessionStore sessions(SessionConfig{});
//   KOBAN_ASSIGN(std::string token, sessions.create(db, person_id, address, user_agent, now));
//   ... Set-Cookie: token (HttpOnly; Secure; SameSite=Lax)
//   KOBAN_ASSIGN(SessionInfo who, sessions.resolve(db, cookie, now));  // unauthenticated: log in
//   form hidden field: csrf_token(who); on POST: if (!check_csrf(who, field)) refuse (403)
//   sessions.destroy(db, cookie);           // logout
//   sessions.destroy_all(db, person_id);    // logout everywhere (also after a password change)
//
// resolve() ends a session past its idle timeout (default 30 min since last use) or absolute
// timeout (default 12 h since login) and slides last_seen at most once per touch_interval, so
// a burst of requests costs one write, not one per request.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "core/time.h"
#include "store/database.h"

namespace koban::auth {

struct SessionConfig {
  std::chrono::seconds idle_timeout{std::chrono::minutes{30}};
  std::chrono::seconds absolute_timeout{std::chrono::hours{12}};
  std::chrono::seconds touch_interval{std::chrono::minutes{1}};
};

struct SessionInfo {
  std::string token_hash;  // the row's key (hex SHA-256); safe to log
  std::int64_t person_id = 0;
  Instant created_at{};
  Instant last_seen{};
  Instant idle_expires_at{};
  Instant absolute_expires_at{};
  std::string address;
  std::string user_agent;
  std::string csrf_secret;  // 32 raw bytes; use csrf_token()/check_csrf(), never show it
  bool mfa_done = false;
};

class SessionStore {
 public:
  static constexpr std::size_t kTokenChars = 43;  // base64url of 32 bytes, no padding

  explicit SessionStore(SessionConfig config = {}) : config_(config) {}
  const SessionConfig& config() const { return config_; }

  // Returns the token for the cookie. The address and user agent are kept (cut to bounded
  // lengths) to show "where am I logged in".
  Result<std::string> create(store::Session& s, std::int64_t person_id, std::string_view address,
                             std::string_view user_agent, bool mfa_done, Instant now) const;
  Result<std::string> create(store::Database& db, std::int64_t person_id, std::string_view address,
                             std::string_view user_agent, bool mfa_done, Instant now) const;

  // ErrorCode::unauthenticated for a malformed, unknown, idle or expired token.
  Result<SessionInfo> resolve(store::Database& db, std::string_view token, Instant now) const;

  // After the second factor: marks the session and gives it a new token (the old one stops
  // working), so a token seen before MFA is worth nothing after it.
  Result<std::string> complete_mfa(store::Database& db, std::string_view token, Instant now) const;

  Result<void> destroy(store::Database& db, std::string_view token) const;
  // Returns how many sessions ended.
  Result<std::int64_t> destroy_all(store::Session& s, std::int64_t person_id) const;
  Result<std::int64_t> destroy_all(store::Database& db, std::int64_t person_id) const;
  // Ends every session of the person except `keep_token`'s (after a password change).
  Result<std::int64_t> destroy_others(store::Database& db, std::int64_t person_id,
                                      std::string_view keep_token) const;
  // The person's live sessions, newest first ("where am I logged in"), at most `limit`.
  Result<std::vector<SessionInfo>> list(store::Database& db, std::int64_t person_id, Instant now,
                                        int limit = 50) const;
  // Deletes expired rows (run from a scheduled job).
  Result<std::int64_t> purge_expired(store::Database& db, Instant now) const;

 private:
  SessionConfig config_;
};

// Whether a cookie value has the token's shape (checked before any hashing or lookup).
bool well_formed_token(std::string_view token);

// A CSRF token for forms of this session: masked with fresh randomness each call (so it never
// repeats in pages, against compression side channels), checked in constant time.
std::string csrf_token(const SessionInfo& session);
bool check_csrf(const SessionInfo& session, std::string_view token);

}  // namespace koban::auth
