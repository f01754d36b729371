#include "alerts/subscriber_keys.h"

#include <sodium.h>

#include <charconv>

#include "auth/random_bytes.h"

namespace koban::alerts {
namespace {

std::string derive(std::string_view secret, std::string_view purpose) {
  // Same construction as SecretBox::from_secret: BLAKE2b keyed by the (shortened) secret over
  // a purpose string that no other key uses.
  std::string k(secret);
  if (k.size() > crypto_generichash_KEYBYTES_MAX) {
    std::string shorter(crypto_generichash_KEYBYTES_MAX, '\0');
    crypto_generichash(reinterpret_cast<unsigned char*>(shorter.data()), shorter.size(),
                       reinterpret_cast<const unsigned char*>(k.data()), k.size(), nullptr, 0);
    k = std::move(shorter);
  }
  const std::string context = "koban.alerts." + std::string(purpose);
  std::string key(32, '\0');
  crypto_generichash(reinterpret_cast<unsigned char*>(key.data()), key.size(),
                     reinterpret_cast<const unsigned char*>(context.data()), context.size(),
                     reinterpret_cast<const unsigned char*>(k.data()), k.size());
  sodium_memzero(k.data(), k.size());
  return key;
}

std::string mac(std::string_view key, std::string_view message, std::size_t bytes) {
  std::string out(bytes, '\0');
  crypto_generichash(reinterpret_cast<unsigned char*>(out.data()), out.size(),
                     reinterpret_cast<const unsigned char*>(message.data()), message.size(),
                     reinterpret_cast<const unsigned char*>(key.data()), key.size());
  return out;
}

std::string hex(std::string_view bytes) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string out;
  out.reserve(bytes.size() * 2);
  for (unsigned char c : bytes) {
    out.push_back(kDigits[c >> 4]);
    out.push_back(kDigits[c & 15]);
  }
  return out;
}

std::string token_mac(const SubscriberKeys& keys, std::int64_t id, std::string_view subscriber_link_key) {
  std::string msg = std::to_string(id);
  msg.push_back('\0');
  msg.append(subscriber_link_key);
  return auth::base64url_encode(mac(keys.link_key, msg, 16));
}

}  // namespace

Result<SubscriberKeys> SubscriberKeys::from_secret(std::string_view secret) {
  if (!auth::sodium_ready()) return Error::internal("libsodium unavailable");
  KOBAN_ASSIGN(auto box, auth::SecretBox::from_secret(secret, "subscribers"));
  return SubscriberKeys{std::move(box), derive(secret, "subscribers.index"), derive(secret, "subscribers.links")};
}

std::string SubscriberKeys::blind_index(std::string_view normalised_address) const {
  return hex(mac(index_key, normalised_address, 32));
}

std::string SubscriberKeys::keyed_hash(std::string_view purpose, std::string_view text) const {
  std::string msg(purpose);
  msg.push_back('\0');
  msg.append(text);
  return hex(mac(index_key, msg, 16));
}

std::string normalise_for_index(std::string_view parsed_address) {
  std::string out(parsed_address);
  for (char& c : out)
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  return out;
}

std::string personal_token(const SubscriberKeys& keys, std::int64_t id, std::string_view subscriber_link_key) {
  return std::to_string(id) + "." + token_mac(keys, id, subscriber_link_key);
}

std::optional<std::int64_t> token_subscriber_id(std::string_view token) {
  if (token.size() > 64) return std::nullopt;
  const auto dot = token.find('.');
  if (dot == std::string_view::npos || dot == 0 || dot > 19) return std::nullopt;
  std::int64_t id = 0;
  const auto [p, ec] = std::from_chars(token.data(), token.data() + dot, id);
  if (ec != std::errc{} || p != token.data() + dot || id <= 0) return std::nullopt;
  return id;
}

bool verify_personal_token(const SubscriberKeys& keys, std::string_view token, std::int64_t id,
                           std::string_view subscriber_link_key) {
  auto parsed = token_subscriber_id(token);
  if (!parsed || *parsed != id) return false;
  return auth::constant_time_equal(token.substr(token.find('.') + 1), token_mac(keys, id, subscriber_link_key));
}

std::string manage_url(std::string_view base_url, std::string_view token) {
  return std::string(base_url) + "/alerts/manage/" + std::string(token);
}

std::string unsubscribe_url(std::string_view base_url, std::string_view token) {
  return std::string(base_url) + "/alerts/unsubscribe/" + std::string(token);
}

}  // namespace koban::alerts
