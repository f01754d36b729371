// The Ed25519 key that signs the published site's manifest (SITE-8).
//
//   KOBAN_ASSIGN(auto key, SigningKey::from_secret(data_key));   // same data key → same key pair
//   std::string sig = key.sign(bytes);                            // 64 raw bytes
//   KOBAN_TRY(verify_signature(key.public_key(), bytes, sig));    // anyone with the public key
//   hex::encode(key.public_key())                                      // what DATA/site/manifest.pub holds
//
// The key pair is derived from the data key (security.secret_key / DATA/secret.key) with its
// own purpose string, like SecretBox: nothing new to back up, and the data key never signs
// anything directly. The public key alone lets a third party check a manifest.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "core/result.h"

namespace koban::site::integrity {

class SigningKey {
 public:
  static constexpr std::size_t kPublicKeyBytes = 32;
  static constexpr std::size_t kSignatureBytes = 64;

  // data_key: the configured secret (at least 16 bytes).
  static Result<SigningKey> from_secret(std::string_view data_key);

  SigningKey(const SigningKey&) = default;
  SigningKey& operator=(const SigningKey&) = default;
  ~SigningKey();

  const std::string& public_key() const { return public_key_; }  // 32 raw bytes
  std::string sign(std::string_view message) const;              // 64 raw bytes

 private:
  SigningKey(std::string secret, std::string pub) : secret_(std::move(secret)), public_key_(std::move(pub)) {}
  std::string secret_;  // libsodium's 64-byte secret key (seed || public key)
  std::string public_key_;
};

// invalid_argument when the signature does not verify (or has the wrong size).
Result<void> verify_signature(std::string_view public_key, std::string_view message, std::string_view signature);


}  // namespace koban::site::integrity
