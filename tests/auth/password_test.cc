// Password hashing and the policy object (no database).
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "auth/password_hash.h"
#include "auth/password_policy.h"

namespace koban::auth {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::SizeIs;

const HashParams kFast = HashParams::fastest();

TEST(PasswordHash, VerifiesOnlyTheRightPasswordAndSaltsEachHash) {
  auto h1 = hash_password("Correct1horse", kFast);
  auto h2 = hash_password("Correct1horse", kFast);
  ASSERT_TRUE(h1 && h2);
  EXPECT_THAT(*h1, ::testing::StartsWith("$argon2id$"));
  EXPECT_NE(*h1, *h2);  // random salt
  EXPECT_TRUE(verify_password(*h1, "Correct1horse"));
  EXPECT_FALSE(verify_password(*h1, "correct1horse"));
  EXPECT_FALSE(verify_password(*h1, ""));
  EXPECT_FALSE(verify_password("not a hash", "Correct1horse"));
  EXPECT_FALSE(verify_password("", "Correct1horse"));
}

TEST(PasswordHash, NeedsRehashWhenTheParametersGrow) {
  auto h = hash_password("Correct1horse", kFast);
  ASSERT_TRUE(h);
  EXPECT_FALSE(needs_rehash(*h, kFast));
  HashParams stronger = kFast;
  stronger.opslimit += 1;
  EXPECT_TRUE(needs_rehash(*h, stronger));
  EXPECT_TRUE(needs_rehash("garbage", kFast));
}

TEST(PasswordHash, RefusesHostileLengths) {
  EXPECT_FALSE(hash_password(std::string(kMaxPasswordBytes + 1, 'a'), kFast));
}

TEST(PasswordPolicy, DefaultsAcceptAGoodPassword) {
  PasswordPolicy p;
  EXPECT_THAT(p.check("Sakura2026", "yamada", {}), IsEmpty());
}

TEST(PasswordPolicy, NamesEveryBrokenRule) {
  PasswordPolicy p;
  // Too short, no digit, no upper case: three messages.
  auto broken = p.check("abc", "yamada", {});
  ASSERT_THAT(broken, SizeIs(3));
  EXPECT_THAT(broken[0], HasSubstr("8文字以上"));
  EXPECT_THAT(broken[1], HasSubstr("数字"));
  EXPECT_THAT(broken[2], HasSubstr("英大文字と英小文字"));

  EXPECT_THAT(p.check("12345678", "yamada", {}),
              ElementsAre(HasSubstr("英字"), HasSubstr("英大文字と英小文字")));
  EXPECT_THAT(p.check("Yamada2026x", "yamada", {}), ElementsAre(HasSubstr("ログインID")));
  EXPECT_THAT(p.check(std::string(200, 'a'), "", {}), ElementsAre(HasSubstr("128文字以下")));
}

TEST(PasswordPolicy, CountsCharactersNotBytes) {
  PasswordPolicy p;
  p.require_letter = p.require_digit = p.require_mixed_case = false;
  EXPECT_THAT(p.check("さくらさくらさく", "", {}), IsEmpty());        // 8 characters, 24 bytes
  EXPECT_THAT(p.check("さくらさくら", "", {}), SizeIs(1));            // 6 characters
}

TEST(PasswordPolicy, EveryRuleIsConfigurable) {
  PasswordPolicy p;
  p.min_length = 12;
  p.require_digit = false;
  p.require_mixed_case = false;
  p.forbid_login_name = false;
  EXPECT_THAT(p.check("yamadayamada", "yamada", {}), IsEmpty());
  EXPECT_THAT(p.check("yamadayamad", "yamada", {}), ElementsAre(HasSubstr("12文字以上")));
  p.require_letter = false;
  EXPECT_THAT(p.check("123456789012", "", {}), IsEmpty());
}

TEST(PasswordPolicy, RefusesReuseOfTheLastHistoryCount) {
  PasswordPolicy p;
  p.history_count = 2;
  std::vector<std::string> history;  // newest first
  for (const char* pw : {"Newest001", "Older0002", "Oldest003"})
    history.push_back(*hash_password(pw, kFast));
  EXPECT_THAT(p.check("Newest001", "", history), ElementsAre(HasSubstr("直近2回")));
  EXPECT_THAT(p.check("Older0002", "", history), SizeIs(1));
  EXPECT_THAT(p.check("Oldest003", "", history), IsEmpty());  // beyond the last 2
  p.history_count = 0;
  EXPECT_THAT(p.check("Newest001", "", history), IsEmpty());
}

TEST(PasswordPolicy, ExpiresAfterMaxAgeDays) {
  PasswordPolicy p;
  const Instant set = from_unix(1'800'000'000);
  EXPECT_FALSE(p.expired(set, set + std::chrono::days{89}));
  EXPECT_TRUE(p.expired(set, set + std::chrono::days{90}));
  p.max_age_days = 0;
  EXPECT_FALSE(p.expired(set, set + std::chrono::days{10000}));
}

}  // namespace
}  // namespace koban::auth
