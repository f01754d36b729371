// The requests module's schema (module "requests"): request_forms holds the filled-in fields of
// an administrative request, keyed by the workflow request id. Register after workflow:
//
//   KOBAN_TRY(workflow::register_workflow_migrations());
//   KOBAN_TRY(requests::register_requests_migrations());
#pragma once

#include <vector>

#include "core/result.h"
#include "store/migrations.h"

namespace koban::requests {

std::vector<store::Migration> requests_migrations();
Result<void> register_requests_migrations();

}  // namespace koban::requests
