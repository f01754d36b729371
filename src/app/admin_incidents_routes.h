// Staff pages for incident reports and subsystem suspension (ORG-9, ORG-10; issue 3).
//
//   add_incidents_routes(router, db, staff);
//
// Pages (any logged-in person; the incidents service decides who may see and do what):
//   GET  /admin/incidents                      what the viewer may see (state, subsystem filters;
//                                              newest first, keyset paging with before=id)
//   GET  /admin/incidents/new, POST /admin/incidents/new    report an incident
//   GET  /admin/incidents/:id                  details, timeline, recipients, allowed transitions
//   POST /admin/incidents/:id/transition       to=<state>, note (required)
//   GET  /admin/subsystems                     status of each subsystem and its history
//   POST /admin/subsystems/:name/suspend       notice; without confirm=yes a confirmation page
//   POST /admin/subsystems/:name/resume        without confirm=yes a confirmation page
// Changes are audited by the service in the same transaction; every refusal is audited
// (outcome refused) in its own write and answered with a Japanese message page carrying
// http::status_for(error), with nothing changed.
#pragma once

#include "app/staff_auth.h"
#include "http/router.h"
#include "store/database.h"

namespace koban::app {

void add_incidents_routes(http::Router& router, store::Database& db, StaffAuth& staff);

}  // namespace koban::app
