#include "auth/password_hash.h"

#include <sodium.h>

#include "auth/random_bytes.h"

namespace koban::auth {

HashParams HashParams::fastest() {
  return {crypto_pwhash_argon2id_OPSLIMIT_MIN, crypto_pwhash_argon2id_MEMLIMIT_MIN};
}

Result<std::string> hash_password(std::string_view password, const HashParams& params) {
  if (!sodium_ready()) return Error::internal("libsodium could not be initialised");
  if (password.size() > kMaxPasswordBytes) return Error::invalid("パスワードが長すぎます。");
  char out[crypto_pwhash_STRBYTES];
  if (crypto_pwhash_argon2id_str(out, password.data(), password.size(), params.opslimit,
                                 params.memlimit) != 0)
    return Error::internal("argon2id hashing failed (out of memory?)");
  return std::string(out);
}

bool verify_password(std::string_view hash, std::string_view password) {
  if (!sodium_ready() || password.size() > kMaxPasswordBytes) return false;
  if (hash.empty() || hash.size() >= crypto_pwhash_STRBYTES) return false;
  std::string h(hash);  // libsodium wants a NUL-terminated string
  return crypto_pwhash_argon2id_str_verify(h.c_str(), password.data(), password.size()) == 0;
}

bool needs_rehash(std::string_view hash, const HashParams& params) {
  if (!sodium_ready() || hash.size() >= crypto_pwhash_STRBYTES) return true;
  std::string h(hash);
  return crypto_pwhash_argon2id_str_needs_rehash(h.c_str(), params.opslimit, params.memlimit) != 0;
}

}  // namespace koban::auth
