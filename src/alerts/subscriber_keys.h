// The keys that protect subscribers' personal data and links, all derived from the app's
// secret key (src/app/secret_key.h), one per purpose, so that no key does two jobs:
//   box        seals the address at rest (SecretBox purpose "subscribers")
//   index_key  keys the blind index of the normalised address (BLAKE2b, crypto_generichash)
//   link_key   keys the MAC of personal links (manage / unsubscribe)
//
//   KOBAN_ASSIGN(auto keys, alerts::SubscriberKeys::from_secret(secret));
//   std::string idx = keys.blind_index("a..b@docomo.ne.jp");   // hex; same address → same index
//   std::string t = alerts::personal_token(keys, id, link_key);  // fast: no database
//   std::string u = alerts::unsubscribe_url(base_url, t);        // List-Unsubscribe target
//
// A personal token is "<id>.<mac>": mac = base64url(BLAKE2b-128 keyed by link_key over the id
// and the subscriber's own random link_key). It never expires; it stops working when the
// subscriber's link_key changes (re-subscription after leaving) or the app secret changes.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "auth/secret_box.h"
#include "core/result.h"

namespace koban::alerts {

inline constexpr std::size_t kSubscriberLinkKeyBytes = 16;  // per subscriber, random

struct SubscriberKeys {
  auth::SecretBox box;
  std::string index_key;  // 32 raw bytes
  std::string link_key;   // 32 raw bytes

  // secret: the app's secret key (at least 16 bytes).
  static Result<SubscriberKeys> from_secret(std::string_view secret);

  // Keyed hash (hex) of an address normalised with normalise_for_index().
  std::string blind_index(std::string_view normalised_address) const;
  // Keyed hash (hex) of any short text, for rate-limit keys (client IP addresses).
  std::string keyed_hash(std::string_view purpose, std::string_view text) const;
};

// The form used for the blind index: the whole address lower-cased. Carriers and common
// providers treat local parts case-insensitively, so "Taro@X.jp" and "taro@x.jp" are one
// subscriber (mail still goes to the address as first given).
std::string normalise_for_index(std::string_view parsed_address);

std::string personal_token(const SubscriberKeys& keys, std::int64_t id, std::string_view subscriber_link_key);
// The id in a token, when it is well formed (no database, no MAC check).
std::optional<std::int64_t> token_subscriber_id(std::string_view token);
// Checks the MAC in constant time.
bool verify_personal_token(const SubscriberKeys& keys, std::string_view token, std::int64_t id,
                           std::string_view subscriber_link_key);

// base_url without a trailing slash ("https://police.example.jp"); token from personal_token.
std::string manage_url(std::string_view base_url, std::string_view token);
std::string unsubscribe_url(std::string_view base_url, std::string_view token);

}  // namespace koban::alerts
