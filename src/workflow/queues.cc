#include "workflow/queues.h"

#include <algorithm>
#include <nlohmann/json.hpp>

#include "audit/audit_log.h"
#include "org/permissions.h"
#include "org/units.h"
#include "store/jobs.h"

namespace koban::workflow {

namespace {

int clamp_limit(int limit) { return std::clamp(limit, 1, kMaxListLimit); }

Result<std::vector<Waiting>> load_pairs(store::Session& s, const store::Rows& rows) {
  std::vector<Waiting> out;
  for (const auto& row : rows) {
    KOBAN_ASSIGN(auto r, get_request(s, row.int64(0)));
    KOBAN_ASSIGN(auto st, get_step(s, row.int64(1)));
    out.push_back({std::move(r), std::move(st)});
  }
  return out;
}

Result<std::int64_t> count(store::Session& s, std::string_view sql, org::PersonId person,
                           std::string_view state = "") {
  auto rows = state.empty() ? s.query(sql, person) : s.query(sql, person, state);
  if (!rows) return rows.error();
  return rows->empty() ? 0 : rows->at(0).int64(0);
}

constexpr const char* kWaitingFrom =
    " FROM requests r JOIN request_steps st ON st.id = r.current_step_id"
    " JOIN request_step_approvers a ON a.step_id = st.id"
    " WHERE r.state = 'submitted' AND st.decision IS NULL AND a.person_id = ? AND r.created_by <> a.person_id";

constexpr const char* kPostHocFrom =
    " FROM request_steps st WHERE st.post_hoc_to = ? AND st.decision = 'approved'"
    " AND st.acknowledged_at IS NULL";

}  // namespace

Result<std::vector<Waiting>> waiting_for(store::Session& s, org::PersonId person, int limit) {
  KOBAN_ASSIGN(auto rows, s.query(std::string("SELECT r.id, st.id") + kWaitingFrom +
                                      " ORDER BY st.created_at, st.id LIMIT ?",
                                  person, clamp_limit(limit)));
  return load_pairs(s, rows);
}

Result<DashboardCounts> dashboard_counts(store::Session& s, org::PersonId person) {
  DashboardCounts c;
  KOBAN_ASSIGN(c.waiting, count(s, std::string("SELECT COUNT(*)") + kWaitingFrom, person));
  KOBAN_ASSIGN(c.post_hoc_pending, count(s, std::string("SELECT COUNT(*)") + kPostHocFrom, person));
  constexpr const char* kMine = "SELECT COUNT(*) FROM requests WHERE created_by = ? AND state = ?";
  KOBAN_ASSIGN(c.my_submitted, count(s, kMine, person, to_string(RequestState::submitted)));
  KOBAN_ASSIGN(c.my_remanded, count(s, kMine, person, to_string(RequestState::remanded)));
  KOBAN_ASSIGN(c.my_approved, count(s, kMine, person, to_string(RequestState::approved)));
  return c;
}

Result<std::vector<Waiting>> pending_post_hoc(store::Session& s, org::PersonId person, int limit) {
  KOBAN_ASSIGN(auto rows, s.query(std::string("SELECT st.request_id, st.id") + kPostHocFrom +
                                      " ORDER BY st.decided_at, st.id LIMIT ?",
                                  person, clamp_limit(limit)));
  return load_pairs(s, rows);
}

Result<void> acknowledge(store::Session& s, org::PersonId person, StepId step_id, const By& by,
                         Instant now) {
  if (by.person != person) return Error::denied("事後報告の確認は本人しかできません");
  KOBAN_ASSIGN(auto step, get_step(s, step_id));
  if (step.post_hoc_to != person) return Error::denied("この事後報告はあなた宛てではありません");
  if (step.decision != Decision::approved) return Error::conflict("まだ承認されていない段階です");
  KOBAN_ASSIGN(auto n, s.exec("UPDATE request_steps SET acknowledged_at = ? WHERE id = ?"
                              " AND acknowledged_at IS NULL",
                              to_unix(now), step_id));
  if (n != 1) return Error::conflict("この事後報告は確認済みです");
  KOBAN_ASSIGN(auto r, get_request(s, step.request_id));
  KOBAN_ASSIGN(auto actor, org::load_actor(s, person));
  KOBAN_ASSIGN(auto unit, org::get_unit(s, r.unit_id));
  audit::Event e{.actor_id = person,
                 .actor_name = actor.display_name,
                 .unit_id = r.unit_id,
                 .unit_name = unit.name,
                 .action = "workflow.request.acknowledge",
                 .object_type = "request",
                 .object_id = std::to_string(r.id),
                 .summary = "事後報告を確認（第" + std::to_string(step.step_no) + "段階 " +
                            step.acting_as + "）「" + r.title + "」",
                 .address = by.address};
  KOBAN_TRY(audit::append(s, e, now));
  return ok();
}

Result<std::vector<Reminder>> due_reminders(store::Session& s, Instant now,
                                            std::chrono::seconds older_than) {
  if (older_than.count() < 0) return Error::invalid("older_than must not be negative");
  KOBAN_ASSIGN(auto rows,
               s.query("SELECT r.id, st.id, st.created_at FROM requests r"
                       " JOIN request_steps st ON st.id = r.current_step_id"
                       " WHERE r.state = 'submitted' AND st.decision IS NULL AND st.created_at <= ?"
                       " ORDER BY st.created_at, st.id LIMIT ?",
                       to_unix(now - older_than), kMaxListLimit));
  std::vector<Reminder> out;
  for (const auto& row : rows) {
    Reminder rem{.request_id = row.int64(0), .step_id = row.int64(1),
                 .waiting_since = from_unix(row.int64(2))};
    KOBAN_ASSIGN(auto people, s.query("SELECT person_id FROM request_step_approvers WHERE step_id = ?"
                                      " ORDER BY person_id", rem.step_id));
    for (const auto& p : people) rem.approvers.push_back(p.int64(0));
    out.push_back(std::move(rem));
  }
  return out;
}

Result<int> enqueue_reminders(store::Session& s, Instant now, std::chrono::seconds older_than) {
  KOBAN_ASSIGN(auto due, due_reminders(s, now, older_than));
  const std::string day = to_jst(now).date.iso();
  for (const auto& rem : due) {
    nlohmann::json j{{"request_id", rem.request_id}, {"event", kReminderEvent},
                     {"recipients", rem.approvers}};
    KOBAN_TRY(store::enqueue(s, {.kind = kNotifyJobKind, .payload = j.dump(), .run_at = now,
                                 .dedupe_key = "workflow.remind:" + std::to_string(rem.step_id) + ":" + day},
                             now));
  }
  return static_cast<int>(due.size());
}

}  // namespace koban::workflow
