// The password rules from the operating rules (seeds), every one configurable:
// at least 8 characters, letters and digits, upper and lower case, changed every 90 days
// (an expired password forces a change at the next login), none of the last 5 reused.
//
//   PasswordPolicy policy;                       // the seeds' defaults
//   auto broken = policy.check(pw, login_name, history_hashes);
//   if (!broken.empty()) show every line of `broken` (Japanese) to the person
//
// history: argon2id hashes of earlier passwords, newest first (credentials.h keeps them);
// only the first `history_count` are compared.
#pragma once

#include <chrono>
#include <string>
#include <string_view>
#include <vector>

#include "core/time.h"

namespace koban::auth {

struct PasswordPolicy {
  int min_length = 8;          // characters (Unicode code points), not bytes
  int max_length = 128;        // a bound on hostile input
  bool require_letter = true;  // an ASCII letter a-z or A-Z
  bool require_digit = true;
  bool require_mixed_case = true;  // both an upper- and a lower-case ASCII letter
  bool forbid_login_name = true;   // the login name (case-insensitive) must not appear in it
  int max_age_days = 90;           // 0: passwords never expire
  int history_count = 5;           // 0: reuse allowed

  // Japanese messages, one per rule broken, in a fixed order; empty when the password is fine.
  std::vector<std::string> check(std::string_view new_password, std::string_view login_name,
                                 const std::vector<std::string>& history) const;

  // Whether a password set at changed_at must be changed at `now`.
  bool expired(Instant changed_at, Instant now) const;
};

}  // namespace koban::auth
