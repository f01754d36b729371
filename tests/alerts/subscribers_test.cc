// Subscribers of the safety-alert mail: categories, sign-up with double opt-in, personal links,
// hard failures, counts. Every backend case runs on SQLite and PostgreSQL.
#include <gtest/gtest.h>

#include "alerts/categories.h"

namespace koban::alerts {
namespace {

TEST(Categories, SixInSeedOrderWithDefinitionsAndExamples) {
  ASSERT_EQ(categories().size(), 6u);
  EXPECT_EQ(categories()[0].name, "子供安全情報");
  EXPECT_EQ(categories()[5].name, "お知らせ情報");
  for (int n = 1; n <= 6; ++n) {
    const Category* c = find_category(n);
    ASSERT_NE(c, nullptr);
    EXPECT_EQ(c->number, n);
    EXPECT_FALSE(c->definition.empty());
    EXPECT_FALSE(c->example_title.empty());
    EXPECT_FALSE(c->example_text.empty());
  }
  EXPECT_EQ(find_category(0), nullptr);
  EXPECT_EQ(find_category(7), nullptr);
  EXPECT_NE(find_category(1)->definition.find("18歳以下"), std::string_view::npos);
}

TEST(Categories, SyndicationRule) {
  EXPECT_TRUE(goes_to_syndication(1, false));
  EXPECT_TRUE(goes_to_syndication(2, false));
  EXPECT_FALSE(goes_to_syndication(3, false));
  EXPECT_TRUE(goes_to_syndication(3, true));
  for (int n : {4, 5, 6}) EXPECT_FALSE(goes_to_syndication(n, true)) << n;
  EXPECT_FALSE(goes_to_syndication(9, true));
}

TEST(Categories, Masks) {
  auto m = category_mask({1, 3, 6});
  ASSERT_TRUE(m);
  EXPECT_EQ(*m, 0b100101u);
  EXPECT_TRUE(mask_has(*m, 3));
  EXPECT_FALSE(mask_has(*m, 2));
  EXPECT_EQ(category_numbers(*m), (std::vector<int>{1, 3, 6}));
  EXPECT_EQ(category_numbers(kAllCategories).size(), 6u);
  auto bad = category_mask({1, 7});
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.error().code, ErrorCode::invalid_argument);
  EXPECT_FALSE(category_mask({0}));
}

}  // namespace
}  // namespace koban::alerts
