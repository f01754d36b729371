#include "core/calendar/business_calendar.h"

#include <gtest/gtest.h>

namespace koban::calendar {
namespace {

Instant jst(const char* text) {
  auto t = JstDateTime::parse(text);
  EXPECT_TRUE(t) << text;
  return from_jst(t.value_or(JstDateTime{}));
}

std::string iso(Instant t) { return to_jst(t).iso(); }

TEST(ClosureRange, ParsesFormsAndWrapsTheYearEnd) {
  for (const char* text : {"12/29-1/3", "12-29..01-03", "12/29〜1/3", " 12/29 - 1/3 "}) {
    auto r = ClosureRange::parse(text);
    ASSERT_TRUE(r) << text;
    EXPECT_EQ(r->str(), "12/29-1/3") << text;
    EXPECT_TRUE(r->contains(Date{2026, 12, 29}));
    EXPECT_TRUE(r->contains(Date{2026, 12, 31}));
    EXPECT_TRUE(r->contains(Date{2027, 1, 3}));
    EXPECT_FALSE(r->contains(Date{2027, 1, 4}));
    EXPECT_FALSE(r->contains(Date{2026, 12, 28}));
  }
  auto obon = ClosureRange::parse("8/13-8/15");
  ASSERT_TRUE(obon);
  EXPECT_TRUE(obon->contains(Date{2026, 8, 14}));
  EXPECT_FALSE(obon->contains(Date{2026, 8, 16}));
  EXPECT_FALSE(obon->contains(Date{2026, 1, 1}));
  for (const char* bad : {"", "12/29", "13/1-1/2", "2/30-3/1", "12/0-1/1", "a/b-c/d", "12-29-01-03"})
    EXPECT_FALSE(ClosureRange::parse(bad)) << bad;
  EXPECT_TRUE(ClosureRange::parse("2/29-2/29"));  // leap day: matches only in leap years
}

TEST(CalendarSettings, ParsesCommaSeparatedLists) {
  auto closures = parse_closures("12/29-1/3, 8/13-8/15,");
  ASSERT_TRUE(closures);
  ASSERT_EQ(closures->size(), 2u);
  EXPECT_EQ((*closures)[1].str(), "8/13-8/15");
  EXPECT_TRUE(parse_closures("")->empty());
  EXPECT_FALSE(parse_closures("12/29-1/3, nonsense"));

  auto dates = parse_closed_dates("2026-11-20 , 2027-03-01");
  ASSERT_TRUE(dates);
  EXPECT_EQ(*dates, (std::vector<Date>{{2026, 11, 20}, {2027, 3, 1}}));
  EXPECT_FALSE(parse_closed_dates("2026-02-30"));
  EXPECT_FALSE(parse_closed_dates("2026/11/20"));

  std::string many;
  for (std::size_t i = 0; i <= CalendarConfig::kMaxClosures; ++i) many += "1/1-1/2,";
  auto r = parse_closures(many);
  ASSERT_FALSE(r);
  EXPECT_NE(r.error().message.find("多すぎ"), std::string::npos);
}

TEST(CalendarSettings, TheSettingsFileDefaultsGiveTheDefaultConfig) {
  // The texts of core/config.cc's calendar.* defaults.
  const CalendarConfig defaults;
  auto closures = parse_closures("12-29..01-03");
  ASSERT_TRUE(closures);
  EXPECT_EQ(*closures, defaults.closures);
  EXPECT_EQ(*TimeRange::parse("08:30-17:15"), defaults.office_hours);
  EXPECT_EQ(*TimeRange::parse("06:00-22:00"), defaults.alert_sending_hours);
  EXPECT_TRUE(parse_closed_dates("")->empty());
}

TEST(BusinessCalendar, BusinessDaysSkipWeekendsHolidaysAndClosures) {
  BusinessCalendar cal;
  EXPECT_TRUE(cal.is_business_day(Date{2026, 12, 28}));   // Monday
  EXPECT_FALSE(cal.is_business_day(Date{2026, 12, 29}));  // 年末年始
  EXPECT_FALSE(cal.is_business_day(Date{2027, 1, 1}));
  EXPECT_FALSE(cal.is_business_day(Date{2027, 1, 2}));
  EXPECT_TRUE(cal.is_business_day(Date{2027, 1, 4}));
  EXPECT_FALSE(cal.is_business_day(Date{2026, 11, 21}));  // Saturday
  EXPECT_FALSE(cal.is_business_day(Date{2026, 11, 22}));  // Sunday
  EXPECT_FALSE(cal.is_business_day(Date{2026, 11, 23}));  // 勤労感謝の日 (Monday)
  EXPECT_FALSE(cal.is_business_day(Date{2026, 9, 22}));   // 国民の休日
  EXPECT_TRUE(cal.is_business_day(Date{2026, 11, 24}));
  EXPECT_TRUE(cal.is_closure_day(Date{2026, 12, 30}));
  EXPECT_FALSE(cal.is_closure_day(Date{2026, 11, 23}));
}

TEST(BusinessCalendar, ConfiguredClosuresAndClosedDates) {
  CalendarConfig config;
  config.closures.push_back(*ClosureRange::parse("8/13-8/15"));
  config.closed_dates = {Date{2026, 11, 27}, Date{2026, 11, 20}};  // unsorted on purpose
  auto cal = BusinessCalendar::create(config);
  ASSERT_TRUE(cal);
  EXPECT_FALSE(cal->is_business_day(Date{2026, 8, 13}));
  EXPECT_FALSE(cal->is_business_day(Date{2026, 11, 20}));
  EXPECT_FALSE(cal->is_business_day(Date{2026, 11, 27}));
  EXPECT_TRUE(cal->is_business_day(Date{2026, 11, 26}));
  EXPECT_TRUE(cal->is_business_day(Date{2026, 8, 12}));
  EXPECT_FALSE(cal->is_business_day(Date{2026, 12, 31}));  // the default closure is kept

  CalendarConfig none;
  none.closures.clear();
  auto open = BusinessCalendar::create(none);
  ASSERT_TRUE(open);
  EXPECT_TRUE(open->is_business_day(Date{2026, 12, 29}));
  EXPECT_FALSE(open->is_business_day(Date{2027, 1, 1}));  // still 元日
}

TEST(BusinessCalendar, RejectsInvalidConfiguration) {
  CalendarConfig reversed;
  reversed.office_hours = {TimeOfDay::at(17, 15), TimeOfDay::at(8, 30)};
  auto r = BusinessCalendar::create(reversed);
  ASSERT_FALSE(r);
  EXPECT_NE(r.error().message.find("開庁時間"), std::string::npos);

  CalendarConfig bad_date;
  bad_date.closed_dates = {Date{2026, 2, 30}};
  EXPECT_FALSE(BusinessCalendar::create(bad_date));

  CalendarConfig bad_closure;
  bad_closure.closures = {ClosureRange{{4, 31}, {5, 1}}};
  EXPECT_FALSE(BusinessCalendar::create(bad_closure));

  CalendarConfig too_many;
  too_many.closures.assign(CalendarConfig::kMaxClosures + 1, ClosureRange{{1, 1}, {1, 1}});
  EXPECT_FALSE(BusinessCalendar::create(too_many));

  CalendarConfig alert_empty;
  alert_empty.alert_sending_hours = {TimeOfDay::at(6, 0), TimeOfDay::at(6, 0)};
  EXPECT_FALSE(BusinessCalendar::create(alert_empty));
}

TEST(BusinessCalendar, OfficeAndDutyHours) {
  BusinessCalendar cal;
  EXPECT_FALSE(cal.is_office_hours(jst("2026-11-20T08:29:59")));  // Friday
  EXPECT_TRUE(cal.is_office_hours(jst("2026-11-20T08:30:00")));
  EXPECT_TRUE(cal.is_office_hours(jst("2026-11-20T17:14:59")));
  EXPECT_FALSE(cal.is_office_hours(jst("2026-11-20T17:15:00")));
  EXPECT_TRUE(cal.is_duty_hours(jst("2026-11-20T17:15:00")));
  EXPECT_TRUE(cal.is_duty_hours(jst("2026-11-21T10:00")));   // Saturday
  EXPECT_TRUE(cal.is_duty_hours(jst("2026-11-23T10:00")));   // holiday
  EXPECT_TRUE(cal.is_duty_hours(jst("2026-12-29T10:00")));   // closure
  // 08:30 JST is 23:30 UTC the day before: the JST date decides.
  EXPECT_TRUE(cal.is_office_hours(from_unix(to_unix(jst("2026-11-24T08:30")))));
}

TEST(BusinessCalendar, AlertSendingHoursEveryDay) {
  BusinessCalendar cal;
  EXPECT_FALSE(cal.is_alert_sending_hours(jst("2026-05-03T05:59:59")));
  EXPECT_TRUE(cal.is_alert_sending_hours(jst("2026-05-03T06:00")));   // a holiday too
  EXPECT_TRUE(cal.is_alert_sending_hours(jst("2026-05-03T21:59:59")));
  EXPECT_FALSE(cal.is_alert_sending_hours(jst("2026-05-03T22:00")));

  EXPECT_EQ(iso(cal.next_alert_sending_start(jst("2026-05-03T10:00"))), "2026-05-03T10:00:00+09:00");
  EXPECT_EQ(iso(cal.next_alert_sending_start(jst("2026-05-03T03:00"))), "2026-05-03T06:00:00+09:00");
  EXPECT_EQ(iso(cal.next_alert_sending_start(jst("2026-05-03T22:00"))), "2026-05-04T06:00:00+09:00");
  EXPECT_EQ(iso(cal.next_alert_sending_start(jst("2026-12-31T23:30"))), "2027-01-01T06:00:00+09:00");
  EXPECT_EQ(iso(cal.next_alert_sending_start(jst("2026-05-03T05:59:59"))), "2026-05-03T06:00:00+09:00");
}

TEST(BusinessCalendar, NextOfficeOpen) {
  BusinessCalendar cal;
  auto at = [&](const char* t) {
    auto r = cal.next_office_open(jst(t));
    EXPECT_TRUE(r) << t;
    return r ? iso(*r) : std::string();
  };
  EXPECT_EQ(at("2026-11-20T10:00"), "2026-11-20T10:00:00+09:00");  // open now
  EXPECT_EQ(at("2026-11-16T07:00"), "2026-11-16T08:30:00+09:00");  // later today
  EXPECT_EQ(at("2026-11-20T17:15"), "2026-11-24T08:30:00+09:00");  // weekend + 勤労感謝の日
  EXPECT_EQ(at("2026-12-28T17:30"), "2027-01-04T08:30:00+09:00");  // 年末年始
  EXPECT_EQ(at("2026-09-18T20:00"), "2026-09-24T08:30:00+09:00");  // シルバーウィーク
}

TEST(BusinessCalendar, AddBusinessDays) {
  BusinessCalendar cal;
  EXPECT_EQ(*cal.add_business_days(Date{2026, 12, 25}, 1), (Date{2026, 12, 28}));
  EXPECT_EQ(*cal.add_business_days(Date{2026, 12, 25}, 2), (Date{2027, 1, 4}));
  EXPECT_EQ(*cal.add_business_days(Date{2027, 1, 4}, -1), (Date{2026, 12, 28}));
  EXPECT_EQ(*cal.add_business_days(Date{2026, 9, 18}, 1), (Date{2026, 9, 24}));
  EXPECT_EQ(*cal.add_business_days(Date{2026, 11, 21}, 0), (Date{2026, 11, 21}));
  EXPECT_EQ(*cal.add_business_days(Date{2026, 11, 21}, 1), (Date{2026, 11, 24}));  // from a Saturday
  // Forward then back returns to a business day.
  for (Date d{2026, 1, 5}; d.year == 2026; d = d.plus_days(1)) {
    if (!cal.is_business_day(d)) continue;
    auto f = cal.add_business_days(d, 10);
    ASSERT_TRUE(f);
    EXPECT_GT(*f, d);
    EXPECT_TRUE(cal.is_business_day(*f));
    EXPECT_EQ(*cal.add_business_days(*f, -10), d) << d.iso();
  }
  EXPECT_FALSE(cal.add_business_days(Date{2026, 1, 5}, BusinessCalendar::kMaxBusinessDayOffset + 1));
}

TEST(BusinessCalendar, FirstAndLastBusinessDayOfMonth) {
  BusinessCalendar cal;
  EXPECT_EQ(*cal.last_business_day_of_month(2026, 12), (Date{2026, 12, 28}));
  EXPECT_EQ(*cal.last_business_day_of_month(2025, 12), (Date{2025, 12, 26}));  // 12/27-28 weekend
  EXPECT_EQ(*cal.last_business_day_of_month(2026, 5), (Date{2026, 5, 29}));
  EXPECT_EQ(*cal.last_business_day_of_month(2026, 2), (Date{2026, 2, 27}));
  EXPECT_EQ(*cal.last_business_day_of_month(2024, 2), (Date{2024, 2, 29}));    // leap year
  EXPECT_EQ(*cal.first_business_day_of_month(2027, 1), (Date{2027, 1, 4}));
  EXPECT_EQ(*cal.first_business_day_of_month(2026, 5), (Date{2026, 5, 1}));
  EXPECT_EQ(*cal.first_business_day_of_month(2021, 5), (Date{2021, 5, 6}));  // weekend + GW
  EXPECT_EQ(*cal.first_business_day_of_month(2026, 1), (Date{2026, 1, 5}));  // closure to 1/3
  EXPECT_FALSE(cal.last_business_day_of_month(2026, 13));

  CalendarConfig august_closed;
  august_closed.closures.push_back(ClosureRange{{8, 1}, {8, 31}});
  auto closed = BusinessCalendar::create(august_closed);
  ASSERT_TRUE(closed);
  auto r = closed->last_business_day_of_month(2026, 8);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, ErrorCode::not_found);
}

TEST(BusinessCalendar, CalendarThatNeverOpensFailsInsteadOfLooping) {
  CalendarConfig config;
  config.closures = {ClosureRange{{1, 1}, {12, 31}}};
  auto cal = BusinessCalendar::create(config);
  ASSERT_TRUE(cal);
  EXPECT_FALSE(cal->next_office_open(jst("2026-01-05T10:00")));
  EXPECT_FALSE(cal->add_business_days(Date{2026, 1, 5}, 1));
  EXPECT_FALSE(cal->first_business_day_of_month(2026, 1));
}

TEST(BusinessCalendar, DescribeAHolidayEvening) {
  BusinessCalendar cal;
  const MomentInfo m = cal.describe(jst("2026-05-03T21:59"));
  EXPECT_EQ(m.jst.date, (Date{2026, 5, 3}));
  EXPECT_EQ(m.weekday, 0);
  EXPECT_EQ(m.holiday_name, "憲法記念日");
  EXPECT_FALSE(m.business_day);
  EXPECT_FALSE(m.office_hours);
  EXPECT_TRUE(m.duty_hours);
  EXPECT_TRUE(m.alert_sending_allowed);
  ASSERT_TRUE(m.next_office_open);
  EXPECT_EQ(iso(*m.next_office_open), "2026-05-07T08:30:00+09:00");
  const std::string text = format_moment(m);
  EXPECT_NE(text.find("2026-05-03T21:59:00+09:00"), std::string::npos) << text;
  EXPECT_NE(text.find("憲法記念日"), std::string::npos) << text;
  EXPECT_NE(text.find("duty hours"), std::string::npos) << text;
  EXPECT_NE(text.find("sending allowed"), std::string::npos) << text;

  const MomentInfo late = cal.describe(jst("2026-05-03T22:00"));
  EXPECT_FALSE(late.alert_sending_allowed);
  EXPECT_NE(format_moment(late).find("2026-05-04T06:00:00+09:00"), std::string::npos);

  const MomentInfo work = cal.describe(jst("2026-11-24T09:00"));
  EXPECT_TRUE(work.business_day);
  EXPECT_TRUE(work.office_hours);
  EXPECT_FALSE(work.holiday_name);
  EXPECT_NE(format_moment(work).find("office hours"), std::string::npos);
  EXPECT_NE(format_moment(work).find("なし / none"), std::string::npos);
}

}  // namespace
}  // namespace koban::calendar
