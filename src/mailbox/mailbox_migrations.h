// The "mailbox" module's tables:
//   mailbox_messages     one row per message; the resident's name, contact and text are sealed
//                        together in `sealed` (SecretBox purpose "mailbox"); only the kind,
//                        queue, state, urgent flag, times and the assignee are in clear
//   mailbox_events       the handling history of a message: assignment, note, reply, hand-over,
//                        close; notes and replies sealed, the rest a short clear `detail`
//   mailbox_rate_limits  fixed one-hour windows per client (key: keyed hash of the address)
// No foreign keys to other modules: the module may be registered in any order.
//
//   KOBAN_TRY(mailbox::register_mailbox_migrations());   // at start-up, before store::migrate
#pragma once

#include <vector>

#include "core/result.h"
#include "store/migrations.h"

namespace koban::mailbox {

std::vector<store::Migration> mailbox_migrations();
// Adds them to the process-wide registry; a second call does nothing (tests and the app may
// both call it).
Result<void> register_mailbox_migrations();

}  // namespace koban::mailbox
