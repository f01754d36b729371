#include "core/calendar/schedule.h"

#include <gtest/gtest.h>

#include <vector>

namespace koban::calendar {
namespace {

Instant jst(const char* text) {
  auto t = JstDateTime::parse(text);
  EXPECT_TRUE(t) << text;
  return from_jst(t.value_or(JstDateTime{}));
}

std::string iso(Instant t) { return to_jst(t).iso(); }

// The next due moment after a JST wall-clock time, as JST text.
std::string next(const char* schedule, const char* after, const BusinessCalendar& cal = {}) {
  auto s = Schedule::parse(schedule);
  EXPECT_TRUE(s) << schedule << ": " << (s ? "" : s.error().message);
  if (!s) return "";
  const Instant t = jst(after);
  const Instant n = s->next_after(t, cal);
  EXPECT_GT(n, t);
  return n == Schedule::never() ? "never" : iso(n);
}

TEST(Schedule, ParsesEveryFormToItsCanonicalText) {
  struct Case { const char* text; const char* canonical; Schedule::Kind kind; };
  for (const Case& c : {
           Case{"every day 08:00", "every day 08:00", Schedule::Kind::every_day},
           {"Every Day at 8:00", "every day 08:00", Schedule::Kind::every_day},
           {"every day", "every day 09:00", Schedule::Kind::every_day},
           {"every business day 08:30", "every business day 08:30", Schedule::Kind::every_business_day},
           {"every monday 09:00", "every monday 09:00", Schedule::Kind::weekly},
           {"every Sundays 07:15", "every sunday 07:15", Schedule::Kind::weekly},
           {"every fri 18:00", "every friday 18:00", Schedule::Kind::weekly},
           {"every hour", "every hour", Schedule::Kind::interval},
           {"every 60 minutes", "every hour", Schedule::Kind::interval},
           {"every 15 minutes", "every 15 minutes", Schedule::Kind::interval},
           {"every minute", "every minute", Schedule::Kind::interval},
           {"every 6 hours", "every 6 hours", Schedule::Kind::interval},
           {"monthly 1 09:00", "monthly 1 09:00", Schedule::Kind::monthly_day},
           {"monthly 31", "monthly 31 09:00", Schedule::Kind::monthly_day},
           {"last business day of January 10:00", "last business day of January 10:00",
            Schedule::Kind::last_business_day},
           {"last business day of january", "last business day of January 09:00",
            Schedule::Kind::last_business_day},
           {"last business day of every month 17:00", "last business day of every month 17:00",
            Schedule::Kind::last_business_day},
           {"first business day of each month at 08:30", "first business day of every month 08:30",
            Schedule::Kind::first_business_day},
           {"  first   business day of Sep 08:30 ", "first business day of September 08:30",
            Schedule::Kind::first_business_day},
       }) {
    auto s = Schedule::parse(c.text);
    ASSERT_TRUE(s) << c.text << ": " << s.error().message;
    EXPECT_EQ(s->str(), c.canonical) << c.text;
    EXPECT_EQ(s->kind(), c.kind) << c.text;
    auto again = Schedule::parse(s->str());
    ASSERT_TRUE(again) << s->str();
    EXPECT_EQ(*again, *s) << c.text;
  }
  EXPECT_EQ(Schedule::parse("every 15 minutes")->interval_minutes(), 15);
  EXPECT_EQ(Schedule::parse("every tuesday 10:00")->weekday(), 2);
  EXPECT_EQ(Schedule::parse("last business day of March")->month(), 3);
  EXPECT_EQ(Schedule::parse("monthly 20")->day_of_month(), 20);
}

TEST(Schedule, RejectsUnknownFormsWithClearMessages) {
  auto expect_error = [](const char* text, const char* needle) {
    auto s = Schedule::parse(text);
    ASSERT_FALSE(s) << text;
    EXPECT_EQ(s.error().code, ErrorCode::invalid_argument);
    EXPECT_NE(s.error().message.find(needle), std::string::npos) << text << " → " << s.error().message;
  };
  expect_error("", "スケジュールの書式");
  expect_error("whenever", "unknown schedule expression");
  expect_error("every fooday 09:00", "曜日名");
  expect_error("every day 25:00", "HH:MM");
  expect_error("every day 9", "unknown schedule");
  expect_error("last business day of Foo", "月名");
  expect_error("last business day of every week", "月名");
  expect_error("every 0 minutes", "間隔");
  expect_error("every 1441 minutes", "間隔");
  expect_error("every 25 hours", "間隔");
  expect_error("every 15 minutes 09:00", "interval takes no time");
  expect_error("monthly 32 09:00", "1〜31");
  expect_error("monthly 0", "1〜31");
  expect_error("monthly", "unknown schedule");
  expect_error("every day 08:00 extra", "unknown schedule");
  expect_error(std::string(Schedule::kMaxLength + 1, 'a').c_str(), "長すぎ");
  expect_error("every day\n08:00", "");
}

TEST(Schedule, EveryDayIsStrictlyAfterAndCrossesTheYearEnd) {
  EXPECT_EQ(next("every day 08:00", "2026-12-31T07:59:59"), "2026-12-31T08:00:00+09:00");
  EXPECT_EQ(next("every day 08:00", "2026-12-31T08:00"), "2027-01-01T08:00:00+09:00");
  EXPECT_EQ(next("every day 00:00", "2026-12-31T23:59:59"), "2027-01-01T00:00:00+09:00");
  // 08:00 JST is 23:00 UTC the previous day; the day is the JST day.
  EXPECT_EQ(next("every day 08:00", "2027-02-28T09:00"), "2027-03-01T08:00:00+09:00");
  EXPECT_EQ(next("every day 08:00", "2028-02-28T09:00"), "2028-02-29T08:00:00+09:00");
}

TEST(Schedule, EveryBusinessDaySkipsHolidaysAndClosures) {
  EXPECT_EQ(next("every business day 08:30", "2026-12-28T09:00"), "2027-01-04T08:30:00+09:00");
  EXPECT_EQ(next("every business day 08:30", "2026-09-18T08:30"), "2026-09-24T08:30:00+09:00");
  EXPECT_EQ(next("every business day 08:30", "2026-11-24T08:29"), "2026-11-24T08:30:00+09:00");

  // Chained from one due moment to the next, the dates are exactly the business days.
  BusinessCalendar cal;
  auto s = Schedule::parse("every business day 08:30");
  ASSERT_TRUE(s);
  std::vector<Date> due;
  for (Instant t = jst("2026-12-01T00:00"); due.size() < 60;) {
    t = s->next_after(t, cal);
    ASSERT_NE(t, Schedule::never());
    EXPECT_EQ(to_jst(t).minute_of_day(), 8 * 60 + 30);
    due.push_back(to_jst(t).date);
  }
  std::vector<Date> business;
  for (Date d{2026, 12, 1}; business.size() < 60; d = d.plus_days(1))
    if (cal.is_business_day(d)) business.push_back(d);
  EXPECT_EQ(due, business);
}

TEST(Schedule, Weekly) {
  // Weekly schedules run on holidays too: they follow the weekday only.
  EXPECT_EQ(next("every monday 09:00", "2026-11-23T08:00"), "2026-11-23T09:00:00+09:00");
  EXPECT_EQ(next("every monday 09:00", "2026-11-23T09:00"), "2026-11-30T09:00:00+09:00");
  EXPECT_EQ(next("every sunday 09:00", "2026-12-30T12:00"), "2027-01-03T09:00:00+09:00");
  EXPECT_EQ(next("every saturday 23:59", "2026-11-21T23:59:30"), "2026-11-28T23:59:00+09:00");
}

TEST(Schedule, Intervals) {
  EXPECT_EQ(next("every hour", "2026-11-20T10:00"), "2026-11-20T11:00:00+09:00");
  EXPECT_EQ(next("every hour", "2026-11-20T10:59:59"), "2026-11-20T11:00:00+09:00");
  EXPECT_EQ(next("every hour", "2026-12-31T23:30"), "2027-01-01T00:00:00+09:00");
  EXPECT_EQ(next("every 15 minutes", "2026-11-20T10:14:59"), "2026-11-20T10:15:00+09:00");
  EXPECT_EQ(next("every 15 minutes", "2026-11-20T10:15"), "2026-11-20T10:30:00+09:00");
  EXPECT_EQ(next("every 15 minutes", "2026-11-20T23:45"), "2026-11-21T00:00:00+09:00");
  EXPECT_EQ(next("every minute", "2026-11-20T10:15:30"), "2026-11-20T10:16:00+09:00");
  EXPECT_EQ(next("every 7 hours", "2026-11-20T14:00"), "2026-11-20T21:00:00+09:00");
  EXPECT_EQ(next("every 7 hours", "2026-11-20T21:00"), "2026-11-21T00:00:00+09:00");
  EXPECT_EQ(next("every 24 hours", "2026-11-20T00:00"), "2026-11-21T00:00:00+09:00");
}

TEST(Schedule, MonthlyDayClampsToShortMonths) {
  EXPECT_EQ(next("monthly 1 09:00", "2026-12-15T00:00"), "2027-01-01T09:00:00+09:00");
  EXPECT_EQ(next("monthly 1 09:00", "2027-01-01T08:59"), "2027-01-01T09:00:00+09:00");
  EXPECT_EQ(next("monthly 31 09:00", "2026-01-31T09:00"), "2026-02-28T09:00:00+09:00");
  EXPECT_EQ(next("monthly 31 09:00", "2026-02-28T09:00"), "2026-03-31T09:00:00+09:00");
  EXPECT_EQ(next("monthly 31 09:00", "2026-04-01T00:00"), "2026-04-30T09:00:00+09:00");
  EXPECT_EQ(next("monthly 30 09:00", "2024-02-01T00:00"), "2024-02-29T09:00:00+09:00");
  EXPECT_EQ(next("monthly 15 09:00", "2026-12-15T09:00"), "2027-01-15T09:00:00+09:00");
}

TEST(Schedule, LastAndFirstBusinessDayOfEveryMonth) {
  // The closure makes 12/28 the last business day of December.
  EXPECT_EQ(next("last business day of every month 17:00", "2026-12-01T00:00"),
            "2026-12-28T17:00:00+09:00");
  EXPECT_EQ(next("last business day of every month 17:00", "2026-12-28T17:00"),
            "2027-01-29T17:00:00+09:00");
  EXPECT_EQ(next("last business day of every month 17:00", "2025-12-27T00:00"),
            "2026-01-30T17:00:00+09:00");
  EXPECT_EQ(next("last business day of every month 17:00", "2024-02-01T00:00"),
            "2024-02-29T17:00:00+09:00");
  EXPECT_EQ(next("first business day of every month 08:30", "2026-12-28T10:00"),
            "2027-01-04T08:30:00+09:00");
  EXPECT_EQ(next("first business day of every month 08:30", "2026-04-01T08:30"),
            "2026-05-01T08:30:00+09:00");
  EXPECT_EQ(next("first business day of every month 08:30", "2021-04-30T00:00"),
            "2021-05-06T08:30:00+09:00");
}

TEST(Schedule, LastBusinessDayOfAGivenMonth) {
  EXPECT_EQ(next("last business day of January 10:00", "2026-02-01T00:00"),
            "2027-01-29T10:00:00+09:00");
  EXPECT_EQ(next("last business day of January 10:00", "2026-01-30T09:00"),
            "2026-01-30T10:00:00+09:00");
  EXPECT_EQ(next("last business day of January", "2026-01-30T09:00"), "2027-01-29T09:00:00+09:00");
  EXPECT_EQ(next("last business day of December", "2026-06-01T00:00"), "2026-12-28T09:00:00+09:00");
  EXPECT_EQ(next("last business day of December", "2026-12-28T09:00"), "2027-12-28T09:00:00+09:00");
  EXPECT_EQ(next("first business day of May", "2026-01-01T00:00"), "2026-05-01T09:00:00+09:00");
}

TEST(Schedule, FollowsTheConfiguredCalendar) {
  CalendarConfig config;
  config.closed_dates = {Date{2026, 12, 28}};
  auto cal = BusinessCalendar::create(config);
  ASSERT_TRUE(cal);
  EXPECT_EQ(next("last business day of every month 17:00", "2026-12-01T00:00", *cal),
            "2026-12-25T17:00:00+09:00");

  CalendarConfig never_open;
  never_open.closures = {ClosureRange{{1, 1}, {12, 31}}};
  auto closed = BusinessCalendar::create(never_open);
  ASSERT_TRUE(closed);
  auto s = Schedule::parse("every business day 08:30");
  ASSERT_TRUE(s);
  EXPECT_EQ(s->next_after(jst("2026-01-05T00:00"), *closed), Schedule::never());
  auto m = Schedule::parse("last business day of every month");
  ASSERT_TRUE(m);
  EXPECT_EQ(m->next_after(jst("2026-01-05T00:00"), *closed), Schedule::never());
  // Chaining after never() stays at never() instead of overflowing.
  EXPECT_EQ(s->next_after(Schedule::never(), *closed), Schedule::never());
  EXPECT_EQ(Schedule::parse("every hour")->next_after(Schedule::never(), *closed), Schedule::never());
  // Schedules that do not depend on business days still run.
  EXPECT_EQ(iso(Schedule::parse("every day 08:00")->next_after(jst("2026-01-05T00:00"), *closed)),
            "2026-01-05T08:00:00+09:00");
}

}  // namespace
}  // namespace koban::calendar
