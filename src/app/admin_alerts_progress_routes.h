// Staff pages for the delivery of safety alerts (issue 4 items 10–11): live progress of one
// alert's delivery and charts of deliveries and subscribers.
//
//   add_alerts_progress_routes(router, db, staff, keys, {.smtp = alerts_use_smtp(config)}, clock);
//   // before add_alerts_routes: the router takes the first match, and /admin/alerts/:id
//   // would otherwise answer /admin/alerts/stats.
//
// Pages (staff login; alerts view permission on the alert's unit, checked per request):
//   GET /admin/alerts/:id/progress         sent / waiting / deferred / bounced / failed /
//                                          skipped of the total, a <progress> bar, final figures
//                                          when done; bounced addresses in clear only for people
//                                          with alerts administer permission on the unit,
//                                          masked (a***@docomo.ne.jp) for everybody else.
//                                          Without JavaScript it reloads itself every 5 s while
//                                          sending (<noscript> refresh).
//   GET /admin/alerts/:id/progress/events  text/event-stream for static/js/progress.js. The
//                                          server cannot stream a response (http::Response is
//                                          one body), so each request answers ONE event with the
//                                          current figures and `retry: 1000`, then closes;
//                                          EventSource reconnects every second.
//   GET /admin/alerts/stats                deliveries per day (last 30 days) and confirmed
//                                          subscribers per day (last 90 days) as server-side SVG,
//                                          each with its data table (no JavaScript).
#pragma once

#include "alerts/subscriber_keys.h"
#include "app/staff_auth.h"
#include "core/time.h"
#include "http/router.h"
#include "store/database.h"

namespace koban::app {

struct AlertsProgressOptions {
  bool smtp = true;  // false (mail.transport = catcher): the page says that nothing left the machine
};

void add_alerts_progress_routes(http::Router& router, store::Database& db, StaffAuth& staff,
                                alerts::SubscriberKeys keys, AlertsProgressOptions options, const Clock& clock);

}  // namespace koban::app
