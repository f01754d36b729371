// Mail for the staff: the notification jobs the modules enqueue in their transactions
// (workflow.notify, incidents.notify, ledger.notify) become mails in the outbox. A mail says
// what happened and links to the page; it never carries secrets or personal data of residents.
#pragma once

#include <string>

#include "core/config.h"
#include "core/time.h"
#include "store/database.h"
#include "store/jobs.h"
#include "store/worker.h"

namespace koban::app {

struct NotificationSettings {
  std::string base_url;   // for links: server.base_url or http://LISTEN
  std::string transport;  // mail.transport
  std::string from, from_name;
};
NotificationSettings notification_settings(const Config& config);

// One job → one mail per recipient with an address, queued in one transaction.
Result<int> deliver_notification(store::Database& db, const NotificationSettings& settings,
                                 const store::Job& job, Instant now);

void register_notification_handlers(store::Worker& worker, store::Database& db,
                                    NotificationSettings settings, const Clock& clock);

}  // namespace koban::app
