// The incidents module's schema (module "incidents" in schema_migrations): incident reports,
// their timeline and recipients, and the status of each subsystem with its history. Register
// after org and audit (rows reference people and units):
//
//   KOBAN_TRY(incidents::register_incidents_migrations());
//
// Tests use incidents_migrations() with their own store::MigrationRegistry.
#pragma once

#include <vector>

#include "core/result.h"
#include "store/migrations.h"

namespace koban::incidents {

std::vector<store::Migration> incidents_migrations();
Result<void> register_incidents_migrations();

}  // namespace koban::incidents
