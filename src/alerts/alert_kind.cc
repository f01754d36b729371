#include "alerts/alert_kind.h"

#include "alerts/alerts.h"
#include "workflow/approver_rules.h"

namespace koban::alerts {

Result<void> register_alert_kind(workflow::KindRegistry& kinds, const calendar::BusinessCalendar& calendar) {
  return kinds.add({.kind = kKind, .label = "安全安心メール配信",
                    .purpose = org::Purpose::alerts,
                    .chain = {{"unit_head", workflow::unit_head_or_stand_in(org::Purpose::alerts, calendar)}}});
}

}  // namespace koban::alerts
