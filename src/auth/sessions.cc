#include "auth/sessions.h"

#include <algorithm>

#include "auth/random_bytes.h"

namespace koban::auth {
namespace {

constexpr std::size_t kSecretBytes = 32;
constexpr std::size_t kMaxAddress = 64;
constexpr std::size_t kMaxUserAgent = 256;

// Cuts text to at most n bytes without splitting a UTF-8 sequence.
std::string clip(std::string_view s, std::size_t n) {
  if (s.size() <= n) return std::string(s);
  while (n > 0 && (static_cast<unsigned char>(s[n]) & 0xC0) == 0x80) --n;
  return std::string(s.substr(0, n));
}

Error unauthenticated() { return {ErrorCode::unauthenticated, "ログインしてください。"}; }

constexpr const char* kColumns =
    "token_hash, person_id, created_at, last_seen, idle_expires_at, absolute_expires_at,"
    " address, user_agent, csrf_secret, mfa_done";

SessionInfo from_row(const store::Row& r) {
  SessionInfo i;
  i.token_hash = r.text(0);
  i.person_id = r.int64(1);
  i.created_at = from_unix(r.int64(2));
  i.last_seen = from_unix(r.int64(3));
  i.idle_expires_at = from_unix(r.int64(4));
  i.absolute_expires_at = from_unix(r.int64(5));
  i.address = r.text(6);
  i.user_agent = r.text(7);
  i.csrf_secret = base64url_decode(r.text(8)).value_or(std::string());
  i.mfa_done = r.int64(9) != 0;
  return i;
}

}  // namespace

bool well_formed_token(std::string_view token) {
  if (token.size() != SessionStore::kTokenChars) return false;
  for (char c : token) {
    const bool ok = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
                    c == '-' || c == '_';
    if (!ok) return false;
  }
  return true;
}

Result<std::string> SessionStore::create(store::Session& s, std::int64_t person_id,
                                         std::string_view address, std::string_view user_agent,
                                         bool mfa_done, Instant now) const {
  std::string token = base64url_encode(random_bytes(32));
  const Instant idle = now + config_.idle_timeout;
  const Instant absolute = now + config_.absolute_timeout;
  KOBAN_TRY(s.exec("INSERT INTO sessions (token_hash, person_id, created_at, last_seen,"
                   " idle_expires_at, absolute_expires_at, address, user_agent, csrf_secret,"
                   " mfa_done) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                   sha256_hex(token), person_id, to_unix(now), to_unix(now),
                   to_unix(std::min(idle, absolute)), to_unix(absolute), clip(address, kMaxAddress),
                   clip(user_agent, kMaxUserAgent), base64url_encode(random_bytes(kSecretBytes)),
                   mfa_done));
  return token;
}

Result<std::string> SessionStore::create(store::Database& db, std::int64_t person_id,
                                         std::string_view address, std::string_view user_agent,
                                         bool mfa_done, Instant now) const {
  std::string token;
  KOBAN_TRY(db.write([&](store::Session& s) -> Result<void> {
    KOBAN_ASSIGN(token, create(s, person_id, address, user_agent, mfa_done, now));
    return ok();
  }));
  return token;
}

Result<SessionInfo> SessionStore::resolve(store::Database& db, std::string_view token,
                                          Instant now) const {
  if (!well_formed_token(token)) return unauthenticated();
  const std::string key = sha256_hex(token);
  std::optional<SessionInfo> found;
  KOBAN_TRY(db.read([&](store::Session& s) -> Result<void> {
    KOBAN_ASSIGN(auto rows, s.query(std::string("SELECT ") + kColumns +
                                        " FROM sessions WHERE token_hash = ?",
                                    key));
    if (!rows.empty()) found = from_row(rows[0]);
    return ok();
  }));
  if (!found) return unauthenticated();
  if (now >= found->idle_expires_at || now >= found->absolute_expires_at) {
    KOBAN_TRY(db.write([&](store::Session& s) -> Result<void> {
      KOBAN_TRY(s.exec("DELETE FROM sessions WHERE token_hash = ?", key));
      return ok();
    }));
    return unauthenticated();
  }
  if (now - found->last_seen >= config_.touch_interval) {
    const Instant idle = std::min(now + config_.idle_timeout, found->absolute_expires_at);
    std::int64_t changed = 0;
    KOBAN_TRY(db.write([&](store::Session& s) -> Result<void> {
      // Only if the row is still there: a concurrent logout must win.
      KOBAN_ASSIGN(changed, s.exec("UPDATE sessions SET last_seen = ?, idle_expires_at = ?"
                                   " WHERE token_hash = ?",
                                   to_unix(now), to_unix(idle), key));
      return ok();
    }));
    if (changed == 0) return unauthenticated();
    found->last_seen = now;
    found->idle_expires_at = idle;
  }
  return *found;
}

Result<std::string> SessionStore::complete_mfa(store::Database& db, std::string_view token,
                                               Instant now) const {
  KOBAN_ASSIGN(SessionInfo info, resolve(db, token, now));
  std::string fresh = base64url_encode(random_bytes(32));
  KOBAN_TRY(db.write([&](store::Session& s) -> Result<void> {
    KOBAN_ASSIGN(auto n, s.exec("UPDATE sessions SET token_hash = ?, mfa_done = 1"
                                " WHERE token_hash = ?",
                                sha256_hex(fresh), info.token_hash));
    if (n == 0) return unauthenticated();
    return ok();
  }));
  return fresh;
}

Result<void> SessionStore::destroy(store::Database& db, std::string_view token) const {
  if (!well_formed_token(token)) return ok();  // nothing to end
  const std::string key = sha256_hex(token);
  return db.write([&](store::Session& s) -> Result<void> {
    KOBAN_TRY(s.exec("DELETE FROM sessions WHERE token_hash = ?", key));
    return ok();
  });
}

Result<std::int64_t> SessionStore::destroy_all(store::Session& s, std::int64_t person_id) const {
  return s.exec("DELETE FROM sessions WHERE person_id = ?", person_id);
}

Result<std::int64_t> SessionStore::destroy_all(store::Database& db, std::int64_t person_id) const {
  std::int64_t n = 0;
  KOBAN_TRY(db.write([&](store::Session& s) -> Result<void> {
    KOBAN_ASSIGN(n, destroy_all(s, person_id));
    return ok();
  }));
  return n;
}

Result<std::int64_t> SessionStore::destroy_others(store::Database& db, std::int64_t person_id,
                                                  std::string_view keep_token) const {
  const std::string keep = sha256_hex(keep_token);
  std::int64_t n = 0;
  KOBAN_TRY(db.write([&](store::Session& s) -> Result<void> {
    KOBAN_ASSIGN(n, s.exec("DELETE FROM sessions WHERE person_id = ? AND token_hash <> ?",
                           person_id, keep));
    return ok();
  }));
  return n;
}

Result<std::vector<SessionInfo>> SessionStore::list(store::Database& db, std::int64_t person_id,
                                                    Instant now, int limit) const {
  std::vector<SessionInfo> out;
  KOBAN_TRY(db.read([&](store::Session& s) -> Result<void> {
    KOBAN_ASSIGN(auto rows, s.query(std::string("SELECT ") + kColumns +
                                        " FROM sessions WHERE person_id = ? AND idle_expires_at > ?"
                                        " AND absolute_expires_at > ?"
                                        " ORDER BY created_at DESC, token_hash LIMIT ?",
                                    person_id, to_unix(now), to_unix(now),
                                    std::clamp(limit, 1, 1000)));
    for (const auto& r : rows) {
      out.push_back(from_row(r));
      out.back().csrf_secret.clear();  // a list is for display only
    }
    return ok();
  }));
  return out;
}

Result<std::int64_t> SessionStore::purge_expired(store::Database& db, Instant now) const {
  std::int64_t n = 0;
  KOBAN_TRY(db.write([&](store::Session& s) -> Result<void> {
    KOBAN_ASSIGN(n, s.exec("DELETE FROM sessions WHERE idle_expires_at <= ? OR absolute_expires_at <= ?",
                           to_unix(now), to_unix(now)));
    return ok();
  }));
  return n;
}

std::string csrf_token(const SessionInfo& session) {
  // token = base64url(mask || (mask XOR secret))
  std::string mask = random_bytes(session.csrf_secret.size());
  std::string out = mask;
  out.resize(mask.size() * 2);
  for (std::size_t i = 0; i < mask.size(); ++i)
    out[mask.size() + i] = static_cast<char>(mask[i] ^ session.csrf_secret[i]);
  return base64url_encode(out);
}

bool check_csrf(const SessionInfo& session, std::string_view token) {
  const std::size_t n = session.csrf_secret.size();
  if (n == 0 || token.size() > 200) return false;
  auto raw = base64url_decode(token);
  if (!raw || raw->size() != 2 * n) return false;
  std::string secret(n, '\0');
  for (std::size_t i = 0; i < n; ++i) secret[i] = static_cast<char>((*raw)[i] ^ (*raw)[n + i]);
  return constant_time_equal(secret, session.csrf_secret);
}

}  // namespace koban::auth
