// The residents' page of the public mailbox けんけいメールボックス (issue 5 item 10, SITE-10),
// public, no login:
//   GET  /mailbox/        the form: kind, text, optional name and contact, consent to the
//                         privacy notice shown on the page (what is kept, how long, who reads it)
//   POST /mailbox/        stores the message (mailbox::Mailbox::submit) → 303 /mailbox/sent
//   GET  /mailbox/sent    the receipt number (from a short-lived cookie, never in the URL)
//
// Anti-abuse without CAPTCHA: the form token (mailbox_keys.h) is both the double-submit CSRF
// value (cookie koban_mailbox_form == hidden field) and the moment the form was issued, so a
// post sent faster than a person can write (kMinFillTime) is refused; a honeypot field
// ("website") that bots fill gets the normal answer and nothing is stored; the per-address
// rate limit is the service's. Every refusal is a Japanese message on the form, which comes
// back with everything the resident wrote.
//
//   add_public_mailbox_routes(router, db, box, templates, config, clock);
#pragma once

#include <memory>

#include "core/config.h"
#include "core/time.h"
#include "http/router.h"
#include "mailbox/mailbox.h"
#include "store/database.h"
#include "web/templates.h"

namespace koban::app {

inline constexpr const char* kMailboxFormCookie = "koban_mailbox_form";
inline constexpr const char* kMailboxReceiptCookie = "koban_mailbox_receipt";

void add_public_mailbox_routes(http::Router& router, store::Database& db, std::shared_ptr<const mailbox::Mailbox> box,
                               std::shared_ptr<web::Templates> templates, const Config& config, const Clock& clock);

}  // namespace koban::app
