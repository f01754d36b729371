// The office's business calendar: which days the prefectural offices are open, office hours
// (開庁時間) versus duty hours (当直: everything outside office hours), and the hours in which
// safety-alert mail may be sent. All rules are in JST (see core/time.h).
//
//   calendar::BusinessCalendar cal;                       // defaults, see CalendarConfig
//   KOBAN_ASSIGN(config.closures, calendar::parse_closures("12/29-1/3, 8/13-8/15"));
//   KOBAN_ASSIGN(auto cal, calendar::BusinessCalendar::create(config));  // validated config
//   cal.is_business_day(Date{2026, 12, 28})               // true; 12/29–1/3 are closed
//   if (!cal.is_alert_sending_hours(now)) run_at = cal.next_alert_sending_start(now);
//   KOBAN_ASSIGN(Date due, cal.add_business_days(today, 14));   // a 14-business-day deadline
//   std::cout << calendar::format_moment(cal.describe(now));     // `koban calendar check`
//
// Holidays come from calendar/holidays.h and are known for 1980–2099; outside that range only
// weekends and closures count as non-business days. Searches that could run forever with a
// configuration that closes every day are bounded and return an error instead.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/calendar/time_of_day.h"
#include "core/result.h"
#include "core/time.h"

namespace koban::calendar {

struct MonthDay {
  int month = 1;
  int day = 1;
  auto operator<=>(const MonthDay&) const = default;
  // "12/29" or "12-29"; 2/29 is accepted (it only matches in leap years).
  static Result<MonthDay> parse(std::string_view text);
};

// A closure every year from `first` to `last`, inclusive; it may wrap the year end
// (the default 年末年始 closure is 12/29–1/3).
struct ClosureRange {
  MonthDay first;
  MonthDay last;
  bool contains(Date d) const;
  // "12/29-1/3", "12-29..01-03", "12/29〜1/3"
  static Result<ClosureRange> parse(std::string_view text);
  std::string str() const;  // "12/29-1/3"
  bool operator==(const ClosureRange&) const = default;
};

struct CalendarConfig {
  static constexpr std::size_t kMaxClosures = 32;
  static constexpr std::size_t kMaxClosedDates = 2000;

  // Yearly office closures (年末年始 by default).
  std::vector<ClosureRange> closures{ClosureRange{{12, 29}, {1, 3}}};
  // Extra single closed days (e.g. a building inspection).
  std::vector<Date> closed_dates;
  // Office hours on business days (開庁時間).
  TimeRange office_hours{TimeOfDay::at(8, 30), TimeOfDay::at(17, 15)};
  // Hours in which safety-alert mail may be sent, every day including holidays.
  TimeRange alert_sending_hours{TimeOfDay::at(6, 0), TimeOfDay::at(22, 0)};

  Result<void> validate() const;
};

// Settings-file helpers: comma-separated lists, empty text = empty list, at most the limits
// above. "12/29-1/3, 8/13-8/15" and "2026-11-20, 2027-03-01".
Result<std::vector<ClosureRange>> parse_closures(std::string_view text);
Result<std::vector<Date>> parse_closed_dates(std::string_view text);

// Everything `koban calendar check` prints about one moment.
struct MomentInfo {
  Instant instant;
  JstDateTime jst;
  int weekday = 0;                          // 0 = Sunday
  std::optional<std::string> holiday_name;  // 祝日名, 振替休日, 国民の休日 ...
  bool closure_day = false;                 // closed by the configuration (年末年始 etc.)
  bool business_day = false;
  bool office_hours = false;
  bool duty_hours = false;                  // == !office_hours
  bool alert_sending_allowed = false;
  Instant next_alert_sending_start;         // == instant when sending is allowed now
  std::optional<Instant> next_office_open;  // == instant when the office is open now
};

// Multi-line text with Japanese and English labels, one fact per line.
std::string format_moment(const MomentInfo& info);

class BusinessCalendar {
 public:
  static constexpr int kMaxSearchDays = 3700;  // about ten years
  static constexpr int kMaxBusinessDayOffset = 2000;

  BusinessCalendar() = default;  // the default CalendarConfig
  static Result<BusinessCalendar> create(CalendarConfig config);
  const CalendarConfig& config() const { return config_; }

  bool is_closure_day(Date d) const;   // a configured closure or closed date
  bool is_business_day(Date d) const;  // not Saturday/Sunday, not a holiday, not closed
  bool is_office_hours(Instant t) const;
  bool is_duty_hours(Instant t) const { return !is_office_hours(t); }
  bool is_alert_sending_hours(Instant t) const;

  // The earliest moment >= t at which alerts may be sent (t itself when allowed now).
  Instant next_alert_sending_start(Instant t) const;
  // The earliest moment >= t within office hours (t itself when open now).
  Result<Instant> next_office_open(Instant t) const;

  // The n-th business day after d (n > 0) or before d (n < 0), not counting d itself;
  // n == 0 returns d. |n| <= kMaxBusinessDayOffset.
  Result<Date> add_business_days(Date d, int n) const;
  // not_found when the configuration closes the whole month.
  Result<Date> first_business_day_of_month(int year, int month) const;
  Result<Date> last_business_day_of_month(int year, int month) const;

  MomentInfo describe(Instant t) const;

 private:
  CalendarConfig config_;  // closed_dates kept sorted, for binary search
};

}  // namespace koban::calendar
