#include "core/calendar/holidays.h"

#include <algorithm>
#include <set>

#include "core/calendar/holiday_rules.h"

namespace koban::calendar {
namespace {

// Applies the rules in the order the law builds on them: Article 2 days and the special
// days first, then the 振替休日 that Sunday 祝日 are owed, then the 国民の休日 left between them.
std::vector<Holiday> compute_year(int year) {
  std::vector<Holiday> out;
  std::set<Date> national;           // 国民の祝日, for Article 3(2)
  std::set<Date> national_or_deemed;  // plus the days deemed 祝日, for Article 3(3)

  for (auto rule : rules::national_holiday_rules()) {
    if (auto h = rule(year)) {
      national.insert(h->date);
      national_or_deemed.insert(h->date);
      out.push_back(std::move(*h));
    }
  }
  for (auto& s : rules::special_days(year)) {
    if (s.deemed_national) national_or_deemed.insert(s.holiday.date);
    out.push_back(std::move(s.holiday));
  }

  std::set<Date> substitutes;
  for (const Date& d : national) {
    if (d.weekday() != 0) continue;
    if (auto sub = rules::substitute_holiday(d, national)) substitutes.insert(*sub);
  }
  for (const Date& d : substitutes) out.push_back(Holiday{d, "振替休日", HolidayKind::substitute});

  // A 国民の休日 is always the day after some 祝日, so only those days need checking.
  for (const Date& d : national_or_deemed) {
    const Date next = d.plus_days(1);
    if (rules::is_citizens_holiday(next, national_or_deemed, substitutes) &&
        std::none_of(out.begin(), out.end(), [&](const Holiday& h) { return h.date == next; }))
      out.push_back(Holiday{next, "国民の休日", HolidayKind::citizens});
  }

  std::sort(out.begin(), out.end(),
            [](const Holiday& a, const Holiday& b) { return a.date < b.date; });
  return out;
}

// Every supported year, computed once on first use (about 2,500 entries; thread-safe
// initialisation of a function-local static). Lookups by date are then a binary search.
const std::vector<std::vector<Holiday>>& all_years() {
  static const std::vector<std::vector<Holiday>> kYears = [] {
    std::vector<std::vector<Holiday>> years;
    for (int y = kFirstHolidayYear; y <= kLastHolidayYear; ++y) years.push_back(compute_year(y));
    return years;
  }();
  return kYears;
}

const Holiday* find(Date date) {
  if (!holidays_known(date.year)) return nullptr;
  const auto& list = all_years()[date.year - kFirstHolidayYear];
  auto it = std::lower_bound(list.begin(), list.end(), date,
                             [](const Holiday& h, const Date& d) { return h.date < d; });
  return it != list.end() && it->date == date ? &*it : nullptr;
}

}  // namespace

bool holidays_known(int year) { return year >= kFirstHolidayYear && year <= kLastHolidayYear; }

std::vector<Holiday> holidays(int year) {
  if (!holidays_known(year)) return {};
  return all_years()[year - kFirstHolidayYear];
}

Result<std::vector<Holiday>> holidays_checked(int year) {
  if (!holidays_known(year))
    return Error::invalid("祝日は" + std::to_string(kFirstHolidayYear) + "年から" +
                          std::to_string(kLastHolidayYear) + "年まで計算できます（指定: " +
                          std::to_string(year) + "年）");
  return holidays(year);
}

std::optional<std::string> holiday_name(Date date) {
  if (const Holiday* h = find(date)) return h->name;
  return std::nullopt;
}

bool is_holiday(Date date) { return find(date) != nullptr; }

}  // namespace koban::calendar
