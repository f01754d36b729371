// /admin/mail: the mail koban sent or holds (the catcher transport's viewer).
#pragma once

#include <memory>

#include "core/config.h"
#include "http/router.h"
#include "store/database.h"
#include "web/templates.h"

namespace koban::app {

void add_admin_mail_routes(http::Router& router, store::Database& db, const Config& config,
                           std::shared_ptr<web::Templates> templates);

// Until staff login exists (issue "Staff side"), /admin pages answer only requests from the
// machine itself; this returns a 403 response otherwise.
std::optional<http::Response> refuse_unless_local(const http::Request& req);

}  // namespace koban::app
