// Staff pages for absences, the duty desks and roles (issue 3, items 1, 2, 9).
//
//   add_roster_routes(router, db, staff, calendar, clock);   // calendar: the platform's
//
// Pages:
//   GET  /admin/absences            absences the viewer may see (unit, when, login filters;
//                                   newest entry first, keyset paging with before=id), who
//                                   entered each one, and who approves now for every unit whose
//                                   head is away
//   GET  /admin/absences/new        the form (職員ID, from, to in JST, reason) and the heads and
//                                   PR leads the viewer may mark away
//   POST /admin/absences            enter an absence
//   POST /admin/absences/:id/cancel cancel one that has not ended
//   GET  /admin/duty                office hours or duty hours now (platform calendar) and the
//                                   next change, every duty desk with its duty officers (paged,
//                                   after=id), and for ?unit=<id> who would approve an item of
//                                   each purpose right now (workflow::unit_head_or_stand_in, the
//                                   rule the approval engine runs)
//   GET  /admin/roles               what each role may do (org::role_allows) and who holds which
//                                   role (purpose, role, unit filters; paged, before=grant id)
//
// Who may do what (checked on the server, refusals audited with outcome refused):
// - absences: anyone logged in sees their own absences; people with administration/view over
//   a unit also see the absences of its people. An absence may be entered or cancelled by the
//   person themselves or by someone with administration/administer over the person's unit
//   (org::can). Only active people; the period must end after it starts and after now, be at
//   most 366 days, and not overlap another absence of the same person. Ended or cancelled
//   absences cannot be cancelled (history stays as it was).
// - duty: anyone who holds a role somewhere (view for any purpose); others get 403.
// - roles: administration/view; holders are listed only for people in units the viewer may view.
// Bad GET parameters give 400; every state change is audited in its own transaction.
#pragma once

#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "app/staff_auth.h"
#include "core/calendar/business_calendar.h"
#include "core/time.h"
#include "http/router.h"
#include "store/database.h"
#include "workflow/kinds.h"

namespace koban::app {

void add_roster_routes(http::Router& router, store::Database& db, StaffAuth& staff,
                       const calendar::BusinessCalendar& calendar, const Clock& clock);

// Internal to admin_{roster,absences,duty,roles}_routes.cc: what the three pages share.
namespace roster {

struct Deps {
  store::Database& db;
  StaffAuth& staff;
  const Clock& clock;
  calendar::BusinessCalendar calendar;
  // The approval engine's rule for the unit step, one per purpose (kAllPurposes order).
  std::vector<std::pair<org::Purpose, workflow::ApproverRule>> rules;
};

// The people who would approve an item of each purpose for `unit` at `now`, by running the
// engine's rule; purposes with the same answer are grouped. A JSON list of
// {purposes, people, acting, post_hoc, error} for the templates.
Result<nlohmann::json> approvers_now(store::Session& s, const Deps& deps, org::UnitId unit, Instant now);

// "所属長", "広報活動責任者（所属長の代理）", "当直責任者" for an ApproverChoice::acting_as.
std::string acting_label(const std::string& acting_as);

// The refusal page (Japanese message, "変更は行われていません") with http::status_for(e).
http::Response error_page(const Deps& deps, const StaffContext& who, const Error& e, const std::string& back);
// Records a refused attempt in its own write (the refused change wrote nothing).
void audit_refused(const Deps& deps, const StaffContext& who, const http::Request& req, const std::string& action,
                   const std::string& object_type, const std::string& object_id, const std::string& why);
std::string actor_name(const org::Actor& a);

void add_absences_routes(http::Router& router, std::shared_ptr<const Deps> deps);
void add_duty_routes(http::Router& router, std::shared_ptr<const Deps> deps);
void add_roles_routes(http::Router& router, std::shared_ptr<const Deps> deps);

}  // namespace roster
}  // namespace koban::app
