// The keys of the mailbox, derived from the app's secret key (src/app/secret_key.h), one per
// job: `box` seals residents' personal data at rest (SecretBox purpose "mailbox"); `mac_key`
// signs form tokens and keys the hash of client addresses for the rate limit.
//
// Form tokens carry the moment the form was issued, so that a post sent a second after the
// form was fetched (a bot) can be told apart from a person who typed a message:
//   std::string t = mailbox::issue_form_token(keys, now);     // "<unix>.<random>.<mac>"
//   switch (mailbox::check_form_token(keys, t, later)) { case FormTokenCheck::too_fast: ... }
// The same token is the double-submit CSRF value: cookie and hidden field must be equal.
//
//   mailbox::new_receipt_number(now)   // "MB-20261122-7K3QX9": JST date + 6 random characters
#pragma once

#include <chrono>
#include <string>
#include <string_view>

#include "auth/secret_box.h"
#include "core/result.h"
#include "core/time.h"

namespace koban::mailbox {

struct MailboxKeys {
  auth::SecretBox box;
  std::string mac_key;  // 32 raw bytes

  // secret: the app's secret key (at least 16 bytes).
  static Result<MailboxKeys> from_secret(std::string_view secret);
  // Keyed hash (hex) of a short text, e.g. the client address for the rate limit.
  std::string keyed_hash(std::string_view purpose, std::string_view text) const;
};

enum class FormTokenCheck { ok, forged, too_fast, expired };

inline constexpr std::chrono::seconds kMinFillTime{3};
inline constexpr std::chrono::seconds kMaxFormAge{std::chrono::hours(12)};

std::string issue_form_token(const MailboxKeys& keys, Instant now);
FormTokenCheck check_form_token(const MailboxKeys& keys, std::string_view token, Instant now,
                                std::chrono::seconds min_fill = kMinFillTime,
                                std::chrono::seconds max_age = kMaxFormAge);

// Not guessable (30 random bits per day) and easy to read out on the phone: no 0/O, 1/I.
std::string new_receipt_number(Instant now);
// True for text of the form "MB-YYYYMMDD-XXXXXX" with the receipt alphabet.
bool is_receipt_number(std::string_view s);

}  // namespace koban::mailbox
