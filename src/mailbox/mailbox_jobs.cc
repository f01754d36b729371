#include "mailbox/mailbox_jobs.h"

#include "mailbox/urgent_notice.h"

namespace koban::mailbox {

void register_mailbox_jobs(store::Worker& worker, store::Database& db, std::shared_ptr<const Mailbox> box,
                           const Clock& clock) {
  worker.handle(kUrgentNoticeJob, [&db, box, &clock](const store::Job& job) -> Result<void> {
    KOBAN_TRY(deliver_urgent_notice(db, *box, job, clock.now()));
    return ok();
  });
  worker.handle(kPurgeJob, [&db, box, &clock](const store::Job&) -> Result<void> {
    return db.write([&](store::Session& s) -> Result<void> {
      KOBAN_TRY(box->purge(s, clock.now()));
      return ok();
    });
  });
}

}  // namespace koban::mailbox
