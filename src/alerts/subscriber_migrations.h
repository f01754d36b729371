// The "subscribers" module's tables (schema contract of issue 4): subscribers (address sealed,
// blind index, domain, state, encoding, categories bitmask, areas), subscriber_areas,
// subscriber_tokens (confirmation links, stored as hashes), subscriber_rate_limits and the
// daily subscriber_counts snapshot. Registered after org (units) and before alerts.
//
//   KOBAN_TRY(alerts::register_subscriber_migrations());   // at start-up, before store::migrate
#pragma once

#include <vector>

#include "core/result.h"
#include "store/migrations.h"

namespace koban::alerts {

std::vector<store::Migration> subscriber_migrations();
Result<void> register_subscriber_migrations();

}  // namespace koban::alerts
