// TOTP second factor per person: the secret is sealed with a SecretBox (bound to the person,
// so rows cannot be swapped), the last accepted step is kept so a code works only once, and
// wrong codes count towards a lockout (key totp_key(person_id)) against guessing.
//
//   TotpStore totp(box, TotpParams{}, LockoutPolicy{});
//   KOBAN_ASSIGN(std::string secret, totp.enroll(db, person_id, now));   // raw bytes
//   show otpauth_uri("サンプル県警察", login_name, secret) as a QR code
//   KOBAN_ASSIGN(TotpCheck c, totp.verify(db, person_id, code, now));    // first success confirms
//   if (c == TotpCheck::ok) sessions.complete_mfa(...)
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "auth/lockout.h"
#include "auth/secret_box.h"
#include "auth/totp.h"
#include "store/database.h"

namespace koban::auth {

enum class TotpCheck { ok, wrong, locked, not_enrolled };

const char* totp_message(TotpCheck c);  // Japanese, for people

class TotpStore {
 public:
  TotpStore(SecretBox box, TotpParams params = {}, LockoutPolicy lockout = {})
      : box_(std::move(box)), params_(params), lockout_(lockout) {}

  // A new secret (replacing any earlier one, which stops working at once). It is unconfirmed
  // until the first correct code.
  Result<std::string> enroll(store::Database& db, std::int64_t person_id, Instant now) const;
  // Whether the person has a confirmed secret (policy decides whether it is required).
  Result<bool> enrolled(store::Database& db, std::int64_t person_id) const;
  Result<TotpCheck> verify(store::Database& db, std::int64_t person_id, std::string_view code,
                           Instant now) const;
  Result<void> remove(store::Database& db, std::int64_t person_id) const;

 private:
  std::string bound(std::int64_t person_id, std::string_view secret) const;

  SecretBox box_;
  TotpParams params_;
  Lockout lockout_;
};

}  // namespace koban::auth
