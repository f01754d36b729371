// The key for encryption at rest (TOTP secrets, personal data, the password ledger):
// security.secret_key (64 hex digits, best given through KOBAN_SECURITY_SECRET_KEY), or else
// DATA/secret.key, created with 32 random bytes (mode 0600) on first start. Losing the key
// makes the encrypted data unreadable: back the file up with the database, apart from it.
#pragma once

#include <string>

#include "core/config.h"

namespace koban::app {

// The 32 raw key bytes.
Result<std::string> load_or_create_secret_key(const Config& config);
// The same without creating one: not_found when neither the setting nor the file exists.
Result<std::string> load_secret_key(const Config& config);

}  // namespace koban::app
