// TOTP (RFC 6238): HMAC-SHA-1 over the 30-second step number, 6 digits, accepting one step
// either side for clock drift. Pure functions; totp_store.h keeps secrets and replay state.
//
//   std::string secret = generate_totp_secret();                  // 20 random bytes
//   std::string uri = otpauth_uri("サンプル県警察", "yamada", secret); // QR code for the app
//   if (auto step = match_totp(secret, "123456", now)) ... accepted at *step
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "core/time.h"

namespace koban::auth {

struct TotpParams {
  int period_seconds = 30;
  int digits = 6;   // 6..8
  int window = 1;   // steps accepted either side of now
};

std::string generate_totp_secret();  // raw bytes (20, the SHA-1 block-friendly RFC 4226 size)

// RFC 4648 base32, upper case, no padding (what authenticator apps expect in otpauth URIs).
std::string base32_encode(std::string_view bytes);
// Accepts upper/lower case, ignores spaces and '=' padding; nullopt for other characters.
std::optional<std::string> base32_decode(std::string_view text);

std::int64_t totp_step(Instant t, const TotpParams& p = {});
// The code for a step, zero-padded to p.digits.
std::string totp_code(std::string_view secret, std::int64_t step, const TotpParams& p = {});

// The accepted step if `code` matches one within the window (constant-time comparisons),
// and is newer than `after_step` (replay refusal); nullopt otherwise.
std::optional<std::int64_t> match_totp(std::string_view secret, std::string_view code, Instant now,
                                       std::optional<std::int64_t> after_step = std::nullopt,
                                       const TotpParams& p = {});

// otpauth://totp/ISSUER:ACCOUNT?secret=...&issuer=...&algorithm=SHA1&digits=6&period=30
std::string otpauth_uri(std::string_view issuer, std::string_view account, std::string_view secret,
                        const TotpParams& p = {});

}  // namespace koban::auth
