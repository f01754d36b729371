// The residents' pages of the safety-alert mail (issue 4 item 1, ALERT-11), public, no login:
//   GET  /m                          short link for flyers → /alerts/
//   GET  /alerts/                    sign-up form (categories with definitions, stations'
//                                    jurisdictions or the whole prefecture, encoding, the
//                                    ドメイン指定受信 explanation); POST signs up (double-submit
//                                    CSRF cookie, honeypot, rate limits) → /alerts/sent
//   GET  /alerts/confirm/:token      a button; POST confirms (mail scanners only GET links)
//   GET  /alerts/manage/:token       change choices (POST) or leave; the personal link
//   GET  /alerts/unsubscribe/:token  a button; POST leaves. RFC 8058 one-click: the mail
//                                    client POSTs "List-Unsubscribe=One-Click" without cookies;
//                                    the personal token in the URL is the authentication.
//   GET  /alerts/qr.svg              QR code of the sign-up URL
//
//   add_public_alerts_routes(router, db, subscribers, templates, config, clock);
#pragma once

#include <memory>

#include "alerts/subscribers.h"
#include "core/config.h"
#include "core/time.h"
#include "http/router.h"
#include "store/database.h"
#include "web/templates.h"

namespace koban::app {

inline constexpr const char* kAlertsCsrfCookie = "koban_alerts_csrf";

// The subscriber settings from the configuration: server.base_url (its scheme and host, no
// trailing slash), mail.from, mail.from_name, mail.transport.
alerts::SubscriberSettings subscriber_settings(const Config& config);

void add_public_alerts_routes(http::Router& router, store::Database& db,
                              std::shared_ptr<alerts::Subscribers> subscribers,
                              std::shared_ptr<web::Templates> templates, const Config& config, const Clock& clock);

}  // namespace koban::app
