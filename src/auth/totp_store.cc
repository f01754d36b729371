#include "auth/totp_store.h"

namespace koban::auth {

const char* totp_message(TotpCheck c) {
  switch (c) {
    case TotpCheck::ok: return "確認しました。";
    case TotpCheck::wrong: return "確認コードが違います。新しいコードを入力してください。";
    case TotpCheck::locked: return "確認コードの誤りが続いたため、しばらく入力できません。";
    case TotpCheck::not_enrolled: return "二要素認証が登録されていません。";
  }
  return "";
}

// The plaintext names its owner: a sealed secret copied to another person's row fails to open.
std::string TotpStore::bound(std::int64_t person_id, std::string_view secret) const {
  return "totp:" + std::to_string(person_id) + ":" + std::string(secret);
}

Result<std::string> TotpStore::enroll(store::Database& db, std::int64_t person_id,
                                      Instant now) const {
  std::string secret = generate_totp_secret();
  store::Blob sealed{box_.seal(bound(person_id, secret))};
  KOBAN_TRY(db.write([&](store::Session& s) -> Result<void> {
    KOBAN_TRY(s.exec("INSERT INTO totp_secrets (person_id, sealed_secret, confirmed, last_step,"
                     " created_at) VALUES (?, ?, 0, NULL, ?) ON CONFLICT (person_id) DO UPDATE SET"
                     " sealed_secret = excluded.sealed_secret, confirmed = 0, last_step = NULL,"
                     " created_at = excluded.created_at",
                     person_id, sealed, to_unix(now)));
    return ok();
  }));
  return secret;
}

Result<bool> TotpStore::enrolled(store::Database& db, std::int64_t person_id) const {
  bool yes = false;
  KOBAN_TRY(db.read([&](store::Session& s) -> Result<void> {
    KOBAN_ASSIGN(auto rows, s.query("SELECT confirmed FROM totp_secrets WHERE person_id = ?", person_id));
    yes = !rows.empty() && rows[0].int64(0) != 0;
    return ok();
  }));
  return yes;
}

Result<TotpCheck> TotpStore::verify(store::Database& db, std::int64_t person_id,
                                    std::string_view code, Instant now) const {
  TotpCheck result = TotpCheck::wrong;
  // One write transaction: two requests with the same code cannot both pass the step check.
  KOBAN_TRY(db.write([&](store::Session& s) -> Result<void> {
    result = TotpCheck::wrong;
    const std::string key = totp_key(person_id);
    KOBAN_ASSIGN(auto until, lockout_.locked_until(s, key, now));
    if (until) {
      result = TotpCheck::locked;
      return ok();
    }
    KOBAN_ASSIGN(auto rows, s.query("SELECT sealed_secret, last_step FROM totp_secrets"
                                    " WHERE person_id = ?", person_id));
    if (rows.empty()) {
      result = TotpCheck::not_enrolled;
      return ok();
    }
    KOBAN_ASSIGN(std::string plain, box_.open(rows[0].text(0)));
    const std::string prefix = bound(person_id, "");
    if (plain.compare(0, prefix.size(), prefix) != 0)
      return Error::internal("TOTP secret is sealed for another person");
    const std::string secret = plain.substr(prefix.size());
    auto step = match_totp(secret, code, now, rows[0].opt_int64(1), params_);
    if (!step) {
      KOBAN_ASSIGN(auto locked, lockout_.record_failure(s, key, now));
      result = locked ? TotpCheck::locked : TotpCheck::wrong;
      return ok();
    }
    // Conditional: of two concurrent requests with the same code only one changes the row
    // (PostgreSQL re-checks the WHERE after waiting for the other's row lock).
    KOBAN_ASSIGN(auto changed, s.exec("UPDATE totp_secrets SET last_step = ?, confirmed = 1"
                                      " WHERE person_id = ? AND (last_step IS NULL OR last_step < ?)",
                                      *step, person_id, *step));
    if (changed == 0) return ok();  // replayed concurrently: stays `wrong`
    KOBAN_TRY(lockout_.reset(s, key));
    result = TotpCheck::ok;
    return ok();
  }));
  return result;
}

Result<void> TotpStore::remove(store::Database& db, std::int64_t person_id) const {
  return db.write([&](store::Session& s) -> Result<void> {
    KOBAN_TRY(s.exec("DELETE FROM totp_secrets WHERE person_id = ?", person_id));
    KOBAN_TRY(lockout_.reset(s, totp_key(person_id)));
    return ok();
  });
}

}  // namespace koban::auth
