// The schema of the site integrity check (module "site_integrity"): which incident was raised
// for which set of findings, so that the same tampering raises one incident while it is open.
//
//   KOBAN_TRY(site::integrity::register_integrity_migrations());   // idempotent
#pragma once

#include <vector>

#include "core/result.h"
#include "store/migrations.h"

namespace koban::site::integrity {

std::vector<store::Migration> integrity_migrations();
Result<void> register_integrity_migrations();

}  // namespace koban::site::integrity
