// Equinox days against dates published by the National Astronomical Observatory of Japan
// (暦要項) and, for later years, its widely cited predictions (e.g. 3/19 in 2092 and 2096,
// the first 9/22 autumnal equinox since 1896 in 2012).
#include "core/calendar/equinox.h"

#include <gtest/gtest.h>

namespace koban::calendar {
namespace {

TEST(Equinox, VernalDays) {
  struct Case { int year, day; };
  for (const Case c : {Case{1980, 20}, {1984, 20}, {1988, 20}, {1989, 21}, {1990, 21}, {1995, 21},
                       {1999, 21}, {2000, 20}, {2011, 21}, {2012, 20}, {2019, 21}, {2023, 21},
                       {2024, 20}, {2025, 20}, {2026, 20}, {2027, 21}, {2092, 19}, {2096, 19},
                       {2099, 20}})
    EXPECT_EQ(vernal_equinox_day(c.year), c.day) << c.year;
}

TEST(Equinox, AutumnalDays) {
  struct Case { int year, day; };
  for (const Case c : {Case{1980, 23}, {1995, 23}, {2011, 23}, {2012, 22}, {2016, 22}, {2019, 23},
                       {2020, 22}, {2023, 23}, {2024, 22}, {2025, 23}, {2026, 23}, {2044, 22},
                       {2048, 22}, {2099, 23}})
    EXPECT_EQ(autumnal_equinox_day(c.year), c.day) << c.year;
}

TEST(Equinox, StaysWithinItsKnownDaysAndRange) {
  for (int y = 1980; y <= 2099; ++y) {
    EXPECT_GE(vernal_equinox_day(y), 19) << y;
    EXPECT_LE(vernal_equinox_day(y), 21) << y;
    EXPECT_GE(autumnal_equinox_day(y), 22) << y;
    EXPECT_LE(autumnal_equinox_day(y), 23) << y;
  }
  EXPECT_EQ(vernal_equinox_day(1979), 0);
  EXPECT_EQ(autumnal_equinox_day(2100), 0);
}

}  // namespace
}  // namespace koban::calendar
