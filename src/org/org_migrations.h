// The org module's schema (module "org" in schema_migrations): units, people, role_grants,
// absences. Register once at start-up, after the store's own migrations and before modules
// whose tables reference people or units (auth, audit ...):
//
//   KOBAN_TRY(org::register_org_migrations());
//   KOBAN_ASSIGN(auto report, store::migrate(db));
//
// Tests use org_migrations() with their own store::MigrationRegistry.
#pragma once

#include <vector>

#include "core/result.h"
#include "store/migrations.h"

namespace koban::org {

std::vector<store::Migration> org_migrations();
Result<void> register_org_migrations();

}  // namespace koban::org
