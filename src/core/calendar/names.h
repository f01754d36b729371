// Weekday and month names in Japanese and English, for display and for parsing schedule
// expressions and configuration. Weekdays are numbered as Date::weekday(): 0 = Sunday.
//
//   calendar::weekday_ja(6)          // "土"
//   calendar::parse_weekday("Mon")   // 1
//   calendar::parse_month("january") // 1
#pragma once

#include <optional>
#include <string_view>

namespace koban::calendar {

const char* weekday_ja(int weekday);  // "日" .. "土"
const char* weekday_en(int weekday);  // "Sunday" .. "Saturday"
const char* month_en(int month);      // "January" .. "December"

// English names, case-insensitive, full ("monday", "mondays") or three letters ("mon").
std::optional<int> parse_weekday(std::string_view name);
std::optional<int> parse_month(std::string_view name);  // 1..12

}  // namespace koban::calendar
