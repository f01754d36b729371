#include "core/calendar/business_calendar.h"

#include "core/text.h"

#include <algorithm>
#include <cstdio>

#include "core/calendar/holidays.h"

namespace koban::calendar {
namespace {

using text::trim;

bool small_int(std::string_view s, int& out) {
  if (s.empty() || s.size() > 2) return false;
  out = 0;
  for (char c : s) {
    if (c < '0' || c > '9') return false;
    out = out * 10 + (c - '0');
  }
  return true;
}

Error bad_closure(std::string_view text) {
  return Error::invalid("休庁期間の形式が正しくありません（例: 12/29-1/3）: \"" +
                        std::string(text.substr(0, 32)) + "\" / invalid closure range");
}

Instant at(Date d, TimeOfDay t) { return from_jst(JstDateTime{d, t.hour(), t.minute(), 0}); }

}  // namespace

Result<MonthDay> MonthDay::parse(std::string_view text) {
  const std::string_view s = trim(text);
  const auto sep = s.find_first_of("/-");
  MonthDay md;
  if (sep == std::string_view::npos || !small_int(s.substr(0, sep), md.month) ||
      !small_int(s.substr(sep + 1), md.day) || md.month < 1 || md.month > 12 || md.day < 1 ||
      md.day > days_in_month(2000, md.month))  // 2000 is a leap year: 2/29 allowed
    return Error::invalid("月日の形式が正しくありません（例: 12/29）: \"" +
                          std::string(text.substr(0, 32)) + "\" / invalid month/day");
  return md;
}

bool ClosureRange::contains(Date d) const {
  const MonthDay md{d.month, d.day};
  if (first <= last) return first <= md && md <= last;
  return md >= first || md <= last;  // wraps the year end
}

Result<ClosureRange> ClosureRange::parse(std::string_view text) {
  const std::string_view s = trim(text);
  if (s.size() > 40) return bad_closure(text);
  std::size_t at = std::string_view::npos, len = 0;
  for (std::string_view sep : {"..", "\u301c", "\uff5e", "~"}) {
    if ((at = s.find(sep)) != std::string_view::npos) {
      len = sep.size();
      break;
    }
  }
  // "12/29-1/3": with slashes inside the dates, a hyphen separates the two ends.
  if (at == std::string_view::npos && s.find('/') != std::string_view::npos) {
    at = s.find('-');
    len = 1;
  }
  if (at == std::string_view::npos) return bad_closure(text);
  auto first = MonthDay::parse(s.substr(0, at));
  auto last = MonthDay::parse(s.substr(at + len));
  if (!first || !last) return bad_closure(text);
  return ClosureRange{*first, *last};
}

std::string ClosureRange::str() const {
  char buf[24];
  std::snprintf(buf, sizeof buf, "%d/%d-%d/%d", first.month % 100, first.day % 100,
                last.month % 100, last.day % 100);
  return buf;
}

namespace {

// Splits a comma-separated list, refusing more than `max` items; empty items are skipped.
Result<std::vector<std::string_view>> split_list(std::string_view text, std::size_t max) {
  std::vector<std::string_view> items;
  while (!text.empty()) {
    const auto comma = text.find(',');
    const std::string_view item = trim(text.substr(0, comma));
    if (!item.empty()) {
      if (items.size() == max)
        return Error::invalid("指定が多すぎます（最大" + std::to_string(max) + "件）/ too many items");
      items.push_back(item);
    }
    if (comma == std::string_view::npos) break;
    text.remove_prefix(comma + 1);
  }
  return items;
}

}  // namespace

Result<std::vector<ClosureRange>> parse_closures(std::string_view text) {
  KOBAN_ASSIGN(auto items, split_list(text, CalendarConfig::kMaxClosures));
  std::vector<ClosureRange> out;
  for (auto item : items) {
    KOBAN_ASSIGN(auto range, ClosureRange::parse(item));
    out.push_back(range);
  }
  return out;
}

Result<std::vector<Date>> parse_closed_dates(std::string_view text) {
  KOBAN_ASSIGN(auto items, split_list(text, CalendarConfig::kMaxClosedDates));
  std::vector<Date> out;
  for (auto item : items) {
    auto d = Date::parse(item);
    if (!d)
      return Error::invalid("休庁日の日付が正しくありません（YYYY-MM-DD）: \"" +
                            std::string(item.substr(0, 32)) + "\" / invalid closed date");
    out.push_back(*d);
  }
  return out;
}

Result<void> CalendarConfig::validate() const {
  if (closures.size() > kMaxClosures)
    return Error::invalid("休庁期間が多すぎます（最大" + std::to_string(kMaxClosures) +
                          "件）/ too many closure ranges");
  if (closed_dates.size() > kMaxClosedDates)
    return Error::invalid("休庁日が多すぎます（最大" + std::to_string(kMaxClosedDates) +
                          "件）/ too many closed dates");
  for (const auto& c : closures) {
    for (const MonthDay& md : {c.first, c.last})
      if (md.month < 1 || md.month > 12 || md.day < 1 || md.day > days_in_month(2000, md.month))
        return Error::invalid("休庁期間の月日が正しくありません / invalid closure date");
  }
  for (const Date& d : closed_dates)
    if (d.month < 1 || d.month > 12 || d.day < 1 || d.day > days_in_month(d.year, d.month))
      return Error::invalid("休庁日の日付が正しくありません: " + d.iso() + " / invalid closed date");
  if (auto r = office_hours.validate(); !r)
    return Error::invalid("開庁時間: " + r.error().message);
  if (auto r = alert_sending_hours.validate(); !r)
    return Error::invalid("警報メール配信時間: " + r.error().message);
  return ok();
}

Result<BusinessCalendar> BusinessCalendar::create(CalendarConfig config) {
  KOBAN_TRY(config.validate());
  std::sort(config.closed_dates.begin(), config.closed_dates.end());
  BusinessCalendar cal;
  cal.config_ = std::move(config);
  return cal;
}

bool BusinessCalendar::is_closure_day(Date d) const {
  for (const auto& c : config_.closures)
    if (c.contains(d)) return true;
  return std::binary_search(config_.closed_dates.begin(), config_.closed_dates.end(), d);
}

bool BusinessCalendar::is_business_day(Date d) const {
  const int w = d.weekday();
  return w != 0 && w != 6 && !is_holiday(d) && !is_closure_day(d);
}

bool BusinessCalendar::is_office_hours(Instant t) const {
  const JstDateTime j = to_jst(t);
  return config_.office_hours.contains(j) && is_business_day(j.date);
}

bool BusinessCalendar::is_alert_sending_hours(Instant t) const {
  return config_.alert_sending_hours.contains(to_jst(t));
}

Instant BusinessCalendar::next_alert_sending_start(Instant t) const {
  if (is_alert_sending_hours(t)) return t;
  const JstDateTime j = to_jst(t);
  const TimeOfDay start = config_.alert_sending_hours.start;
  // Before today's window: it opens later today; after it: tomorrow.
  if (j.hour * 60 + j.minute < start.minutes) return at(j.date, start);
  return at(j.date.plus_days(1), start);
}

Result<Instant> BusinessCalendar::next_office_open(Instant t) const {
  if (is_office_hours(t)) return t;
  const JstDateTime j = to_jst(t);
  const TimeOfDay start = config_.office_hours.start;
  Date d = j.date;
  if (!is_business_day(d) || j.hour * 60 + j.minute >= start.minutes) d = d.plus_days(1);
  for (int i = 0; i < kMaxSearchDays; ++i, d = d.plus_days(1))
    if (is_business_day(d)) return at(d, start);
  return Error::not_found("開庁日が見つかりません（設定で全日休庁になっていませんか）/ no business day ahead");
}

Result<Date> BusinessCalendar::add_business_days(Date d, int n) const {
  if (n > kMaxBusinessDayOffset || n < -kMaxBusinessDayOffset)
    return Error::invalid("営業日数が大きすぎます（最大" + std::to_string(kMaxBusinessDayOffset) +
                          "）/ business-day offset too large");
  const int step = n >= 0 ? 1 : -1;
  int left = n >= 0 ? n : -n;
  // kMaxBusinessDayOffset business days fit in well under ten years of a sane calendar; the
  // cap only stops a configuration that closes (nearly) every day.
  for (int walked = 0; left > 0; ++walked) {
    if (walked > kMaxSearchDays * 4)
      return Error::not_found("営業日が見つかりません / no business day in range");
    d = d.plus_days(step);
    if (is_business_day(d)) --left;
  }
  return d;
}

Result<Date> BusinessCalendar::first_business_day_of_month(int year, int month) const {
  if (month < 1 || month > 12) return Error::invalid("月が正しくありません / invalid month");
  for (int day = 1; day <= days_in_month(year, month); ++day)
    if (is_business_day(Date{year, month, day})) return Date{year, month, day};
  return Error::not_found("この月に営業日がありません / no business day in this month");
}

Result<Date> BusinessCalendar::last_business_day_of_month(int year, int month) const {
  if (month < 1 || month > 12) return Error::invalid("月が正しくありません / invalid month");
  for (int day = days_in_month(year, month); day >= 1; --day)
    if (is_business_day(Date{year, month, day})) return Date{year, month, day};
  return Error::not_found("この月に営業日がありません / no business day in this month");
}

MomentInfo BusinessCalendar::describe(Instant t) const {
  MomentInfo m;
  m.instant = t;
  m.jst = to_jst(t);
  m.weekday = m.jst.date.weekday();
  m.holiday_name = holiday_name(m.jst.date);
  m.closure_day = is_closure_day(m.jst.date);
  m.business_day = is_business_day(m.jst.date);
  m.office_hours = is_office_hours(t);
  m.duty_hours = !m.office_hours;
  m.alert_sending_allowed = is_alert_sending_hours(t);
  m.next_alert_sending_start = next_alert_sending_start(t);
  if (auto open = next_office_open(t)) m.next_office_open = *open;
  return m;
}

}  // namespace koban::calendar
