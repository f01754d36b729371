// The website's schema (module "site"): articles, their versions and files, the reviewer's
// overrides of check findings, and the inspections (点検). Register after org and workflow:
//
//   KOBAN_TRY(site::register_site_migrations());   // idempotent: a second call does nothing
#pragma once

#include <vector>

#include "core/result.h"
#include "store/migrations.h"

namespace koban::site {

std::vector<store::Migration> site_migrations();
Result<void> register_site_migrations();

}  // namespace koban::site
