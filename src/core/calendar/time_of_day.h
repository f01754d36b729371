// Wall-clock times of day ("08:30") and daily ranges ("08:30-17:15"), as used in the calendar
// configuration and in schedule expressions. All parsing validates and returns Result:
//
//   KOBAN_ASSIGN(auto t, calendar::TimeOfDay::parse("08:30"));     // t.minutes == 510
//   KOBAN_ASSIGN(auto r, calendar::TimeRange::parse("06:00-22:00"));
//   r.contains(to_jst(now))                                         // is it within?
//
// A range is [start, end): the start minute is inside, the end minute is not. "24:00" is
// accepted as an end only, so "00:00-24:00" is the whole day. Ranges across midnight are
// refused (duty hours, which do cross midnight, are defined as "not office hours").
#pragma once

#include <string>
#include <string_view>

#include "core/result.h"
#include "core/time.h"

namespace koban::calendar {

struct TimeOfDay {
  int minutes = 0;  // since midnight, 0..1440 (1440 = "24:00", only as a range end)

  static constexpr TimeOfDay at(int hour, int minute) { return TimeOfDay{hour * 60 + minute}; }
  // "H:MM" or "HH:MM", 00:00–23:59 (and "24:00" when allow_24 is set).
  static Result<TimeOfDay> parse(std::string_view text, bool allow_24 = false);
  int hour() const { return minutes / 60; }
  int minute() const { return minutes % 60; }
  std::string str() const;  // "08:30"
  auto operator<=>(const TimeOfDay&) const = default;
};

struct TimeRange {
  TimeOfDay start;
  TimeOfDay end;

  // "HH:MM-HH:MM" (also with "–", "〜" or "~" between); start must be before end.
  static Result<TimeRange> parse(std::string_view text);
  Result<void> validate() const;
  // Whether a JST wall-clock moment (second precision) lies in [start, end).
  bool contains(const JstDateTime& t) const;
  std::string str() const;  // "08:30-17:15"
  bool operator==(const TimeRange&) const = default;
};

}  // namespace koban::calendar
