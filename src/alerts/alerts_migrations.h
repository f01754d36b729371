// The alert part's schema (module "alerts"): drafted and approved alerts, their areas, the
// register (配信簿, a frozen copy of every approved text with its approvals) and the stations'
// send requests to HQ (送信依頼, ALERT-2). Register after org, workflow and the subscribers:
//
//   KOBAN_TRY(alerts::register_alerts_migrations());   // idempotent: a second call does nothing
#pragma once

#include <vector>

#include "core/result.h"
#include "store/migrations.h"

namespace koban::alerts {

std::vector<store::Migration> alerts_migrations();
Result<void> register_alerts_migrations();

}  // namespace koban::alerts
