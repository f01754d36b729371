// set_password and login on both backends: policy, history, expiry, lockout, unknown names.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <atomic>
#include <thread>

#include "auth/credentials.h"
#include "auth_fixture.h"

namespace koban::auth {
namespace {

using namespace std::chrono_literals;
using ::testing::HasSubstr;
using testing::kT0;

CredentialsConfig fast_config() {
  CredentialsConfig c;
  c.hash = HashParams::fastest();
  return c;
}

class CredentialsTest : public testing::AuthDbTest {
 protected:
  Result<void> set(std::int64_t id, const std::string& pw, Instant now = kT0,
                   SetPasswordOptions o = {}) {
    return db_->write([&](store::Session& s) { return creds_.set_password(s, id, "yamada", pw, now, o); });
  }
  LoginOutcome login(std::optional<std::int64_t> id, const std::string& pw, Instant now,
                     const std::string& address = "192.0.2.1", LoginResult* out = nullptr) {
    auto r = creds_.login(*db_, id, pw, address, now, id ? "" : "nobody");
    EXPECT_TRUE(r.ok()) << r.error().message;
    if (!r) return LoginOutcome::wrong;
    if (out) *out = *r;
    return r->outcome;
  }

  Credentials creds_{fast_config()};
};

TEST_P(CredentialsTest, SetPasswordRefusesEveryBrokenRuleAndStoresNothing) {
  auto r = set(1, "short");
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, ErrorCode::invalid_argument);
  EXPECT_THAT(r.error().message, HasSubstr("8文字以上"));
  EXPECT_THAT(r.error().message, HasSubstr("数字"));
  EXPECT_THAT(r.error().message, HasSubstr("\n"));
  EXPECT_EQ(count("SELECT COUNT(*) FROM credentials"), 0);
  ASSERT_OK(set(1, "Sakura2026"));
  EXPECT_EQ(count("SELECT COUNT(*) FROM credentials"), 1);
  EXPECT_EQ(count("SELECT COUNT(*) FROM credentials WHERE hash LIKE '$argon2id$%'"), 1);
  EXPECT_EQ(login(1, "Sakura2026", kT0 + 1s), LoginOutcome::ok);
  EXPECT_EQ(login(1, "sakura2026", kT0 + 2s), LoginOutcome::wrong);
}

TEST_P(CredentialsTest, HistoryRefusesTheLastFiveAndKeepsOnlyThose) {
  const std::vector<std::string> pws = {"Passw0rd1", "Passw0rd2", "Passw0rd3", "Passw0rd4",
                                        "Passw0rd5", "Passw0rd6"};
  for (std::size_t i = 0; i < pws.size(); ++i) ASSERT_OK(set(7, pws[i], kT0 + std::chrono::days{i}));
  // The last five (2..6, 6 being the current one) are refused; 1 is old enough again.
  for (std::size_t i = 1; i < pws.size(); ++i) {
    auto r = set(7, pws[i], kT0 + 10 * 24h);
    ASSERT_FALSE(r) << pws[i];
    EXPECT_THAT(r.error().message, HasSubstr("直近5回"));
  }
  EXPECT_EQ(count("SELECT COUNT(*) FROM password_history WHERE person_id = 7"), 5);
  ASSERT_OK(set(7, pws[0], kT0 + 10 * 24h));
  // Another person's history is separate.
  ASSERT_OK(set(8, pws[5]));
}

TEST_P(CredentialsTest, ExpiredPasswordForcesAChange) {
  ASSERT_OK(set(1, "Sakura2026"));
  EXPECT_EQ(login(1, "Sakura2026", kT0 + std::chrono::days{89}), LoginOutcome::ok);
  LoginResult r;
  EXPECT_EQ(login(1, "Sakura2026", kT0 + std::chrono::days{90}, "192.0.2.1", &r), LoginOutcome::expired);
  EXPECT_THAT(r.message(), HasSubstr("有効期限"));
  // A wrong password never says "expired".
  EXPECT_EQ(login(1, "Wrong2026x", kT0 + std::chrono::days{90}), LoginOutcome::wrong);
  ASSERT_OK(set(1, "Momiji2027", kT0 + std::chrono::days{90}));
  EXPECT_EQ(login(1, "Momiji2027", kT0 + std::chrono::days{91}), LoginOutcome::ok);
}

TEST_P(CredentialsTest, MustChangeAfterATemporaryPasswordOrRequireChange) {
  ASSERT_OK(set(1, "Temp12345", kT0, {.must_change = true}));
  EXPECT_EQ(login(1, "Temp12345", kT0 + 1s), LoginOutcome::expired);
  ASSERT_OK(set(1, "Sakura2026", kT0 + 2s));
  EXPECT_EQ(login(1, "Sakura2026", kT0 + 3s), LoginOutcome::ok);
  ASSERT_OK(db_->write([&](store::Session& s) { return creds_.require_change(s, 1); }));
  EXPECT_EQ(login(1, "Sakura2026", kT0 + 4s), LoginOutcome::expired);
  auto missing = db_->write([&](store::Session& s) { return creds_.require_change(s, 99); });
  ASSERT_FALSE(missing);
  EXPECT_EQ(missing.error().code, ErrorCode::not_found);
}

TEST_P(CredentialsTest, LockoutGrowsAndSuccessResetsTheAccount) {
  ASSERT_OK(set(1, "Sakura2026"));
  Instant t = kT0 + 10s;
  for (int i = 0; i < 4; ++i) EXPECT_EQ(login(1, "bad", t += 1s), LoginOutcome::wrong) << i;
  LoginResult r;
  EXPECT_EQ(login(1, "bad", t += 1s, "192.0.2.1", &r), LoginOutcome::locked);  // 5th failure
  ASSERT_TRUE(r.locked_until);
  EXPECT_EQ(*r.locked_until, t + 1min);
  EXPECT_THAT(r.message(), HasSubstr("しばらくログインできません"));
  // While locked even the right password is refused, and the attempt is not counted.
  EXPECT_EQ(login(1, "Sakura2026", t + 30s, "192.0.2.1", &r), LoginOutcome::locked);
  EXPECT_EQ(*r.locked_until, t + 1min);
  // After the lock, one more failure locks for twice as long, then four times.
  t += 1min;
  EXPECT_EQ(login(1, "bad", t, "192.0.2.1", &r), LoginOutcome::locked);
  EXPECT_EQ(*r.locked_until, t + 2min);
  t += 2min;
  EXPECT_EQ(login(1, "bad", t, "192.0.2.1", &r), LoginOutcome::locked);
  EXPECT_EQ(*r.locked_until, t + 4min);
  t += 4min;
  EXPECT_EQ(login(1, "Sakura2026", t, "192.0.2.1"), LoginOutcome::ok);
  EXPECT_EQ(count("SELECT COUNT(*) FROM login_failures WHERE failure_key = 'person:1'"), 0);
  // Reset: the next failure is the first again.
  EXPECT_EQ(login(1, "bad", t + 1s), LoginOutcome::wrong);
}

TEST_P(CredentialsTest, DelayIsCappedAndOldFailuresLapse) {
  CredentialsConfig c = fast_config();
  c.account_lockout = {.threshold = 2, .window = 10min, .base_delay = 1min, .max_delay = 3min};
  Credentials creds(c);
  ASSERT_OK(db_->write([&](store::Session& s) { return creds.set_password(s, 1, "x", "Sakura2026", kT0); }));
  Instant t = kT0;
  auto attempt = [&](Instant at) { return *creds.login(*db_, 1, "bad", "192.0.2.9", at); };
  EXPECT_EQ(attempt(t += 1s).outcome, LoginOutcome::wrong);
  // 11 minutes later the first failure no longer counts.
  EXPECT_EQ(attempt(t += 11min).outcome, LoginOutcome::wrong);
  auto r = attempt(t += 1s);
  EXPECT_EQ(r.outcome, LoginOutcome::locked);
  EXPECT_EQ(*r.locked_until, t + 1min);
  r = attempt(t += 1min);
  EXPECT_EQ(*r.locked_until, t + 2min);
  r = attempt(t += 2min);
  EXPECT_EQ(*r.locked_until, t + 3min);  // would be 4, capped
  r = attempt(t += 3min);
  EXPECT_EQ(*r.locked_until, t + 3min);
  Lockout lockout(c.account_lockout);
  EXPECT_EQ(lockout.delay_for(1), 0s);
  EXPECT_EQ(lockout.delay_for(2), 1min);
  EXPECT_EQ(lockout.delay_for(100), 3min);
}

TEST_P(CredentialsTest, AddressIsLockedAcrossAccounts) {
  CredentialsConfig c = fast_config();
  c.address_lockout = {.threshold = 3, .window = 15min, .base_delay = 5min, .max_delay = 1h};
  Credentials creds(c);
  for (std::int64_t id : {1, 2, 3, 4})
    ASSERT_OK(db_->write([&](store::Session& s) { return creds.set_password(s, id, "x", "Sakura2026", kT0); }));
  const std::string attacker = "203.0.113.7";
  // One wrong password each for three accounts: no account lock, but the address is locked.
  EXPECT_EQ(creds.login(*db_, 1, "bad", attacker, kT0 + 1s)->outcome, LoginOutcome::wrong);
  EXPECT_EQ(creds.login(*db_, 2, "bad", attacker, kT0 + 2s)->outcome, LoginOutcome::wrong);
  auto r = creds.login(*db_, std::nullopt, "bad", attacker, kT0 + 3s, "ghost");
  EXPECT_EQ(r->outcome, LoginOutcome::locked);
  EXPECT_EQ(*r->locked_until, kT0 + 3s + 5min);
  EXPECT_EQ(creds.login(*db_, 4, "Sakura2026", attacker, kT0 + 4s)->outcome, LoginOutcome::locked);
  // The same account from another address is fine.
  EXPECT_EQ(creds.login(*db_, 4, "Sakura2026", "198.51.100.1", kT0 + 5s)->outcome, LoginOutcome::ok);
  EXPECT_EQ(creds.login(*db_, 4, "Sakura2026", attacker, kT0 + 3s + 5min)->outcome, LoginOutcome::ok);
}

TEST_P(CredentialsTest, UnknownNamesAnswerLikeWrongPasswordsAndLockAlike) {
  ASSERT_OK(set(1, "Sakura2026"));
  LoginResult unknown, known;
  EXPECT_EQ(login(std::nullopt, "Sakura2026", kT0 + 1s, "192.0.2.1", &unknown), LoginOutcome::wrong);
  EXPECT_EQ(login(1, "bad", kT0 + 1s, "192.0.2.2", &known), LoginOutcome::wrong);
  EXPECT_EQ(unknown.message(), known.message());
  // A person with no password yet cannot log in with any password.
  EXPECT_EQ(login(2, "", kT0 + 2s), LoginOutcome::wrong);
  // Five failures on an unknown name lock it just like an account.
  Instant t = kT0 + 10s;
  // (the attempt above was the first)
  for (int i = 0; i < 3; ++i) EXPECT_EQ(login(std::nullopt, "x", t += 1s, "192.0.2.50"), LoginOutcome::wrong);
  EXPECT_EQ(login(std::nullopt, "x", t += 1s, "192.0.2.51"), LoginOutcome::locked);
  EXPECT_EQ(count("SELECT COUNT(*) FROM login_failures WHERE failure_key = 'name:nobody'"), 1);
}

TEST_P(CredentialsTest, LoginRehashesWithNewParameters) {
  ASSERT_OK(set(1, "Sakura2026"));
  CredentialsConfig c = fast_config();
  c.hash.opslimit += 1;
  Credentials stronger(c);
  std::string before, after;
  auto read_hash = [&](std::string& out) {
    ASSERT_OK(db_->read([&](store::Session& s) -> Result<void> {
      KOBAN_ASSIGN(auto rows, s.query("SELECT hash FROM credentials WHERE person_id = 1"));
      out = rows.at(0).text(0);
      return ok();
    }));
  };
  read_hash(before);
  EXPECT_EQ(stronger.login(*db_, 1, "Sakura2026", "192.0.2.1", kT0 + 1s)->outcome, LoginOutcome::ok);
  read_hash(after);
  EXPECT_NE(before, after);
  EXPECT_FALSE(needs_rehash(after, c.hash));
  EXPECT_EQ(stronger.login(*db_, 1, "Sakura2026", "192.0.2.1", kT0 + 2s)->outcome, LoginOutcome::ok);
}

TEST_P(CredentialsTest, ConcurrentFailuresAreAllCounted) {
  // Parallel guesses must not overwrite each other's count (a lost update would let an
  // attacker try more passwords than the threshold). Each thread uses its own connection.
  CredentialsConfig c = fast_config();
  c.account_lockout.threshold = 1000;  // count only, never lock
  c.address_lockout.threshold = 1000;
  Credentials creds(c);
  ASSERT_OK(db_->write([&](store::Session& s) { return creds.set_password(s, 1, "x", "Sakura2026", kT0); }));
  constexpr int kThreads = 4, kEach = 5;
  std::vector<std::thread> threads;
  std::atomic<int> errors{0};
  for (int i = 0; i < kThreads; ++i)
    threads.emplace_back([&] {
      for (int j = 0; j < kEach; ++j)
        if (!creds.login(*db_, 1, "bad", "192.0.2.77", kT0 + 1s)) ++errors;
    });
  for (auto& t : threads) t.join();
  EXPECT_EQ(errors.load(), 0);
  EXPECT_EQ(count("SELECT failures FROM login_failures WHERE failure_key = 'person:1'"), kThreads * kEach);
  EXPECT_EQ(count("SELECT failures FROM login_failures WHERE failure_key = 'addr:192.0.2.77'"), kThreads * kEach);
  // Once lapsed, purge removes the counters.
  Lockout lockout(c.account_lockout);
  ASSERT_OK(db_->write([&](store::Session& s) -> Result<void> {
    KOBAN_ASSIGN(auto n, lockout.purge(s, kT0 + 1h));
    EXPECT_EQ(n, 2);
    return ok();
  }));
  EXPECT_EQ(count("SELECT COUNT(*) FROM login_failures"), 0);
}

TEST_P(CredentialsTest, PurgeKeepsCountsThatTheLongerWindowStillNeeds) {
  CredentialsConfig c = fast_config();
  c.account_lockout.threshold = 100;
  c.address_lockout.threshold = 100;
  c.account_lockout.window = std::chrono::minutes(15);
  c.address_lockout.window = std::chrono::hours(2);
  Credentials creds(c);
  ASSERT_OK(db_->write([&](store::Session& s) { return creds.set_password(s, 1, "x", "Sakura2026", kT0); }));
  ASSERT_TRUE(creds.login(*db_, 1, "bad", "192.0.2.9", kT0 + 1s));
  // Past the account window but inside the address window: nothing may go yet.
  ASSERT_OK(db_->write([&](store::Session& s) -> Result<void> {
    KOBAN_ASSIGN(auto n, creds.purge_lockouts(s, kT0 + 1h));
    EXPECT_EQ(n, 0);
    return ok();
  }));
  EXPECT_EQ(count("SELECT COUNT(*) FROM login_failures"), 2);
  ASSERT_OK(db_->write([&](store::Session& s) -> Result<void> {
    KOBAN_ASSIGN(auto n, creds.purge_lockouts(s, kT0 + 3h));
    EXPECT_EQ(n, 2);
    return ok();
  }));
  EXPECT_EQ(count("SELECT COUNT(*) FROM login_failures"), 0);
}

KOBAN_BACKEND_TESTS(CredentialsTest);

}  // namespace
}  // namespace koban::auth
