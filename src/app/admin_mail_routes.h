// /admin/mail: the mail koban sent or holds (the catcher transport's viewer).
#pragma once

#include <memory>

#include "core/config.h"
#include "http/router.h"
#include "store/database.h"
#include "web/templates.h"
#include "app/staff_auth.h"

namespace koban::app {

class StaffAuth;

// For system administrators (administration: view).
void add_admin_mail_routes(http::Router& router, store::Database& db, StaffAuth& staff);

}  // namespace koban::app
