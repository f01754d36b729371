#include "mailbox/mailbox_keys.h"

#include <sodium.h>

#include <charconv>
#include <cstdio>

#include "auth/random_bytes.h"

namespace koban::mailbox {
namespace {

constexpr std::string_view kReceiptAlphabet = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ";  // 32 characters

std::string generic_hash(std::string_view key, std::string_view message, std::size_t bytes) {
  std::string out(bytes, '\0');
  crypto_generichash(reinterpret_cast<unsigned char*>(out.data()), out.size(),
                     reinterpret_cast<const unsigned char*>(message.data()), message.size(),
                     key.empty() ? nullptr : reinterpret_cast<const unsigned char*>(key.data()), key.size());
  return out;
}

std::string token_mac(const MailboxKeys& keys, std::string_view issued, std::string_view nonce) {
  std::string msg = "form";
  msg.push_back('\0');
  msg.append(issued);
  msg.push_back('\0');
  msg.append(nonce);
  return auth::base64url_encode(generic_hash(keys.mac_key, msg, 16));
}

}  // namespace

Result<MailboxKeys> MailboxKeys::from_secret(std::string_view secret) {
  if (!auth::sodium_ready()) return Error::internal("libsodium unavailable");
  if (secret.size() < 16) return Error::invalid("the secret key is too short");
  KOBAN_ASSIGN(auto box, auth::SecretBox::from_secret(secret, "mailbox"));
  // Same construction as the other derived keys: BLAKE2b keyed by the (shortened) secret over
  // a context string no other key uses.
  std::string k = secret.size() > crypto_generichash_KEYBYTES_MAX ? generic_hash("", secret, 32) : std::string(secret);
  std::string mac_key = generic_hash(k, "koban.mailbox.mac", 32);
  sodium_memzero(k.data(), k.size());
  return MailboxKeys{std::move(box), std::move(mac_key)};
}

std::string MailboxKeys::keyed_hash(std::string_view purpose, std::string_view text) const {
  std::string msg(purpose);
  msg.push_back('\0');
  msg.append(text);
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string out;
  for (unsigned char c : generic_hash(mac_key, msg, 16)) {
    out.push_back(kDigits[c >> 4]);
    out.push_back(kDigits[c & 15]);
  }
  return out;
}

std::string issue_form_token(const MailboxKeys& keys, Instant now) {
  const std::string issued = std::to_string(to_unix(now));
  const std::string nonce = auth::base64url_encode(auth::random_bytes(18));
  return issued + "." + nonce + "." + token_mac(keys, issued, nonce);
}

FormTokenCheck check_form_token(const MailboxKeys& keys, std::string_view token, Instant now,
                                std::chrono::seconds min_fill, std::chrono::seconds max_age) {
  if (token.size() > 200) return FormTokenCheck::forged;
  const auto dot1 = token.find('.');
  const auto dot2 = dot1 == std::string_view::npos ? dot1 : token.find('.', dot1 + 1);
  if (dot2 == std::string_view::npos) return FormTokenCheck::forged;
  const auto issued = token.substr(0, dot1);
  const auto nonce = token.substr(dot1 + 1, dot2 - dot1 - 1);
  const auto mac = token.substr(dot2 + 1);
  if (!auth::constant_time_equal(mac, token_mac(keys, issued, nonce))) return FormTokenCheck::forged;
  std::int64_t t = 0;
  auto [p, ec] = std::from_chars(issued.data(), issued.data() + issued.size(), t);
  if (ec != std::errc{} || p != issued.data() + issued.size()) return FormTokenCheck::forged;
  const std::int64_t age = to_unix(now) - t;
  if (age < min_fill.count()) return FormTokenCheck::too_fast;
  if (age > max_age.count()) return FormTokenCheck::expired;
  return FormTokenCheck::ok;
}

std::string new_receipt_number(Instant now) {
  const auto d = to_jst(now).date;
  char date[16];
  std::snprintf(date, sizeof date, "%04d%02d%02d", d.year, d.month, d.day);
  const std::string bytes = auth::random_bytes(6);
  std::string out = "MB-" + std::string(date) + "-";
  for (unsigned char c : bytes) out.push_back(kReceiptAlphabet[c & 31]);  // 32 = 2^5: no bias
  return out;
}

bool is_receipt_number(std::string_view s) {
  if (s.size() != 18 || !s.starts_with("MB-") || s[11] != '-') return false;
  for (std::size_t i = 3; i < 11; ++i)
    if (s[i] < '0' || s[i] > '9') return false;
  for (std::size_t i = 12; i < 18; ++i)
    if (kReceiptAlphabet.find(s[i]) == std::string_view::npos) return false;
  return true;
}

}  // namespace koban::mailbox
