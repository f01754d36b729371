// authenticatorData (WebAuthn L2 §6.1): rpIdHash (32) | flags (1) | signCount (4, big-endian)
// | attestedCredentialData (if AT) | extensions CBOR map (if ED).
// attestedCredentialData: aaguid (16) | credentialIdLength (2) | credentialId | COSE key.
//
//   KOBAN_ASSIGN(AuthenticatorData ad, parse_authenticator_data(bytes));
//   if (!ad.user_present()) ...
//   if (ad.attested) use ad.credential_id, ad.cose_key
//
// Strict: every length is checked, the COSE key and the extensions must each be one well-formed
// CBOR item and nothing may follow them.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "core/result.h"

namespace koban::auth::webauthn {

inline constexpr std::size_t kMaxCredentialIdBytes = 1023;  // WebAuthn L2 §5.8.3
inline constexpr std::size_t kMaxAuthenticatorDataBytes = 16 * 1024;

struct AuthenticatorData {
  static constexpr std::uint8_t kUp = 0x01, kUv = 0x04, kBe = 0x08, kBs = 0x10, kAt = 0x40,
                                kEd = 0x80;
  std::string rp_id_hash;  // 32 raw bytes
  std::uint8_t flags = 0;
  std::uint32_t sign_count = 0;
  bool attested = false;
  std::string aaguid;         // 16 bytes, when attested
  std::string credential_id;  // when attested
  std::string cose_key;       // CBOR bytes of the credential public key, when attested

  bool user_present() const { return flags & kUp; }
  bool user_verified() const { return flags & kUv; }
};

Result<AuthenticatorData> parse_authenticator_data(std::string_view bytes);

}  // namespace koban::auth::webauthn
