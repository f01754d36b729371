// Safety alerts as staff write and approve them (issue 4, items 3–7; ALERT-2..9): a draft by a
// writer of a unit, sent for approval through the approval engine (kind "alerts.send",
// alert_kind.h), approved with the ALERT-8 checklist, then queued for delivery (job
// "alerts.deliver" {"alert_id": N}, run_at = now, or the next 06:00 outside sending hours
// unless urgent). Follow-ups (続報/訂正/解除) link to their original.
//
//   alerts::Settings settings;                               // limits, calendar
//   db.write([&](store::Session& s) -> Result<void> {
//     KOBAN_ASSIGN(auto id, alerts::create_alert(s, kinds, settings, {.category = 3,
//                  .title = "不審者の出没", .body = "…"}, by, now));      // draft + submit
//     return ok();
//   });
//   alerts::approve_alert(s, kinds, settings, id, by_head,
//                         {.checklist = {true, true, true}}, now);   // enqueues the delivery
//   alerts::unresolved_alerts(s, 7, now);                          // for the dashboard
//
// Who may do what: the writer needs org::can(alerts, write) on their own unit; areas are the
// writer's own station unless the writer is in an HQ division or holds a duty-officer grant on
// the HQ duty desk (several stations or the whole prefecture). The engine decides who approves
// (the writer never does). Every refusal is an Error with a Japanese message and writes
// nothing (the caller rolls back); callers audit refusals in their own transaction.
#pragma once

#include <array>
#include <optional>
#include <string>
#include <vector>

#include "core/calendar/business_calendar.h"
#include "core/result.h"
#include "core/time.h"
#include "org/ids.h"
#include "store/database.h"
#include "workflow/engine.h"

namespace koban::alerts {

inline constexpr const char* kKind = "alerts.send";
inline constexpr const char* kDeliverJob = "alerts.deliver";

struct Settings {
  std::size_t max_title_chars = 60;    // a subject line old phones still show whole
  std::size_t max_body_chars = 1000;   // characters (code points), not bytes
  calendar::BusinessCalendar calendar{};  // sending hours (alert_sending_hours)
  std::string syndication_unit_code = "seian";  // 生活安全企画課 (ALERT-10)
};

enum class FollowKind { update, correction, resolution };
const char* to_string(FollowKind k);    // "update" | "correction" | "resolution"
const char* label(FollowKind k);        // 続報 | 訂正 | 解除
std::optional<FollowKind> parse_follow_kind(std::string_view s);

// ALERT-6: why an alert may go out at night.
enum class UrgentReason { serial_violent, suspect_at_large, harm_spreading };
const char* to_string(UrgentReason r);  // stored in alerts.urgent_reason
const char* label(UrgentReason r);      // 連続発生のおそれのある重要凶悪事件 ...
std::optional<UrgentReason> parse_urgent_reason(std::string_view s);

// The ALERT-8 checklist, in this order.
inline constexpr std::array<const char*, 3> kChecklist = {"捜査への支障なし", "被害者が特定されない",
                                                          "二次被害のおそれなし"};

struct Alert {
  std::int64_t id = 0;
  int category = 0;
  org::UnitId unit_id = 0;
  std::string title;
  std::string body;
  bool whole_prefecture = false;
  std::vector<org::UnitId> areas;  // station units, sorted (empty when whole_prefecture)
  std::string state;               // draft submitted remanded withdrawn approved sending sent
  std::optional<workflow::RequestId> request_id;
  bool urgent = false;
  std::optional<UrgentReason> urgent_reason;
  std::string urgent_note;
  std::optional<Instant> send_after;
  std::optional<std::int64_t> follows_id;
  std::optional<FollowKind> follow_kind;
  bool physical_danger = false;
  bool syndicate = false;
  std::optional<Instant> syndication_seen_at;
  bool checklist_ok = false;
  org::PersonId created_by = 0;
  std::optional<org::PersonId> approved_by;
  Instant created_at{};
  Instant updated_at{};
  std::optional<Instant> approved_at;
  std::optional<Instant> sent_at;
};
const char* state_label(std::string_view state);  // 下書き, 承認待ち, ... 配信済み

struct AlertInput {
  int category = 0;
  std::string title{};
  std::string body{};
  bool whole_prefecture = false;
  std::vector<org::UnitId> areas{};  // empty and not whole: the writer's own station
  bool physical_danger = false;      // only meaningful for category 3
  std::optional<std::int64_t> follows_id{};
  std::optional<FollowKind> follow_kind{};
};

struct Approval {
  std::array<bool, 3> checklist{};  // kChecklist, all must be ticked
  bool urgent = false;
  std::optional<UrgentReason> urgent_reason{};
  std::string urgent_note{};
  std::string comment{};
};

// Validates the text (non-empty, limits in characters, valid UTF-8, no control characters).
Result<void> check_text(const Settings& settings, std::string_view title, std::string_view body);

// Whether the writer may choose areas beyond their own station (HQ division or HQ duty desk).
Result<bool> may_send_wide(store::Session& s, org::PersonId writer);

// Creates the draft and submits it for approval. Follow-ups take the original's category and
// unit rules; their original must be approved or sent (and a resolution is refused when one is
// already under way or out).
Result<std::int64_t> create_alert(store::Session& s, const workflow::KindRegistry& kinds,
                                  const Settings& settings, const AlertInput& in, const workflow::By& by,
                                  Instant now);
// ALERT-5/6/8/10: checks the checklist and the urgent reason, approves through the engine and,
// once approved, queues the delivery, writes the register entry and the syndication mark.
Result<void> approve_alert(store::Session& s, const workflow::KindRegistry& kinds, const Settings& settings,
                           std::int64_t id, const workflow::By& by, const Approval& a, Instant now);
Result<void> remand_alert(store::Session& s, const workflow::KindRegistry& kinds, std::int64_t id,
                          const workflow::By& by, std::string comment, Instant now);
Result<void> withdraw_alert(store::Session& s, const workflow::KindRegistry& kinds, std::int64_t id,
                            const workflow::By& by, Instant now);
// The delivery part: approved → sent (with sent_at); conflict from any other state but sent.
Result<void> mark_sent(store::Session& s, std::int64_t id, Instant now);

Result<Alert> get_alert(store::Session& s, std::int64_t id);
Result<std::vector<Alert>> follow_ups(store::Session& s, std::int64_t original);

struct ListFilter {
  std::optional<std::string> state{};
  std::optional<int> category{};
  std::optional<org::UnitId> unit{};
  std::optional<std::int64_t> before_id{};  // keyset paging: ids below this
  int limit = 50;                           // 1..200
};
// Newest first. units_visible nullopt = every unit.
Result<std::vector<Alert>> list_alerts(store::Session& s, const ListFilter& f,
                                       const std::optional<std::vector<org::UnitId>>& units_visible);

// ALERT-9: sent alerts of categories 1–3 (not follow-ups) sent more than older_than_days ago
// with no resolution (解除) sent yet, oldest first, at most 200.
Result<std::vector<Alert>> unresolved_alerts(store::Session& s, int older_than_days, Instant now);

// ALERT-10: alerts marked for syndication that the 生活安全企画課 has not yet marked as passed on.
Result<std::vector<Alert>> syndication_pending(store::Session& s);
// Needs org::can(alerts, publish) on the syndication unit; audited.
Result<void> mark_syndicated(store::Session& s, const Settings& settings, std::int64_t id,
                             const workflow::By& by, Instant now);

}  // namespace koban::alerts
