// The residents' archive of sent safety alerts and its machine-readable forms (issue 4 items 2
// and 8, ALERT-10), public, no login, no JavaScript, under the sign-up pages' /alerts/ path:
//   GET /alerts/archive?category=1..6&area=<station code>&before=<id>
//                                   sent alerts, newest first, filters, keyset paging
//   GET /alerts/archive/:id         one alert with its original / follow-ups, 解決済み mark
//   GET /alerts/feed.atom?category=&area=
//                                   Atom feed (RFC 4287) of the same filters, 50 entries
//   GET /alerts/syndication.atom    Atom feed of alerts marked for syndication (Yahoo!防災速報)
//   GET /alerts/:id.cap.xml         CAP 1.2 document (application/cap+xml)
// Bad parameters give a 400 page, unknown or unsent alerts 404. Nothing about who wrote or
// approved an alert is shown (alerts/alert_archive.h).
//
//   // after add_public_alerts_routes (its literal /alerts/sent, /alerts/qr.svg come first):
//   add_public_alerts_archive_routes(router, db, templates, config);
//   KOBAN_ASSIGN(auto latest, home_alerts_context(db, config, 5));   // for public/home
#pragma once

#include <memory>
#include <nlohmann/json.hpp>

#include "alerts/alert_feeds.h"
#include "core/config.h"
#include "core/result.h"
#include "http/router.h"
#include "store/database.h"
#include "web/templates.h"

namespace koban::app {

// From server.base_url (or http://server.listen), the domain of mail.from (CAP sender, tag:
// authority) and site.force_name.
alerts::FeedSettings feed_settings(const Config& config);

void add_public_alerts_archive_routes(http::Router& router, store::Database& db,
                                      std::shared_ptr<web::Templates> templates, const Config& config);

// The latest n (1..20) sent alerts for the home page, to merge into its data and render with
// {{> public/alerts_archive_latest}}:
//   {"latest_alerts": [{"url", "title", "sent_text", "sent_iso", "areas_text", "resolved"}...],
//    "has_latest_alerts": bool, "alerts_archive_url": "/alerts/archive",
//    "alerts_feed_url": "/alerts/feed.atom"}
Result<nlohmann::json> home_alerts_context(store::Database& db, int n);

}  // namespace koban::app
