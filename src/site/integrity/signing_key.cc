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

std::string to_hex(std::string_view bytes) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string out;
  out.reserve(bytes.size() * 2);
  for (unsigned char c : bytes) {
    out += kDigits[c >> 4];
    out += kDigits[c & 15];
  }
  return out;
}

std::optional<std::string> from_hex(std::string_view hex) {
  auto space = [](char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; };
  while (!hex.empty() && space(hex.front())) hex.remove_prefix(1);
  while (!hex.empty() && space(hex.back())) hex.remove_suffix(1);
  if (hex.size() % 2 != 0) return std::nullopt;
  auto nibble = [](char c) -> int {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
  };
  std::string out;
  out.reserve(hex.size() / 2);
  for (std::size_t i = 0; i < hex.size(); i += 2) {
    int hi = nibble(hex[i]), lo = nibble(hex[i + 1]);
    if (hi < 0 || lo < 0) return std::nullopt;
    out += static_cast<char>(hi * 16 + lo);
  }
  return out;
}

}  // namespace koban::site::integrity
