// The ledger's password rules: each rule refuses on its own, and all are configurable.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "ledger/secret_rules.h"

namespace koban::ledger {
namespace {

TEST(SecretRules, DefaultsAcceptAStrongSecret) { EXPECT_THAT(SecretRules{}.check("Abcdefgh-123"), ::testing::IsEmpty()); }

TEST(SecretRules, EachDefaultRuleRefusesAlone) {
  const SecretRules rules;
  EXPECT_THAT(rules.check("Abcdefg-123"), ::testing::ElementsAre(::testing::HasSubstr("12文字以上")));
  EXPECT_THAT(rules.check("abcdefgh-123"), ::testing::ElementsAre(::testing::HasSubstr("大文字と小文字")));
  EXPECT_THAT(rules.check("Abcdefgh-xyz"), ::testing::ElementsAre(::testing::HasSubstr("数字")));
  EXPECT_THAT(rules.check("Abcdefgh1234"), ::testing::ElementsAre(::testing::HasSubstr("記号")));
  EXPECT_THAT(rules.check("Abcdefgh-12\n3"), ::testing::Contains(::testing::HasSubstr("制御文字")));
  EXPECT_FALSE(rules.check(std::string("Abcdefgh-12\xff", 12)).empty());
  EXPECT_FALSE(rules.check(std::string(300, 'a') + "A1-").empty());
}

TEST(SecretRules, LengthCountsCharactersNotBytes) {
  // 11 ASCII characters plus one three-byte character: 12 characters.
  EXPECT_THAT(SecretRules{}.check("Abcdefg-123あ"), ::testing::IsEmpty());
}

TEST(SecretRules, Configurable) {
  const SecretRules seed{.min_length = 8, .require_symbol = false};  // 004 §15-3
  EXPECT_THAT(seed.check("Abcdef12"), ::testing::IsEmpty());
  EXPECT_THAT(seed.check("abcdef12"), ::testing::SizeIs(1));
}

}  // namespace
}  // namespace koban::ledger
