// The durable job queue (table `jobs`, created by the store's migration 1).
//
//   // inside the caller's transaction: the job exists iff the caller's data commits
//   db.write([&](store::Session& s) -> Result<void> {
//     KOBAN_TRY(s.exec("INSERT INTO alerts ...", ...));
//     KOBAN_TRY(store::enqueue(s, {.kind = "mail.alert", .payload = json, .run_at = now}, now));
//     return ok();
//   });
//   // a worker (see worker.h, which does this loop for you):
//   KOBAN_ASSIGN(auto job, store::claim(db, "host-1:42", now, std::chrono::minutes(5)));
//   if (job) { ... store::complete(db, *job, now) or store::fail(db, *job, "error", now); }
//
// States: queued → running (claimed, lease until locked_until) → done, or back to queued with
// a backoff (30 s × 2^(attempt-1), capped at 1 h, minus up to 20 % jitter), or dead after
// max_attempts. A running job whose lease expired (its worker died) is claimable again; it
// becomes dead instead if it has used all its attempts.
// complete()/fail() only act on the claim they were given (same worker and attempt): a worker
// whose lease expired and was taken over gets ErrorCode::conflict and must drop the result.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "core/time.h"
#include "store/database.h"

namespace koban::store {

enum class JobState { queued, running, done, dead };
const char* to_string(JobState s);
std::optional<JobState> parse_job_state(std::string_view s);

struct NewJob {
  std::string kind{};                     // e.g. "mail.send"; handlers are looked up by it
  std::string payload = "{}";             // JSON text, at most kMaxPayloadBytes
  Instant run_at{};                       // not before this moment
  int max_attempts = 5;
  std::optional<std::string> dedupe_key{};  // a second enqueue with the same key is a no-op
};

struct Job {
  std::int64_t id = 0;
  std::string kind;
  std::string payload;
  JobState state = JobState::queued;
  int attempts = 0;  // claims so far, including the current one
  int max_attempts = 0;
  Instant run_at{};
  std::optional<std::string> locked_by;
  std::optional<Instant> locked_until;
  std::optional<std::string> last_error;
  std::optional<std::string> dedupe_key;
  Instant created_at{};
  std::optional<Instant> finished_at;
};

inline constexpr std::size_t kMaxPayloadBytes = 256 * 1024;
inline constexpr std::size_t kMaxErrorBytes = 2000;

// Inserts the job in s's transaction. Returns its id — with a dedupe_key already present,
// the id of the existing job and nothing is inserted.
Result<std::int64_t> enqueue(Session& s, const NewJob& job, Instant now);

// Atomically takes the next due job (oldest run_at first) for worker_id, for `lease`.
// nullopt when nothing is due.
Result<std::optional<Job>> claim(Database& db, const std::string& worker_id, Instant now,
                                 std::chrono::seconds lease);

Result<void> complete(Database& db, const Job& claimed, Instant now);
// Records error (truncated to kMaxErrorBytes) and schedules a retry, or marks the job dead.
Result<void> fail(Database& db, const Job& claimed, std::string_view error, Instant now);
// Extends the lease of a long-running job.
Result<void> extend_lease(Database& db, const Job& claimed, Instant until);

// At start-up: jobs left `running` by a process of this host that no longer exists (kill -9,
// a crash, power loss) become claimable at once instead of when their lease runs out (Worker
// ids are "host:pid:n"). alive(pid) says whether that process still runs (default: kill(pid, 0)).
// Jobs of other hosts are left to their lease. Returns how many were released.
Result<std::int64_t> release_orphaned_jobs(Database& db, std::string_view host, Instant now,
                                           const std::function<bool(long)>& alive = {});
// This machine's host name, as Worker ids use it.
std::string local_host_name();

// The retry delay after `attempts` failed attempts; jitter01 in [0, 1) takes off up to 20 %.
std::chrono::seconds backoff_delay(int attempts, double jitter01);

Result<std::optional<Job>> get_job(Database& db, std::int64_t id);
// Newest first; limit is capped at 1000.
Result<std::vector<Job>> list_jobs(Database& db, JobState state, int limit, int offset = 0);
// Every state is present in the map, with 0 when empty (for /metrics).
Result<std::map<JobState, std::int64_t>> count_jobs_by_state(Database& db);
// A dead job goes back to queued with its attempts reset; not_found if it is not dead.
Result<void> retry_dead(Database& db, std::int64_t id, Instant now);
// Deletes done jobs finished before `before`; returns how many.
Result<std::int64_t> purge_done(Database& db, Instant before);

// In-process wake-up: enqueue() signals it after the enqueuing transaction commits, so a
// Worker in the same process starts at once instead of at its next poll.
class JobSignal {
 public:
  static JobSignal& instance();
  void notify();
  // Waits until notify() after `seen` or the timeout; returns the current generation.
  std::uint64_t wait(std::uint64_t seen, std::chrono::milliseconds timeout);
  std::uint64_t generation();

 private:
  struct Impl;
  JobSignal();
  Impl* impl_;
};

}  // namespace koban::store
