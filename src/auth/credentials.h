// Passwords of staff: set (with the policy and history), log in (with lockout per account and
// per client address), expiry that forces a change at the next login.
//
//   Credentials creds(CredentialsConfig{});      // tests: .hash = HashParams::fastest()
//   db.write([&](store::Session& s) { return creds.set_password(s, id, "yamada", pw, now); });
//   KOBAN_ASSIGN(LoginResult r, creds.login(db, person_id_or_nullopt, pw, address, now));
//   switch (r.outcome) { case LoginOutcome::ok: ...create a session (sessions.h)
//                        case LoginOutcome::expired: ...session that may only change password
//                        default: show r.message() }
//
// The caller resolves the login name to a person id; for an unknown name pass std::nullopt:
// login() then verifies against a dummy hash so that the answer takes as long as for a real
// account, and answers `wrong` exactly like a bad password. A locked account and an account
// without a password also spend the same time.
// After a password change the caller should end the person's other sessions
// (SessionStore::destroy_all).
#pragma once

#include <cstdint>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>

#include "auth/lockout.h"
#include "auth/password_hash.h"
#include "auth/password_policy.h"
#include "store/database.h"

namespace koban::auth {

struct CredentialsConfig {
  PasswordPolicy policy;
  HashParams hash;
  LockoutPolicy account_lockout;
  // Many staff share one address behind a station's NAT: a higher threshold per address.
  LockoutPolicy address_lockout{.threshold = 30};
};

enum class LoginOutcome { ok, wrong, locked, expired };

struct LoginResult {
  LoginOutcome outcome = LoginOutcome::wrong;
  std::optional<Instant> locked_until;  // set when outcome == locked
  // For people, in Japanese; never says whether the login name exists.
  std::string message() const;
};

struct SetPasswordOptions {
  bool must_change = false;   // an administrator's temporary password: change at next login
  bool check_policy = true;   // false only for imports of existing hashes' owners, never for UI
};

class Credentials {
 public:
  explicit Credentials(CredentialsConfig config) : config_(std::move(config)) {}
  const CredentialsConfig& config() const { return config_; }

  // Checks the policy (every broken rule, one message per line, in Error::invalid), stores the
  // new hash, records it in password_history and keeps only the newest history_count entries.
  // Runs argon2 inside the caller's transaction: password changes are rare.
  Result<void> set_password(store::Session& s, std::int64_t person_id, std::string_view login_name,
                            std::string_view password, Instant now,
                            const SetPasswordOptions& options = {});

  // The broken rules for a proposed password, against this person's history (for forms).
  Result<std::vector<std::string>> check_password(store::Session& s, std::int64_t person_id,
                                                  std::string_view login_name,
                                                  std::string_view password) const;

  // Forces a change at the next login (e.g. after an incident).
  Result<void> require_change(store::Session& s, std::int64_t person_id);

  // login_name: only used when person_id is nullopt, to count failures for an unknown name
  // the way they are counted for an account (so that "locked" does not reveal who exists).
  Result<LoginResult> login(store::Database& db, std::optional<std::int64_t> person_id,
                            std::string_view password, std::string_view address, Instant now,
                            std::string_view login_name = {});

  // Deletes failure rows that lock nothing any more (both policies' windows passed); for a
  // scheduled job. Returns the rows removed.
  Result<std::int64_t> purge_lockouts(store::Session& s, Instant now) const;

 private:
  Result<std::vector<std::string>> history(store::Session& s, std::int64_t person_id) const;
  void spend_dummy_time(std::string_view password);

  CredentialsConfig config_;
  std::once_flag dummy_once_;
  std::string dummy_hash_;
};

}  // namespace koban::auth
