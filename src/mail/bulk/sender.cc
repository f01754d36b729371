// BulkSender: claim, replay, and the three threads of a send — the caller's thread drives the
// SMTP sessions, a preparer reads and renders the next chunk meanwhile, a folder merges the
// journal into the database. See bulk.h for the guarantees.
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <limits>
#include <condition_variable>
#include <deque>
#include <filesystem>
#include <mutex>
#include <thread>
#include <unordered_map>

#include "mail/bulk/bulk.h"
#include "mail/bulk/journal.h"

namespace koban::mail::bulk {
namespace {

using SteadyClock = std::chrono::steady_clock;

std::int64_t now_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}
std::int64_t now_s() { return now_ms() / 1000; }

std::string host_name() {
  char buf[256] = {};
  if (::gethostname(buf, sizeof buf - 1) != 0 || buf[0] == '\0') return "localhost";
  return buf;
}

// Items of one chunk, in the order of the envelopes handed to SMTP.
struct Chunk {
  std::vector<Envelope> envelopes;
  std::vector<std::int64_t> item_ids;
  std::vector<int> attempts;
  std::vector<JournalRecord> skipped;
};

constexpr std::size_t kInList = 100;  // ids per batched UPDATE of sent items

// Applies journal records to the database in one transaction, with the run's counters and the
// folded offset. Idempotent: every item UPDATE is guarded by the attempts it had when it was
// sent, so a record folded twice (or a duplicate send's record) changes nothing.
class Folder {
 public:
  Folder(store::Database& db, Journal& journal, const BulkOptions& o, const Hooks& hooks, std::int64_t run_id,
         std::string owner)
      : db_(db), journal_(journal), o_(o), hooks_(hooks), run_id_(run_id), owner_(std::move(owner)) {
    in_list_sql_ = "UPDATE mail_bulk_items SET state = 'sent', attempts = 1, last_code = ?, last_error = NULL"
                   " WHERE run_id = ? AND state = 'pending' AND attempts = 0 AND item_id IN (";
    for (std::size_t i = 0; i < kInList; ++i) in_list_sql_ += i ? ",?" : "?";
    in_list_sql_ += ") RETURNING item_id";
  }

  // Folds records ending at journal offset `end` (synchronously, on the caller's thread).
  Result<void> fold(const std::vector<JournalRecord>& recs, std::uint64_t end) {
    KOBAN_TRY(journal_.sync());
    const std::int64_t t_ms = now_ms();
    return db_.write([&](store::Session& s) -> Result<void> {
      std::int64_t d_sent = 0, d_deferred = 0, d_bounced = 0, d_failed = 0, d_skipped = 0;
      // Fresh items that were accepted: the bulk of every fold, batched.
      std::vector<const JournalRecord*> fresh;
      for (const auto& r : recs)
        if (r.status == JournalStatus::sent && r.attempts_before == 0) fresh.push_back(&r);
      for (std::size_t i = 0; i < fresh.size(); i += kInList) {
        const std::size_t n = std::min(kInList, fresh.size() - i);
        std::vector<store::Value> params;
        params.reserve(kInList + 2);
        params.emplace_back(std::int64_t{250});
        params.emplace_back(run_id_);
        // Pad with the last id: the statement keeps one text (one prepared statement).
        for (std::size_t k = 0; k < kInList; ++k) params.emplace_back(fresh[i + std::min(k, n - 1)]->item_id);
        KOBAN_ASSIGN(auto rows, s.query_values(in_list_sql_, params));
        d_sent += static_cast<std::int64_t>(rows.size());
        if (hooks_.on_success)
          for (const auto& row : rows) KOBAN_TRY(hooks_.on_success(s, row.int64(0)));
      }
      for (const auto& r : recs) {
        if (r.status == JournalStatus::sent && r.attempts_before == 0) continue;
        const bool was_deferred = r.attempts_before > 0;
        const char* from_state = was_deferred ? "deferred" : "pending";
        const std::string text = r.text.substr(0, kMaxJournalText);
        std::string state;
        std::int64_t next = 0;
        switch (r.status) {
          case JournalStatus::sent: state = "sent"; break;
          case JournalStatus::bounced: state = "bounced"; break;
          case JournalStatus::skipped: state = "skipped"; break;
          case JournalStatus::deferred: {
            const int attempts = r.attempts_before + 1;
            if (attempts >= o_.max_attempts) {
              state = "failed";
            } else {
              state = "deferred";
              auto delay = o_.retry_base * (std::int64_t{1} << std::min(attempts - 1, 20));
              next = t_ms + std::min<std::int64_t>(delay.count(), o_.retry_max.count());
            }
            break;
          }
        }
        KOBAN_ASSIGN(const std::int64_t changed,
                     s.exec("UPDATE mail_bulk_items SET state = ?, attempts = attempts + 1, next_attempt_at = ?,"
                            " last_code = ?, last_error = ?"
                            " WHERE run_id = ? AND item_id = ? AND attempts = ? AND state = ?",
                            state, next, r.code, r.status == JournalStatus::sent ? store::Value{store::Null{}} : store::to_value(text),
                            run_id_, r.item_id, r.attempts_before, from_state));
        if (changed == 0) continue;  // folded before, or a duplicate send's record
        if (was_deferred) --d_deferred;
        if (state == "sent") {
          ++d_sent;
          if (hooks_.on_success) KOBAN_TRY(hooks_.on_success(s, r.item_id));
        } else if (state == "bounced") {
          ++d_bounced;
          if (hooks_.on_hard_failure) KOBAN_TRY(hooks_.on_hard_failure(s, r.item_id));
        } else if (state == "skipped") {
          ++d_skipped;
        } else if (state == "failed") {
          ++d_failed;
        } else {
          ++d_deferred;
        }
      }
      const std::int64_t t = t_ms / 1000;
      KOBAN_ASSIGN(const std::int64_t ours,
                   s.exec("UPDATE mail_bulk_runs SET sent = sent + ?, deferred = deferred + ?, bounced = bounced + ?,"
                          " failed = failed + ?, skipped = skipped + ?, journal_offset = ?, lease_until = ?,"
                          " updated_at = ? WHERE id = ? AND lease_owner = ?",
                          d_sent, d_deferred, d_bounced, d_failed, d_skipped, static_cast<std::int64_t>(end),
                          t + o_.lease.count(), t, run_id_, owner_));
      if (ours != 1) return Error::conflict("bulk run " + std::to_string(run_id_) + ": the lease was taken over");
      return ok();
    });
  }

  // Background folding.
  void start() {
    thread_ = std::thread([this] { loop(); });
  }
  void stop() {
    {
      std::lock_guard lock(mu_);
      stop_ = true;
    }
    cv_.notify_all();
    if (thread_.joinable()) thread_.join();
  }
  void push(JournalRecord r, std::uint64_t end) {
    std::lock_guard lock(mu_);
    queue_.push_back(std::move(r));
    queued_end_ = end;
    if (queue_.size() >= o_.fold_records) cv_.notify_all();
  }
  // Waits until everything pushed so far is folded.
  Result<void> flush() {
    std::unique_lock lock(mu_);
    flush_to_ = queued_end_;
    cv_.notify_all();
    done_cv_.wait(lock, [&] { return error_ || folded_end_ >= flush_to_; });
    if (error_) return *error_;
    return ok();
  }
  std::optional<Error> error() {
    std::lock_guard lock(mu_);
    return error_;
  }
  void set_folded(std::uint64_t end) {
    std::lock_guard lock(mu_);
    folded_end_ = queued_end_ = end;
  }

 private:
  void loop() {
    std::unique_lock lock(mu_);
    auto last_fold = SteadyClock::now();
    while (true) {
      cv_.wait_for(lock, o_.fold_interval, [&] {
        return stop_ || queue_.size() >= o_.fold_records || flush_to_ > folded_end_;
      });
      const bool renew = SteadyClock::now() - last_fold > o_.lease / 3;
      if (!error_ && (!queue_.empty() || renew)) {
        std::vector<JournalRecord> batch;
        batch.swap(queue_);
        const std::uint64_t end = queued_end_;
        lock.unlock();
        auto r = fold(batch, end);
        last_fold = SteadyClock::now();
        lock.lock();
        if (!r) error_ = r.error();
        else folded_end_ = end;
        done_cv_.notify_all();
      }
      if (stop_ && (queue_.empty() || error_)) break;
    }
    done_cv_.notify_all();
  }

  store::Database& db_;
  Journal& journal_;
  const BulkOptions& o_;
  const Hooks& hooks_;
  std::int64_t run_id_;
  std::string owner_;
  std::string in_list_sql_;

  std::mutex mu_;
  std::condition_variable cv_, done_cv_;
  std::vector<JournalRecord> queue_;
  std::uint64_t queued_end_ = 0, folded_end_ = 0, flush_to_ = 0;
  bool stop_ = false;
  std::optional<Error> error_;
  std::thread thread_;
};

// A queue of at most one ready chunk between the preparer and the sending thread.
class ChunkQueue {
 public:
  // False when the consumer gave up.
  bool put(Chunk c) {
    std::unique_lock lock(mu_);
    cv_.wait(lock, [&] { return !ready_ || cancelled_; });
    if (cancelled_) return false;
    ready_ = std::move(c);
    cv_.notify_all();
    return true;
  }
  void close(std::optional<Error> e = std::nullopt) {
    std::lock_guard lock(mu_);
    closed_ = true;
    if (e) error_ = std::move(e);
    cv_.notify_all();
  }
  void cancel() {
    std::lock_guard lock(mu_);
    cancelled_ = true;
    cv_.notify_all();
  }
  // nullopt at the end.
  std::optional<Chunk> take() {
    std::unique_lock lock(mu_);
    cv_.wait(lock, [&] { return ready_ || closed_; });
    if (!ready_) return std::nullopt;
    auto c = std::move(ready_);
    ready_.reset();
    cv_.notify_all();
    return c;
  }
  std::optional<Error> error() {
    std::lock_guard lock(mu_);
    return error_;
  }

 private:
  std::mutex mu_;
  std::condition_variable cv_;
  std::optional<Chunk> ready_;
  bool closed_ = false, cancelled_ = false;
  std::optional<Error> error_;
};

// Reply texts come from a remote server: printable ASCII only (PostgreSQL TEXT must be valid
// UTF-8), bounded.
std::string printable(std::string_view s) {
  std::string out(s.substr(0, kMaxJournalText));
  for (auto& c : out)
    if (static_cast<unsigned char>(c) < 0x20 || static_cast<unsigned char>(c) > 0x7e) c = '?';
  return out;
}

JournalStatus journal_status(DeliveryStatus s) {
  switch (s) {
    case DeliveryStatus::delivered: return JournalStatus::sent;
    case DeliveryStatus::permanent_failure: return JournalStatus::bounced;
    case DeliveryStatus::temporary_failure: break;
  }
  return JournalStatus::deferred;
}

}  // namespace

BulkSender::BulkSender(store::Database& db, SmtpDelivery& smtp, BulkOptions options)
    : db_(db), smtp_(smtp), options_(std::move(options)) {
  if (options_.node.empty()) options_.node = host_name();
  options_.chunk_size = std::clamp<std::size_t>(options_.chunk_size, 1, 50'000);
  options_.fold_records = std::max<std::size_t>(options_.fold_records, 1);
  options_.max_attempts = std::max(options_.max_attempts, 1);
}

std::string BulkSender::journal_path(std::int64_t run_id) const {
  return options_.data_dir + "/bulk/" + std::to_string(run_id) + ".journal";
}

Result<SendReport> BulkSender::send(std::int64_t run_id, const Renderer& render, const Hooks& hooks) {
  SendReport report;
  const std::string owner = options_.node;

  // 1. The journal's flock first: no other process of this host sends the run.
  std::error_code fs_ec;
  std::filesystem::create_directories(options_.data_dir + "/bulk", fs_ec);
  if (fs_ec) return Error::unavailable("bulk: cannot create " + options_.data_dir + "/bulk: " + fs_ec.message());
  KOBAN_ASSIGN(auto journal, Journal::open(journal_path(run_id)));

  // 2. The lease: free, expired, or held by this host (whose sender died: we hold the flock).
  std::int64_t folded_offset = 0;
  bool done_already = false;
  KOBAN_TRY(db_.write([&](store::Session& s) -> Result<void> {
    const std::int64_t t = now_s();
    KOBAN_ASSIGN(auto rows, s.query("SELECT state, lease_owner, lease_until, journal_offset FROM mail_bulk_runs WHERE id = ?",
                                    run_id));
    if (rows.empty()) return Error::not_found("bulk run " + std::to_string(run_id) + " not found");
    if (rows[0].text(0) == "done") {
      done_already = true;
      return ok();
    }
    KOBAN_ASSIGN(const std::int64_t n,
                 s.exec("UPDATE mail_bulk_runs SET state = 'running', lease_owner = ?, lease_until = ?,"
                        " started_at = COALESCE(started_at, ?), updated_at = ?"
                        " WHERE id = ? AND state <> 'done'"
                        " AND (lease_owner IS NULL OR lease_owner = ? OR lease_until < ?)",
                        owner, t + options_.lease.count(), t, t, run_id, owner, t));
    if (n != 1)
      return Error::conflict("bulk run " + std::to_string(run_id) + " is being sent by " + rows[0].text(1));
    folded_offset = rows[0].int64(3);
    return ok();
  }));
  if (done_already) {
    journal.remove();
    KOBAN_ASSIGN(report.progress, run_progress(db_, run_id));
    report.done = true;
    return report;
  }

  Folder folder(db_, journal, options_, hooks, run_id, owner);

  // 3. Replay what the journal holds beyond the folded offset (a crash before the last fold).
  if (static_cast<std::uint64_t>(folded_offset) > journal.size()) {
    // The journal is gone or shorter (another host, a lost disk): the database is the truth;
    // records beyond it are lost, so those messages may go out twice.
    KOBAN_TRY(folder.fold({}, journal.size()));
    folded_offset = static_cast<std::int64_t>(journal.size());
  }
  for (std::uint64_t at = static_cast<std::uint64_t>(folded_offset);;) {
    KOBAN_ASSIGN(auto replay, journal.read_from(at, options_.fold_records));
    if (replay.records.empty()) {
      if (replay.end != at || replay.torn) KOBAN_TRY(folder.fold({}, replay.end));
      at = replay.end;
      folder.set_folded(at);
      break;
    }
    KOBAN_TRY(folder.fold(replay.records, replay.end));
    report.replayed += replay.records.size();
    at = replay.end;
  }

  folder.start();
  std::atomic<std::uint64_t> sessions{0};

  // One pass over the items to send (pending ones, or deferred ones due by due_ms).
  auto round = [&](bool deferred, std::int64_t due_ms) -> Result<void> {
    ChunkQueue q;
    std::thread preparer([&] {
      std::int64_t cursor = std::numeric_limits<std::int64_t>::min();
      while (true) {
        std::vector<std::int64_t> ids;
        std::vector<int> attempts;
        auto r = db_.read([&](store::Session& s) -> Result<void> {
          const auto limit = static_cast<std::int64_t>(options_.chunk_size);
          Result<store::Rows> rows = deferred
              ? s.query("SELECT item_id, attempts FROM mail_bulk_items WHERE run_id = ? AND state = 'deferred'"
                        " AND item_id > ? AND next_attempt_at <= ? ORDER BY item_id LIMIT ?",
                        run_id, cursor, due_ms, limit)
              : s.query("SELECT item_id, attempts FROM mail_bulk_items WHERE run_id = ? AND state = 'pending'"
                        " AND item_id > ? ORDER BY item_id LIMIT ?",
                        run_id, cursor, limit);
          if (!rows) return rows.error();
          for (const auto& row : *rows) {
            ids.push_back(row.int64(0));
            attempts.push_back(static_cast<int>(row.int64(1)));
          }
          return ok();
        });
        if (!r) return q.close(r.error());
        if (ids.empty()) return q.close();
        cursor = ids.back();
        std::vector<RenderedItem> rendered;
        rendered.reserve(ids.size());
        auto rr = render(std::span<const std::int64_t>(ids), rendered);
        if (!rr) return q.close(rr.error());
        // Match by id: the renderer may leave items out (skipped) or reorder them.
        std::unordered_map<std::int64_t, std::size_t> index;
        index.reserve(rendered.size());
        for (std::size_t i = 0; i < rendered.size(); ++i) index.try_emplace(rendered[i].item_id, i);
        Chunk c;
        c.envelopes.reserve(ids.size());
        for (std::size_t i = 0; i < ids.size(); ++i) {
          auto it = index.find(ids[i]);
          if (it == index.end()) {
            c.skipped.push_back({ids[i], JournalStatus::skipped, 0, attempts[i], "not rendered (skipped)"});
            continue;
          }
          RenderedItem& item = rendered[it->second];
          c.envelopes.push_back(Envelope{options_.sender, {std::move(item.recipient)}, std::move(item.data)});
          c.item_ids.push_back(ids[i]);
          c.attempts.push_back(attempts[i]);
        }
        if (!q.put(std::move(c))) return;
      }
    });

    std::optional<Error> err;
    while (auto chunk = q.take()) {
      if (auto fe = folder.error()) {
        err = *fe;
        break;
      }
      for (auto& rec : chunk->skipped) {
        auto end = journal.append(rec);
        if (!end) {
          err = end.error();
          break;
        }
        folder.push(std::move(rec), *end);
      }
      if (err) break;
      std::optional<Error> journal_error;
      std::string first_detail;
      auto stats = smtp_.deliver(chunk->envelopes, [&](const RecipientOutcome& o) {
        if (first_detail.empty()) first_detail = o.detail;
        // Runs before the session goes on: the record is in the page cache before the next
        // message of this session is started.
        JournalRecord rec{chunk->item_ids[o.message], journal_status(o.status), o.code, chunk->attempts[o.message],
                          printable(o.detail)};
        auto end = journal.append(rec);
        if (!end) {
          if (!journal_error) journal_error = end.error();
          return;
        }
        folder.push(std::move(rec), *end);
      });
      if (!stats) {
        err = stats.error();
        break;
      }
      sessions += stats->sessions;
      if (journal_error) {
        err = *journal_error;
        break;
      }
      // Not one session could be set up (the relay is down or refuses us): stop instead of
      // deferring every remaining item; the caller retries the job later. This chunk's items
      // are deferred like any 4xx.
      if (!chunk->envelopes.empty() && stats->sessions == 0 && stats->delivered == 0 &&
          stats->permanent_failures == 0) {
        err = Error::unavailable("bulk: the SMTP relay is unreachable: " + first_detail);
        break;
      }
    }
    q.cancel();
    preparer.join();
    if (!err) err = q.error();
    if (err) return *err;
    return folder.flush();
  };

  auto finish = [&]() -> Result<void> {
    folder.stop();
    if (auto e = folder.error()) return *e;
    return ok();
  };

  auto body = [&]() -> Result<void> {
    KOBAN_TRY(round(false, 0));
    while (true) {
      std::int64_t pending = 0, deferred = 0, next_due = 0;
      KOBAN_TRY(db_.read([&](store::Session& s) -> Result<void> {
        KOBAN_ASSIGN(auto rows, s.query("SELECT COUNT(*), MIN(next_attempt_at) FROM mail_bulk_items"
                                        " WHERE run_id = ? AND state = 'deferred'",
                                        run_id));
        deferred = rows[0].int64(0);
        next_due = rows[0].int64(1);
        KOBAN_ASSIGN(auto p, s.query("SELECT COUNT(*) FROM mail_bulk_items WHERE run_id = ? AND state = 'pending'", run_id));
        pending = p[0].int64(0);
        return ok();
      }));
      if (pending > 0) {
        // Only when the renderer returned ids it was not asked for or a pass was cut short.
        KOBAN_TRY(round(false, 0));
        continue;
      }
      if (deferred == 0) {
        report.done = true;
        return ok();
      }
      const std::int64_t wait = next_due - now_ms();
      if (wait > options_.max_wait.count()) {
        report.resume_at = from_unix((next_due + 999) / 1000);
        return ok();
      }
      if (wait > 0) std::this_thread::sleep_for(std::chrono::milliseconds(wait));
      KOBAN_TRY(round(true, now_ms()));
    }
  };

  auto result = body();
  auto stopped = finish();
  if (!result) return result.error();
  KOBAN_TRY(stopped);

  // Done: close the run (and drop its journal), or hand it back until resume_at.
  KOBAN_TRY(db_.write([&](store::Session& s) -> Result<void> {
    const std::int64_t t = now_s();
    Result<std::int64_t> n =
        report.done ? s.exec("UPDATE mail_bulk_runs SET state = 'done', finished_at = ?, lease_owner = NULL,"
                             " lease_until = NULL, updated_at = ? WHERE id = ? AND lease_owner = ?",
                             t, t, run_id, owner)
                    : s.exec("UPDATE mail_bulk_runs SET lease_owner = NULL, lease_until = NULL, updated_at = ?"
                             " WHERE id = ? AND lease_owner = ?",
                             t, run_id, owner);
    if (!n) return n.error();
    if (*n != 1) return Error::conflict("bulk run " + std::to_string(run_id) + ": the lease was taken over");
    return ok();
  }));
  if (report.done) journal.remove();
  report.smtp_sessions = sessions;
  KOBAN_ASSIGN(report.progress, run_progress(db_, run_id));
  return report;
}

}  // namespace koban::mail::bulk
