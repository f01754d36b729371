#include "store/jobs.h"

#include <condition_variable>
#include <map>
#include <mutex>
#include <set>
#include <thread>

#include "store/migrations.h"
#include "store/scheduler.h"
#include "store/worker.h"
#include "test_db.h"

namespace koban::store {
namespace {

using namespace std::chrono_literals;
using testing::BackendTest;
const Instant kT0 = from_unix(1'800'000'000);

class JobsTest : public BackendTest {
 protected:
  void SetUp() override {
    BackendTest::SetUp();
    if (IsSkipped() || HasFatalFailure()) return;
    MigrationRegistry reg;
    ASSERT_OK(reg.add("store", store_migrations()));
    ASSERT_OK(reg.add("test", {{1, "notes", "CREATE TABLE notes (id {{ID}}, body TEXT)"}}));
    ASSERT_OK(migrate(*db_, reg, kT0));
  }

  std::int64_t add(const NewJob& job, Instant now = kT0) {
    std::int64_t id = 0;
    auto r = db_->write([&](Session& s) -> Result<void> {
      KOBAN_ASSIGN(id, enqueue(s, job, now));
      return ok();
    });
    EXPECT_TRUE(r.ok()) << (r ? "" : r.error().message);
    return id;
  }

  Job must_get(std::int64_t id) {
    auto j = get_job(*db_, id);
    EXPECT_TRUE(j.ok() && j->has_value());
    return (j.ok() && j->has_value()) ? **j : Job{};
  }

  std::optional<Job> must_claim(const std::string& worker, Instant now, std::chrono::seconds lease = 60s) {
    auto j = claim(*db_, worker, now, lease);
    EXPECT_TRUE(j.ok()) << (j ? "" : j.error().message);
    return j.ok() ? *j : std::nullopt;
  }
};

TEST_P(JobsTest, EnqueueRollsBackWithTheCallersTransaction) {
  auto r = db_->write([&](Session& s) -> Result<void> {
    KOBAN_TRY(s.exec("INSERT INTO notes (body) VALUES (?)", "alert"));
    KOBAN_TRY(enqueue(s, {.kind = "mail.alert", .payload = R"({"n":1})", .run_at = kT0}, kT0));
    return Error::invalid("caller changed its mind");
  });
  ASSERT_FALSE(r.ok());
  auto counts = count_jobs_by_state(*db_);
  ASSERT_TRUE(counts.ok());
  EXPECT_EQ(counts->at(JobState::queued), 0);
  EXPECT_FALSE(must_claim("w", kT0 + 1h).has_value());

  const auto gen = JobSignal::instance().generation();
  ASSERT_OK(db_->write([&](Session& s) -> Result<void> {
    KOBAN_TRY(s.exec("INSERT INTO notes (body) VALUES (?)", "alert"));
    KOBAN_TRY(enqueue(s, {.kind = "mail.alert", .payload = R"({"n":2})", .run_at = kT0}, kT0));
    return ok();
  }));
  EXPECT_GT(JobSignal::instance().generation(), gen);  // in-process workers are woken
  auto job = must_claim("w", kT0);
  ASSERT_TRUE(job.has_value());
  EXPECT_EQ(job->kind, "mail.alert");
  EXPECT_EQ(job->payload, R"({"n":2})");
  EXPECT_EQ(job->state, JobState::running);
  EXPECT_EQ(job->attempts, 1);
  EXPECT_EQ(job->locked_by, "w");
  EXPECT_EQ(job->locked_until, kT0 + 60s);
  EXPECT_EQ(job->created_at, kT0);
}

TEST_P(JobsTest, DedupeKeyMakesSecondEnqueueANoOp) {
  NewJob j{.kind = "k", .run_at = kT0, .dedupe_key = "once"};
  const auto a = add(j);
  const auto b = add(j);
  EXPECT_GT(a, 0);
  EXPECT_EQ(a, b);
  const auto c = add({.kind = "k", .run_at = kT0});
  const auto d = add({.kind = "k", .run_at = kT0});
  EXPECT_NE(c, d);  // no key: no dedupe
  auto counts = count_jobs_by_state(*db_);
  ASSERT_TRUE(counts.ok());
  EXPECT_EQ(counts->at(JobState::queued), 3);
}

TEST_P(JobsTest, EnqueueValidatesInput) {
  auto r = db_->write([&](Session& s) -> Result<void> {
    KOBAN_TRY(enqueue(s, {.kind = "k", .payload = std::string(kMaxPayloadBytes + 1, 'x'), .run_at = kT0}, kT0));
    return ok();
  });
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, ErrorCode::too_large);
  r = db_->write([&](Session& s) -> Result<void> {
    KOBAN_TRY(enqueue(s, {.kind = "", .run_at = kT0}, kT0));
    return ok();
  });
  EXPECT_FALSE(r.ok());
}

TEST_P(JobsTest, ClaimsOnlyDueJobsOldestFirst) {
  const auto later = add({.kind = "k", .run_at = kT0 + 10min});
  const auto sooner = add({.kind = "k", .run_at = kT0 + 1min});
  EXPECT_FALSE(must_claim("w", kT0).has_value());
  auto a = must_claim("w", kT0 + 1h);
  auto b = must_claim("w", kT0 + 1h);
  ASSERT_TRUE(a && b);
  EXPECT_EQ(a->id, sooner);
  EXPECT_EQ(b->id, later);
  EXPECT_FALSE(must_claim("w", kT0 + 1h).has_value());
  ASSERT_OK(complete(*db_, *a, kT0 + 1h));
  auto done = must_get(a->id);
  EXPECT_EQ(done.state, JobState::done);
  EXPECT_EQ(done.finished_at, kT0 + 1h);
  EXPECT_FALSE(done.locked_by.has_value());
}

TEST_P(JobsTest, FailureRetriesWithBackoffThenDies) {
  const auto id = add({.kind = "k", .run_at = kT0, .max_attempts = 3});
  Instant now = kT0;
  for (int attempt = 1; attempt <= 3; ++attempt) {
    auto j = must_claim("w", now);
    ASSERT_TRUE(j.has_value()) << "attempt " << attempt;
    EXPECT_EQ(j->attempts, attempt);
    ASSERT_OK(fail(*db_, *j, "SMTP 451 一時的なエラー " + std::to_string(attempt), now));
    auto after = must_get(id);
    EXPECT_EQ(after.last_error, "SMTP 451 一時的なエラー " + std::to_string(attempt));
    if (attempt < 3) {
      EXPECT_EQ(after.state, JobState::queued);
      // 30 s, then 60 s, each minus at most 20 % jitter.
      const auto full = 30s * (1 << (attempt - 1));
      EXPECT_LE(after.run_at, now + full);
      EXPECT_GE(after.run_at, now + full * 8 / 10);
      EXPECT_FALSE(must_claim("w", after.run_at - 1s).has_value());
      now = after.run_at;
    } else {
      EXPECT_EQ(after.state, JobState::dead);
      EXPECT_EQ(after.finished_at, now);
    }
  }
  EXPECT_FALSE(must_claim("w", now + 24h).has_value());

  auto dead = list_jobs(*db_, JobState::dead, 10);
  ASSERT_TRUE(dead.ok());
  ASSERT_EQ(dead->size(), 1u);
  EXPECT_EQ(dead->at(0).id, id);

  ASSERT_OK(retry_dead(*db_, id, now + 1h));
  auto again = must_get(id);
  EXPECT_EQ(again.state, JobState::queued);
  EXPECT_EQ(again.attempts, 0);
  EXPECT_EQ(again.run_at, now + 1h);
  auto r = retry_dead(*db_, id, now);  // not dead any more
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, ErrorCode::not_found);
  ASSERT_TRUE(must_claim("w", now + 1h).has_value());
}

TEST_P(JobsTest, LongErrorIsTruncatedOnACharacterBoundary) {
  add({.kind = "k", .run_at = kT0});
  auto j = must_claim("w", kT0);
  ASSERT_TRUE(j);
  std::string err;
  while (err.size() < 3 * kMaxErrorBytes) err += "失敗";
  ASSERT_OK(fail(*db_, *j, err, kT0));
  auto stored = must_get(j->id).last_error.value_or("");
  EXPECT_LE(stored.size(), kMaxErrorBytes);
  EXPECT_GT(stored.size(), kMaxErrorBytes - 4);
  EXPECT_EQ(stored.size() % 3, 0u);  // whole 3-byte characters only
}

TEST_P(JobsTest, ExpiredLeaseIsClaimableAgainAndStaleClaimIsRejected) {
  const auto id = add({.kind = "k", .run_at = kT0});
  auto first = must_claim("w1", kT0, 60s);
  ASSERT_TRUE(first);
  EXPECT_FALSE(must_claim("w2", kT0 + 59s).has_value());  // lease still held
  auto second = must_claim("w2", kT0 + 60s, 60s);        // w1 died
  ASSERT_TRUE(second);
  EXPECT_EQ(second->id, id);
  EXPECT_EQ(second->attempts, 2);
  EXPECT_EQ(second->locked_by, "w2");
  // w1 comes back to life: its result is refused, w2's stands.
  auto stale = complete(*db_, *first, kT0 + 61s);
  ASSERT_FALSE(stale.ok());
  EXPECT_EQ(stale.error().code, ErrorCode::conflict);
  EXPECT_FALSE(fail(*db_, *first, "late", kT0 + 61s).ok());
  ASSERT_OK(extend_lease(*db_, *second, kT0 + 300s));
  EXPECT_FALSE(must_claim("w3", kT0 + 200s).has_value());
  ASSERT_OK(complete(*db_, *second, kT0 + 62s));
  EXPECT_EQ(must_get(id).state, JobState::done);
}

TEST_P(JobsTest, JobsOfDeadProcessesOfThisHostAreReleasedAtStartUp) {
  const auto dead_job = add({.kind = "k", .run_at = kT0});
  const auto live_job = add({.kind = "k", .run_at = kT0 + 1s});
  const auto other_host_job = add({.kind = "k", .run_at = kT0 + 2s});
  const auto not_a_worker_job = add({.kind = "k", .run_at = kT0 + 3s});
  ASSERT_TRUE(must_claim("here:4001:1", kT0 + 5s, 300s));     // its process was killed
  ASSERT_TRUE(must_claim("here:4002:1", kT0 + 5s, 300s));     // still running
  ASSERT_TRUE(must_claim("there:4001:1", kT0 + 5s, 300s));    // another machine
  ASSERT_TRUE(must_claim("here", kT0 + 5s, 300s));            // not "host:pid:n"
  const auto alive = [](long pid) { return pid == 4002 || pid == 5000; };  // 5000: the new process
  auto released = release_orphaned_jobs(*db_, "here", kT0 + 10s, alive);
  ASSERT_OK(released);
  EXPECT_EQ(*released, 1);
  // Claimable at once, not 300 s later; the others keep their lease.
  auto again = must_claim("here:5000:1", kT0 + 10s, 300s);
  ASSERT_TRUE(again);
  EXPECT_EQ(again->id, dead_job);
  EXPECT_EQ(again->attempts, 2);
  EXPECT_FALSE(must_claim("here:5000:1", kT0 + 10s, 300s).has_value());
  for (auto id : {live_job, other_host_job, not_a_worker_job}) EXPECT_EQ(must_get(id).state, JobState::running);
  // Nothing left to release: the second call changes nothing.
  auto none = release_orphaned_jobs(*db_, "here", kT0 + 11s, alive);
  ASSERT_OK(none);
  EXPECT_EQ(*none, 0);
  EXPECT_FALSE(local_host_name().empty());
}

TEST_P(JobsTest, LeaseExpiredOnLastAttemptMakesTheJobDead) {
  const auto id = add({.kind = "k", .run_at = kT0, .max_attempts = 1});
  ASSERT_TRUE(must_claim("w1", kT0, 60s));
  EXPECT_FALSE(must_claim("w2", kT0 + 61s).has_value());
  auto j = must_get(id);
  EXPECT_EQ(j.state, JobState::dead);
  EXPECT_NE(j.last_error.value_or("").find("lease expired"), std::string::npos);
}

TEST_P(JobsTest, PurgeDeletesOldDoneJobsOnly) {
  add({.kind = "k", .run_at = kT0});
  add({.kind = "k", .run_at = kT0});
  auto j = must_claim("w", kT0);
  ASSERT_TRUE(j);
  ASSERT_OK(complete(*db_, *j, kT0));
  auto n = purge_done(*db_, kT0 + 1s);
  ASSERT_TRUE(n.ok());
  EXPECT_EQ(*n, 1);
  auto counts = count_jobs_by_state(*db_);
  ASSERT_TRUE(counts.ok());
  EXPECT_EQ(counts->at(JobState::done), 0);
  EXPECT_EQ(counts->at(JobState::queued), 1);
}

// Waits (bounded) until pred holds; the bound is a safety net, not a measured time.
template <class Pred>
bool wait_until(std::mutex& mu, std::condition_variable& cv, Pred pred) {
  std::unique_lock lock(mu);
  return cv.wait_for(lock, 120s, pred);
}

TEST_P(JobsTest, WorkersInTwoProcessesRunEveryJobExactlyOnce) {
  constexpr int kJobs = 150;
  std::set<std::int64_t> ids;
  ASSERT_OK(db_->write([&](Session& s) -> Result<void> {
    for (int i = 0; i < kJobs; ++i) {
      KOBAN_ASSIGN(auto id, enqueue(s, {.kind = "count", .payload = std::to_string(i), .run_at = kT0}, kT0));
      ids.insert(id);
    }
    return ok();
  }));
  auto other = open_another();
  ASSERT_TRUE(other);
  FixedClock clock(kT0);
  std::mutex mu;
  std::condition_variable cv;
  std::map<std::int64_t, int> runs;
  int total = 0;
  auto handler = [&](const Job& j) -> Result<void> {
    std::lock_guard lock(mu);
    ++runs[j.id];
    ++total;
    cv.notify_all();
    return ok();
  };
  Worker w1(*db_, {.worker_id = "p1", .threads = 3, .poll_interval = 20ms, .clock = &clock});
  Worker w2(*other, {.worker_id = "p2", .threads = 3, .poll_interval = 20ms, .clock = &clock});
  w1.handle("count", handler);
  w2.handle("count", handler);
  w1.start();
  w2.start();
  EXPECT_TRUE(wait_until(mu, cv, [&] { return total >= kJobs; }));
  // Let the last complete() calls land before stopping.
  for (int i = 0; i < 200; ++i) {
    auto c = count_jobs_by_state(*db_);
    if (c.ok() && c->at(JobState::done) == kJobs) break;
    std::this_thread::sleep_for(10ms);
  }
  w1.stop();
  w2.stop();
  EXPECT_EQ(total, kJobs);
  EXPECT_EQ(runs.size(), static_cast<std::size_t>(kJobs));
  for (const auto& [id, n] : runs) {
    EXPECT_EQ(n, 1) << "job " << id;
    EXPECT_TRUE(ids.count(id));
  }
  auto counts = count_jobs_by_state(*db_);
  ASSERT_TRUE(counts.ok());
  EXPECT_EQ(counts->at(JobState::done), kJobs);
  EXPECT_EQ(counts->at(JobState::queued), 0);
  EXPECT_EQ(counts->at(JobState::running), 0);
}

TEST_P(JobsTest, WorkerRecordsHandlerFailuresAndUnknownKinds) {
  FixedClock clock(kT0);
  Worker w(*db_, {.worker_id = "w", .clock = &clock});
  w.handle("bad", [](const Job&) -> Result<void> { return Error::unavailable("SMTP サーバー停止中"); });
  w.handle("throws", [](const Job&) -> Result<void> { throw std::runtime_error("bug"); });
  const auto bad = add({.kind = "bad", .run_at = kT0});
  const auto thrower = add({.kind = "throws", .run_at = kT0});
  const auto unknown = add({.kind = "nobody", .run_at = kT0});
  for (int i = 0; i < 3; ++i) {
    auto r = w.run_once();
    ASSERT_TRUE(r.ok());
    EXPECT_TRUE(*r);
  }
  auto none = w.run_once();
  ASSERT_TRUE(none.ok());
  EXPECT_FALSE(*none);
  for (auto id : {bad, thrower, unknown}) {
    auto j = must_get(id);
    EXPECT_EQ(j.state, JobState::queued);
    EXPECT_EQ(j.attempts, 1);
    EXPECT_GT(j.run_at, kT0);
  }
  EXPECT_NE(must_get(bad).last_error.value_or("").find("SMTP サーバー停止中"), std::string::npos);
  EXPECT_NE(must_get(thrower).last_error.value_or("").find("bug"), std::string::npos);
  EXPECT_NE(must_get(unknown).last_error.value_or("").find("no handler"), std::string::npos);
}

TEST_P(JobsTest, WorkerWakesOnInProcessEnqueueAndStopsGracefully) {
  FixedClock clock(kT0);
  std::mutex mu;
  std::condition_variable cv;
  bool started = false, release = false, finished = false;
  // A poll interval of an hour: only the enqueue wake-up can start the job in time.
  Worker w(*db_, {.worker_id = "w", .threads = 1, .poll_interval = 3600s, .clock = &clock});
  w.handle("slow", [&](const Job&) -> Result<void> {
    std::unique_lock lock(mu);
    started = true;
    cv.notify_all();
    cv.wait(lock, [&] { return release; });
    finished = true;
    return ok();
  });
  w.start();
  std::this_thread::sleep_for(50ms);  // let the thread reach its idle wait
  const auto id = add({.kind = "slow", .run_at = kT0});
  ASSERT_TRUE(wait_until(mu, cv, [&] { return started; }));
  std::thread stopper([&] { w.stop(); });
  {
    std::lock_guard lock(mu);
    release = true;
  }
  cv.notify_all();
  stopper.join();
  EXPECT_TRUE(finished);
  EXPECT_EQ(must_get(id).state, JobState::done);  // the running handler was allowed to finish
}

TEST_P(JobsTest, SchedulerEnqueuesEachDueMomentOnceAcrossProcesses) {
  auto every_minute = [](Instant after) {
    return from_unix((to_unix(after) / 60 + 1) * 60);
  };
  auto other = open_another();
  ASSERT_TRUE(other);
  Scheduler a(*db_), b(*other);
  ASSERT_OK(a.add({.name = "tick", .next_due = every_minute, .kind = "report"}));
  ASSERT_OK(b.add({.name = "tick", .next_due = every_minute, .kind = "report"}));
  EXPECT_FALSE(a.add({.name = "tick", .next_due = every_minute, .kind = "x"}).ok());

  const Instant start = from_unix(1'800'000'010);  // 10 s past a minute
  auto first = a.tick(start);
  ASSERT_TRUE(first.ok()) << first.error().message;
  EXPECT_EQ(first->enqueued, 0);  // first sight starts from now

  auto ra = a.tick(start + 130s);  // minutes +50 s and +110 s are due
  auto rb = b.tick(start + 130s);
  ASSERT_TRUE(ra.ok() && rb.ok());
  EXPECT_EQ(ra->enqueued + rb->enqueued, 2);
  auto jobs = list_jobs(*db_, JobState::queued, 100);
  ASSERT_TRUE(jobs.ok());
  ASSERT_EQ(jobs->size(), 2u);
  std::set<std::string> keys;
  for (const auto& j : *jobs) {
    EXPECT_EQ(j.kind, "report");
    EXPECT_EQ(to_unix(j.run_at) % 60, 0);
    keys.insert(j.dedupe_key.value_or(""));
  }
  EXPECT_TRUE(keys.count("sched:tick:" + std::to_string(1'800'000'000 + 60)));
  EXPECT_TRUE(keys.count("sched:tick:" + std::to_string(1'800'000'000 + 120)));

  // Down for an hour: only the 3 most recent missed moments are enqueued.
  auto late = b.tick(start + 130s + 1h);
  ASSERT_TRUE(late.ok());
  EXPECT_EQ(late->enqueued, 3);
  EXPECT_EQ(late->skipped, 57);
  auto again = a.tick(start + 130s + 1h);
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(again->enqueued, 0);
}

KOBAN_BACKEND_TESTS(JobsTest);

TEST(Backoff, DoublesFromThirtySecondsUpToAnHour) {
  EXPECT_EQ(backoff_delay(1, 0), 30s);
  EXPECT_EQ(backoff_delay(2, 0), 60s);
  EXPECT_EQ(backoff_delay(3, 0), 120s);
  EXPECT_EQ(backoff_delay(7, 0), 1920s);
  EXPECT_EQ(backoff_delay(8, 0), 3600s);
  EXPECT_EQ(backoff_delay(1000, 0), 3600s);
  EXPECT_EQ(backoff_delay(1, 0.999), 25s);  // 30 - floor(5.994)
  EXPECT_EQ(backoff_delay(1000, 1.0), 2880s);
  EXPECT_EQ(backoff_delay(1000, 5.0), 2880s);  // clamped
}

TEST(JobStateNames, RoundTrip) {
  for (auto s : {JobState::queued, JobState::running, JobState::done, JobState::dead})
    EXPECT_EQ(parse_job_state(to_string(s)), s);
  EXPECT_FALSE(parse_job_state("bogus").has_value());
}

}  // namespace
}  // namespace koban::store
