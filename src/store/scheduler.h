// Recurring jobs. Schedules are registered in code; every tick enqueues one job per due
// moment with dedupe_key "sched:<name>:<due unix seconds>", so several processes ticking the
// same schedules never enqueue a moment twice.
//
//   store::Scheduler sched(db);
//   sched.add({.name = "daily-digest",
//              .next_due = [](Instant after) { return next_0800_jst(after); },  // calendar/
//              .kind = "mail.digest"});
//   KOBAN_TRY(sched.tick(clock.now()));   // e.g. every 30 s from the worker process
//
// Where each schedule stands is kept in table job_schedules (name, last_due), so moments
// missed while no process ran are caught up on the next tick — at most max_catch_up per
// schedule (the most recent ones); older ones are skipped. A schedule seen for the first time
// starts from the tick's moment (nothing in the past is enqueued).
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "core/time.h"
#include "store/jobs.h"

namespace koban::store {

struct Schedule {
  std::string name{};                           // stable: it keys the dedupe and the cursor
  std::function<Instant(Instant after)> next_due{};  // first due moment strictly after `after`
  std::string kind{};
  std::string payload = "{}";
  int max_attempts = 5;
};

struct TickReport {
  int enqueued = 0;  // jobs inserted by this tick (not counting dedupe no-ops)
  int skipped = 0;   // missed moments beyond max_catch_up
};

class Scheduler {
 public:
  explicit Scheduler(Database& db, int max_catch_up = 3) : db_(db), max_catch_up_(max_catch_up) {}
  Result<void> add(Schedule s);  // invalid_argument for an empty or duplicate name
  Result<TickReport> tick(Instant now);

 private:
  Database& db_;
  int max_catch_up_;
  std::vector<Schedule> schedules_;
};

}  // namespace koban::store
