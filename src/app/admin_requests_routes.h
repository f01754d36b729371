// Staff pages for administrative requests and their approvals (ORG-12; issue 3). The forms are
// the requests module's (requests/forms.h), the decisions the approval engine's (workflow/).
//
//   auto kinds = std::make_shared<workflow::KindRegistry>();
//   KOBAN_TRY(requests::register_request_kinds(*kinds, calendar));
//   add_requests_routes(router, db, staff, kinds, clock);
//
// Pages (staff login; the engine decides who may do what, on the server):
//   GET  /admin/requests                      my requests, waiting for me, post-hoc reports
//   GET  /admin/requests/new[?kind=...]       the kinds, or the form of one kind
//   POST /admin/requests                      file and submit (kind, title, the form's fields)
//   GET  /admin/requests/:id                  fields, every step, the buttons this viewer may use
//   POST /admin/requests/:id/{approve,remand,withdraw,carry-out,resubmit}
//                                             (remand needs "comment"; resubmit the fields again)
//   POST /admin/requests/steps/:step/acknowledge   a stand-in's approval read by the absent head
//   GET  /admin/requests/:id/print            the 別記様式 title, fields and approvals
// Every refusal is audited (outcome refused, its own write) and answered with a Japanese
// message, http::status_for(error) and no change.
#pragma once

#include <memory>

#include "app/staff_auth.h"
#include "core/time.h"
#include "http/router.h"
#include "store/database.h"
#include "workflow/kinds.h"

namespace koban::app {

void add_requests_routes(http::Router& router, store::Database& db, StaffAuth& staff,
                         std::shared_ptr<const workflow::KindRegistry> kinds, const Clock& clock);

}  // namespace koban::app
