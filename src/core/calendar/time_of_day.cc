#include "core/calendar/time_of_day.h"

#include "core/text.h"

#include <cstdio>

namespace koban::calendar {
namespace {

using text::trim;

bool digits(std::string_view s, int& out) {
  if (s.empty() || s.size() > 2) return false;
  out = 0;
  for (char c : s) {
    if (c < '0' || c > '9') return false;
    out = out * 10 + (c - '0');
  }
  return true;
}

Error bad_time(std::string_view text) {
  // Echo at most a short prefix: the text comes from outside.
  return Error::invalid("時刻の形式が正しくありません（HH:MM、例: 08:30）: \"" +
                        std::string(text.substr(0, 32)) + "\" / invalid time, expected HH:MM");
}

}  // namespace

Result<TimeOfDay> TimeOfDay::parse(std::string_view text, bool allow_24) {
  const std::string_view s = trim(text);
  const auto colon = s.find(':');
  if (colon == std::string_view::npos) return bad_time(text);
  int h = 0, m = 0;
  if (!digits(s.substr(0, colon), h) || s.size() - colon - 1 != 2 || !digits(s.substr(colon + 1), m))
    return bad_time(text);
  if (allow_24 && h == 24 && m == 0) return TimeOfDay{1440};
  if (h > 23 || m > 59) return bad_time(text);
  return TimeOfDay::at(h, m);
}

std::string TimeOfDay::str() const {
  char buf[8];
  std::snprintf(buf, sizeof buf, "%02d:%02d", hour() % 100, minute());
  return buf;
}

Result<TimeRange> TimeRange::parse(std::string_view text) {
  const std::string_view s = trim(text);
  // Separators people type: ASCII hyphen or tilde, en dash, wave dash and full-width tilde.
  for (std::string_view sep : {"-", "~", "\u2013", "\u301c", "\uff5e"}) {
    const auto at = s.find(sep);
    if (at == std::string_view::npos) continue;
    KOBAN_ASSIGN(auto start, TimeOfDay::parse(s.substr(0, at)));
    KOBAN_ASSIGN(auto end, TimeOfDay::parse(s.substr(at + sep.size()), /*allow_24=*/true));
    TimeRange r{start, end};
    KOBAN_TRY(r.validate());
    return r;
  }
  return Error::invalid("時間帯の形式が正しくありません（HH:MM-HH:MM、例: 08:30-17:15）: \"" +
                        std::string(text.substr(0, 32)) + "\" / invalid time range");
}

Result<void> TimeRange::validate() const {
  if (start.minutes < 0 || start.minutes > 1439 || end.minutes < 1 || end.minutes > 1440)
    return Error::invalid("時刻が範囲外です / time out of range");
  if (start >= end)
    return Error::invalid("時間帯の開始は終了より前にしてください（日をまたぐ指定はできません）: " +
                          str() + " / range start must be before its end");
  return ok();
}

bool TimeRange::contains(const JstDateTime& t) const {
  const int s = t.hour * 3600 + t.minute * 60 + t.second;
  return s >= start.minutes * 60 && s < end.minutes * 60;
}

std::string TimeRange::str() const { return start.str() + "-" + end.str(); }

}  // namespace koban::calendar
