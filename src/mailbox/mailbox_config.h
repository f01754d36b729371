// MailboxSettings from the configuration (mailbox.* settings, docs/CONFIGURATION.md) plus
// server.base_url (links in mail; empty: http://LISTEN), mail.from, mail.from_name and
// mail.transport.
//
//   KOBAN_ASSIGN(auto settings, mailbox::settings_from_config(config));
//   KOBAN_ASSIGN(auto box, mailbox::Mailbox::create(secret, settings, calendar));
#pragma once

#include "core/config.h"
#include "core/result.h"
#include "mailbox/mailbox.h"

namespace koban::mailbox {

// invalid_argument naming the setting for a bad value (retention under 1 day, no urgent word ...).
Result<MailboxSettings> settings_from_config(const Config& config);

}  // namespace koban::mailbox
