// The public site search page (issue 5 item 1, SITE-1), public, no login:
//   GET /search?q=…&page=N   a search form with a label, the result count, results as links with
//                            section, date and a snippet (hits in <mark>), paging, and
//                            「見つかりませんでした」 with hints when nothing matched.
// Errors: 400 page (with the form) for a query over 100 characters or 10 terms, invalid text,
// or a bad page number; 429 when one address searches more than options.per_minute times a
// minute (store::count_hit over site_search_rate_limits, keyed hash of the address, so no
// address is stored); 503 when the database is down. Results change with every publication:
// "cache-control: no-cache".
//
//   add_public_search_routes(router, db, templates, config, clock, {.address_key = key32});
//
// templates/public/search_form.mustache is a small search form the public layout can include
// (it reads {{search_q}}; its input id is site-search-q).
#pragma once

#include <memory>
#include <string>

#include "core/config.h"
#include "core/time.h"
#include "http/router.h"
#include "store/database.h"
#include "web/templates.h"

namespace koban::app {

struct SearchRouteOptions {
  std::string address_key;  // secret bytes for hashing client addresses (any length; empty: none)
  int per_minute = 60;      // searches per address and minute
};

void add_public_search_routes(http::Router& router, store::Database& db, std::shared_ptr<web::Templates> templates,
                              const Config& config, const Clock& clock, SearchRouteOptions options = {});

}  // namespace koban::app
