// Staff pages for safety-alert mail (issue 4 items 3–7): compose with an example text, preview
// as subscribers will see it (UTF-8 and ISO-2022-JP, character count), approve with the ALERT-8
// checklist and the urgent choice, follow-ups, 送信依頼 to HQ, the register (配信簿).
//
//   auto kinds = std::make_shared<workflow::KindRegistry>();        // the app's one registry
//   KOBAN_TRY(alerts::register_alert_kind(*kinds, calendar));
//   add_alerts_routes(router, db, staff, kinds, {.calendar = calendar}, {"県警察", from}, clock);
//
// Pages (staff login; permissions checked on the server for every action):
//   GET  /admin/alerts[?state=&category=&unit=&before=]   list (keyset paging), requests to me,
//                                                         syndication to pass on, unresolved
//   GET  /admin/alerts/new[?category=N][&follows=ID&kind=update|correction|resolution]
//   POST /admin/alerts                    action=preview (page again with the preview) or submit
//   POST /admin/alerts/send-requests      送信依頼 to an HQ division / the HQ duty desk
//   POST /admin/alerts/send-requests/:id/take   the HQ side's draft from a request
//   GET  /admin/alerts/:id                text, areas, steps, follow-ups, the viewer's actions
//   POST /admin/alerts/:id/{approve,remand,withdraw,syndicated}
//   GET  /admin/alerts/register[?year=Y]  目次 by date and the entries; /register.csv; /register/print
// Every refusal is audited (outcome refused, its own write) and answered with a Japanese
// message, http::status_for(error) and no change.
#pragma once

#include <memory>

#include "alerts/alerts.h"
#include "app/staff_auth.h"
#include "core/time.h"
#include "http/router.h"
#include "mail/mime.h"
#include "store/database.h"
#include "workflow/kinds.h"

namespace koban::app {

void add_alerts_routes(http::Router& router, store::Database& db, StaffAuth& staff,
                       std::shared_ptr<const workflow::KindRegistry> kinds, alerts::Settings settings,
                       mail::Mailbox from, const Clock& clock);

}  // namespace koban::app
