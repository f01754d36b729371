// Staff page of the safety-alert subscribers (issue 4 items 1 and 10): how many residents are
// registered (per state, per category, per area) and the addresses suspended after repeated
// hard failures, so that staff see them and can act.
//
//   add_subscribers_routes(router, db, staff, subscribers, clock);   // the app's alerts::Subscribers
//
// Pages (staff login; permissions checked on the server for every request):
//   GET  /admin/alerts/subscribers[?domain=&after=]  counts and the suspended list (keyset
//        paging, newest suspension first, filter by domain). Needs alerts view over the whole
//        force (生活安全企画課, the overall manager); others get 403, audited.
//        Addresses are masked ("t***@docomo.ne.jp") for everybody.
//   POST /admin/alerts/subscribers/:id/reveal     the address in clear, once, not cached (audited)
//   POST /admin/alerts/subscribers/:id/reinstate  suspended → confirmed, failures 0 (audited)
//   POST /admin/alerts/subscribers/:id/remove     deletes a suspended one; needs confirm=1 (audited)
// The three POSTs need alerts administer over the whole force; a refusal is audited and
// answered with a Japanese message and no change.
#pragma once

#include <memory>

#include "alerts/subscribers.h"
#include "app/staff_auth.h"
#include "core/time.h"
#include "http/router.h"
#include "store/database.h"

namespace koban::app {

void add_subscribers_routes(http::Router& router, store::Database& db, StaffAuth& staff,
                            std::shared_ptr<const alerts::Subscribers> subscribers, const Clock& clock);

}  // namespace koban::app
