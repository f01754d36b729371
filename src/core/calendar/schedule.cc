#include "core/calendar/schedule.h"

#include <algorithm>
#include <vector>

#include "core/calendar/names.h"

namespace koban::calendar {
namespace {

constexpr std::size_t kMaxWords = 12;
constexpr const char* kExamples =
    "（例: every day 08:00 / every business day 08:30 / every monday 09:00 / every hour / "
    "every 15 minutes / monthly 1 09:00 / last business day of January 10:00 / "
    "first business day of every month 08:30）";

std::string shown(std::string_view text) {
  // Text from outside: echo a bounded prefix only.
  return std::string(text.substr(0, 60));
}

Error unknown_form(std::string_view text) {
  return Error::invalid(std::string("スケジュールの書式が分かりません: \"") + shown(text) + "\" " +
                        kExamples + " / unknown schedule expression");
}

std::vector<std::string> words(std::string_view text) {
  std::vector<std::string> out;
  std::string cur;
  for (char c : text) {
    if (c == ' ' || c == '\t') {
      if (!cur.empty()) out.push_back(std::move(cur)), cur.clear();
    } else {
      cur += (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
    }
  }
  if (!cur.empty()) out.push_back(std::move(cur));
  return out;
}

bool number(const std::string& w, int max, int& out) {
  if (w.empty() || w.size() > 4) return false;
  out = 0;
  for (char c : w) {
    if (c < '0' || c > '9') return false;
    out = out * 10 + (c - '0');
  }
  return out >= 1 && out <= max;
}

using Words = std::vector<std::string>;
bool is(const Words& w, std::initializer_list<const char*> expect) {
  return w.size() == expect.size() && std::equal(w.begin(), w.end(), expect.begin());
}

Instant at(Date d, TimeOfDay t) { return from_jst(JstDateTime{d, t.hour(), t.minute(), 0}); }

}  // namespace

Result<Schedule> Schedule::parse(std::string_view text) {
  if (text.size() > kMaxLength)
    return Error::invalid("スケジュールが長すぎます（最大" + std::to_string(kMaxLength) +
                          "文字）/ schedule expression too long");
  Words w = words(text);
  if (w.empty() || w.size() > kMaxWords) return unknown_form(text);

  Schedule s;
  bool has_time = false;
  if (w.back().find(':') != std::string::npos) {
    KOBAN_ASSIGN(s.time_, TimeOfDay::parse(w.back()));
    has_time = true;
    w.pop_back();
    if (!w.empty() && w.back() == "at") w.pop_back();
  }

  if (is(w, {"every", "day"})) {
    s.kind_ = Kind::every_day;
  } else if (is(w, {"every", "business", "day"})) {
    s.kind_ = Kind::every_business_day;
  } else if (w.size() == 2 && w[0] == "every" && parse_weekday(w[1])) {
    s.kind_ = Kind::weekly;
    s.weekday_ = *parse_weekday(w[1]);
  } else if (w.size() >= 2 && w.size() <= 3 && w[0] == "every" &&
             (w.back() == "hour" || w.back() == "hours" || w.back() == "minute" ||
              w.back() == "minutes")) {
    const bool hours = w.back().starts_with("hour");
    int n = 1;
    if (w.size() == 3 && !number(w[1], hours ? 24 : 1440, n))
      return Error::invalid("間隔が正しくありません（" + std::string(hours ? "1〜24時間" : "1〜1440分") +
                            "）: \"" + shown(text) + "\" / invalid interval");
    if (has_time)
      return Error::invalid("間隔指定に時刻は付けられません: \"" + shown(text) +
                            "\" / an interval takes no time of day");
    s.kind_ = Kind::interval;
    s.interval_minutes_ = hours ? n * 60 : n;
  } else if (w.size() == 2 && w[0] == "monthly") {
    if (!number(w[1], 31, s.day_))
      return Error::invalid("日付は1〜31で指定してください: \"" + shown(text) +
                            "\" / day of month must be 1-31");
    s.kind_ = Kind::monthly_day;
  } else if (w.size() >= 5 && (w[0] == "first" || w[0] == "last") && w[1] == "business" &&
             w[2] == "day" && w[3] == "of") {
    s.kind_ = w[0] == "first" ? Kind::first_business_day : Kind::last_business_day;
    if (w.size() == 6 && (w[4] == "every" || w[4] == "each") && w[5] == "month") {
      s.month_ = 0;
    } else if (w.size() == 5 && parse_month(w[4])) {
      s.month_ = *parse_month(w[4]);
    } else {
      return Error::invalid("月名が分かりません（January〜December または every month）: \"" +
                            shown(text) + "\" / unknown month");
    }
  } else if (w.size() == 2 && w[0] == "every") {
    return Error::invalid("曜日名が分かりません（monday〜sunday）: \"" + shown(text) +
                          "\" / unknown weekday " + kExamples);
  } else {
    return unknown_form(text);
  }
  return s;
}

std::string Schedule::str() const {
  const std::string t = " " + time_.str();
  const std::string of = month_ == 0 ? "every month" : month_en(month_);
  switch (kind_) {
    case Kind::every_day: return "every day" + t;
    case Kind::every_business_day: return "every business day" + t;
    case Kind::weekly: {
      std::string name = weekday_en(weekday_);
      name[0] = static_cast<char>(name[0] - 'A' + 'a');
      return "every " + name + t;
    }
    case Kind::interval:
      if (interval_minutes_ % 60 == 0)
        return interval_minutes_ == 60 ? "every hour"
                                       : "every " + std::to_string(interval_minutes_ / 60) + " hours";
      return interval_minutes_ == 1 ? "every minute"
                                    : "every " + std::to_string(interval_minutes_) + " minutes";
    case Kind::monthly_day: return "monthly " + std::to_string(day_) + t;
    case Kind::first_business_day: return "first business day of " + of + t;
    case Kind::last_business_day: return "last business day of " + of + t;
  }
  return "";
}

Instant Schedule::next_after(Instant t, const BusinessCalendar& calendar) const {
  // Beyond year 9999 (e.g. t == never() from an earlier call) JST arithmetic would overflow.
  constexpr std::int64_t kLastSupported = 253402300799;  // 9999-12-31T23:59:59Z
  constexpr std::int64_t kFirstSupported = -62135596800;  // 0001-01-01T00:00:00Z
  if (to_unix(t) > kLastSupported || to_unix(t) < kFirstSupported) return never();
  switch (kind_) {
    case Kind::interval: return next_interval(t);
    case Kind::every_day:
    case Kind::every_business_day:
    case Kind::weekly: return next_daily(t, calendar);
    case Kind::monthly_day:
    case Kind::first_business_day:
    case Kind::last_business_day: return next_monthly(t, calendar);
  }
  return never();
}

Instant Schedule::next_interval(Instant t) const {
  const JstDateTime j = to_jst(t);
  const int step = interval_minutes_ * 60;
  const int now = j.hour * 3600 + j.minute * 60 + j.second;
  const int next = (now / step + 1) * step;
  // Alignment restarts at midnight, which is always due.
  if (next >= 86400) return from_jst(JstDateTime{j.date.plus_days(1), 0, 0, 0});
  return from_jst(JstDateTime{j.date, 0, 0, 0}) + std::chrono::seconds(next);
}

Instant Schedule::next_daily(Instant t, const BusinessCalendar& calendar) const {
  Date d = to_jst(t).date;
  for (int i = 0; i <= BusinessCalendar::kMaxSearchDays; ++i, d = d.plus_days(1)) {
    const bool due = kind_ == Kind::every_day ||
                     (kind_ == Kind::weekly && d.weekday() == weekday_) ||
                     (kind_ == Kind::every_business_day && calendar.is_business_day(d));
    if (!due) continue;
    const Instant candidate = at(d, time_);
    if (candidate > t) return candidate;
  }
  return never();
}

Instant Schedule::next_monthly(Instant t, const BusinessCalendar& calendar) const {
  const Date today = to_jst(t).date;
  int year = today.year, month = today.month;
  for (int i = 0; i < 12 * 11; ++i) {  // eleven years: a yearly schedule that skips a few
    if (month_ == 0 || month_ == month) {
      std::optional<Date> due;
      if (kind_ == Kind::monthly_day) {
        due = Date{year, month, std::min(day_, days_in_month(year, month))};
      } else {
        auto r = kind_ == Kind::first_business_day ? calendar.first_business_day_of_month(year, month)
                                                   : calendar.last_business_day_of_month(year, month);
        if (r) due = *r;  // a wholly closed month is skipped
      }
      if (due && at(*due, time_) > t) return at(*due, time_);
    }
    if (++month > 12) month = 1, ++year;
  }
  return never();
}

}  // namespace koban::calendar
