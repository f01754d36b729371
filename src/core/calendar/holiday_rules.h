// Internal to the holiday calculation: one function per rule of 国民の祝日に関する法律.
// Each answers "which day does this rule give in this year?" and returns nothing when the
// rule is not in force that year. Use calendar/holidays.h instead of calling these directly.
#pragma once

#include <optional>
#include <set>
#include <vector>

#include "core/calendar/holidays.h"

namespace koban::calendar::rules {

using Rule = std::optional<Holiday> (*)(int year);

// Article 2: the 国民の祝日, in calendar order.
std::optional<Holiday> new_years_day(int year);             // 元日
std::optional<Holiday> coming_of_age_day(int year);         // 成人の日
std::optional<Holiday> national_foundation_day(int year);   // 建国記念の日
std::optional<Holiday> emperors_birthday(int year);         // 天皇誕生日
std::optional<Holiday> vernal_equinox_day(int year);        // 春分の日
std::optional<Holiday> april_29(int year);                  // みどりの日 / 昭和の日
std::optional<Holiday> constitution_day(int year);          // 憲法記念日
std::optional<Holiday> greenery_day(int year);              // みどりの日 on 5/4 (2007–)
std::optional<Holiday> childrens_day(int year);             // こどもの日
std::optional<Holiday> marine_day(int year);                // 海の日
std::optional<Holiday> mountain_day(int year);              // 山の日
std::optional<Holiday> respect_for_the_aged_day(int year);  // 敬老の日
std::optional<Holiday> autumnal_equinox_day(int year);      // 秋分の日
std::optional<Holiday> sports_day(int year);                // 体育の日 / スポーツの日
std::optional<Holiday> culture_day(int year);               // 文化の日
std::optional<Holiday> labour_thanksgiving_day(int year);   // 勤労感謝の日

// Every Article 2 rule above, in calendar order.
const std::vector<Rule>& national_holiday_rules();

// Days made 休日 by their own laws. `deemed_national` is set for the 2019 days, which that
// law counts as 国民の祝日 for Article 3(3) (so that 4/30 and 5/2 became 国民の休日).
struct SpecialDay {
  Holiday holiday;
  bool deemed_national = false;
};
std::vector<SpecialDay> special_days(int year);

// Article 3(2): the 振替休日 owed for a 国民の祝日 that falls on a Sunday, given the set of
// the year's 国民の祝日; nothing when no extra day is owed.
std::optional<Date> substitute_holiday(Date sunday_holiday, const std::set<Date>& national);

// Article 3(3): whether `d` is a 国民の休日, given the 国民の祝日 (including the days deemed
// to be) and the 振替休日 already found.
bool is_citizens_holiday(Date d, const std::set<Date>& national, const std::set<Date>& substitutes);

// The n-th Monday (n >= 1) of a month: the Happy Monday system.
Date nth_monday(int year, int month, int n);

}  // namespace koban::calendar::rules
