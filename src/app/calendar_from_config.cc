#include "app/calendar_from_config.h"

namespace koban::app {

Result<calendar::BusinessCalendar> calendar_from_config(const Config& config) {
  calendar::CalendarConfig c;
  KOBAN_ASSIGN(c.office_hours, calendar::TimeRange::parse(config.text("calendar.office_hours")));
  KOBAN_ASSIGN(c.alert_sending_hours, calendar::TimeRange::parse(config.text("calendar.alert_hours")));
  KOBAN_ASSIGN(c.closures, calendar::parse_closures(config.text("calendar.closures")));
  KOBAN_ASSIGN(c.closed_dates, calendar::parse_closed_dates(config.text("calendar.extra_closed_dates")));
  return calendar::BusinessCalendar::create(std::move(c));
}

}  // namespace koban::app
