#include "site/integrity/signing_key.h"

#include <sodium.h>

namespace koban::site::integrity {
namespace {

bool sodium_ok() {
  static const bool ready = sodium_init() >= 0;
  return ready;
}

}  // namespace

Result<SigningKey> SigningKey::from_secret(std::string_view data_key) {
  if (!sodium_ok()) return Error::internal("libsodium could not be initialised");
  if (data_key.size() < 16) return Error::invalid("the data key must be at least 16 bytes");
  // generichash keys are limited to 64 bytes: hash a longer secret first (as SecretBox does).
  std::string k(data_key);
  if (k.size() > crypto_generichash_KEYBYTES_MAX) {
    std::string shorter(crypto_generichash_KEYBYTES_MAX, '\0');
    crypto_generichash(reinterpret_cast<unsigned char*>(shorter.data()), shorter.size(),
                       reinterpret_cast<const unsigned char*>(k.data()), k.size(), nullptr, 0);
    sodium_memzero(k.data(), k.size());
    k = std::move(shorter);
  }
  static constexpr std::string_view kContext = "koban.site.manifest.ed25519";
  unsigned char seed[crypto_sign_SEEDBYTES];
  crypto_generichash(seed, sizeof seed, reinterpret_cast<const unsigned char*>(kContext.data()), kContext.size(),
                     reinterpret_cast<const unsigned char*>(k.data()), k.size());
  sodium_memzero(k.data(), k.size());
  std::string pk(crypto_sign_PUBLICKEYBYTES, '\0'), sk(crypto_sign_SECRETKEYBYTES, '\0');
  crypto_sign_seed_keypair(reinterpret_cast<unsigned char*>(pk.data()), reinterpret_cast<unsigned char*>(sk.data()),
                           seed);
  sodium_memzero(seed, sizeof seed);
  return SigningKey(std::move(sk), std::move(pk));
}

SigningKey::~SigningKey() {
  if (!secret_.empty()) sodium_memzero(secret_.data(), secret_.size());
}

std::string SigningKey::sign(std::string_view message) const {
  std::string sig(crypto_sign_BYTES, '\0');
  crypto_sign_detached(reinterpret_cast<unsigned char*>(sig.data()), nullptr,
                       reinterpret_cast<const unsigned char*>(message.data()), message.size(),
                       reinterpret_cast<const unsigned char*>(secret_.data()));
  return sig;
}

Result<void> verify_signature(std::string_view public_key, std::string_view message, std::string_view signature) {
  if (!sodium_ok()) return Error::internal("libsodium could not be initialised");
  if (public_key.size() != crypto_sign_PUBLICKEYBYTES) return Error::invalid("the public key must be 32 bytes");
  if (signature.size() != crypto_sign_BYTES) return Error::invalid("the signature must be 64 bytes");
  if (crypto_sign_verify_detached(reinterpret_cast<const unsigned char*>(signature.data()),
                                  reinterpret_cast<const unsigned char*>(message.data()), message.size(),
                                  reinterpret_cast<const unsigned char*>(public_key.data())) != 0)
    return Error::invalid("the signature does not verify");
  return ok();
}

}  // namespace koban::site::integrity
