// The login rules come from the auth.* settings; the defaults are the seeds' rules and values
// outside the safe range are pulled back into it.
#include <gtest/gtest.h>

#include "app/auth_settings.h"

namespace koban::app {
namespace {

TEST(AuthSettings, DefaultsAreTheSeedsRules) {
  auto c = Config::parse("", {});
  ASSERT_TRUE(c);
  const auto creds = credentials_config(*c);
  EXPECT_EQ(creds.policy.min_length, 8);
  EXPECT_TRUE(creds.policy.require_letter);
  EXPECT_TRUE(creds.policy.require_digit);
  EXPECT_TRUE(creds.policy.require_mixed_case);
  EXPECT_EQ(creds.policy.max_age_days, 90);
  EXPECT_EQ(creds.policy.history_count, 5);
  EXPECT_EQ(creds.account_lockout.threshold, 5);
  EXPECT_EQ(creds.address_lockout.threshold, 30);
  const auto sessions = session_config(*c);
  EXPECT_EQ(sessions.idle_timeout, std::chrono::minutes(30));
  EXPECT_EQ(sessions.absolute_timeout, std::chrono::hours(12));
}

TEST(AuthSettings, FileValuesApplyAndUnsafeOnesAreBounded) {
  auto c = Config::parse(
      "[auth]\npassword_min_length = 12\npassword_require_mixed_case = false\npassword_max_age_days = 0\n"
      "password_history = 500\nlockout_threshold = 0\nsession_idle_minutes = 600\nsession_absolute_hours = 2\n",
      {{"KOBAN_AUTH_PASSWORD_HISTORY", "10"}});
  ASSERT_TRUE(c) << c.error().message;
  const auto creds = credentials_config(*c);
  EXPECT_EQ(creds.policy.min_length, 12);
  EXPECT_FALSE(creds.policy.require_mixed_case);
  EXPECT_EQ(creds.policy.max_age_days, 0);  // never expire: allowed
  EXPECT_EQ(creds.policy.history_count, 10);  // the environment wins
  EXPECT_EQ(creds.account_lockout.threshold, 1);  // 0 would never lock: pulled up
  const auto sessions = session_config(*c);
  EXPECT_EQ(sessions.absolute_timeout, std::chrono::hours(2));
  EXPECT_EQ(sessions.idle_timeout, std::chrono::hours(2));  // never longer than the absolute limit

  auto weak = Config::parse("[auth]\npassword_min_length = 4\n", {});
  ASSERT_TRUE(weak);
  EXPECT_EQ(credentials_config(*weak).policy.min_length, 8);  // the seeds' floor
}

}  // namespace
}  // namespace koban::app
