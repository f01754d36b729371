// Lockout with a growing delay after repeated failures, kept in the table login_failures and
// keyed by a string: account_key(person_id), address_key(ip), totp_key(person_id).
//
// Rule: failures are counted while they keep coming (a failure more than `window` after the
// previous failure, or after the end of the last lock, starts the count again). Once the count
// reaches `threshold` the key is locked for `base_delay`; each further failure after the lock
// ends doubles the delay, up to `max_delay`. Attempts while locked are refused and not counted.
//
//   Lockout lockout(policy);
//   KOBAN_ASSIGN(auto until, lockout.locked_until(s, key, now));  // nullopt: may try
//   ... on failure: KOBAN_ASSIGN(auto until, lockout.record_failure(s, key, now));
//   ... on success: KOBAN_TRY(lockout.reset(s, key));
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/time.h"
#include "store/database.h"

namespace koban::auth {

struct LockoutPolicy {
  int threshold = 5;
  std::chrono::seconds window{std::chrono::minutes{15}};
  std::chrono::seconds base_delay{std::chrono::minutes{1}};
  std::chrono::seconds max_delay{std::chrono::hours{1}};
};

std::string account_key(std::int64_t person_id);
// Addresses come from the client: anything longer than an IPv6 text form is cut.
std::string address_key(std::string_view address);
std::string totp_key(std::int64_t person_id);

class Lockout {
 public:
  explicit Lockout(LockoutPolicy policy) : policy_(policy) {}
  const LockoutPolicy& policy() const { return policy_; }

  Result<std::optional<Instant>> locked_until(store::Session& s, std::string_view key,
                                              Instant now) const;
  // Counts one failure; returns the end of the lock when this failure locks the key.
  Result<std::optional<Instant>> record_failure(store::Session& s, std::string_view key,
                                                Instant now) const;
  Result<void> reset(store::Session& s, std::string_view key) const;
  // Removes rows that no longer lock anything and whose count has lapsed.
  Result<std::int64_t> purge(store::Session& s, Instant now) const;

  // The lock length for the n-th failure (n >= threshold).
  std::chrono::seconds delay_for(int failures) const;

 private:
  LockoutPolicy policy_;
};

}  // namespace koban::auth
