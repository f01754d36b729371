// The ledger module's schema (module "ledger" in schema_migrations): entries with their sealed
// secret and notes, and the designated password managers of each entry. Register after org
// (managers reference people):
//
//   KOBAN_TRY(org::register_org_migrations());
//   KOBAN_TRY(ledger::register_ledger_migrations());
//
// Tests use ledger_migrations() with their own store::MigrationRegistry.
#pragma once

#include <vector>

#include "core/result.h"
#include "store/migrations.h"

namespace koban::ledger {

std::vector<store::Migration> ledger_migrations();
Result<void> register_ledger_migrations();

}  // namespace koban::ledger
