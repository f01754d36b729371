// What is waiting for whom: the dashboard's queues, post-hoc reports and reminders.
//
//   KOBAN_ASSIGN(auto mine, workflow::waiting_for(s, person));        // requests I must decide
//   KOBAN_ASSIGN(auto counts, workflow::dashboard_counts(s, person));
//   KOBAN_ASSIGN(auto reports, workflow::pending_post_hoc(s, head));  // stand-in approvals to read
//   KOBAN_TRY(workflow::acknowledge(s, head, report.step.id, {.person = head}, now));
//   // from a scheduled job (store/scheduler.h), e.g. every hour:
//   KOBAN_ASSIGN(int n, workflow::enqueue_reminders(s, now, std::chrono::hours(24)));
//
// Lists are capped (limit at most kMaxListLimit) and ordered oldest first, so the longest
// waiting item comes first.
#pragma once

#include <chrono>
#include <cstdint>
#include <vector>

#include "core/result.h"
#include "core/time.h"
#include "store/database.h"
#include "workflow/engine.h"
#include "workflow/request.h"

namespace koban::workflow {

inline constexpr int kMaxListLimit = 500;
inline constexpr const char* kReminderEvent = "reminder";

struct Waiting {
  Request request;
  Step step;  // the open step that lists the person
};

// Submitted requests whose open step lists `person` (never their own), oldest step first.
Result<std::vector<Waiting>> waiting_for(store::Session& s, org::PersonId person, int limit = 100);

struct DashboardCounts {
  std::int64_t waiting = 0;           // waiting_for(person)
  std::int64_t post_hoc_pending = 0;  // pending_post_hoc(person)
  std::int64_t my_submitted = 0;      // my requests waiting for others
  std::int64_t my_remanded = 0;       // my requests sent back to me
  std::int64_t my_approved = 0;       // my requests approved, not yet carried out
};
Result<DashboardCounts> dashboard_counts(store::Session& s, org::PersonId person);

// Approved steps decided by a stand-in that `person` (the absent head) has not acknowledged.
Result<std::vector<Waiting>> pending_post_hoc(store::Session& s, org::PersonId person, int limit = 100);
// Marks the report read; only the person it is addressed to, once (conflict the second time).
// Audited as workflow.request.acknowledge in the caller's transaction.
Result<void> acknowledge(store::Session& s, org::PersonId person, StepId step, const By& by, Instant now);

struct Reminder {
  RequestId request_id = 0;
  StepId step_id = 0;
  std::vector<org::PersonId> approvers{};
  Instant waiting_since{};
};
// Open steps that started at or before now - older_than, oldest first (at most kMaxListLimit).
Result<std::vector<Reminder>> due_reminders(store::Session& s, Instant now,
                                            std::chrono::seconds older_than);
// Enqueues one "workflow.notify" job (event "reminder") per due step, at most one per step and
// JST day (dedupe key), so an hourly schedule reminds once a day. Returns how many were due.
Result<int> enqueue_reminders(store::Session& s, Instant now, std::chrono::seconds older_than);

}  // namespace koban::workflow
