// Staff pages for the organisation: units and people (issue 3, item 9).
//
//   add_org_routes(router, db, staff);      // in App, right after add_admin_mail_routes(...)
//
// Pages (all under the staff login; permissions are checked on the server for every request):
//   GET  /admin/units                    the unit tree with head and PR lead (anyone logged in)
//   GET  /admin/units/:id                one unit; its people only with administration:view on it
//   GET  /admin/people?unit=&status=&q=&before=   people list, keyset paged (before = person id)
//   GET  /admin/people/:id               details, grants in force and revoked, absences
//   POST /admin/people/:id/suspend | /reinstate | /retire   (first POST shows a confirmation
//                                        page; the change needs confirm=yes)
//   POST /admin/people/:id/grants        purpose, role, unit ("" = whole force)
//   POST /admin/people/:id/grants/:grant/revoke
// State changes need administration:administer for the person's unit (and for the grant's
// unit), are refused for oneself and for retired people, and are audited ("org.person.suspend",
// "org.grant.create" ...) in the same write transaction. Bad GET parameters give 400.
#pragma once

#include "app/staff_auth.h"
#include "http/router.h"
#include "store/database.h"

namespace koban::app {

void add_org_routes(http::Router& router, store::Database& db, StaffAuth& staff);

}  // namespace koban::app
