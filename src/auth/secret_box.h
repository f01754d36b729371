// Authenticated encryption of small secrets at rest (TOTP seeds, later ledger entries) with
// libsodium's secretbox (XSalsa20-Poly1305). The app builds one from security.secret_key.
//
//   KOBAN_ASSIGN(auto box, SecretBox::from_secret(config_secret_key, "totp"));
//   std::string sealed = box.seal(plaintext);          // random nonce || ciphertext
//   KOBAN_ASSIGN(std::string plain, box.open(sealed));  // error if tampered or wrong key
//
// from_secret() derives a separate 32-byte key per purpose (BLAKE2b keyed by the secret), so
// one configured secret never encrypts two kinds of data under the same key.
#pragma once

#include <string>
#include <string_view>

#include "core/result.h"

namespace koban::auth {

class SecretBox {
 public:
  static constexpr std::size_t kKeyBytes = 32;

  // key: exactly 32 raw bytes.
  static Result<SecretBox> from_key(std::string_view key);
  // secret: the configured secret (at least 16 bytes); purpose: e.g. "totp".
  static Result<SecretBox> from_secret(std::string_view secret, std::string_view purpose);

  SecretBox(const SecretBox&) = default;
  SecretBox& operator=(const SecretBox&) = default;
  ~SecretBox();

  std::string seal(std::string_view plaintext) const;
  Result<std::string> open(std::string_view sealed) const;

 private:
  explicit SecretBox(std::string key) : key_(std::move(key)) {}
  std::string key_;
};

}  // namespace koban::auth
