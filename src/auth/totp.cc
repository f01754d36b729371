#include "auth/totp.h"

#include <openssl/evp.h>
#include <openssl/hmac.h>

#include "auth/random_bytes.h"

namespace koban::auth {
namespace {

constexpr char kBase32[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";

// RFC 3986 unreserved characters stay; everything else (UTF-8 bytes too) is %XX.
std::string percent_encode(std::string_view s) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : s) {
    if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' ||
        c == '.' || c == '_' || c == '~') {
      out.push_back(static_cast<char>(c));
    } else {
      out.push_back('%');
      out.push_back(kHex[c >> 4]);
      out.push_back(kHex[c & 15]);
    }
  }
  return out;
}

}  // namespace

std::string generate_totp_secret() { return random_bytes(20); }

std::string base32_encode(std::string_view bytes) {
  std::string out;
  std::uint32_t buffer = 0;
  int bits = 0;
  for (unsigned char c : bytes) {
    buffer = (buffer << 8) | c;
    bits += 8;
    while (bits >= 5) {
      out.push_back(kBase32[(buffer >> (bits - 5)) & 31]);
      bits -= 5;
    }
  }
  if (bits > 0) out.push_back(kBase32[(buffer << (5 - bits)) & 31]);
  return out;
}

std::optional<std::string> base32_decode(std::string_view text) {
  if (text.size() > 1024) return std::nullopt;
  std::string out;
  std::uint32_t buffer = 0;
  int bits = 0;
  for (char ch : text) {
    if (ch == ' ' || ch == '=') continue;
    int v;
    if (ch >= 'A' && ch <= 'Z') v = ch - 'A';
    else if (ch >= 'a' && ch <= 'z') v = ch - 'a';
    else if (ch >= '2' && ch <= '7') v = ch - '2' + 26;
    else return std::nullopt;
    buffer = (buffer << 5) | static_cast<std::uint32_t>(v);
    bits += 5;
    if (bits >= 8) {
      out.push_back(static_cast<char>((buffer >> (bits - 8)) & 0xFF));
      bits -= 8;
    }
  }
  return out;
}

std::int64_t totp_step(Instant t, const TotpParams& p) {
  const std::int64_t s = to_unix(t);
  const std::int64_t period = p.period_seconds > 0 ? p.period_seconds : 30;
  return s >= 0 ? s / period : (s - period + 1) / period;
}

std::string totp_code(std::string_view secret, std::int64_t step, const TotpParams& p) {
  unsigned char msg[8];
  for (int i = 7; i >= 0; --i) {
    msg[i] = static_cast<unsigned char>(step & 0xFF);
    step >>= 8;
  }
  unsigned char mac[EVP_MAX_MD_SIZE];
  unsigned int mac_len = 0;
  if (!HMAC(EVP_sha1(), secret.data(), static_cast<int>(secret.size()), msg, sizeof msg, mac,
            &mac_len) || mac_len < 20)
    return {};
  const int offset = mac[mac_len - 1] & 0x0F;  // RFC 4226 dynamic truncation
  const std::uint32_t bin = (static_cast<std::uint32_t>(mac[offset] & 0x7F) << 24) |
                            (static_cast<std::uint32_t>(mac[offset + 1]) << 16) |
                            (static_cast<std::uint32_t>(mac[offset + 2]) << 8) |
                            static_cast<std::uint32_t>(mac[offset + 3]);
  const int digits = p.digits < 6 ? 6 : (p.digits > 8 ? 8 : p.digits);
  std::uint32_t mod = 1;
  for (int i = 0; i < digits; ++i) mod *= 10;
  std::string code = std::to_string(bin % mod);
  return std::string(static_cast<std::size_t>(digits) - code.size(), '0') + code;
}

std::optional<std::int64_t> match_totp(std::string_view secret, std::string_view code, Instant now,
                                       std::optional<std::int64_t> after_step,
                                       const TotpParams& p) {
  if (code.size() != static_cast<std::size_t>(p.digits) || secret.empty()) return std::nullopt;
  const std::int64_t current = totp_step(now, p);
  std::optional<std::int64_t> matched;
  // Check every step in the window (no early exit) so the time does not say which matched.
  for (std::int64_t step = current - p.window; step <= current + p.window; ++step) {
    if (constant_time_equal(totp_code(secret, step, p), code) && !matched) matched = step;
  }
  if (matched && after_step && *matched <= *after_step) return std::nullopt;
  return matched;
}

std::string otpauth_uri(std::string_view issuer, std::string_view account, std::string_view secret,
                        const TotpParams& p) {
  return "otpauth://totp/" + percent_encode(issuer) + ":" + percent_encode(account) +
         "?secret=" + base32_encode(secret) + "&issuer=" + percent_encode(issuer) +
         "&algorithm=SHA1&digits=" + std::to_string(p.digits) +
         "&period=" + std::to_string(p.period_seconds);
}

}  // namespace koban::auth
