// National holidays checked against the Cabinet Office's published lists (内閣府「国民の祝日
// について」 and its 昭和30年〜 CSV) for normal years and for every year in which a rule changed
// or a special day was declared, plus invariants over the whole 1980–2099 range.
#include "core/calendar/holidays.h"

#include <gtest/gtest.h>

#include <map>
#include <set>
#include <string>
#include <utility>
#include <vector>

namespace koban::calendar {
namespace {

using Expected = std::vector<std::pair<std::string, std::string>>;  // {"MM-DD", name}

// Compares the whole year, so that a missing or an extra day both fail with a readable diff.
void expect_year(int year, const Expected& expected) {
  std::vector<std::string> got, want;
  for (const auto& h : holidays(year)) got.push_back(h.date.iso() + " " + h.name);
  for (const auto& [md, name] : expected) want.push_back(std::to_string(year) + "-" + md + " " + name);
  EXPECT_EQ(got, want) << "year " << year;
}

TEST(Holidays, Year2024) {
  expect_year(2024, {{"01-01", "元日"},         {"01-08", "成人の日"},   {"02-11", "建国記念の日"},
                     {"02-12", "振替休日"},     {"02-23", "天皇誕生日"}, {"03-20", "春分の日"},
                     {"04-29", "昭和の日"},     {"05-03", "憲法記念日"}, {"05-04", "みどりの日"},
                     {"05-05", "こどもの日"},   {"05-06", "振替休日"},   {"07-15", "海の日"},
                     {"08-11", "山の日"},       {"08-12", "振替休日"},   {"09-16", "敬老の日"},
                     {"09-22", "秋分の日"},     {"09-23", "振替休日"},   {"10-14", "スポーツの日"},
                     {"11-03", "文化の日"},     {"11-04", "振替休日"},   {"11-23", "勤労感謝の日"}});
}

TEST(Holidays, Year2025) {
  // 5/4 (Sunday) is itself a 祝日, so its 振替休日 passes 5/5 and lands on 5/6.
  expect_year(2025, {{"01-01", "元日"},       {"01-13", "成人の日"},     {"02-11", "建国記念の日"},
                     {"02-23", "天皇誕生日"}, {"02-24", "振替休日"},     {"03-20", "春分の日"},
                     {"04-29", "昭和の日"},   {"05-03", "憲法記念日"},   {"05-04", "みどりの日"},
                     {"05-05", "こどもの日"}, {"05-06", "振替休日"},     {"07-21", "海の日"},
                     {"08-11", "山の日"},     {"09-15", "敬老の日"},     {"09-23", "秋分の日"},
                     {"10-13", "スポーツの日"}, {"11-03", "文化の日"},   {"11-23", "勤労感謝の日"},
                     {"11-24", "振替休日"}});
}

TEST(Holidays, Year2026WithSilverWeek) {
  expect_year(2026, {{"01-01", "元日"},       {"01-12", "成人の日"},   {"02-11", "建国記念の日"},
                     {"02-23", "天皇誕生日"}, {"03-20", "春分の日"},   {"04-29", "昭和の日"},
                     {"05-03", "憲法記念日"}, {"05-04", "みどりの日"}, {"05-05", "こどもの日"},
                     {"05-06", "振替休日"},   {"07-20", "海の日"},     {"08-11", "山の日"},
                     {"09-21", "敬老の日"},   {"09-22", "国民の休日"}, {"09-23", "秋分の日"},
                     {"10-12", "スポーツの日"}, {"11-03", "文化の日"}, {"11-23", "勤労感謝の日"}});
}

TEST(Holidays, Year1988LastShowaYear) {
  // 天皇誕生日 still 4/29; 5/4 is the first 国民の休日 (1986's 5/4 was a Sunday, 1987's a 振替休日).
  expect_year(1988, {{"01-01", "元日"},       {"01-15", "成人の日"},   {"02-11", "建国記念の日"},
                     {"03-20", "春分の日"},   {"03-21", "振替休日"},   {"04-29", "天皇誕生日"},
                     {"05-03", "憲法記念日"}, {"05-04", "国民の休日"}, {"05-05", "こどもの日"},
                     {"09-15", "敬老の日"},   {"09-23", "秋分の日"},   {"10-10", "体育の日"},
                     {"11-03", "文化の日"},   {"11-23", "勤労感謝の日"}});
}

TEST(Holidays, Year1989Heisei) {
  expect_year(1989, {{"01-01", "元日"},       {"01-02", "振替休日"},   {"01-15", "成人の日"},
                     {"01-16", "振替休日"},   {"02-11", "建国記念の日"}, {"02-24", "昭和天皇の大喪の礼"},
                     {"03-21", "春分の日"},   {"04-29", "みどりの日"}, {"05-03", "憲法記念日"},
                     {"05-04", "国民の休日"}, {"05-05", "こどもの日"}, {"09-15", "敬老の日"},
                     {"09-23", "秋分の日"},   {"10-10", "体育の日"},   {"11-03", "文化の日"},
                     {"11-23", "勤労感謝の日"}, {"12-23", "天皇誕生日"}});
}

TEST(Holidays, Year1990Enthronement) {
  expect_year(1990, {{"01-01", "元日"},       {"01-15", "成人の日"},   {"02-11", "建国記念の日"},
                     {"02-12", "振替休日"},   {"03-21", "春分の日"},   {"04-29", "みどりの日"},
                     {"04-30", "振替休日"},   {"05-03", "憲法記念日"}, {"05-04", "国民の休日"},
                     {"05-05", "こどもの日"}, {"09-15", "敬老の日"},   {"09-23", "秋分の日"},
                     {"09-24", "振替休日"},   {"10-10", "体育の日"},   {"11-03", "文化の日"},
                     {"11-12", "即位礼正殿の儀"}, {"11-23", "勤労感謝の日"}, {"12-23", "天皇誕生日"},
                     {"12-24", "振替休日"}});
}

TEST(Holidays, Year1993RoyalWedding) {
  expect_year(1993, {{"01-01", "元日"},       {"01-15", "成人の日"},   {"02-11", "建国記念の日"},
                     {"03-20", "春分の日"},   {"04-29", "みどりの日"}, {"05-03", "憲法記念日"},
                     {"05-04", "国民の休日"}, {"05-05", "こどもの日"}, {"06-09", "皇太子徳仁親王の結婚の儀"},
                     {"09-15", "敬老の日"},   {"09-23", "秋分の日"},   {"10-10", "体育の日"},
                     {"10-11", "振替休日"},   {"11-03", "文化の日"},   {"11-23", "勤労感謝の日"},
                     {"12-23", "天皇誕生日"}});
}

TEST(Holidays, Year1996FirstMarineDay) {
  // 5/4 is a Saturday and still a 国民の休日: only Sundays are excluded by Article 3(3).
  expect_year(1996, {{"01-01", "元日"},       {"01-15", "成人の日"},   {"02-11", "建国記念の日"},
                     {"02-12", "振替休日"},   {"03-20", "春分の日"},   {"04-29", "みどりの日"},
                     {"05-03", "憲法記念日"}, {"05-04", "国民の休日"}, {"05-05", "こどもの日"},
                     {"05-06", "振替休日"},   {"07-20", "海の日"},     {"09-15", "敬老の日"},
                     {"09-16", "振替休日"},   {"09-23", "秋分の日"},   {"10-10", "体育の日"},
                     {"11-03", "文化の日"},   {"11-04", "振替休日"},   {"11-23", "勤労感謝の日"},
                     {"12-23", "天皇誕生日"}});
}

TEST(Holidays, Year2000FirstHappyMondays) {
  expect_year(2000, {{"01-01", "元日"},       {"01-10", "成人の日"},   {"02-11", "建国記念の日"},
                     {"03-20", "春分の日"},   {"04-29", "みどりの日"}, {"05-03", "憲法記念日"},
                     {"05-04", "国民の休日"}, {"05-05", "こどもの日"}, {"07-20", "海の日"},
                     {"09-15", "敬老の日"},   {"09-23", "秋分の日"},   {"10-09", "体育の日"},
                     {"11-03", "文化の日"},   {"11-23", "勤労感謝の日"}, {"12-23", "天皇誕生日"}});
}

TEST(Holidays, Year2003SecondHappyMondays) {
  // 5/4 is a Sunday: not a 国民の休日.
  expect_year(2003, {{"01-01", "元日"},       {"01-13", "成人の日"},   {"02-11", "建国記念の日"},
                     {"03-21", "春分の日"},   {"04-29", "みどりの日"}, {"05-03", "憲法記念日"},
                     {"05-05", "こどもの日"}, {"07-21", "海の日"},     {"09-15", "敬老の日"},
                     {"09-23", "秋分の日"},   {"10-13", "体育の日"},   {"11-03", "文化の日"},
                     {"11-23", "勤労感謝の日"}, {"11-24", "振替休日"}, {"12-23", "天皇誕生日"}});
}

TEST(Holidays, Year2007ShowaDay) {
  expect_year(2007, {{"01-01", "元日"},       {"01-08", "成人の日"},   {"02-11", "建国記念の日"},
                     {"02-12", "振替休日"},   {"03-21", "春分の日"},   {"04-29", "昭和の日"},
                     {"04-30", "振替休日"},   {"05-03", "憲法記念日"}, {"05-04", "みどりの日"},
                     {"05-05", "こどもの日"}, {"07-16", "海の日"},     {"09-17", "敬老の日"},
                     {"09-23", "秋分の日"},   {"09-24", "振替休日"},   {"10-08", "体育の日"},
                     {"11-03", "文化の日"},   {"11-23", "勤労感謝の日"}, {"12-23", "天皇誕生日"},
                     {"12-24", "振替休日"}});
}

TEST(Holidays, Year2009FirstSilverWeek) {
  expect_year(2009, {{"01-01", "元日"},       {"01-12", "成人の日"},   {"02-11", "建国記念の日"},
                     {"03-20", "春分の日"},   {"04-29", "昭和の日"},   {"05-03", "憲法記念日"},
                     {"05-04", "みどりの日"}, {"05-05", "こどもの日"}, {"05-06", "振替休日"},
                     {"07-20", "海の日"},     {"09-21", "敬老の日"},   {"09-22", "国民の休日"},
                     {"09-23", "秋分の日"},   {"10-12", "体育の日"},   {"11-03", "文化の日"},
                     {"11-23", "勤労感謝の日"}, {"12-23", "天皇誕生日"}});
}

TEST(Holidays, Year2015SilverWeek) {
  expect_year(2015, {{"01-01", "元日"},       {"01-12", "成人の日"},   {"02-11", "建国記念の日"},
                     {"03-21", "春分の日"},   {"04-29", "昭和の日"},   {"05-03", "憲法記念日"},
                     {"05-04", "みどりの日"}, {"05-05", "こどもの日"}, {"05-06", "振替休日"},
                     {"07-20", "海の日"},     {"09-21", "敬老の日"},   {"09-22", "国民の休日"},
                     {"09-23", "秋分の日"},   {"10-12", "体育の日"},   {"11-03", "文化の日"},
                     {"11-23", "勤労感謝の日"}, {"12-23", "天皇誕生日"}});
}

TEST(Holidays, Year2016FirstMountainDay) {
  expect_year(2016, {{"01-01", "元日"},       {"01-11", "成人の日"},   {"02-11", "建国記念の日"},
                     {"03-20", "春分の日"},   {"03-21", "振替休日"},   {"04-29", "昭和の日"},
                     {"05-03", "憲法記念日"}, {"05-04", "みどりの日"}, {"05-05", "こどもの日"},
                     {"07-18", "海の日"},     {"08-11", "山の日"},     {"09-19", "敬老の日"},
                     {"09-22", "秋分の日"},   {"10-10", "体育の日"},   {"11-03", "文化の日"},
                     {"11-23", "勤労感謝の日"}, {"12-23", "天皇誕生日"}});
}

TEST(Holidays, Year2019Enthronement) {
  // No 天皇誕生日; the ten-day Golden Week: 4/30 and 5/2 are 国民の休日 because the law deems
  // 5/1 a 祝日 for Article 3(3).
  expect_year(2019, {{"01-01", "元日"},       {"01-14", "成人の日"},   {"02-11", "建国記念の日"},
                     {"03-21", "春分の日"},   {"04-29", "昭和の日"},   {"04-30", "国民の休日"},
                     {"05-01", "即位の日"},   {"05-02", "国民の休日"}, {"05-03", "憲法記念日"},
                     {"05-04", "みどりの日"}, {"05-05", "こどもの日"}, {"05-06", "振替休日"},
                     {"07-15", "海の日"},     {"08-11", "山の日"},     {"08-12", "振替休日"},
                     {"09-16", "敬老の日"},   {"09-23", "秋分の日"},   {"10-14", "体育の日"},
                     {"10-22", "即位礼正殿の儀"}, {"11-03", "文化の日"}, {"11-04", "振替休日"},
                     {"11-23", "勤労感謝の日"}});
}

TEST(Holidays, Year2020OlympicMoves) {
  expect_year(2020, {{"01-01", "元日"},       {"01-13", "成人の日"},   {"02-11", "建国記念の日"},
                     {"02-23", "天皇誕生日"}, {"02-24", "振替休日"},   {"03-20", "春分の日"},
                     {"04-29", "昭和の日"},   {"05-03", "憲法記念日"}, {"05-04", "みどりの日"},
                     {"05-05", "こどもの日"}, {"05-06", "振替休日"},   {"07-23", "海の日"},
                     {"07-24", "スポーツの日"}, {"08-10", "山の日"},   {"09-21", "敬老の日"},
                     {"09-22", "秋分の日"},   {"11-03", "文化の日"},   {"11-23", "勤労感謝の日"}});
}

TEST(Holidays, Year2021OlympicMoves) {
  expect_year(2021, {{"01-01", "元日"},       {"01-11", "成人の日"},   {"02-11", "建国記念の日"},
                     {"02-23", "天皇誕生日"}, {"03-20", "春分の日"},   {"04-29", "昭和の日"},
                     {"05-03", "憲法記念日"}, {"05-04", "みどりの日"}, {"05-05", "こどもの日"},
                     {"07-22", "海の日"},     {"07-23", "スポーツの日"}, {"08-08", "山の日"},
                     {"08-09", "振替休日"},   {"09-20", "敬老の日"},   {"09-23", "秋分の日"},
                     {"11-03", "文化の日"},   {"11-23", "勤労感謝の日"}});
}

TEST(Holidays, Year2032SilverWeek) {
  expect_year(2032, {{"01-01", "元日"},       {"01-12", "成人の日"},   {"02-11", "建国記念の日"},
                     {"02-23", "天皇誕生日"}, {"03-20", "春分の日"},   {"04-29", "昭和の日"},
                     {"05-03", "憲法記念日"}, {"05-04", "みどりの日"}, {"05-05", "こどもの日"},
                     {"07-19", "海の日"},     {"08-11", "山の日"},     {"09-20", "敬老の日"},
                     {"09-21", "国民の休日"}, {"09-22", "秋分の日"},   {"10-11", "スポーツの日"},
                     {"11-03", "文化の日"},   {"11-23", "勤労感謝の日"}});
}

TEST(Holidays, Year1980FirstSupportedYear) {
  expect_year(1980, {{"01-01", "元日"},       {"01-15", "成人の日"},   {"02-11", "建国記念の日"},
                     {"03-20", "春分の日"},   {"04-29", "天皇誕生日"}, {"05-03", "憲法記念日"},
                     {"05-05", "こどもの日"}, {"09-15", "敬老の日"},   {"09-23", "秋分の日"},
                     {"10-10", "体育の日"},   {"11-03", "文化の日"},   {"11-23", "勤労感謝の日"},
                     {"11-24", "振替休日"}});
}

TEST(Holidays, LookupsByDate) {
  EXPECT_EQ(holiday_name(Date{2026, 9, 22}), "国民の休日");
  EXPECT_EQ(holiday_name(Date{2019, 5, 1}), "即位の日");
  EXPECT_EQ(holiday_name(Date{2018, 12, 23}), "天皇誕生日");
  EXPECT_EQ(holiday_name(Date{2019, 12, 23}), std::nullopt);
  EXPECT_EQ(holiday_name(Date{2006, 4, 29}), "みどりの日");
  EXPECT_EQ(holiday_name(Date{2007, 4, 29}), "昭和の日");
  EXPECT_EQ(holiday_name(Date{1999, 10, 10}), "体育の日");
  EXPECT_EQ(holiday_name(Date{2000, 10, 10}), std::nullopt);  // Happy Monday: 10/9 that year
  EXPECT_EQ(holiday_name(Date{2002, 7, 20}), "海の日");
  EXPECT_EQ(holiday_name(Date{2002, 9, 15}), "敬老の日");
  EXPECT_TRUE(is_holiday(Date{2021, 8, 9}));
  EXPECT_FALSE(is_holiday(Date{2021, 8, 11}));  // 山の日 moved to 8/8 that year
  EXPECT_FALSE(is_holiday(Date{2020, 10, 12}));  // no October sports day in 2020
  EXPECT_FALSE(is_holiday(Date{2026, 12, 29}));  // an office closure, not a national holiday
  // 5/3 on Sunday before 2007: the 振替休日 is the Monday 5/4 (not a 国民の休日).
  EXPECT_EQ(holiday_name(Date{1998, 5, 4}), "振替休日");
  // From 2007 the same case pushes the 振替休日 to 5/6.
  EXPECT_EQ(holiday_name(Date{2015, 5, 6}), "振替休日");
}

TEST(Holidays, OutsideTheSupportedRange) {
  EXPECT_TRUE(holidays(1979).empty());
  EXPECT_TRUE(holidays(2100).empty());
  EXPECT_FALSE(is_holiday(Date{1979, 1, 1}));
  EXPECT_FALSE(is_holiday(Date{2100, 1, 1}));
  EXPECT_EQ(holiday_name(Date{2100, 1, 1}), std::nullopt);
  auto r = holidays_checked(2100);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, ErrorCode::invalid_argument);
  EXPECT_NE(r.error().message.find("2099"), std::string::npos);
  auto ok = holidays_checked(2099);
  ASSERT_TRUE(ok);
  EXPECT_EQ(*ok, holidays(2099));
  EXPECT_TRUE(is_holiday(Date{2099, 1, 1}));
  EXPECT_TRUE(is_holiday(Date{1980, 1, 1}));
}

// holidays(y) and is_holiday / holiday_name agree on every day of the range, and the
// Article 3 days obey the law's own definitions.
TEST(Holidays, ListAndLookupAgreeOverTheWholeRange) {
  for (int y = kFirstHolidayYear; y <= kLastHolidayYear; ++y) {
    const auto list = holidays(y);
    std::map<Date, const Holiday*> by_date;
    for (const auto& h : list) {
      ASSERT_EQ(h.date.year, y);
      ASSERT_TRUE(by_date.emplace(h.date, &h).second) << "duplicate " << h.date.iso();
    }
    ASSERT_TRUE(std::is_sorted(list.begin(), list.end(),
                               [](const Holiday& a, const Holiday& b) { return a.date < b.date; }));
    ASSERT_GE(list.size(), 12u) << y;  // the twelve Article 2 days of the early 1980s
    ASSERT_LE(list.size(), 24u) << y;

    std::set<std::string> national_names;
    for (const auto& h : list) {
      if (h.kind == HolidayKind::national) {
        ASSERT_TRUE(national_names.insert(h.name).second) << y << " " << h.name;
      }
    }

    for (Date d{y, 1, 1}; d.year == y; d = d.plus_days(1)) {
      auto it = by_date.find(d);
      ASSERT_EQ(is_holiday(d), it != by_date.end()) << d.iso();
      ASSERT_EQ(holiday_name(d), it == by_date.end() ? std::nullopt
                                                     : std::optional<std::string>(it->second->name))
          << d.iso();
    }

    auto kind_at = [&](Date d) -> std::optional<HolidayKind> {
      auto it = by_date.find(d);
      if (it == by_date.end()) return std::nullopt;
      return it->second->kind;
    };
    for (const auto& h : list) {
      if (h.kind == HolidayKind::substitute) {
        // Walking back over 祝日 reaches a Sunday 祝日.
        Date back = h.date.plus_days(-1);
        while (kind_at(back) == HolidayKind::national && back.weekday() != 0) back = back.plus_days(-1);
        EXPECT_EQ(back.weekday(), 0) << h.date.iso();
        EXPECT_EQ(kind_at(back), HolidayKind::national) << h.date.iso();
        EXPECT_EQ(h.name, "振替休日");
      }
      if (h.kind == HolidayKind::citizens) {
        EXPECT_NE(h.date.weekday(), 0) << h.date.iso();
        EXPECT_TRUE(kind_at(h.date.plus_days(-1)).has_value()) << h.date.iso();
        EXPECT_TRUE(kind_at(h.date.plus_days(1)).has_value()) << h.date.iso();
        EXPECT_EQ(h.name, "国民の休日");
      }
      // A Sunday 祝日 always gets its 振替休日 somewhere in the next few days.
      if (h.kind == HolidayKind::national && h.date.weekday() == 0) {
        bool found = false;
        for (int i = 1; i <= 4; ++i) found |= kind_at(h.date.plus_days(i)) == HolidayKind::substitute;
        EXPECT_TRUE(found) << "no 振替休日 after " << h.date.iso();
      }
    }
  }
}

}  // namespace
}  // namespace koban::calendar
