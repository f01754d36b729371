// The mailbox's jobs for the worker: "mailbox.urgent" (the urgent notice, queued by submit())
// and "mailbox.purge" (the nightly retention purge; schedule it, e.g. every day 03:15).
//
//   mailbox::register_mailbox_jobs(worker, db, box, clock);
//   scheduler.add({.name = "mailbox.purge", .next_due = ..., .kind = mailbox::kPurgeJob});
#pragma once

#include <memory>

#include "core/time.h"
#include "mailbox/mailbox.h"
#include "store/database.h"
#include "store/worker.h"

namespace koban::mailbox {

inline constexpr const char* kPurgeJob = "mailbox.purge";

void register_mailbox_jobs(store::Worker& worker, store::Database& db, std::shared_ptr<const Mailbox> box,
                           const Clock& clock);

}  // namespace koban::mailbox
