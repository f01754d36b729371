// The auth module's tables, registered as migrations of module "auth":
//   credentials       one password per person (argon2id hash, changed_at, must_change)
//   password_history  earlier hashes, newest kept for PasswordPolicy::history_count
//   login_failures    lockout counters per account / address / TOTP (lockout.h)
//   sessions          server-side sessions keyed by SHA-256 of the cookie token (sessions.h)
//   totp_secrets      sealed TOTP secrets and the last accepted step (totp_store.h)
// person_id refers to the org module's people; no foreign key so that auth does not depend
// on it.
//
//   KOBAN_TRY(auth::register_auth_migrations());   // at start-up, before store::migrate(db)
#pragma once

#include <vector>

#include "store/migrations.h"

namespace koban::auth {

std::vector<store::Migration> auth_migrations();
Result<void> register_auth_migrations();

}  // namespace koban::auth
