// Staff pages of the public mailbox (issue 5 item 12, SITE-10), for the queues' members only
// (mailbox::Mailbox decides membership: a mailbox grant on the PR division or the HQ duty
// desk, or force-wide):
//   GET  /admin/mailbox                 list (queue, state, kind, urgent filters; newest first,
//                                       keyset paging with before=id)
//   GET  /admin/mailbox/:id             the message, opened (the reading is audited), its
//                                       history, and the forms below; ?template=KEY fills the
//                                       reply text from a template
//   POST /admin/mailbox/:id/assign      person=<id> of a member of the message's queue
//   POST /admin/mailbox/:id/note        note (internal, sealed)
//   POST /admin/mailbox/:id/reply       template, body: mailed through the outbox, kept sealed
//   POST /admin/mailbox/:id/handover    note (optional): to the other queue
//   POST /admin/mailbox/:id/close
// Changes are audited by the service in the same transaction; every refusal (not a member,
// closed message, bad input) is audited with outcome refused in its own write and answered
// with a Japanese message page carrying http::status_for(error), with nothing changed.
//
//   add_admin_mailbox_routes(router, db, staff, box, clock);
#pragma once

#include <memory>

#include "app/staff_auth.h"
#include "core/time.h"
#include "http/router.h"
#include "mailbox/mailbox.h"
#include "store/database.h"

namespace koban::app {

void add_admin_mailbox_routes(http::Router& router, store::Database& db, StaffAuth& staff,
                              std::shared_ptr<const mailbox::Mailbox> box, const Clock& clock);

}  // namespace koban::app
