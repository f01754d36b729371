// TOTP enrolment and verification on both backends: sealed secrets, replay, guessing lockout.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "auth/totp_store.h"
#include "auth_fixture.h"

namespace koban::auth {
namespace {

using namespace std::chrono_literals;
using testing::kT0;

class TotpStoreTest : public testing::AuthDbTest {
 protected:
  static SecretBox box(const char* secret = "test-secret-key-0123456789") {
    return *SecretBox::from_secret(secret, "totp");
  }
  TotpCheck check(std::int64_t id, const std::string& code, Instant now) {
    auto r = totp_.verify(*db_, id, code, now);
    EXPECT_TRUE(r.ok()) << r.error().message;
    return r ? *r : TotpCheck::wrong;
  }
  TotpStore totp_{box()};
};

TEST_P(TotpStoreTest, EnrolConfirmAndRefuseReplay) {
  auto secret = totp_.enroll(*db_, 1, kT0);
  ASSERT_TRUE(secret) << secret.error().message;
  EXPECT_FALSE(*totp_.enrolled(*db_, 1));  // not until the first good code
  const std::string code = totp_code(*secret, totp_step(kT0));
  EXPECT_EQ(check(1, code, kT0), TotpCheck::ok);
  EXPECT_TRUE(*totp_.enrolled(*db_, 1));
  // The same code again, within its validity, is refused.
  EXPECT_EQ(check(1, code, kT0 + 5s), TotpCheck::wrong);
  // The previous step's code is older than the one used: refused too.
  EXPECT_EQ(check(1, totp_code(*secret, totp_step(kT0) - 1), kT0), TotpCheck::wrong);
  // The next step's code works once.
  const std::string next = totp_code(*secret, totp_step(kT0) + 1);
  EXPECT_EQ(check(1, next, kT0 + 30s), TotpCheck::ok);
  EXPECT_EQ(check(1, next, kT0 + 31s), TotpCheck::wrong);
}

TEST_P(TotpStoreTest, SecretIsSealedAtRestAndBoundToItsPerson) {
  auto s1 = totp_.enroll(*db_, 1, kT0);
  auto s2 = totp_.enroll(*db_, 2, kT0);
  ASSERT_TRUE(s1 && s2);
  std::string sealed1;
  ASSERT_OK(db_->read([&](store::Session& s) -> Result<void> {
    KOBAN_ASSIGN(auto rows, s.query("SELECT sealed_secret FROM totp_secrets WHERE person_id = 1"));
    sealed1 = rows.at(0).text(0);
    return ok();
  }));
  EXPECT_EQ(sealed1.find(*s1), std::string::npos);
  // Copying person 1's sealed secret onto person 2 does not give person 2 person 1's codes.
  ASSERT_OK(db_->write([&](store::Session& s) -> Result<void> {
    KOBAN_TRY(s.exec("UPDATE totp_secrets SET sealed_secret = ? WHERE person_id = 2", store::Blob{sealed1}));
    return ok();
  }));
  EXPECT_FALSE(totp_.verify(*db_, 2, totp_code(*s1, totp_step(kT0)), kT0).ok());
  // Another key cannot open it either.
  TotpStore other(box("a-different-secret-key-xyz"));
  EXPECT_FALSE(other.verify(*db_, 1, totp_code(*s1, totp_step(kT0)), kT0).ok());
}

TEST_P(TotpStoreTest, GuessingLocksEvenTheRightCodeUntilTheLockEnds) {
  auto secret = totp_.enroll(*db_, 3, kT0);
  ASSERT_TRUE(secret);
  Instant t = kT0;
  for (int i = 0; i < 4; ++i) EXPECT_EQ(check(3, "000000", t += 1s), TotpCheck::wrong);
  EXPECT_EQ(check(3, "000000", t += 1s), TotpCheck::locked);  // 5th: locked for 1 minute
  EXPECT_EQ(check(3, totp_code(*secret, totp_step(kT0 + 30s)), kT0 + 30s), TotpCheck::locked);
  EXPECT_EQ(check(3, totp_code(*secret, totp_step(kT0 + 5min)), kT0 + 5min), TotpCheck::ok);
  EXPECT_EQ(count("SELECT COUNT(*) FROM login_failures"), 0);  // success resets
}

TEST_P(TotpStoreTest, NotEnrolledAndRemoved) {
  EXPECT_EQ(check(9, "123456", kT0), TotpCheck::not_enrolled);
  auto secret = totp_.enroll(*db_, 9, kT0);
  ASSERT_TRUE(secret);
  auto again = totp_.enroll(*db_, 9, kT0 + 1s);  // re-enrolment: the old secret stops working
  ASSERT_TRUE(again);
  EXPECT_EQ(check(9, totp_code(*secret, totp_step(kT0)), kT0 + 2s), TotpCheck::wrong);
  EXPECT_EQ(check(9, totp_code(*again, totp_step(kT0)), kT0 + 2s), TotpCheck::ok);
  ASSERT_OK(totp_.remove(*db_, 9));
  EXPECT_EQ(check(9, totp_code(*again, totp_step(kT0) + 1), kT0 + 30s), TotpCheck::not_enrolled);
  EXPECT_FALSE(*totp_.enrolled(*db_, 9));
}

KOBAN_BACKEND_TESTS(TotpStoreTest);

}  // namespace
}  // namespace koban::auth
