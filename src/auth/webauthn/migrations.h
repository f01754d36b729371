// The WebAuthn tables, registered as migrations of module "webauthn" (after "auth"):
//   webauthn_user_handles  one random user handle per person (user.id in the browser; opaque,
//                          so that it tells an authenticator nothing about the person)
//   webauthn_credentials   registered credentials: id, person, DER public key, sign count ...
//   webauthn_challenges    outstanding challenges (SHA-256 only), single use, with expiry
//
//   KOBAN_TRY(auth::webauthn::register_webauthn_migrations());  // at start-up, before migrate
#pragma once

#include <vector>

#include "store/migrations.h"

namespace koban::auth::webauthn {

std::vector<store::Migration> webauthn_migrations();
Result<void> register_webauthn_migrations();

}  // namespace koban::auth::webauthn
