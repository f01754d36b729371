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
        if (hooks_.on_success_many) {
          std::vector<std::int64_t> ids;
          ids.reserve(rows.size());
          for (const auto& row : rows) ids.push_back(row.int64(0));
          if (!ids.empty()) KOBAN_TRY(hooks_.on_success_many(s, ids));
        } else if (hooks_.on_success) {
          for (const auto& row : rows) KOBAN_TRY(hooks_.on_success(s, row.int64(0)));
        }
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
          if (hooks_.on_success_many) KOBAN_TRY(hooks_.on_success_many(s, std::span<const std::int64_t>(&r.item_id, 1)));
          else if (hooks_.on_success) KOBAN_TRY(hooks_.on_success(s, r.item_id));
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

// The journal and the folder's queue in one order: a record is pushed to the folder with the
// offset it ends at, so records must be appended and pushed under one lock (the preparer
// writes skipped items, the SMTP thread outcomes). Otherwise a fold could store an offset
// beyond a record it has not seen, and a crash then would never fold that record.
class Recorder {
 public:
  Recorder(Journal& journal, Folder& folder) : journal_(journal), folder_(folder) {}
  Result<void> record(JournalRecord rec) {
    std::lock_guard lock(mu_);
    KOBAN_ASSIGN(auto end, journal_.append(rec));
    folder_.push(std::move(rec), end);
    return ok();
  }

 private:
  std::mutex mu_;
  Journal& journal_;
  Folder& folder_;
};

// Items handed to SMTP and not reported yet: id → attempts when handed over (the tag of an
// envelope is its item id).
class InFlight {
 public:
  void add(std::int64_t id, int attempts) {
    std::lock_guard lock(mu_);
    items_[id] = attempts;
  }
  std::optional<int> take(std::int64_t id) {
    std::lock_guard lock(mu_);
    auto it = items_.find(id);
    if (it == items_.end()) return std::nullopt;
    const int a = it->second;
    items_.erase(it);
    return a;
  }

 private:
  std::mutex mu_;
  std::unordered_map<std::int64_t, int> items_;
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

  Recorder recorder(journal, folder);

  // One pass over the items to send (pending ones, or deferred ones due by due_ms): a
  // preparer thread reads and renders chunk after chunk into a bounded stream while this
  // thread's SMTP sessions stay open for the whole pass.
  std::uint64_t handed_over = 0;  // envelopes given to SMTP by all passes so far
  auto round = [&](bool deferred, std::int64_t due_ms) -> Result<void> {
    DeliveryStream stream(options_.chunk_size);
    InFlight in_flight;
    std::mutex err_mu;
    std::optional<Error> err;  // the first error of either thread
    auto note = [&](Error e) {
      std::lock_guard lock(err_mu);
      if (!err) err = std::move(e);
    };
    // Outcomes cannot be recorded: stop sending at once.
    auto fail = [&](Error e) {
      note(std::move(e));
      stream.cancel();
    };
    // Reading or rendering failed: what was handed over is still sent (and recorded).
    auto stop_feeding = [&](Error e) {
      note(std::move(e));
      stream.close();
    };

    std::thread preparer([&] {
      std::int64_t cursor = std::numeric_limits<std::int64_t>::min();
      while (true) {
        if (auto fe = folder.error()) return fail(*fe);
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
        if (!r) return stop_feeding(r.error());
        if (ids.empty()) return stream.close();
        cursor = ids.back();
        std::vector<RenderedItem> rendered;
        rendered.reserve(ids.size());
        auto rr = render(std::span<const std::int64_t>(ids), rendered);
        if (!rr) return stop_feeding(rr.error());
        // Match by id: the renderer may leave items out (skipped) or reorder them.
        std::unordered_map<std::int64_t, std::size_t> index;
        index.reserve(rendered.size());
        for (std::size_t i = 0; i < rendered.size(); ++i) index.try_emplace(rendered[i].item_id, i);
        std::vector<TaggedEnvelope> batch;
        batch.reserve(ids.size());
        for (std::size_t i = 0; i < ids.size(); ++i) {
          auto it = index.find(ids[i]);
          if (it == index.end()) {
            auto w = recorder.record({ids[i], JournalStatus::skipped, 0, attempts[i], "not rendered (skipped)"});
            if (!w) return fail(w.error());
            continue;
          }
          RenderedItem& item = rendered[it->second];
          in_flight.add(ids[i], attempts[i]);
          ++handed_over;
          batch.push_back({static_cast<std::size_t>(ids[i]),
                           Envelope{options_.sender, {std::move(item.recipient)}, std::move(item.data)}});
        }
        if (!batch.empty() && !stream.push(std::move(batch))) return;  // the delivery ended
      }
    });

    std::string first_detail;
    std::size_t outcomes = 0;
    auto stats = smtp_.deliver_stream(stream, [&](const RecipientOutcome& o) {
      if (first_detail.empty()) first_detail = o.detail;
      const auto id = static_cast<std::int64_t>(o.message);
      const auto attempts = in_flight.take(id);
      if (!attempts) return;  // a second outcome for one item: not possible with one recipient
      // Runs before the session goes on: the record is in the page cache before the next
      // message of this session is started.
      auto w = recorder.record({id, journal_status(o.status), o.code, *attempts, printable(o.detail)});
      if (!w) return fail(w.error());
      if (++outcomes % 1024 == 0)
        if (auto fe = folder.error()) fail(*fe);
    });
    stream.cancel();  // wakes a preparer blocked in push() when the delivery ended early
    preparer.join();
    if (!stats) return stats.error();
    sessions += stats->sessions;
    if (err) return *err;
    // Not one session could be set up (the relay is down or refuses us): stop instead of
    // deferring every remaining item; the caller retries the job later. The items handed
    // over are deferred like any 4xx, the rest stay as they are.
    if (stats->relay_unreachable)
      return Error::unavailable("bulk: the SMTP relay is unreachable: " + first_detail);
    return folder.flush();
  };

  auto finish = [&]() -> Result<void> {
    folder.stop();
    if (auto e = folder.error()) return *e;
    return ok();
  };

  auto body = [&]() -> Result<void> {
    // When the last pass that sent anything ended (none yet: no floor).
    std::int64_t pass_end = std::numeric_limits<std::int64_t>::min() / 2;
    auto pass = [&](bool deferred, std::int64_t due_ms) -> Result<void> {
      const auto before = handed_over;
      KOBAN_TRY(round(deferred, due_ms));
      if (handed_over != before) pass_end = now_ms();
      return ok();
    };
    KOBAN_TRY(pass(false, 0));
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
        KOBAN_TRY(pass(false, 0));
        continue;
      }
      if (deferred == 0) {
        report.done = true;
        return ok();
      }
      // A retry pass starts no sooner than retry_base after the pass before it ended: the
      // backoff of an item deferred early in a long pass must not have run out while the pass
      // was still sending (and folds during a pass must not make the timing depend on them).
      const std::int64_t t = now_ms();
      const std::int64_t due = std::max(next_due, pass_end + options_.retry_base.count());
      const std::int64_t wait = due - t;
      if (wait > options_.max_wait.count()) {
        report.resume_at = from_unix((due + 999) / 1000);
        return ok();
      }
      if (wait > 0) std::this_thread::sleep_for(std::chrono::milliseconds(wait));
      KOBAN_TRY(pass(true, now_ms()));
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
