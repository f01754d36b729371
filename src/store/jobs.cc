#include "store/jobs.h"

#include <signal.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <condition_variable>
#include <mutex>
#include <random>

namespace koban::store {
namespace {

constexpr const char* kJobColumns =
    "id, kind, payload, state, attempts, max_attempts, run_at, locked_by, locked_until, "
    "last_error, dedupe_key, created_at, finished_at";

Job job_from_row(const Row& r) {
  Job j;
  j.id = r.int64(0);
  j.kind = r.text(1);
  j.payload = r.text(2);
  j.state = parse_job_state(r.text(3)).value_or(JobState::dead);
  j.attempts = static_cast<int>(r.int64(4));
  j.max_attempts = static_cast<int>(r.int64(5));
  j.run_at = from_unix(r.int64(6));
  j.locked_by = r.opt_text(7);
  if (auto t = r.opt_int64(8)) j.locked_until = from_unix(*t);
  j.last_error = r.opt_text(9);
  j.dedupe_key = r.opt_text(10);
  j.created_at = from_unix(r.int64(11));
  if (auto t = r.opt_int64(12)) j.finished_at = from_unix(*t);
  return j;
}

// Cuts s to at most max bytes without splitting a UTF-8 sequence.
std::string truncate_utf8(std::string_view s, std::size_t max) {
  if (s.size() <= max) return std::string(s);
  std::size_t n = max;
  while (n > 0 && (static_cast<unsigned char>(s[n]) & 0xC0) == 0x80) --n;
  return std::string(s.substr(0, n));
}

double random01() {
  thread_local std::mt19937_64 rng{std::random_device{}()};
  return std::uniform_real_distribution<double>(0.0, 1.0)(rng);
}

Error lost_claim(const Job& j) {
  return Error::conflict("job " + std::to_string(j.id) +
                         " is no longer held by this claim (lease expired and taken over)");
}

}  // namespace

const char* to_string(JobState s) {
  switch (s) {
    case JobState::queued: return "queued";
    case JobState::running: return "running";
    case JobState::done: return "done";
    case JobState::dead: return "dead";
  }
  return "dead";
}

std::optional<JobState> parse_job_state(std::string_view s) {
  if (s == "queued") return JobState::queued;
  if (s == "running") return JobState::running;
  if (s == "done") return JobState::done;
  if (s == "dead") return JobState::dead;
  return std::nullopt;
}

std::chrono::seconds backoff_delay(int attempts, double jitter01) {
  constexpr std::int64_t base = 30, cap = 3600;
  std::int64_t d = base;
  for (int i = 1; i < attempts && d < cap; ++i) d *= 2;
  d = std::min(d, cap);
  jitter01 = std::clamp(jitter01, 0.0, 1.0);
  return std::chrono::seconds(d - static_cast<std::int64_t>(static_cast<double>(d) * 0.2 * jitter01));
}

Result<std::int64_t> enqueue(Session& s, const NewJob& job, Instant now) {
  if (job.kind.empty() || job.kind.size() > 100) return Error::invalid("job kind must be 1..100 bytes");
  if (job.payload.size() > kMaxPayloadBytes) return Error{ErrorCode::too_large, "job payload too large"};
  if (job.max_attempts < 1 || job.max_attempts > 100) return Error::invalid("max_attempts must be 1..100");
  if (job.dedupe_key && job.dedupe_key->size() > 200) return Error::invalid("dedupe_key too long");
  KOBAN_ASSIGN(auto rows,
               s.query("INSERT INTO jobs (kind, payload, state, attempts, max_attempts, run_at,"
                       " dedupe_key, created_at) VALUES (?, ?, 'queued', 0, ?, ?, ?, ?)"
                       " ON CONFLICT (dedupe_key) DO NOTHING RETURNING id",
                       job.kind, job.payload, job.max_attempts, to_unix(job.run_at),
                       job.dedupe_key, to_unix(now)));
  if (!rows.empty()) {
    s.after_commit([] { JobSignal::instance().notify(); });
    return rows[0].int64(0);
  }
  KOBAN_ASSIGN(auto existing, s.query("SELECT id FROM jobs WHERE dedupe_key = ?", job.dedupe_key));
  if (existing.empty()) return Error::internal("enqueue: dedupe conflict but no row");
  return existing[0].int64(0);
}

Result<std::optional<Job>> claim(Database& db, const std::string& worker_id, Instant now,
                                 std::chrono::seconds lease) {
  const bool pg = db.backend() == Backend::postgres;
  const std::int64_t t = to_unix(now);
  std::optional<Job> out;
  // The candidate condition is repeated in the outer UPDATE so that, on PostgreSQL, a row
  // changed by another worker between snapshot and lock is re-checked.
  const std::string due =
      "((state = 'queued' AND run_at <= ?) OR (state = 'running' AND locked_until <= ?))";
  const std::string sql =
      "UPDATE jobs SET state = 'running', attempts = attempts + 1, locked_by = ?, "
      "locked_until = ? WHERE id = (SELECT id FROM jobs WHERE " + due +
      " ORDER BY run_at, id LIMIT 1" + (pg ? " FOR UPDATE SKIP LOCKED" : "") + ") AND " + due +
      " RETURNING " + kJobColumns;
  KOBAN_TRY(db.write([&](Session& s) -> Result<void> {
    out.reset();
    // Jobs whose worker died on their last attempt are not run again.
    KOBAN_TRY(s.exec("UPDATE jobs SET state = 'dead', finished_at = ?, locked_by = NULL,"
                     " locked_until = NULL, last_error = COALESCE(last_error, '') || ?"
                     " WHERE state = 'running' AND locked_until <= ? AND attempts >= max_attempts",
                     t, "[lease expired on the last attempt]", t));
    KOBAN_ASSIGN(auto rows, s.query(sql, worker_id, t + lease.count(), t, t, t, t));
    if (!rows.empty()) out = job_from_row(rows[0]);
    return ok();
  }));
  return out;
}

std::string local_host_name() {
  char host[256] = {};
  gethostname(host, sizeof host - 1);
  return host;
}

Result<std::int64_t> release_orphaned_jobs(Database& db, std::string_view host, Instant now,
                                           const std::function<bool(long)>& alive) {
  const auto running = [&](long pid) {
    if (alive) return alive(pid);
    return ::kill(static_cast<pid_t>(pid), 0) == 0 || errno == EPERM;
  };
  const std::string prefix = std::string(host) + ":";
  std::int64_t released = 0;
  KOBAN_TRY(db.write([&](Session& s) -> Result<void> {
    released = 0;
    KOBAN_ASSIGN(auto rows, s.query("SELECT id, locked_by FROM jobs WHERE state = 'running' AND locked_by IS NOT NULL"));
    for (const auto& r : rows) {
      const std::string owner = r.text(1);
      if (owner.compare(0, prefix.size(), prefix) != 0) continue;
      const auto colon = owner.find(':', prefix.size());
      long pid = 0;
      try {
        pid = std::stol(owner.substr(prefix.size(), colon - prefix.size()));
      } catch (const std::exception&) {
        continue;  // not a Worker id
      }
      if (pid <= 0 || pid == static_cast<long>(::getpid()) || running(pid)) continue;
      KOBAN_ASSIGN(auto n, s.exec("UPDATE jobs SET locked_until = ? WHERE id = ? AND state = 'running' AND locked_by = ?",
                                  to_unix(now), r.int64(0), owner));
      released += n;
    }
    return ok();
  }));
  return released;
}

Result<void> complete(Database& db, const Job& j, Instant now) {
  return db.write([&](Session& s) -> Result<void> {
    KOBAN_ASSIGN(auto n, s.exec("UPDATE jobs SET state = 'done', finished_at = ?, locked_by = NULL,"
                                " locked_until = NULL WHERE id = ? AND state = 'running'"
                                " AND locked_by = ? AND attempts = ?",
                                to_unix(now), j.id, j.locked_by, j.attempts));
    if (n != 1) return lost_claim(j);
    return ok();
  });
}

Result<void> fail(Database& db, const Job& j, std::string_view error, Instant now) {
  const std::string msg = truncate_utf8(error, kMaxErrorBytes);
  const bool dead = j.attempts >= j.max_attempts;
  const std::int64_t next = to_unix(now) + backoff_delay(j.attempts, random01()).count();
  return db.write([&](Session& s) -> Result<void> {
    Result<std::int64_t> n =
        dead ? s.exec("UPDATE jobs SET state = 'dead', finished_at = ?, last_error = ?,"
                      " locked_by = NULL, locked_until = NULL"
                      " WHERE id = ? AND state = 'running' AND locked_by = ? AND attempts = ?",
                      to_unix(now), msg, j.id, j.locked_by, j.attempts)
             : s.exec("UPDATE jobs SET state = 'queued', run_at = ?, last_error = ?,"
                      " locked_by = NULL, locked_until = NULL"
                      " WHERE id = ? AND state = 'running' AND locked_by = ? AND attempts = ?",
                      next, msg, j.id, j.locked_by, j.attempts);
    if (!n) return n.error();
    if (*n != 1) return lost_claim(j);
    return ok();
  });
}

Result<void> extend_lease(Database& db, const Job& j, Instant until) {
  return db.write([&](Session& s) -> Result<void> {
    KOBAN_ASSIGN(auto n, s.exec("UPDATE jobs SET locked_until = ? WHERE id = ? AND state = 'running'"
                                " AND locked_by = ? AND attempts = ?",
                                to_unix(until), j.id, j.locked_by, j.attempts));
    if (n != 1) return lost_claim(j);
    return ok();
  });
}

Result<std::optional<Job>> get_job(Database& db, std::int64_t id) {
  std::optional<Job> out;
  KOBAN_TRY(db.read([&](Session& s) -> Result<void> {
    KOBAN_ASSIGN(auto rows, s.query(std::string("SELECT ") + kJobColumns + " FROM jobs WHERE id = ?", id));
    if (!rows.empty()) out = job_from_row(rows[0]);
    return ok();
  }));
  return out;
}

Result<std::vector<Job>> list_jobs(Database& db, JobState state, int limit, int offset) {
  limit = std::clamp(limit, 0, 1000);
  offset = std::max(offset, 0);
  std::vector<Job> out;
  KOBAN_TRY(db.read([&](Session& s) -> Result<void> {
    KOBAN_ASSIGN(auto rows, s.query(std::string("SELECT ") + kJobColumns +
                                        " FROM jobs WHERE state = ? ORDER BY id DESC LIMIT ? OFFSET ?",
                                    to_string(state), limit, offset));
    for (const auto& r : rows) out.push_back(job_from_row(r));
    return ok();
  }));
  return out;
}

Result<std::map<JobState, std::int64_t>> count_jobs_by_state(Database& db) {
  std::map<JobState, std::int64_t> out{
      {JobState::queued, 0}, {JobState::running, 0}, {JobState::done, 0}, {JobState::dead, 0}};
  KOBAN_TRY(db.read([&](Session& s) -> Result<void> {
    KOBAN_ASSIGN(auto rows, s.query("SELECT state, COUNT(*) FROM jobs GROUP BY state"));
    for (const auto& r : rows)
      if (auto st = parse_job_state(r.text(0))) out[*st] = r.int64(1);
    return ok();
  }));
  return out;
}

Result<void> retry_dead(Database& db, std::int64_t id, Instant now) {
  return db.write([&](Session& s) -> Result<void> {
    KOBAN_ASSIGN(auto n, s.exec("UPDATE jobs SET state = 'queued', attempts = 0, run_at = ?,"
                                " finished_at = NULL WHERE id = ? AND state = 'dead'",
                                to_unix(now), id));
    if (n != 1) return Error::not_found("失敗したジョブが見つかりません。");
    s.after_commit([] { JobSignal::instance().notify(); });
    return ok();
  });
}

Result<std::int64_t> purge_done(Database& db, Instant before) {
  std::int64_t n = 0;
  KOBAN_TRY(db.write([&](Session& s) -> Result<void> {
    KOBAN_ASSIGN(n, s.exec("DELETE FROM jobs WHERE state = 'done' AND finished_at < ?", to_unix(before)));
    return ok();
  }));
  return n;
}

struct JobSignal::Impl {
  std::mutex mu;
  std::condition_variable cv;
  std::uint64_t gen = 0;
};

JobSignal::JobSignal() : impl_(new Impl) {}

JobSignal& JobSignal::instance() {
  static JobSignal* s = new JobSignal;  // never destroyed: workers may outlive static dtors
  return *s;
}

void JobSignal::notify() {
  {
    std::lock_guard lock(impl_->mu);
    ++impl_->gen;
  }
  impl_->cv.notify_all();
}

std::uint64_t JobSignal::generation() {
  std::lock_guard lock(impl_->mu);
  return impl_->gen;
}

std::uint64_t JobSignal::wait(std::uint64_t seen, std::chrono::milliseconds timeout) {
  std::unique_lock lock(impl_->mu);
  impl_->cv.wait_for(lock, timeout, [&] { return impl_->gen != seen; });
  return impl_->gen;
}

}  // namespace koban::store
