// WebAuthn (W3C Level 2) ceremonies on the server side, without HTTP: passkeys and security
// keys for staff login. The HTTP layer base64url-decodes what the browser sends
// (PublicKeyCredential.rawId and response.*) and passes raw bytes here.
//
//   RelyingParty rp{.id = "police.example.jp", .name = "サンプル県警察",
//                   .origin = "https://police.example.jp"};
//   // Registration (a logged-in person adds a passkey):
//   KOBAN_ASSIGN(Options o, begin_registration(db, rp, person_id, login, display_name, now));
//   ... page: navigator.credentials.create({publicKey: decode(o.json)})   (see options JSON below)
//   KOBAN_ASSIGN(Credential c, finish_registration(db, rp, person_id, client_data_json,
//                                                  attestation_object, now, {.nickname = "..."}));
//   // Login (person known after a login name, or passwordless with person = nullopt):
//   KOBAN_ASSIGN(Options o, begin_authentication(db, rp, person_id_or_nullopt, now));
//   KOBAN_ASSIGN(std::int64_t who, finish_authentication(db, rp, raw_id, client_data_json,
//                                                        authenticator_data, signature,
//                                                        user_handle, now));
//
// Options::json is the `publicKey` member for navigator.credentials.create/get with every
// binary field (challenge, user.id, credential ids) as base64url text; the page turns those
// into ArrayBuffers (or uses PublicKeyCredential.parseCreationOptionsFromJSON, same shape).
//
// Challenges: 32 random bytes, kept (as SHA-256) in webauthn_challenges for
// rp.challenge_ttl, consumed by the first finish_* that names them, in its own transaction,
// whether or not the rest succeeds, so a response can never be replayed.
// Signature counters: a counter that does not grow (unless it stays 0, for authenticators
// without one) means a cloned authenticator: the login is refused and the count is kept.
// Refusals are ErrorCode::unauthenticated (or invalid_argument for malformed input) with a
// Japanese message that can be shown as is.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/time.h"
#include "store/database.h"

namespace koban::auth::webauthn {

struct RelyingParty {
  std::string id;      // effective domain, e.g. "police.example.jp"
  std::string name;    // shown by the authenticator
  std::string origin;  // exact expected origin, e.g. "https://police.example.jp"
  // Require user verification (PIN, biometrics): platform authenticators for staff.
  bool require_user_verification = true;
  std::chrono::seconds challenge_ttl{std::chrono::minutes{5}};
  std::chrono::milliseconds browser_timeout{std::chrono::minutes{5}};
  int max_credentials_per_person = 10;
};

struct Options {
  std::string challenge;  // raw bytes (32)
  std::string json;       // PublicKeyCredentialCreationOptions / RequestOptions, base64url ids
};

struct Credential {
  std::string id;  // raw credential id
  std::int64_t person_id = 0;
  std::int64_t alg = 0;  // -7 ES256, -257 RS256
  std::int64_t sign_count = 0;
  bool user_verified = false;  // UV at registration
  std::string aaguid_hex;
  std::string nickname;
  Instant created_at{};
  std::optional<Instant> last_used_at;
};

struct RegistrationChoices {
  std::string nickname;          // cut to 64 bytes; default "認証器"
  bool replace_existing = false;  // remove the person's other credentials in the same step
};

Result<Options> begin_registration(store::Database& db, const RelyingParty& rp,
                                   std::int64_t person_id, std::string_view user_name,
                                   std::string_view display_name, Instant now);

Result<Credential> finish_registration(store::Database& db, const RelyingParty& rp,
                                       std::int64_t person_id, std::string_view client_data_json,
                                       std::string_view attestation_object, Instant now,
                                       const RegistrationChoices& choices = {});

// person_id: allowCredentials lists the person's credentials (and only they may answer);
// nullopt: no allowCredentials, any discoverable credential of this site may answer.
Result<Options> begin_authentication(store::Database& db, const RelyingParty& rp,
                                     std::optional<std::int64_t> person_id, Instant now);

// Returns the person the credential belongs to. user_handle may be empty (non-discoverable
// credentials); when given it must be that person's handle.
Result<std::int64_t> finish_authentication(store::Database& db, const RelyingParty& rp,
                                           std::string_view credential_id,
                                           std::string_view client_data_json,
                                           std::string_view authenticator_data,
                                           std::string_view signature,
                                           std::string_view user_handle, Instant now);

// Re-registration and housekeeping.
Result<std::vector<Credential>> list_credentials(store::Database& db, std::int64_t person_id);
// not_found unless the credential exists and belongs to person_id.
Result<void> remove_credential(store::Database& db, std::int64_t person_id,
                               std::string_view credential_id);
Result<std::int64_t> remove_all_credentials(store::Database& db, std::int64_t person_id);
Result<std::int64_t> purge_expired_challenges(store::Database& db, Instant now);

}  // namespace koban::auth::webauthn
