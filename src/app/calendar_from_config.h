// The business calendar as the configuration sets it (calendar.* settings).
#pragma once

#include "core/calendar/business_calendar.h"
#include "core/config.h"

namespace koban::app {

Result<calendar::BusinessCalendar> calendar_from_config(const Config& config);

}  // namespace koban::app
