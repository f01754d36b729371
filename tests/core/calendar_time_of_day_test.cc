#include "core/calendar/time_of_day.h"

#include <gtest/gtest.h>

namespace koban::calendar {
namespace {

TEST(TimeOfDay, ParsesValidTimes) {
  auto t = TimeOfDay::parse("08:30");
  ASSERT_TRUE(t);
  EXPECT_EQ(t->minutes, 8 * 60 + 30);
  EXPECT_EQ(t->str(), "08:30");
  auto u = TimeOfDay::parse(" 9:05 ");
  ASSERT_TRUE(u);
  EXPECT_EQ(u->hour(), 9);
  EXPECT_EQ(u->minute(), 5);
  EXPECT_EQ(TimeOfDay::parse("23:59")->minutes, 1439);
  EXPECT_EQ(TimeOfDay::parse("00:00")->minutes, 0);
}

TEST(TimeOfDay, RejectsMalformedTimes) {
  for (const char* bad : {"", ":", "24:00", "12:60", "1230", "12:3", "12:345", "-1:00", "123:00",
                          "ab:cd", "12:3a", "12:30:00", "１２:３０"}) {
    auto r = TimeOfDay::parse(bad);
    EXPECT_FALSE(r) << bad;
    if (!r) {
      EXPECT_EQ(r.error().code, ErrorCode::invalid_argument);
      EXPECT_NE(r.error().message.find("HH:MM"), std::string::npos);
    }
  }
  EXPECT_TRUE(TimeOfDay::parse("24:00", /*allow_24=*/true));
  EXPECT_FALSE(TimeOfDay::parse("24:01", /*allow_24=*/true));
}

TEST(TimeRange, ParsesAndContainsHalfOpen) {
  auto r = TimeRange::parse("08:30-17:15");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->str(), "08:30-17:15");
  const Date d{2026, 11, 20};
  EXPECT_FALSE(r->contains(JstDateTime{d, 8, 29, 59}));
  EXPECT_TRUE(r->contains(JstDateTime{d, 8, 30, 0}));
  EXPECT_TRUE(r->contains(JstDateTime{d, 17, 14, 59}));
  EXPECT_FALSE(r->contains(JstDateTime{d, 17, 15, 0}));

  auto all_day = TimeRange::parse("00:00-24:00");
  ASSERT_TRUE(all_day);
  EXPECT_TRUE(all_day->contains(JstDateTime{d, 23, 59, 59}));
  EXPECT_TRUE(all_day->contains(JstDateTime{d, 0, 0, 0}));

  EXPECT_EQ(TimeRange::parse("06:00〜22:00")->str(), "06:00-22:00");
  EXPECT_EQ(TimeRange::parse("06:00 ~ 22:00")->str(), "06:00-22:00");
}

TEST(TimeRange, RejectsEmptyReversedAndMalformed) {
  for (const char* bad : {"17:15-08:30", "08:30-08:30", "08:30", "08:30-", "-17:15", "24:00-24:00",
                          "08:30-25:00", "x-y"})
    EXPECT_FALSE(TimeRange::parse(bad)) << bad;
}

}  // namespace
}  // namespace koban::calendar
