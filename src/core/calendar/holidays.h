// Japanese national holidays (国民の祝日 and the other 休日 set by law), 1980–2099.
//
// Computed from the rules of 国民の祝日に関する法律 (the Act on National Holidays) and the
// special laws for single days, not from a table of dates, so every year in range is covered:
//
//   for (const auto& h : calendar::holidays(2026)) std::cout << h.date.iso() << '\t' << h.name;
//   if (auto name = calendar::holiday_name(Date{2026, 9, 22})) ...   // "国民の休日"
//   calendar::is_holiday(Date{2026, 5, 6})                            // true (振替休日)
//
// Contract outside 1980–2099: holidays() returns an empty list, holiday_name() nullopt and
// is_holiday() false; holidays_checked() returns an invalid_argument error that can be shown
// to people. The range is where the equinox formula is valid and the rules are known.
// Names are the Cabinet Office's (内閣府「国民の祝日について」); days that are holidays only by
// Article 3 are named 振替休日 and 国民の休日.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "core/result.h"
#include "core/time.h"

namespace koban::calendar {

inline constexpr int kFirstHolidayYear = 1980;
inline constexpr int kLastHolidayYear = 2099;

enum class HolidayKind {
  national,    // 国民の祝日 (Article 2, including the 2020/2021 Olympic moves)
  substitute,  // 振替休日 (Article 3(2))
  citizens,    // 国民の休日 (Article 3(3))
  special,     // a single day made a 休日 by its own law (1989, 1990, 1993, 2019)
};

struct Holiday {
  Date date;
  std::string name;  // Japanese, e.g. "元日", "振替休日"
  HolidayKind kind = HolidayKind::national;
  bool operator==(const Holiday&) const = default;
};

bool holidays_known(int year);  // 1980 <= year <= 2099

// The year's holidays sorted by date; empty outside 1980–2099.
std::vector<Holiday> holidays(int year);
// The same, or an error (Japanese message) for a year outside 1980–2099.
Result<std::vector<Holiday>> holidays_checked(int year);

std::optional<std::string> holiday_name(Date date);  // nullopt: not a holiday (or out of range)
bool is_holiday(Date date);

}  // namespace koban::calendar
