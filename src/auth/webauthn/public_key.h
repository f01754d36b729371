// Credential public keys: COSE_Key (RFC 9052/9053) from the authenticator → DER
// SubjectPublicKeyInfo kept in webauthn_credentials, and signature checks with OpenSSL.
//
//   KOBAN_ASSIGN(PublicKey key, public_key_from_cose(cose_bytes));  // ES256 or RS256 only
//   KOBAN_TRY(verify_signature(key.alg, key.der, auth_data + client_data_hash, signature));
//
// ES256 (alg -7): kty EC2, crv P-256, 32-byte x and y, the point checked to lie on the curve;
// the signature is DER (ECDSA-Sig-Value), as WebAuthn sends it. RS256 (alg -257): kty RSA,
// modulus of 2048..4096 bits, PKCS#1 v1.5 with SHA-256. Anything else is refused.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "core/result.h"

namespace koban::auth::webauthn {

inline constexpr std::int64_t kAlgEs256 = -7;
inline constexpr std::int64_t kAlgRs256 = -257;

struct PublicKey {
  std::int64_t alg = 0;
  std::string der;  // SubjectPublicKeyInfo
};

Result<PublicKey> public_key_from_cose(std::string_view cose);

// ErrorCode::unauthenticated when the signature does not verify; invalid_argument when the
// stored key cannot be read (internal would hide a corrupt row, but the caller refuses either way).
Result<void> verify_signature(std::int64_t alg, std::string_view der, std::string_view message,
                              std::string_view signature);

}  // namespace koban::auth::webauthn
