#include "core/calendar/equinox.h"

namespace koban::calendar {
namespace {

// day = floor(base + 0.242194 × (Y − 1980) − floor((Y − 1980) / 4)).
// Computed in millionths with integers so that no floating-point rounding can move a date
// (0.242194 is exact at this scale). The mean tropical year is 365.242194 days, hence the
// drift of 0.242194 days per year, pulled back by one day in every leap year.
int equinox_day(int year, long base_millionths) {
  if (year < 1980 || year > 2099) return 0;
  const long n = year - 1980;
  const long v = base_millionths + 242194L * n - 1000000L * (n / 4);
  return static_cast<int>(v / 1000000L);  // v is always positive here
}

}  // namespace

int vernal_equinox_day(int year) { return equinox_day(year, 20843100L); }
int autumnal_equinox_day(int year) { return equinox_day(year, 23248800L); }

}  // namespace koban::calendar
