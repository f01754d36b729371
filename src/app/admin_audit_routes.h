// /admin/audit: the audit trail for staff — search (newest first, 50 a page, keyset paging by
// seq) and CSV export of the same filter.
//
//   add_audit_routes(router, db, staff);   // in App::add_routes, after add_admin_mail_routes
//
// GET /admin/audit?from=2026-04-01&to=2026-04-30&actor=koho.kacho&unit=12&action=auth.
//                 &object_type=session&object_id=7&q=ログイン&outcome=refused&before=1234
// GET /admin/audit.csv?<the same filter>   (text/csv, attachment; the export is itself audited
//                                           as "audit.export")
// Dates are JST calendar days, both ends included. Every parameter is validated: a bad value
// answers 400, never a partial search.
//
// Who sees what, checked here on the server for every request:
// - administration:view for the whole force → every row, any unit filter;
// - administration:view on some units only (unit managers) → one of those units at a time
//   (audit::search filters by a single unit): no unit parameter means the person's own unit
//   (or the first allowed one); a unit outside the scope is refused with 403 and audited.
#pragma once

#include "app/staff_auth.h"
#include "http/router.h"
#include "store/database.h"

namespace koban::app {

void add_audit_routes(http::Router& router, store::Database& db, StaffAuth& staff);

}  // namespace koban::app
