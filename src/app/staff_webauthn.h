// Passkeys (WebAuthn) for staff: where the relying party comes from. The pages and login
// steps themselves are StaffAuth members (staff_webauthn.cc), registered by StaffAuth::add_routes.
//
//   auto rp = relying_party_from_config(config);   // rp.id "localhost", rp.origin "http://localhost:8080"
//
// The origin is server.base_url (scheme://host[:port], any path dropped). Without a base URL
// it is http://LISTEN, with a loopback or wildcard address written as "localhost": browsers
// refuse IP addresses as relying party ids but allow http on localhost, so a demo on
// 127.0.0.1:8080 is used as http://localhost:8080.
#pragma once

#include "auth/webauthn/webauthn.h"
#include "core/config.h"

namespace koban::app {

auth::webauthn::RelyingParty relying_party_from_config(const Config& config);

}  // namespace koban::app
