// Schedule expressions for recurring jobs, evaluated in JST against the business calendar.
//
//   KOBAN_ASSIGN(auto s, calendar::Schedule::parse("last business day of every month 17:00"));
//   Instant due = s.next_after(clock.now(), business_calendar);   // strictly after now
//   store s.str() in the database; Schedule::parse(s.str()) gives the same schedule back.
//
// Accepted forms (English, case-insensitive, words separated by spaces; "at" before the time
// is optional; where a time is optional it defaults to 09:00):
//   every day [HH:MM]                       every business day [HH:MM]
//   every monday [HH:MM]   (any weekday: "monday", "mondays", "mon")
//   every hour | every N hours (1–24)       every minute | every N minutes (1–1440)
//       intervals are aligned to JST midnight: "every 15 minutes" is due at :00 :15 :30 :45,
//       "every 7 hours" at 00:00 07:00 14:00 21:00 and again 00:00.
//   monthly D [HH:MM]      (day 1–31; in shorter months the last day of the month)
//   first business day of every month [HH:MM]   last business day of every month [HH:MM]
//   first business day of January [HH:MM]       last business day of January [HH:MM]
//       ("every month" may also be written "each month"; any English month name)
// Unknown forms give an invalid_argument error with a Japanese and English message.
#pragma once

#include <string>
#include <string_view>

#include "core/calendar/business_calendar.h"
#include "core/calendar/time_of_day.h"
#include "core/result.h"
#include "core/time.h"

namespace koban::calendar {

class Schedule {
 public:
  enum class Kind {
    every_day,
    every_business_day,
    weekly,              // weekday()
    interval,            // interval_minutes()
    monthly_day,         // day_of_month()
    first_business_day,  // month() or every month
    last_business_day,   // month() or every month
  };
  static constexpr std::size_t kMaxLength = 200;

  static Result<Schedule> parse(std::string_view text);

  // The first due moment strictly after t, or never() when none exists within about ten
  // years (only possible with a calendar configured to close every day).
  Instant next_after(Instant t, const BusinessCalendar& calendar) const;
  static constexpr Instant never() { return Instant::max(); }

  std::string str() const;  // canonical text, accepted by parse()

  Kind kind() const { return kind_; }
  TimeOfDay time() const { return time_; }
  int weekday() const { return weekday_; }                  // 0 = Sunday
  int interval_minutes() const { return interval_minutes_; }
  int day_of_month() const { return day_; }
  int month() const { return month_; }                      // 1..12, 0 = every month
  bool operator==(const Schedule&) const = default;

 private:
  Kind kind_ = Kind::every_day;
  TimeOfDay time_ = TimeOfDay::at(9, 0);
  int weekday_ = 0;
  int interval_minutes_ = 0;
  int day_ = 0;
  int month_ = 0;

  Instant next_daily(Instant t, const BusinessCalendar& calendar) const;
  Instant next_monthly(Instant t, const BusinessCalendar& calendar) const;
  Instant next_interval(Instant t) const;
};

}  // namespace koban::calendar
