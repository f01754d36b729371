// The workflow module's schema (module "workflow" in schema_migrations): requests, their steps
// and each step's assigned approvers. Register after org and audit (steps reference people and
// units):
//
//   KOBAN_TRY(org::register_org_migrations());
//   KOBAN_TRY(workflow::register_workflow_migrations());
//   KOBAN_ASSIGN(auto report, store::migrate(db));
//
// Tests use workflow_migrations() with their own store::MigrationRegistry.
#pragma once

#include <vector>

#include "core/result.h"
#include "store/migrations.h"

namespace koban::workflow {

std::vector<store::Migration> workflow_migrations();
Result<void> register_workflow_migrations();

}  // namespace koban::workflow
