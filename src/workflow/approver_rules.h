// The standard approver rules (kinds.h). Both return only people who can act now (active
// status); the engine then drops the request's creator, since nobody approves their own
// submission.
//
//   unit_head_or_stand_in(Purpose::alerts, cal)   // ALERT-4, see below
//   hq_reviewer(Purpose::website, "koho")         // 広報課 reviews website requests (SITE-3, SITE-4)
#pragma once

#include <string>

#include "core/calendar/business_calendar.h"
#include "org/roles.h"
#include "workflow/kinds.h"

namespace koban::workflow {

// ALERT-4 (別添 第9-2), decided for the request's unit at the moment the step starts:
// - in duty hours (nights, weekends, holidays: calendar.is_duty_hours) the duty officers of the
//   unit's duty desk (holding a duty_officer grant for `purpose`), acting_as "duty_officer",
//   with a post-hoc report to the head;
// - otherwise the unit head, acting_as "unit_head";
// - when the head is away (org::is_away) or the post is vacant or held by someone who cannot
//   act, the PR lead, acting_as "pr_lead_for_absent_head", with a post-hoc report to the head
//   (none when there is no head to tell);
// - in duty hours without a duty officer the office-hours rule applies.
// not_found (Japanese) when nobody is left.
ApproverRule unit_head_or_stand_in(org::Purpose purpose, calendar::BusinessCalendar calendar);

// The reviewing HQ division (by unit code): its head and the holders of a business_owner grant
// for `purpose` on that unit or force-wide, acting_as "hq_reviewer".
ApproverRule hq_reviewer(org::Purpose purpose, std::string unit_code);

}  // namespace koban::workflow
