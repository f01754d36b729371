#include "core/time.h"

#include <gtest/gtest.h>

namespace koban {

TEST(Date, RoundTripsAndWeekday) {
  Date d{2026, 11, 21};
  EXPECT_EQ(Date::from_days(d.days()), d);
  EXPECT_EQ(d.weekday(), 6);  // Saturday
  EXPECT_EQ((Date{1970, 1, 1}.weekday()), 4);
  EXPECT_EQ((Date{2000, 2, 29}.plus_days(1)), (Date{2000, 3, 1}));
  EXPECT_EQ((Date{1969, 12, 31}.weekday()), 3);
}

TEST(Date, ParseRejectsInvalid) {
  EXPECT_TRUE(Date::parse("2024-02-29"));
  EXPECT_FALSE(Date::parse("2023-02-29"));
  EXPECT_FALSE(Date::parse("2023-13-01"));
  EXPECT_FALSE(Date::parse("2023-1-01"));
}

TEST(Jst, ConvertsBothWays) {
  // 2026-01-01T00:00 JST is 2025-12-31T15:00Z.
  auto t = from_jst(JstDateTime{{2026, 1, 1}, 0, 0, 0});
  EXPECT_EQ(format_rfc3339_utc(t), "2025-12-31T15:00:00Z");
  auto j = to_jst(t);
  EXPECT_EQ(j.date, (Date{2026, 1, 1}));
  EXPECT_EQ(j.hour, 0);
  EXPECT_EQ(format_http_date(t), "Wed, 31 Dec 2025 15:00:00 GMT");
  EXPECT_EQ(format_rfc5322_date(t), "Thu, 01 Jan 2026 00:00:00 +0900");
}

TEST(Jst, ParsesMinutesAndSeconds) {
  auto t = JstDateTime::parse("2026-05-03T21:59");
  ASSERT_TRUE(t);
  EXPECT_EQ(t->hour, 21);
  EXPECT_EQ(t->minute, 59);
  EXPECT_FALSE(JstDateTime::parse("2026-05-03T24:00"));
  EXPECT_FALSE(JstDateTime::parse("2026-05-03"));
}

}  // namespace koban
