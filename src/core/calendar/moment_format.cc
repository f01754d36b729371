// format_moment(): the text `koban calendar check` prints, Japanese label / English label.
#include <string>

#include "core/calendar/business_calendar.h"
#include "core/calendar/names.h"

namespace koban::calendar {
namespace {

std::string yes_no(bool v, const char* yes_ja, const char* no_ja) {
  return v ? std::string(yes_ja) + " / yes" : std::string(no_ja) + " / no";
}

std::string jst_text(Instant t) { return to_jst(t).iso(); }

}  // namespace

std::string format_moment(const MomentInfo& m) {
  std::string out;
  auto line = [&](const char* label, const std::string& value) {
    out += label;
    out += value;
    out += '\n';
  };
  line("日時 / date:                 ", m.jst.iso());
  line("曜日 / weekday:              ",
       std::string(weekday_ja(m.weekday)) + " / " + weekday_en(m.weekday));
  line("祝日 / holiday:              ", m.holiday_name ? *m.holiday_name : "なし / none");
  line("休庁日 / office closure:     ", yes_no(m.closure_day, "休庁", "なし"));
  line("開庁日 / business day:       ", yes_no(m.business_day, "開庁日", "閉庁日"));
  line("時間帯 / hours:              ",
       m.office_hours ? "開庁時間 / office hours" : "時間外（当直）/ duty hours");
  if (!m.office_hours)
    line("次の開庁 / next office open: ",
         m.next_office_open ? jst_text(*m.next_office_open) : "なし / none");
  line("警報メール配信 / alert mail: ",
       m.alert_sending_allowed ? "配信可 / sending allowed" : "配信停止時間 / sending not allowed");
  if (!m.alert_sending_allowed)
    line("配信再開 / sending resumes:  ", jst_text(m.next_alert_sending_start));
  return out;
}

}  // namespace koban::calendar
