// Small libsodium wrappers shared by the auth module: secure random bytes, base64url,
// SHA-256 and constant-time comparison. All functions initialise libsodium on first use.
//
//   std::string token = base64url_encode(random_bytes(32));   // cookie value
//   std::string key = sha256_hex(token);                       // what the database keeps
//   if (auto raw = base64url_decode(input)) ...                // nullopt for malformed input
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

namespace koban::auth {

// Calls sodium_init() once; returns false if libsodium cannot start (no entropy source).
bool sodium_ready();

std::string random_bytes(std::size_t n);
std::string base64url_encode(std::string_view bytes);  // no padding
// Strict: only the URL-safe alphabet, no padding, no whitespace.
std::optional<std::string> base64url_decode(std::string_view text);
std::string sha256_hex(std::string_view bytes);
// Compares in time that depends only on the lengths, never on where the bytes differ.
bool constant_time_equal(std::string_view a, std::string_view b);

}  // namespace koban::auth
