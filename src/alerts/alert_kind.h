// The approval kind of safety alerts (ALERT-4): one step, the unit head, or the PR lead when
// the head is away, or the duty officer in duty hours (both with a post-hoc report to the
// head). The engine never lets the writer approve.
//
//   KOBAN_TRY(alerts::register_alert_kind(kinds, calendar));   // kind "alerts.send"
#pragma once

#include "core/calendar/business_calendar.h"
#include "core/result.h"
#include "workflow/kinds.h"

namespace koban::alerts {

Result<void> register_alert_kind(workflow::KindRegistry& kinds, const calendar::BusinessCalendar& calendar);

}  // namespace koban::alerts
