#include "core/time.h"

#include <cstdio>

namespace koban {
namespace {

constexpr std::int64_t kJstOffset = 9 * 3600;

// Howard Hinnant's civil-date algorithms (public domain), the standard way to do this.
std::int64_t days_from_civil(std::int64_t y, unsigned m, unsigned d) {
  y -= m <= 2;
  const std::int64_t era = (y >= 0 ? y : y - 399) / 400;
  const unsigned yoe = static_cast<unsigned>(y - era * 400);
  const unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + static_cast<std::int64_t>(doe) - 719468;
}

std::int64_t floor_div(std::int64_t a, std::int64_t b) {
  std::int64_t q = a / b;
  if ((a % b != 0) && ((a < 0) != (b < 0))) --q;
  return q;
}

bool parse_int(std::string_view s, int& out) {
  if (s.empty()) return false;
  int v = 0;
  for (char c : s) {
    if (c < '0' || c > '9') return false;
    v = v * 10 + (c - '0');
  }
  out = v;
  return true;
}

}  // namespace

bool is_leap_year(int y) { return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0; }

int days_in_month(int y, int m) {
  static constexpr int kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  if (m == 2 && is_leap_year(y)) return 29;
  return kDays[(m - 1) % 12];
}

Date Date::from_days(std::int64_t z) {
  z += 719468;
  const std::int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  const unsigned doe = static_cast<unsigned>(z - era * 146097);
  const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const std::int64_t y = static_cast<std::int64_t>(yoe) + era * 400;
  const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const unsigned mp = (5 * doy + 2) / 153;
  const unsigned d = doy - (153 * mp + 2) / 5 + 1;
  const unsigned m = mp < 10 ? mp + 3 : mp - 9;
  return Date{static_cast<int>(y + (m <= 2)), static_cast<int>(m), static_cast<int>(d)};
}

std::int64_t Date::days() const { return days_from_civil(year, month, day); }

int Date::weekday() const {
  const std::int64_t z = days();
  return static_cast<int>(z >= -4 ? (z + 4) % 7 : (z + 5) % 7 + 6);
}

std::string Date::iso() const {
  char buf[16];
  std::snprintf(buf, sizeof buf, "%04d-%02d-%02d", year, month, day);
  return buf;
}

std::optional<Date> Date::parse(std::string_view s) {
  if (s.size() != 10 || s[4] != '-' || s[7] != '-') return std::nullopt;
  Date d;
  if (!parse_int(s.substr(0, 4), d.year) || !parse_int(s.substr(5, 2), d.month) ||
      !parse_int(s.substr(8, 2), d.day))
    return std::nullopt;
  if (d.month < 1 || d.month > 12 || d.day < 1 || d.day > days_in_month(d.year, d.month))
    return std::nullopt;
  return d;
}

std::string JstDateTime::iso() const {
  char buf[40];
  std::snprintf(buf, sizeof buf, "%sT%02d:%02d:%02d+09:00", date.iso().c_str(), hour, minute,
                second);
  return buf;
}

std::optional<JstDateTime> JstDateTime::parse(std::string_view s) {
  if (s.size() != 16 && s.size() != 19) return std::nullopt;
  auto d = Date::parse(s.substr(0, 10));
  if (!d || (s[10] != 'T' && s[10] != ' ') || s[13] != ':') return std::nullopt;
  JstDateTime t{*d};
  if (!parse_int(s.substr(11, 2), t.hour) || !parse_int(s.substr(14, 2), t.minute)) return std::nullopt;
  if (s.size() == 19) {
    if (s[16] != ':' || !parse_int(s.substr(17, 2), t.second)) return std::nullopt;
  }
  if (t.hour > 23 || t.minute > 59 || t.second > 59) return std::nullopt;
  return t;
}

JstDateTime to_jst(Instant t) {
  const std::int64_t s = to_unix(t) + kJstOffset;
  const std::int64_t days = floor_div(s, 86400);
  const std::int64_t rem = s - days * 86400;
  return JstDateTime{Date::from_days(days), static_cast<int>(rem / 3600),
                     static_cast<int>(rem / 60 % 60), static_cast<int>(rem % 60)};
}

Instant from_jst(const JstDateTime& t) {
  return from_unix(t.date.days() * 86400 + t.hour * 3600 + t.minute * 60 + t.second - kJstOffset);
}

std::string format_rfc3339_utc(Instant t) {
  const std::int64_t s = to_unix(t);
  const std::int64_t days = floor_div(s, 86400);
  const std::int64_t rem = s - days * 86400;
  char buf[32];
  std::snprintf(buf, sizeof buf, "%sT%02d:%02d:%02dZ", Date::from_days(days).iso().c_str(),
                static_cast<int>(rem / 3600), static_cast<int>(rem / 60 % 60),
                static_cast<int>(rem % 60));
  return buf;
}

namespace {
constexpr const char* kWeekdays[] = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
constexpr const char* kMonths[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                   "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
std::string format_with_offset(Instant t, std::int64_t offset, const char* zone) {
  const std::int64_t s = to_unix(t) + offset;
  const std::int64_t days = floor_div(s, 86400);
  const std::int64_t rem = s - days * 86400;
  const Date d = Date::from_days(days);
  char buf[48];
  std::snprintf(buf, sizeof buf, "%s, %02d %s %04d %02d:%02d:%02d %s", kWeekdays[d.weekday()], d.day,
                kMonths[d.month - 1], d.year, static_cast<int>(rem / 3600),
                static_cast<int>(rem / 60 % 60), static_cast<int>(rem % 60), zone);
  return buf;
}
}  // namespace

std::string format_http_date(Instant t) { return format_with_offset(t, 0, "GMT"); }
std::string format_rfc5322_date(Instant t) { return format_with_offset(t, kJstOffset, "+0900"); }

Instant SystemClock::now() const {
  return std::chrono::time_point_cast<std::chrono::seconds>(std::chrono::system_clock::now());
}

}  // namespace koban
