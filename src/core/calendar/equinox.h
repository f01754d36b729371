// The vernal and autumnal equinox days (春分の日, 秋分の日) by the standard approximation.
//
// The law (国民の祝日に関する法律 第2条) names these days only as 春分日 / 秋分日; the actual
// dates are announced each February in the official gazette from the National Astronomical
// Observatory's ephemeris. The widely used approximation below reproduces every announced
// date and is valid for 1980–2099:
//
//   int d = vernal_equinox_day(2026);    // 20 → 2026-03-20
//   int e = autumnal_equinox_day(2026);  // 23 → 2026-09-23
//
// Outside 1980–2099 both return 0 (the formula's constants differ there).
#pragma once

namespace koban::calendar {

int vernal_equinox_day(int year);    // day of March, or 0 outside 1980–2099
int autumnal_equinox_day(int year);  // day of September, or 0 outside 1980–2099

}  // namespace koban::calendar
