// The urgent notice: when a message is flagged urgent, submit() queues a "mailbox.urgent" job
// in the receipt's transaction; the job mails everyone on duty for it at once — the people
// holding a grant on each unit of settings.urgent_notify_unit_codes (by default the HQ duty
// desk 本部総合当直 and the cyber-crime division サイバー犯罪対策課) and those units' heads.
// The mail says that an urgent message arrived, its receipt number, kind, queue and the
// matched words, and links to the staff page; it never carries the resident's text or data.
//
//   worker.handle(mailbox::kUrgentNoticeJob, [&](const store::Job& job) -> Result<void> {
//     KOBAN_TRY(mailbox::deliver_urgent_notice(db, box, job, clock.now()));
//     return ok();
//   });
#pragma once

#include <cstdint>
#include <vector>

#include "core/result.h"
#include "core/time.h"
#include "store/database.h"
#include "store/jobs.h"

namespace koban::mailbox {

class Mailbox;

inline constexpr const char* kUrgentNoticeJob = "mailbox.urgent";

// The people to notify (active, with an e-mail address), by id.
Result<std::vector<std::int64_t>> urgent_recipients(store::Session& s, const Mailbox& box);

// Queues one mail per recipient through the outbox in one transaction; returns how many.
Result<int> deliver_urgent_notice(store::Database& db, const Mailbox& box, const store::Job& job, Instant now);

}  // namespace koban::mailbox
