// Demo messages for `koban serve --demo`: a dozen messages of every kind in both queues
// (received in and out of office hours over the last two weeks), two urgent ones, some
// assigned, answered (with a reply in the outbox) and closed; the PR division's deputy
// (koho.hosa) becomes a member of the PR queue so that there is someone to assign to.
// Needs the demo force (org/demo.h). Idempotent: does nothing when any message exists.
//
//   db.write([&](store::Session& s) -> Result<void> {
//     KOBAN_ASSIGN(int n, mailbox::fill_demo_mailbox(s, box, clock.now()));
//     return ok();
//   });
#pragma once

#include "core/result.h"
#include "core/time.h"
#include "store/database.h"

namespace koban::mailbox {

class Mailbox;

// Returns the number of messages added (0 when there were some already).
Result<int> fill_demo_mailbox(store::Session& s, const Mailbox& box, Instant now);

}  // namespace koban::mailbox
