#include "auth/secret_box.h"

#include <sodium.h>

#include "auth/random_bytes.h"

namespace koban::auth {

Result<SecretBox> SecretBox::from_key(std::string_view key) {
  if (!sodium_ready()) return Error::internal("libsodium could not be initialised");
  if (key.size() != crypto_secretbox_KEYBYTES)
    return Error::invalid("secret box key must be 32 bytes");
  return SecretBox(std::string(key));
}

Result<SecretBox> SecretBox::from_secret(std::string_view secret, std::string_view purpose) {
  if (!sodium_ready()) return Error::internal("libsodium could not be initialised");
  if (secret.size() < 16) return Error::invalid("security.secret_key must be at least 16 bytes");
  // generichash keys are limited to 64 bytes: hash a longer secret first.
  std::string k(secret);
  if (k.size() > crypto_generichash_KEYBYTES_MAX) {
    std::string shorter(crypto_generichash_KEYBYTES_MAX, '\0');
    crypto_generichash(reinterpret_cast<unsigned char*>(shorter.data()), shorter.size(),
                       reinterpret_cast<const unsigned char*>(k.data()), k.size(), nullptr, 0);
    k = std::move(shorter);
  }
  std::string context = "koban.secretbox." + std::string(purpose);
  std::string key(crypto_secretbox_KEYBYTES, '\0');
  crypto_generichash(reinterpret_cast<unsigned char*>(key.data()), key.size(),
                     reinterpret_cast<const unsigned char*>(context.data()), context.size(),
                     reinterpret_cast<const unsigned char*>(k.data()), k.size());
  sodium_memzero(k.data(), k.size());
  return SecretBox(std::move(key));
}

SecretBox::~SecretBox() {
  if (!key_.empty()) sodium_memzero(key_.data(), key_.size());
}

std::string SecretBox::seal(std::string_view plaintext) const {
  std::string out = random_bytes(crypto_secretbox_NONCEBYTES);
  out.resize(crypto_secretbox_NONCEBYTES + crypto_secretbox_MACBYTES + plaintext.size());
  auto* p = reinterpret_cast<unsigned char*>(out.data());
  crypto_secretbox_easy(p + crypto_secretbox_NONCEBYTES,
                        reinterpret_cast<const unsigned char*>(plaintext.data()), plaintext.size(),
                        p, reinterpret_cast<const unsigned char*>(key_.data()));
  return out;
}

Result<std::string> SecretBox::open(std::string_view sealed) const {
  constexpr std::size_t overhead = crypto_secretbox_NONCEBYTES + crypto_secretbox_MACBYTES;
  if (sealed.size() < overhead) return Error::invalid("sealed secret is too short");
  std::string out(sealed.size() - overhead, '\0');
  const auto* p = reinterpret_cast<const unsigned char*>(sealed.data());
  if (crypto_secretbox_open_easy(reinterpret_cast<unsigned char*>(out.data()),
                                 p + crypto_secretbox_NONCEBYTES,
                                 sealed.size() - crypto_secretbox_NONCEBYTES, p,
                                 reinterpret_cast<const unsigned char*>(key_.data())) != 0)
    return Error::invalid("sealed secret failed authentication (tampered or wrong key)");
  return out;
}

}  // namespace koban::auth
