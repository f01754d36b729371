#include "core/calendar/names.h"

#include "core/text.h"

#include <string>

namespace koban::calendar {
namespace {

constexpr const char* kWeekdaysJa[] = {"日", "月", "火", "水", "木", "金", "土"};
constexpr const char* kWeekdaysEn[] = {"Sunday",   "Monday", "Tuesday", "Wednesday",
                                       "Thursday", "Friday", "Saturday"};
constexpr const char* kMonthsEn[] = {"January", "February", "March",     "April",
                                     "May",     "June",     "July",      "August",
                                     "September", "October", "November", "December"};

std::string lower(std::string_view s) { return text::to_lower(s); }

// Full name, full name + "s", or the first three letters.
bool matches(std::string_view full, const std::string& word) {
  const std::string f = lower(full);
  return word == f || word == f + "s" || (word.size() == 3 && f.compare(0, 3, word) == 0);
}

template <std::size_t N>
std::optional<int> find(const char* const (&names)[N], std::string_view name, int first) {
  if (name.size() > 16) return std::nullopt;
  const std::string word = lower(name);
  for (std::size_t i = 0; i < N; ++i)
    if (matches(names[i], word)) return static_cast<int>(i) + first;
  return std::nullopt;
}

}  // namespace

const char* weekday_ja(int w) { return w >= 0 && w < 7 ? kWeekdaysJa[w] : "?"; }
const char* weekday_en(int w) { return w >= 0 && w < 7 ? kWeekdaysEn[w] : "?"; }
const char* month_en(int m) { return m >= 1 && m <= 12 ? kMonthsEn[m - 1] : "?"; }

std::optional<int> parse_weekday(std::string_view name) { return find(kWeekdaysEn, name, 0); }
std::optional<int> parse_month(std::string_view name) { return find(kMonthsEn, name, 1); }

}  // namespace koban::calendar
