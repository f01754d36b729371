// "Waiting for me" on the staff dashboard (issue 3 item 9): one line per kind of thing that
// waits for the person, with a count and the page where it is handled. Every feature adds its
// own lines here, so the dashboard itself stays a plain list.
//
//   KOBAN_ASSIGN(auto items, waiting_items(s, who.actor, {.unresolved_alert_days = 7}, now));
//   for (const auto& i : items) ... i.label, i.count, i.url
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "core/result.h"
#include "core/time.h"
#include "org/permissions.h"
#include "store/database.h"

namespace koban::app {

struct WaitingItem {
  std::string label;  // Japanese, e.g. 承認待ちの依頼
  std::int64_t count = 0;
  std::string url;    // the page where it is handled
};

struct DashboardSettings {
  int unresolved_alert_days = 7;  // alerts.unresolved_days
  std::string syndication_unit_code = "seian";
};

// Only lines with a count above zero, in a fixed order.
Result<std::vector<WaitingItem>> waiting_items(store::Session& s, const org::Actor& actor,
                                               const DashboardSettings& settings, Instant now);

}  // namespace koban::app
