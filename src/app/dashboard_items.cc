#include "app/dashboard_items.h"

#include <algorithm>

#include "alerts/alert_send_requests.h"
#include "alerts/alerts.h"
#include "incidents/incidents.h"
#include "org/units.h"
#include "workflow/queues.h"

namespace koban::app {

Result<std::vector<WaitingItem>> waiting_items(store::Session& s, const org::Actor& actor,
                                               const DashboardSettings& settings, Instant now) {
  std::vector<WaitingItem> items;
  auto add = [&](std::string label, std::int64_t n, std::string url) {
    if (n > 0) items.push_back({std::move(label), n, std::move(url)});
  };

  // The approval engine: approvals, post-hoc reports to acknowledge, the person's own requests.
  KOBAN_ASSIGN(auto counts, workflow::dashboard_counts(s, actor.person));
  add("承認待ちの依頼", counts.waiting, "/admin/requests");
  add("確認が必要な事後報告", counts.post_hoc_pending, "/admin/requests");
  add("差し戻された自分の依頼", counts.my_remanded, "/admin/requests");
  add("承認済みで実施待ちの自分の依頼", counts.my_approved, "/admin/requests");

  // Failures and security incidents routed to the person and not resolved yet (ORG-9).
  KOBAN_ASSIGN(auto incidents_open, incidents::open_for_recipient(s, actor.person));
  add("対応が必要な障害・事案の報告", incidents_open, "/admin/incidents");

  // Safety alerts: stations' requests to send for them (ALERT-2) and, for the units the person
  // may see, alerts of categories 1-3 still without a resolution notice (ALERT-9).
  KOBAN_ASSIGN(auto send_requests, alerts::send_requests_for(s, actor.person));
  add("安全安心メールの送信依頼",
      std::count_if(send_requests.begin(), send_requests.end(), [](const auto& r) { return r.state == "open"; }),
      "/admin/alerts");
  if (auto visible = org::units_where_allowed(actor, org::Purpose::alerts, org::Action::view);
      !visible || !visible->empty()) {
    KOBAN_ASSIGN(auto unresolved, alerts::unresolved_alerts(s, settings.unresolved_alert_days, now));
    add("解除の配信がまだの安全安心メール（" + std::to_string(settings.unresolved_alert_days) + "日以上）",
        std::count_if(unresolved.begin(), unresolved.end(),
                      [&](const auto& a) { return !visible || std::ranges::find(*visible, a.unit_id) != visible->end(); }),
        "/admin/alerts");
  }
  // ALERT-10: the division that passes alerts on to Yahoo!防災速報 sees what is waiting.
  KOBAN_ASSIGN(auto seian, org::find_unit_by_code(s, settings.syndication_unit_code));
  if (seian && org::can(actor, org::Purpose::alerts, org::Action::publish, seian->id)) {
    KOBAN_ASSIGN(auto pending, alerts::syndication_pending(s));
    add("Yahoo!防災速報への提供待ち", static_cast<std::int64_t>(pending.size()), "/admin/alerts");
  }
  return items;
}

}  // namespace koban::app
