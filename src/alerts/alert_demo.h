// Demo history of approved alerts (`koban serve --demo`): alerts in every category over the last
// weeks, from several stations and HQ, with follow-ups (続報/訂正) and resolutions (解除), one
// left unresolved for the dashboard; each goes through the real approval and is marked sent
// (state sent, sent_at), so the archive, register and charts show content at once. The delivery
// jobs of these past alerts are removed (the delivery part adds its rows itself).
//
//   KOBAN_TRY(alerts::fill_demo_alerts(s, kinds, settings, now));   // after org::fill_demo
#pragma once

#include "alerts/alerts.h"

namespace koban::alerts {

// Idempotent: does nothing when any alert exists. Needs the demo force (org/demo.h).
Result<int> fill_demo_alerts(store::Session& s, const workflow::KindRegistry& kinds, const Settings& settings,
                             Instant now);

}  // namespace koban::alerts
