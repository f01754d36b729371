// argon2id password hashes (libsodium crypto_pwhash_str): the encoded string carries its own
// salt and parameters, so verify() needs no config and needs_rehash() spots old parameters.
//
//   HashParams p;                                   // production: moderate limits
//   KOBAN_ASSIGN(std::string h, hash_password("Secret123", p));
//   bool good = verify_password(h, "Secret123");
//   if (good && needs_rehash(h, p)) ... store hash_password(...) again
//
// Tests use HashParams::fastest() (libsodium's minimum limits) so they run in milliseconds.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

#include "core/result.h"

namespace koban::auth {

struct HashParams {
  unsigned long long opslimit = 3;           // crypto_pwhash_OPSLIMIT_MODERATE is 3
  std::size_t memlimit = 64 * 1024 * 1024;   // 64 MiB: one login costs ~0.1-0.3 s
  static HashParams fastest();               // crypto_pwhash_*_MIN: tests only
};

// Passwords longer than this are refused before hashing (argon2 cost grows with input only a
// little, but nobody needs more and hostile input gets a limit).
inline constexpr std::size_t kMaxPasswordBytes = 512;

Result<std::string> hash_password(std::string_view password, const HashParams& params);
// False for a wrong password and for a malformed hash.
bool verify_password(std::string_view hash, std::string_view password);
bool needs_rehash(std::string_view hash, const HashParams& params);

}  // namespace koban::auth
