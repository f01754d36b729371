// Server-side sessions and CSRF on both backends.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "auth/random_bytes.h"
#include "auth/sessions.h"
#include "auth_fixture.h"

namespace koban::auth {
namespace {

using namespace std::chrono_literals;
using testing::kT0;

class SessionsTest : public testing::AuthDbTest {
 protected:
  std::string create(std::int64_t person, Instant now = kT0) {
    auto t = store_.create(*db_, person, "192.0.2.1", "Mozilla/5.0 テスト", false, now);
    EXPECT_TRUE(t.ok()) << t.error().message;
    return t ? *t : std::string();
  }
  std::int64_t last_seen(const std::string& token) {
    return count("SELECT last_seen FROM sessions WHERE token_hash = '" + sha256_hex(token) + "'");
  }
  bool alive(const std::string& token, Instant now) { return store_.resolve(*db_, token, now).ok(); }

  SessionStore store_;
};

TEST_P(SessionsTest, CreateStoresOnlyTheHashOfTheToken) {
  std::string token = create(42);
  EXPECT_TRUE(well_formed_token(token));
  EXPECT_EQ(count("SELECT COUNT(*) FROM sessions WHERE token_hash = '" + token + "'"), 0);
  EXPECT_EQ(count("SELECT COUNT(*) FROM sessions WHERE token_hash = '" + sha256_hex(token) + "'"), 1);
  auto who = store_.resolve(*db_, token, kT0 + 1s);
  ASSERT_TRUE(who.ok()) << who.error().message;
  EXPECT_EQ(who->person_id, 42);
  EXPECT_EQ(who->address, "192.0.2.1");
  EXPECT_EQ(who->user_agent, "Mozilla/5.0 テスト");
  EXPECT_EQ(who->created_at, kT0);
  EXPECT_EQ(who->absolute_expires_at, kT0 + 12h);
  EXPECT_FALSE(who->mfa_done);
  EXPECT_EQ(who->csrf_secret.size(), 32u);
  EXPECT_NE(create(42), token);
}

TEST_P(SessionsTest, MalformedAndUnknownTokensAreUnauthenticated) {
  create(1);
  for (std::string bad : {std::string(), std::string("x"), std::string(43, '!'), std::string(5000, 'a'),
                          base64url_encode(random_bytes(32))}) {
    auto r = store_.resolve(*db_, bad, kT0);
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().code, ErrorCode::unauthenticated);
  }
}

TEST_P(SessionsTest, IdleTimeoutSlidesAtMostOncePerMinute) {
  std::string token = create(1);
  EXPECT_TRUE(alive(token, kT0 + 29min));  // slides: idle now ends at +59 min
  EXPECT_EQ(last_seen(token), to_unix(kT0 + 29min));
  EXPECT_TRUE(alive(token, kT0 + 29min + 30s));  // within a minute: no write
  EXPECT_EQ(last_seen(token), to_unix(kT0 + 29min));
  EXPECT_TRUE(alive(token, kT0 + 58min));
  EXPECT_EQ(last_seen(token), to_unix(kT0 + 58min));
  EXPECT_FALSE(alive(token, kT0 + 88min));  // 30 minutes idle
  EXPECT_EQ(count("SELECT COUNT(*) FROM sessions"), 0);  // removed
  EXPECT_FALSE(alive(token, kT0 + 58min));               // and stays gone
}

TEST_P(SessionsTest, AbsoluteTimeoutEndsEvenABusySession) {
  std::string token = create(1);
  Instant t = kT0;
  while (t + 20min < kT0 + 12h) {
    t += 20min;
    ASSERT_TRUE(alive(token, t)) << (t - kT0).count();
  }
  EXPECT_FALSE(alive(token, kT0 + 12h));
}

TEST_P(SessionsTest, ConfigurableTimeouts) {
  SessionStore short_lived({.idle_timeout = 5min, .absolute_timeout = 1h, .touch_interval = 10s});
  auto token = short_lived.create(*db_, 1, "::1", "", true, kT0);
  ASSERT_TRUE(token);
  EXPECT_TRUE(short_lived.resolve(*db_, *token, kT0 + 4min).ok());
  EXPECT_FALSE(short_lived.resolve(*db_, *token, kT0 + 9min + 1s).ok());
}

TEST_P(SessionsTest, DestroyAndDestroyAll) {
  std::string a1 = create(1), a2 = create(1), a3 = create(1), b = create(2);
  ASSERT_OK(store_.destroy(*db_, a1));
  EXPECT_FALSE(alive(a1, kT0 + 1s));
  EXPECT_TRUE(alive(a2, kT0 + 1s));
  auto n = store_.destroy_all(*db_, 1);
  ASSERT_TRUE(n);
  EXPECT_EQ(*n, 2);
  EXPECT_FALSE(alive(a2, kT0 + 2s));
  EXPECT_FALSE(alive(a3, kT0 + 2s));
  EXPECT_TRUE(alive(b, kT0 + 2s));
  ASSERT_OK(store_.destroy(*db_, "not a token"));  // harmless
}

TEST_P(SessionsTest, ListAndDestroyOthersKeepTheCurrentSession) {
  std::string first = create(1, kT0), second = create(1, kT0 + 1min), other = create(2, kT0);
  auto listed = store_.list(*db_, 1, kT0 + 2min);
  ASSERT_TRUE(listed) << listed.error().message;
  ASSERT_EQ(listed->size(), 2u);
  EXPECT_EQ((*listed)[0].token_hash, sha256_hex(second));  // newest first
  EXPECT_TRUE((*listed)[0].csrf_secret.empty());
  EXPECT_EQ(store_.list(*db_, 1, kT0 + 30min + 30s)->size(), 1u);  // the first one is idle by then
  auto n = store_.destroy_others(*db_, 1, second);
  ASSERT_TRUE(n);
  EXPECT_EQ(*n, 1);
  EXPECT_FALSE(alive(first, kT0 + 3min));
  EXPECT_TRUE(alive(second, kT0 + 3min));
  EXPECT_TRUE(alive(other, kT0 + 3min));
}

TEST_P(SessionsTest, PurgeRemovesOnlyExpiredSessions) {
  std::string old_one = create(1, kT0);
  std::string fresh = create(2, kT0 + 1h);
  auto n = store_.purge_expired(*db_, kT0 + 1h + 1min);
  ASSERT_TRUE(n);
  EXPECT_EQ(*n, 1);
  EXPECT_TRUE(alive(fresh, kT0 + 1h + 2min));
}

TEST_P(SessionsTest, CompleteMfaReplacesTheToken) {
  std::string before = create(5);
  auto after = store_.complete_mfa(*db_, before, kT0 + 10s);
  ASSERT_TRUE(after) << after.error().message;
  EXPECT_NE(*after, before);
  EXPECT_FALSE(alive(before, kT0 + 11s));
  auto who = store_.resolve(*db_, *after, kT0 + 11s);
  ASSERT_TRUE(who);
  EXPECT_TRUE(who->mfa_done);
  EXPECT_EQ(who->person_id, 5);
  EXPECT_EQ(who->created_at, kT0);  // the absolute timeout still counts from login
}

TEST_P(SessionsTest, CsrfTokensCheckAgainstTheirOwnSessionOnly) {
  auto a = store_.resolve(*db_, create(1), kT0);
  auto b = store_.resolve(*db_, create(1), kT0);
  ASSERT_TRUE(a && b);
  std::string t1 = csrf_token(*a), t2 = csrf_token(*a);
  EXPECT_NE(t1, t2);  // masked afresh every time
  EXPECT_TRUE(check_csrf(*a, t1));
  EXPECT_TRUE(check_csrf(*a, t2));
  EXPECT_FALSE(check_csrf(*b, t1));  // another session of the same person
  EXPECT_FALSE(check_csrf(*a, ""));
  EXPECT_FALSE(check_csrf(*a, "garbage"));
  EXPECT_FALSE(check_csrf(*a, base64url_encode(a->csrf_secret)));  // the bare secret is not a token
  std::string flipped = t1;
  flipped[10] = flipped[10] == 'A' ? 'B' : 'A';
  EXPECT_FALSE(check_csrf(*a, flipped));
  EXPECT_FALSE(check_csrf(*a, std::string(10000, 'A')));
}

KOBAN_BACKEND_TESTS(SessionsTest);

}  // namespace
}  // namespace koban::auth
