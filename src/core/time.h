// Time in koban: instants are stored as UTC (unix seconds); rules and display use
// Japan Standard Time (Asia/Tokyo), which is a fixed UTC+9 since 1951 (no DST), so the
// conversion is arithmetic and needs no tz database.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace koban {

using Instant = std::chrono::sys_seconds;  // a moment, UTC, second precision

// A calendar date (proleptic Gregorian).
struct Date {
  int year = 1970;
  int month = 1;  // 1..12
  int day = 1;    // 1..31
  auto operator<=>(const Date&) const = default;

  static Date from_days(std::int64_t days_since_epoch);
  std::int64_t days() const;   // days since 1970-01-01
  int weekday() const;         // 0 = Sunday .. 6 = Saturday
  Date plus_days(std::int64_t n) const { return from_days(days() + n); }
  std::string iso() const;     // "YYYY-MM-DD"
  static std::optional<Date> parse(std::string_view iso);  // "YYYY-MM-DD", validated
};

bool is_leap_year(int year);
int days_in_month(int year, int month);

// A wall-clock moment in JST.
struct JstDateTime {
  Date date;
  int hour = 0, minute = 0, second = 0;
  int minute_of_day() const { return hour * 60 + minute; }
  std::string iso() const;  // "YYYY-MM-DDTHH:MM:SS+09:00"
  // "YYYY-MM-DDTHH:MM" or "YYYY-MM-DDTHH:MM:SS" (taken as JST)
  static std::optional<JstDateTime> parse(std::string_view text);
};

JstDateTime to_jst(Instant t);
Instant from_jst(const JstDateTime& t);
inline Instant from_unix(std::int64_t s) { return Instant{std::chrono::seconds{s}}; }
inline std::int64_t to_unix(Instant t) { return t.time_since_epoch().count(); }
std::string format_rfc3339_utc(Instant t);   // "2026-11-21T13:00:00Z"
std::string format_http_date(Instant t);     // IMF-fixdate for HTTP headers
std::string format_rfc5322_date(Instant t);  // for mail Date: headers, in +0900

// The clock is injected everywhere so that tests can say "at 21:59 JST on a holiday".
class Clock {
 public:
  virtual ~Clock() = default;
  virtual Instant now() const = 0;
};

class SystemClock final : public Clock {
 public:
  Instant now() const override;
};

// A clock for tests: stays where it is set.
class FixedClock final : public Clock {
 public:
  explicit FixedClock(Instant t) : t_(t) {}
  Instant now() const override { return t_; }
  void set(Instant t) { t_ = t; }
  void advance(std::chrono::seconds d) { t_ += d; }

 private:
  Instant t_;
};

}  // namespace koban
