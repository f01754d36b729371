#include "app/auth_settings.h"

#include <algorithm>
#include <chrono>

namespace koban::app {
namespace {

int clamp_int(std::int64_t v, int lo, int hi) { return static_cast<int>(std::clamp<std::int64_t>(v, lo, hi)); }

}  // namespace

auth::CredentialsConfig credentials_config(const Config& config) {
  auth::CredentialsConfig c;
  // Bounds keep a typo from disabling the policy (a minimum of 0) or locking everybody out.
  c.policy.min_length = clamp_int(config.integer("auth.password_min_length"), 8, 64);
  c.policy.require_letter = config.boolean("auth.password_require_letter");
  c.policy.require_digit = config.boolean("auth.password_require_digit");
  c.policy.require_mixed_case = config.boolean("auth.password_require_mixed_case");
  c.policy.max_age_days = clamp_int(config.integer("auth.password_max_age_days"), 0, 3650);
  c.policy.history_count = clamp_int(config.integer("auth.password_history"), 0, 24);
  c.account_lockout.threshold = clamp_int(config.integer("auth.lockout_threshold"), 1, 100);
  c.account_lockout.window = std::chrono::minutes(clamp_int(config.integer("auth.lockout_window_minutes"), 1, 24 * 60));
  c.account_lockout.max_delay =
      std::chrono::minutes(clamp_int(config.integer("auth.lockout_max_delay_minutes"), 1, 7 * 24 * 60));
  c.address_lockout.threshold = clamp_int(config.integer("auth.address_lockout_threshold"), 1, 10000);
  c.address_lockout.window = c.account_lockout.window;
  c.address_lockout.max_delay = c.account_lockout.max_delay;
  return c;
}

auth::SessionConfig session_config(const Config& config) {
  auth::SessionConfig c;
  c.idle_timeout = std::chrono::minutes(clamp_int(config.integer("auth.session_idle_minutes"), 1, 24 * 60));
  c.absolute_timeout = std::chrono::hours(clamp_int(config.integer("auth.session_absolute_hours"), 1, 7 * 24));
  c.idle_timeout = std::min<std::chrono::seconds>(c.idle_timeout, c.absolute_timeout);
  return c;
}

}  // namespace koban::app
