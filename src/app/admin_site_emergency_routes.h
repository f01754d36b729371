// Staff page for the public site's emergency mode (緊急災害モード, issue 5 item 3):
//   GET  /admin/site/emergency       the current state, the form to switch on (or change the
//                                    message: message, links as lines "表示名 | URL"), the
//                                    switch-off button and the history (any logged-in person
//                                    sees it; the forms only those who may switch)
//   POST /admin/site/emergency/on    message, links → switched on (303 ?done=on); invalid input
//                                    comes back on the form with the messages and the text kept
//   POST /admin/site/emergency/off   without confirm=yes a confirmation page; with it → off
// Only website publishers of 広報課 may switch (site/emergency/emergency.h); every change and
// every refusal is audited (site.emergency.activate / .deactivate).
//
//   add_site_emergency_routes(router, db, staff, clock, {.on_changed = [&] { pub.refresh_home(); }});
#pragma once

#include "app/staff_auth.h"
#include "core/time.h"
#include "http/router.h"
#include "site/emergency/emergency.h"
#include "store/database.h"

namespace koban::app {

void add_site_emergency_routes(http::Router& router, store::Database& db, StaffAuth& staff, const Clock& clock,
                               site::emergency::Options options = {});

}  // namespace koban::app
