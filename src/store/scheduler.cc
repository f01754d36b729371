#include "store/scheduler.h"

#include <deque>

namespace koban::store {
namespace {
// A next_due function that does not advance (a bug) must not loop forever.
constexpr int kMaxStepsPerTick = 100000;
}  // namespace

Result<void> Scheduler::add(Schedule s) {
  if (s.name.empty() || s.name.size() > 100 || !s.next_due || s.kind.empty())
    return Error::invalid("schedule needs a name (≤100 bytes), next_due and kind");
  for (const auto& x : schedules_)
    if (x.name == s.name) return Error::invalid("schedule registered twice: " + s.name);
  schedules_.push_back(std::move(s));
  return ok();
}

Result<TickReport> Scheduler::tick(Instant now) {
  TickReport report;
  for (const auto& sc : schedules_) {
    int enqueued = 0, skipped = 0;
    KOBAN_TRY(db_.write([&](Session& s) -> Result<void> {
      enqueued = skipped = 0;
      KOBAN_ASSIGN(auto rows, s.query("SELECT last_due FROM job_schedules WHERE name = ?", sc.name));
      if (rows.empty()) {
        // First sight: start from now. ON CONFLICT: another process may be doing the same.
        KOBAN_TRY(s.exec("INSERT INTO job_schedules (name, last_due) VALUES (?, ?)"
                         " ON CONFLICT (name) DO NOTHING",
                         sc.name, to_unix(now)));
        return ok();
      }
      Instant cursor = from_unix(rows[0].int64(0));
      std::deque<Instant> due;
      for (int steps = 0; steps < kMaxStepsPerTick; ++steps) {
        Instant next = sc.next_due(cursor);
        if (next <= cursor || next > now) break;
        due.push_back(next);
        if (static_cast<int>(due.size()) > max_catch_up_) {
          due.pop_front();
          ++skipped;
        }
        cursor = next;
      }
      for (Instant d : due) {
        NewJob job{.kind = sc.kind,
                   .payload = sc.payload,
                   .run_at = d,
                   .max_attempts = sc.max_attempts,
                   .dedupe_key = "sched:" + sc.name + ":" + std::to_string(to_unix(d))};
        KOBAN_ASSIGN(auto before, s.query("SELECT 1 FROM jobs WHERE dedupe_key = ?", job.dedupe_key));
        KOBAN_TRY(enqueue(s, job, now));
        if (before.empty()) ++enqueued;
      }
      // Never move a cursor backwards (another process may be ahead).
      KOBAN_TRY(s.exec("UPDATE job_schedules SET last_due = ? WHERE name = ? AND last_due < ?",
                       to_unix(cursor), sc.name, to_unix(cursor)));
      return ok();
    }));
    report.enqueued += enqueued;
    report.skipped += skipped;
  }
  return report;
}

}  // namespace koban::store
