// The login rules from configuration (auth.* settings, docs/CONFIGURATION.md): the password
// policy, lockout and session timeouts. The defaults are the seeds' rules (ORG-4): 8+
// characters with letters, digits and both cases, 90-day expiry, no reuse of the last 5.
//
//   auth::Credentials credentials(credentials_config(config));
//   auth::SessionStore sessions(session_config(config));
#pragma once

#include "auth/credentials.h"
#include "auth/sessions.h"
#include "core/config.h"

namespace koban::app {

auth::CredentialsConfig credentials_config(const Config& config);
auth::SessionConfig session_config(const Config& config);

}  // namespace koban::app
